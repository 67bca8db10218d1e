"""`scrapy crawl`, checking newsbot's settings, the spider's arguments and the store before any request.

Anything a user can get wrong ends with one clear line and exit status 2, never a traceback. A second
run of the same spider on the same store exits with status 75 (or waits NEWSBOT_LOCK_WAIT seconds),
and a run whose health checks fail exits with status 3, so cron and systemd report it.
"""

from __future__ import annotations

import inspect
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newsbot.config import Config, ConfigError
from newsbot.store import Store, StoreError
from newsbot.store.runlock import RunLock

EXIT_HEALTH_FAILED = 3
EXIT_ALREADY_RUNNING = 75  # EX_TEMPFAIL: try again later


def check_spider_arguments(spidercls, spargs: dict) -> None:
    """Unknown -a names and bad values fail here; names starting with "_" (scrapyd's _job) pass."""
    arguments_class = getattr(spidercls, "arguments_class", None)
    if arguments_class is None:
        return
    known = set(inspect.signature(arguments_class.parse).parameters) - {"today"}
    unknown = sorted(name for name in spargs if name not in known and not name.startswith("_"))
    if unknown:
        raise ConfigError(
            f"unknown argument(s) for spider {spidercls.name!r}: {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    arguments_class.parse(**{name: value for name, value in spargs.items() if name in known})


class Command(ScrapyCrawlCommand):
    def run(self, args, opts):
        if len(args) != 1:
            return super().run(args, opts)
        try:
            config = Config.from_settings(self.settings)
            spidercls = self.crawler_process.spider_loader.load(args[0])
            check_spider_arguments(spidercls, opts.spargs)
            spidercls.load_start_points(config.seeds)
            Store.open(config.db, check=True).close()
        except KeyError:
            raise UsageError(f"no spider named {args[0]!r}; see `scrapy list`", print_help=False) from None
        except (ConfigError, StoreError) as error:
            raise UsageError(str(error), print_help=False) from None
        lock = RunLock(config.db, spidercls.name)
        if not lock.acquire(config.lock_wait):
            print(
                f"newsbot: a {spidercls.name!r} run on {config.db} is already in progress "
                f"(pid {lock.holder()}); not starting another (set NEWSBOT_LOCK_WAIT to wait for it)",
                file=sys.stderr,
            )
            self.exitcode = EXIT_ALREADY_RUNNING
            return None
        try:
            crawler = self.crawler_process.create_crawler(spidercls)
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            lock.release()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats.get_value("newsbot/run/status") == "failed":
            self.exitcode = EXIT_HEALTH_FAILED
        return None
