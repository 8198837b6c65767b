"""One connector per agency source: a delivery in, typed records and rejects out."""
