"""Project commands (COMMANDS_MODULE): `crawl` with up-front checks; `export` (see export.py)."""
