"""Limits, all applied before any database work (issue 16, item 5).

In the order a request meets them:

1. the view: the HTTP body's size (`max_request_bytes`, HTTP 413); batched requests are
   refused (strawberry's batching stays off: HTTP 400);
2. `guard.LimitsGuard`, the schema's extension, with `document`: the document's size
   before parsing, its tokens while parsing, its depth and aliases while validating;
   parsed and validated documents are cached by bytes (`document_cache`);
3. `guard.LimitsGuard` again, before executing: the variables' and arguments' sizes and
   the page sizes, then the computed cost against the role's ceiling (`cost`),
   introspection per role, the key's rate limit (`buckets`) and the process's cost
   budget (`admission`);
4. while executing: PostgreSQL's `statement_timeout` on every connection (`hub.api.app`);
5. the view: the encoded response's size (`max_response_bytes`).

Settings: `settings` (environment variables listed in `hub.api.settings`); errors and
their codes: `errors`.
"""
