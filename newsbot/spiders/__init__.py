"""Spiders: what to fetch and in what order (start points, arguments, the revisit policy)."""
