"""The compiled read path: a root field's selection as one SQL statement whose result is
the field's JSON (see `execution` for the hook, `mapping` for what each field reads)."""
