"""`scrapy crawl`, checking newsbot's settings, the spider's arguments, its start points and the store
before any request.

Anything a user can get wrong ends with one line and exit status 2, never a traceback, a banner or a
usage block: the checks run in process_options, before Scrapy builds its crawler process (which logs
its banner). A second run of the same spider on the same store exits with status 75 (or waits
NEWSBOT_LOCK_WAIT seconds), and a run whose health checks fail exits with status 3, so cron and
systemd report it.
"""

from __future__ import annotations

import argparse
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.spiderloader import get_spider_loader

from newsbot.commands import fail
from newsbot.config import Config, ConfigError
from newsbot.store import Store, StoreError
from newsbot.store.runlock import RunLock

EXIT_HEALTH_FAILED = 3
EXIT_ALREADY_RUNNING = 75  # EX_TEMPFAIL: try again later


def check_spider_arguments(spidercls: Any, spargs: dict[str, str]) -> None:
    """Unknown -a names and bad values fail here; names starting with "_" (scrapyd's _job) pass."""
    arguments_class = getattr(spidercls, "arguments_class", None)
    if arguments_class is None:
        return
    known = arguments_class.names()
    unknown = sorted(name for name in spargs if name not in known and not name.startswith("_"))
    if unknown:
        raise ConfigError(
            f"unknown argument(s) for spider {spidercls.name!r}: {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    arguments_class.parse(**{name: value for name, value in spargs.items() if name in known})


class Command(ScrapyCrawlCommand):
    lock: RunLock | None = None

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            return  # Scrapy's own usage message
        assert self.settings is not None
        try:
            config = Config.from_settings(self.settings)
            try:
                spidercls = get_spider_loader(self.settings).load(args[0])
            except KeyError:
                raise ConfigError(f"no spider named {args[0]!r}; see `scrapy list`") from None
            check_spider_arguments(spidercls, opts.spargs)
            load_start_points = getattr(spidercls, "load_start_points", None)
            if load_start_points is not None:
                load_start_points(config.seeds)
            Store.open(config.db, check=True).close()
        except (ConfigError, StoreError) as error:
            fail(str(error))
        lock = RunLock(config.db, spidercls.name)
        if not lock.acquire(config.lock_wait):
            fail(
                f"a {spidercls.name!r} run on {config.db} is already in progress (pid {lock.holder()}); "
                "not starting another (set NEWSBOT_LOCK_WAIT to wait for it)",
                status=EXIT_ALREADY_RUNNING,
            )
        self.lock = lock

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if self.lock is None:
            super().run(args, opts)
            return
        process = self.crawler_process
        assert process is not None
        try:
            crawler = process.create_crawler(args[0])
            process.crawl(crawler, **opts.spargs)
            process.start()
        finally:
            self.lock.release()
        if process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats is not None and crawler.stats.get_value("newsbot/run/status") == "failed":
            self.exitcode = EXIT_HEALTH_FAILED
