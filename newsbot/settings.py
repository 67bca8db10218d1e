"""Scrapy settings for newsbot: constants only. Every project setting is NEWSBOT_* (README table)."""

BOT_NAME = "newsbot"
SPIDER_MODULES = ["newsbot.spiders"]
NEWSPIDER_MODULE = "newsbot.spiders"
COMMANDS_MODULE = "newsbot.commands"

# --- newsbot's own settings (documented in README.md) ---
NEWSBOT_DB = "newsbot.db"
NEWSBOT_MIRROR = ""
NEWSBOT_WARC_DIR = None  # None: a warc/ folder beside NEWSBOT_DB; "" turns capture off
NEWSBOT_WARC_MAX_MB = 1000
NEWSBOT_SEEDS = "seeds/start-points.toml"
NEWSBOT_CONTACT = ""
NEWSBOT_BATCH_SIZE = 100
NEWSBOT_RETRY_AFTER_MAX = 600
NEWSBOT_STATS_FILE = ""
NEWSBOT_MAX_INDEX_PAGES = 3
NEWSBOT_REVISIT_HOURS = 48
NEWSBOT_RETRY_FAILED_MAX = 5
NEWSBOT_LOCK_WAIT = 0
NEWSBOT_MAX_ARTICLE_REQUESTS = 1000
NEWSBOT_MAX_SITEMAP_URLS = 1000
NEWSBOT_MAX_BACKFILL_DAYS = 31
NEWSBOT_CATCHUP_DAYS = 3
NEWSBOT_AUTHOR_REVISIT_DAYS = 7
NEWSBOT_MAX_AUTHORS_PER_RUN = 20
NEWSBOT_HEALTH_COVERAGE = {"title": 0.95, "published_at": 0.95, "body": 0.95, "image_captions": 0.5}
NEWSBOT_HEALTH_MIN_SAMPLE = 5
NEWSBOT_HEALTH_MIN_LINKS_RATIO = 0.5
NEWSBOT_HEALTH_MAX_ERRORS = 0
NEWSBOT_HEALTH_MAX_DROPPED_SHARE = 0.2
# Drift takes a field's agreement towards 0; one odd page or a story edited between its feed copy and
# its download must not fail an hourly run of five to ten articles (1 of 5 disagreeing is 0.8).
NEWSBOT_HEALTH_AGREEMENT = {
    "title": 0.8,
    "published_at": 0.8,
    "body": 0.8,
    "image_captions": 0.8,
    "image_credits": 0.8,
}
NEWSBOT_FEED_COPY_HOURS = 6

# --- Politeness: the live site rate-limits hard (403/429 even at one request per 1.5 s) ---
USER_AGENT = "newsbot/0.1 (research archive crawler of www.dawn.com; obeys robots.txt)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 2.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# A page given up on is counted (newsbot/failed/...) and retried by the next run: not a run failure.
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
COOKIES_ENABLED = False
# The flow, as Scrapy wires it (docs/architecture.md). Downloader middlewares: a lower number is nearer
# the engine, so the guard checks a request first and the recorder sees what is left after retries.
DOWNLOADER_MIDDLEWARES = {
    # The guard does what Scrapy's offsite filter does and more, and counts what it blocks; the
    # offsite filter would drop an off-site meta-refresh or sitemap child at scheduling, at DEBUG only.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newsbot.downloader.guard.SiteGuardMiddleware": 40,
    "newsbot.downloader.robots.RobotsFailClosedMiddleware": 530,
    "newsbot.downloader.recorder.FetchRecorder": 540,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsbot.downloader.retry.RetryAfterMiddleware": 550,
    "newsbot.downloader.guard.RedirectGuardMiddleware": 650,
}
DOWNLOAD_HANDLERS = {
    "http": "newsbot.downloader.mirror.MirrorDownloadHandler",
    "https": "newsbot.downloader.mirror.MirrorDownloadHandler",
    "file": None,
    "data": None,
}

ADDONS = {"newsbot.downloader.addons.SnapshotReplay": 0, "newsbot.downloader.addons.ContactUserAgent": 0}
# CrawlState first: it owns the archive connection, the run id and the clock for everyone else.
EXTENSIONS = {
    "scrapy.extensions.logstats.LogStats": None,
    "newsbot.monitoring.progress.Progress": 0,
    "newsbot.store.state.CrawlState": 100,
    "newsbot.downloader.capture.WarcCapture": 200,
    "newsbot.monitoring.runs.RunMonitor": 400,
    "newsbot.monitoring.statsfile.StatsFile": 500,
}

ITEM_PIPELINES = {
    "newsbot.pipelines.CoveragePipeline": 50,
    "newsbot.pipelines.CrossCheckPipeline": 75,
    "newsbot.pipelines.ValidatePipeline": 100,
    "newsbot.pipelines.DedupePipeline": 200,
    "newsbot.pipelines.StorePipeline": 300,
}

# Nested fields (authors, images, related_editorials, sources) as JSON text in CSV cells, not Python reprs.
FEED_EXPORTERS = {"csv": "newsbot.exporters.JsonCellCsvItemExporter"}
FEED_EXPORT_ENCODING = "utf-8"

# No remote control surfaces on a shared server.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_LEVEL = "INFO"
# A run ends with one summary line (newsbot.monitoring.runs), not a 50-line stats dictionary; the full
# stats go to NEWSBOT_STATS_FILE for machines.
STATS_DUMP = False
# A dropped item was already logged by the pipeline that dropped it, with its reason and URL
# (newsbot.monitoring.log.count_drop); Scrapy's own line, with the whole item, goes to DEBUG.
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"
