"""Project commands (COMMANDS_MODULE): `crawl` with up-front checks and exit codes; `export`."""

from __future__ import annotations

import sys
from typing import NoReturn


def fail(message: str, status: int = 2) -> NoReturn:
    """What every newsbot command does with a mistake a user can make: one line on standard error and an
    exit status, with no traceback, banner or usage block."""
    print(f"newsbot: {message}", file=sys.stderr)
    sys.exit(status)
