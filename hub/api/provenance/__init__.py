"""Where the graph came from: deliveries per source, source records, conflicts and the
quarantine of rejected records (for engineers)."""
