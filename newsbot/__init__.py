"""newsbot: a polite, incremental Scrapy archive of Dawn (www.dawn.com) in SQLite.

The flow runs one way (docs/architecture.md): spiders decide what to fetch, downloader/ stands between
Scrapy and the site, pages/ turn responses into items, pipelines validate and dedupe them, and store/
keeps them (and owns all crawl state); monitoring/ judges each run and commands/ is what a user types.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsbot")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
