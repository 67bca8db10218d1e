"""Project commands (COMMANDS_MODULE): `crawl` with up-front checks and exit codes; `export`; `browse`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

from scrapy.settings import BaseSettings, Settings

from newsbot.config import ConfigError, setting


def fail(message: str, status: int = 2) -> NoReturn:
    """What every newsbot command does with a mistake a user can make: one line on standard error and an
    exit status, with no traceback, banner or usage block."""
    print(f"newsbot: {message}", file=sys.stderr)
    sys.exit(status)


def archive_path(given: str | None, settings: BaseSettings) -> Path:
    """The archive a reading command works on: --db as given, else NEWSBOT_DB."""
    value = (given if given is not None else setting(settings, "NEWSBOT_DB") or "").strip()
    if not value:
        raise ConfigError("no database given: set NEWSBOT_DB or pass --db PATH")
    return Path(value).expanduser()


Option = tuple[tuple[str, ...], str | None, str]
"""A command option: (flags, metavar or None for an on/off switch, help)."""


def add_option_table(
    parser: argparse.ArgumentParser, title: str, options: Iterable[Option], repeatable: tuple[str, ...] = ()
) -> None:
    """The options of a command, from its table, as one group; a flag in `repeatable` may be given
    more than once (its value is then a list)."""
    group = parser.add_argument_group(title=title)
    for flags, metavar, help_text in options:
        if metavar is None:
            group.add_argument(*flags, action="store_true", help=help_text)
        else:
            action = "append" if set(flags) & set(repeatable) else "store"
            group.add_argument(*flags, metavar=metavar, action=action, help=help_text)


class ArchiveCommand:
    """What the commands that read the archive (export, browse) share: they run no crawl, say what they
    do in the three texts below, and take options only. A mixin, listed before ScrapyCommand: Scrapy
    turns every ScrapyCommand subclass found in this package into a command of its own."""

    requires_project = True
    requires_crawler_process = False
    usage = ""
    summary = ""
    description = ""
    settings: Settings | None

    def syntax(self) -> str:
        return self.usage

    def short_desc(self) -> str:
        return self.summary

    def long_desc(self) -> str:
        return self.description

    def project_settings(self, args: list[str]) -> BaseSettings:
        """The project's settings, once the command line is known to hold options only."""
        if args:
            fail(f"unexpected argument(s): {' '.join(args)}")
        assert self.settings is not None
        return self.settings
