"""The archive's schema as numbered migrations; PRAGMA user_version records the last one applied.

Each script runs in one transaction (all of it or none) and ends by setting user_version. Never edit a
released migration: add the next number.
"""

from newsbot.store.schema_early import EARLY_MIGRATIONS

MIGRATIONS = {
    **EARLY_MIGRATIONS,
    8: """
    -- Where a field came from when not the article page ({"body": "rss"}); {} for a page's own item.
    ALTER TABLE articles ADD COLUMN sources TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(sources));
    ALTER TABLE article_versions ADD COLUMN sources TEXT NOT NULL DEFAULT '{}';
    -- The site's second copy of each story: the latest RSS item read for an article URL, kept so an
    -- article downloaded in a later run (or by the opinion spider) can be checked against it.
    CREATE TABLE feed_copies (
        url TEXT PRIMARY KEY,
        feed_url TEXT NOT NULL,
        title TEXT,
        published_at TEXT,
        description TEXT,
        body TEXT,
        images TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(images)),
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        last_run INTEGER
    );
    -- Page-vs-feed agreement of a run: articles compared, per field compared/agreed, repairs.
    ALTER TABLE crawl_runs ADD COLUMN crosscheck TEXT CHECK (crosscheck IS NULL OR json_valid(crosscheck));
    PRAGMA user_version = 8;
    """,
    9: """
    -- Where each stored article state came from: the WARC file (its final name, in NEWSBOT_WARC_DIR)
    -- and the offset, record id and WARC-Date of the response record it was extracted from. NULL for
    -- states stored before capture existed, or with capture off.
    ALTER TABLE articles ADD COLUMN warc_file TEXT;
    ALTER TABLE articles ADD COLUMN warc_offset INTEGER;
    ALTER TABLE articles ADD COLUMN warc_record_id TEXT;
    ALTER TABLE articles ADD COLUMN warc_date TEXT;
    ALTER TABLE article_versions ADD COLUMN warc_file TEXT;
    ALTER TABLE article_versions ADD COLUMN warc_offset INTEGER;
    ALTER TABLE article_versions ADD COLUMN warc_record_id TEXT;
    ALTER TABLE article_versions ADD COLUMN warc_date TEXT;
    -- A teaser card: the capture of the index page it was last read from.
    ALTER TABLE teasers ADD COLUMN warc_file TEXT;
    ALTER TABLE teasers ADD COLUMN warc_offset INTEGER;
    ALTER TABLE teasers ADD COLUMN warc_record_id TEXT;
    ALTER TABLE teasers ADD COLUMN warc_date TEXT;
    PRAGMA user_version = 9;
    """,
    10: """
    -- What the site listed per day (scrapy coverage): every whole-day list read by any run (a dated
    -- list /latest-news/{date}, an editorial list, a print-edition section /newspaper/{section}/{date};
    -- an undated index under the day it shows), and the stories on it at its latest reading.
    CREATE TABLE day_lists (
        list_url TEXT NOT NULL,
        day TEXT NOT NULL,
        spider TEXT NOT NULL,
        stories INTEGER NOT NULL,
        first_read TEXT NOT NULL,
        last_read TEXT NOT NULL,
        last_run INTEGER,
        PRIMARY KEY (list_url, day)
    );
    CREATE INDEX day_lists_day ON day_lists (day);
    CREATE TABLE listed_stories (
        list_url TEXT NOT NULL,
        day TEXT NOT NULL,
        url TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        PRIMARY KEY (list_url, day, url)
    );
    CREATE INDEX listed_stories_day ON listed_stories (day, url);
    -- Columnists found in the bylines of opinion and editorial cards and pieces (agency and desk
    -- bylines never), and the seeded ones: their author pages are read on a bounded schedule.
    CREATE TABLE authors (
        author_id INTEGER PRIMARY KEY,
        name TEXT,
        url TEXT NOT NULL,
        seeded INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        last_read TEXT
    );
    -- The catch-up walk of a run: the newest day the site showed, the days read and what each held.
    ALTER TABLE crawl_runs ADD COLUMN catchup TEXT CHECK (catchup IS NULL OR json_valid(catchup));
    PRAGMA user_version = 10;
    """,
}

SCHEMA_VERSION = max(MIGRATIONS)
