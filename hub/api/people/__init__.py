"""Golden persons and households: lookups, filtered lists and household membership."""
