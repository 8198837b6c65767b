"""What the agencies know about a person: tax registrations, employment records, land
leases and parcels, loans and subsidies, notebook entries and appeals."""
