"""Staging: the connectors' records as columnar frames, normalised and checked row by row."""
