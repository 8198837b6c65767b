"""Dagster definitions of the hub: assets, asset checks, schedules, sensors, resources."""
