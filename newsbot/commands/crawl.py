"""`scrapy crawl`, checking newsbot's settings, the spider's arguments and the store before any request.

Anything a user can get wrong ends with one clear line and exit status 2, never a traceback.
"""

from __future__ import annotations

import inspect

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newsbot.config import Config, ConfigError
from newsbot.store import Store, StoreError


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
        if len(args) == 1:
            try:
                config = Config.from_settings(self.settings)
                spidercls = self.crawler_process.spider_loader.load(args[0])
                check_spider_arguments(spidercls, opts.spargs)
                Store.open(config.db).close()
            except KeyError:
                raise UsageError(
                    f"no spider named {args[0]!r}; see `scrapy list`", print_help=False
                ) from None
            except (ConfigError, StoreError) as error:
                raise UsageError(str(error), print_help=False) from None
        super().run(args, opts)
