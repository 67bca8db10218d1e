"""Project commands (COMMANDS_MODULE): `crawl` with up-front checks and exit codes; `export`; `reextract`."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from scrapy.commands import ScrapyCommand
from scrapy.settings import BaseSettings

Option = tuple[tuple[str, ...], str | None, str]
"""(flags, metavar, help) of a command option: metavar None makes an on/off switch, and a metavar
ending in "..." an option that may be given more than once (a list)."""


def fail(message: str, status: int = 2) -> NoReturn:
    """What every newsbot command does with a mistake a user can make: one line on standard error and an
    exit status, with no traceback, banner or usage block."""
    print(f"newsbot: {message}", file=sys.stderr)
    sys.exit(status)


class ArchiveCommand(ScrapyCommand):
    """A project command that works on the archive and runs no crawl: its usage comes from the class
    attributes, its options from OPTIONS, and its work from work(), which gets no stray arguments."""

    requires_project = True
    requires_crawler_process = False
    SYNTAX = ""
    SUMMARY = ""
    DESCRIPTION = ""
    OPTIONS_TITLE = "Options"
    OPTIONS: tuple[Option, ...] = ()

    def syntax(self) -> str:
        return self.SYNTAX

    def short_desc(self) -> str:
        return self.SUMMARY

    def long_desc(self) -> str:
        return self.DESCRIPTION or self.SUMMARY

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            fail(f"unexpected argument(s): {' '.join(args)}")
        assert self.settings is not None
        self.work(opts, self.settings)

    def work(self, opts: argparse.Namespace, settings: BaseSettings) -> None:
        raise NotImplementedError

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        group = parser.add_argument_group(title=self.OPTIONS_TITLE)
        for flags, metavar, help_text in self.OPTIONS:
            if metavar is None:
                group.add_argument(*flags, action="store_true", help=help_text)
            elif metavar.endswith("..."):
                group.add_argument(*flags, metavar=metavar[:-3], action="append", help=help_text)
            else:
                group.add_argument(*flags, metavar=metavar, help=help_text)
