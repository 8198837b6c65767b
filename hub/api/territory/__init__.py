"""Regions, districts, mahallas, khokim assistants and their statistics."""
