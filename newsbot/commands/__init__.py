"""Project commands (COMMANDS_MODULE): `crawl` with up-front checks and exit codes; `export`; `browse`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import NoReturn

from scrapy.settings import BaseSettings, Settings

from newsbot.config import ConfigError, setting
from newsbot.dawn import SITE_OFFSET
from newsbot.processors import parse_datetime
from newsbot.store.access import StoreError


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
DB_OPTION: Option = (("--db",), "PATH", "the SQLite archive (default: NEWSBOT_DB)")


@dataclass(frozen=True)
class DateRange:
    """--since/--until as the contract writes dates: `YYYY-MM-DD` (a whole day, site time) or an ISO
    timestamp (+05:00 when none is given)."""

    since: str | None = None
    until: str | None = None

    def start(self) -> datetime | None:
        """The first instant in range (a date: its first second in site time)."""
        return _instant(self.since, time.min)

    def end(self) -> datetime | None:
        """The last instant in range (a date: its last moment in site time)."""
        return _instant(self.until, time.max)


def _instant(value: str | None, at: time) -> datetime | None:
    if value is None:
        return None
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), at, SITE_OFFSET)
    return datetime.fromisoformat(value)


def date_range(opts: argparse.Namespace) -> DateRange:
    """The --since/--until of a command line, checked; ConfigError says what to fix."""
    bounds = []
    for option, value in (("--since", opts.since), ("--until", opts.until)):
        parsed = None if value is None else parse_datetime(value)
        if value is not None and parsed is None:
            forms = "a date (YYYY-MM-DD) or an ISO datetime (YYYY-MM-DDTHH:MM[:SS][+HH:MM])"
            raise ConfigError(f"{option} {value!r} is not {forms}")
        bounds.append(parsed)
    found = DateRange(*bounds)
    start, end = found.start(), found.end()
    if start and end and start > end:
        raise ConfigError(f"--since {opts.since} is after --until {opts.until}")
    return found


def date_range_options(what: str) -> tuple[Option, Option]:
    """--since and --until on `what` ("published", "captured")."""
    return (
        (("--since",), "D", f"{what} on/after D (YYYY-MM-DD or ISO datetime)"),
        (("--until",), "D", f"{what} on/before D (a date includes that day)"),
    )


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
    options_title = ""
    options: tuple[Option, ...] = ()
    """The command's options as a table (add_option_table); `repeatable` flags may repeat."""
    repeatable: tuple[str, ...] = ()
    option_defaults: dict[str, object] = {}
    usage = ""
    summary = ""
    description = ""
    settings: Settings | None

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)  # type: ignore[misc]  # ScrapyCommand's, next in the command's MRO
        add_option_table(parser, self.options_title, self.options, self.repeatable)
        parser.set_defaults(**self.option_defaults)

    def syntax(self) -> str:
        """The usage line: as declared, else every option of the table, in its order."""
        return self.usage or " ".join(
            f"[{flags[0]}{f' {metavar}' if metavar else ''}{' ...' if flags[0] in self.repeatable else ''}]"
            for flags, metavar, _ in self.options
        )

    def short_desc(self) -> str:
        return self.summary

    def long_desc(self) -> str:
        return self.description

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        """Check the command line, then perform(); a mistake a user made is one line and exit 2."""
        settings = self.project_settings(args)
        try:
            self.perform(opts, settings)
        except (ConfigError, StoreError) as error:
            fail(str(error))

    def perform(self, opts: argparse.Namespace, settings: BaseSettings) -> None:
        """The command's work; raise ConfigError (or StoreError) for anything a user got wrong."""
        raise NotImplementedError

    def project_settings(self, args: list[str]) -> BaseSettings:
        """The project's settings, once the command line is known to hold options only."""
        if args:
            fail(f"unexpected argument(s): {' '.join(args)}")
        assert self.settings is not None
        return self.settings
