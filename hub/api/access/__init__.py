"""The audit log as engineers read it through the API (`auditLog`)."""
