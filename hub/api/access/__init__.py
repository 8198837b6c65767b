"""Access control: the rule table (`rules`), its vocabulary (`requirements`), the regular
path's field checks (`guard`) and row filters (`rows`); the audit log as engineers read it
through the API (`queries`, `auditLog`)."""
