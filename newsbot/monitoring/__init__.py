"""Watching runs: drop counting, health checks, run records and the stats file."""
