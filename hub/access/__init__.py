"""Access to the API: API keys (`keys`, `key_text`, `pepper`) and the audit log's hash
chain (`audit_chain`). The API's side of both is `hub.api.key_authenticator` and
`hub.api.audit`; the command line's is `hub.access.cli`."""
