"""Migrations 1 to 7 of the archive's schema, released: moved here unchanged from schema.py (which
imports them) to keep each module under 300 lines. Never edit them: add the next number in schema.py."""

EARLY_MIGRATIONS = {
    1: """
    CREATE TABLE articles (
        url TEXT PRIMARY KEY,
        article_id INTEGER NOT NULL UNIQUE,
        type TEXT NOT NULL DEFAULT 'article',
        title TEXT NOT NULL,
        section TEXT,
        genre TEXT NOT NULL DEFAULT 'news' CHECK (genre IN ('news', 'opinion', 'editorial')),
        authors TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(authors)),
        published_at TEXT NOT NULL,
        updated_at TEXT,
        description TEXT,
        body TEXT,
        images TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(images)),
        related_editorials TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(related_editorials)),
        content_hash TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        changed_at TEXT NOT NULL
    );
    CREATE INDEX articles_published_at ON articles (published_at);
    CREATE INDEX articles_genre ON articles (genre, published_at);
    CREATE VIEW article_authors AS
        SELECT a.url, j.key AS position, j.value AS name
        FROM articles AS a, json_each(a.authors) AS j;
    CREATE VIEW article_images AS
        SELECT a.url, j.key AS position, json_extract(j.value, '$.url') AS image_url,
               json_extract(j.value, '$.caption') AS caption, json_extract(j.value, '$.credit') AS credit
        FROM articles AS a, json_each(a.images) AS j;
    CREATE VIEW article_related_editorials AS
        SELECT a.url, j.key AS position, json_extract(j.value, '$.url') AS editorial_url,
               json_extract(j.value, '$.title') AS title, json_extract(j.value, '$.teaser') AS teaser,
               json_extract(j.value, '$.published_at') AS published_at,
               json_extract(j.value, '$.updated_at') AS updated_at
        FROM articles AS a, json_each(a.related_editorials) AS j;
    PRAGMA user_version = 1;
    """,
    2: """
    -- change_seq orders stored-or-changed rows for incremental exports (`scrapy export --new`):
    -- assigned inside the write transaction, so it grows in commit order even across processes.
    ALTER TABLE articles ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
    UPDATE articles SET change_seq = rowid;
    CREATE INDEX articles_change_seq ON articles (change_seq);
    -- One row per (index page, article url) for the teaser cards of listing and opinion indexes.
    CREATE TABLE teasers (
        index_url TEXT NOT NULL,
        url TEXT NOT NULL,
        article_id INTEGER NOT NULL,
        title TEXT,
        teaser TEXT,
        authors TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(authors)),
        published_at TEXT,
        updated_at TEXT,
        content_hash TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        change_seq INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (index_url, url)
    );
    CREATE INDEX teasers_url ON teasers (url);
    CREATE INDEX teasers_change_seq ON teasers (change_seq);
    -- High-water marks of `scrapy export --new`, per export target name and item type.
    CREATE TABLE export_marks (
        target TEXT NOT NULL,
        type TEXT NOT NULL,
        last_change_seq INTEGER NOT NULL,
        exported_at TEXT NOT NULL,
        PRIMARY KEY (target, type)
    );
    PRAGMA user_version = 2;
    """,
    3: """
    -- What the last download of a URL gave: validators for conditional revisits, and failures to retry.
    CREATE TABLE fetches (
        url TEXT PRIMARY KEY,
        fetched_at TEXT NOT NULL,
        status INTEGER,
        outcome TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        failures INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX fetches_failed ON fetches (outcome) WHERE outcome = 'failed';
    -- Every earlier state of a changed article: no published text is ever lost.
    CREATE TABLE article_versions (
        url TEXT NOT NULL,
        version INTEGER NOT NULL,
        title TEXT NOT NULL,
        section TEXT,
        genre TEXT NOT NULL,
        authors TEXT NOT NULL,
        published_at TEXT NOT NULL,
        updated_at TEXT,
        description TEXT,
        body TEXT,
        images TEXT NOT NULL,
        related_editorials TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        superseded_at TEXT NOT NULL,
        PRIMARY KEY (url, version)
    );
    -- One row per crawl run, written at start and completed at the end (or marked interrupted).
    CREATE TABLE crawl_runs (
        id INTEGER PRIMARY KEY,
        spider TEXT NOT NULL,
        arguments TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(arguments)),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running'
            CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
        finish_reason TEXT,
        pages_fetched INTEGER,
        links_discovered INTEGER,
        items_new INTEGER,
        items_updated INTEGER,
        items_unchanged INTEGER,
        items_not_modified INTEGER,
        dropped TEXT CHECK (dropped IS NULL OR json_valid(dropped)),
        failed TEXT CHECK (failed IS NULL OR json_valid(failed)),
        errors INTEGER,
        health TEXT CHECK (health IS NULL OR json_valid(health)),
        message TEXT
    );
    CREATE INDEX crawl_runs_spider ON crawl_runs (spider, started_at);
    PRAGMA user_version = 3;
    """,
    4: """
    -- The run that first stored a piece. "Stored before this run" is decided by run id, never by
    -- comparing one-second timestamps (two runs in the same second would look like one).
    ALTER TABLE articles ADD COLUMN first_run INTEGER;
    PRAGMA user_version = 4;
    """,
    5: """
    -- The change time the site declared (a card's "Updated" time, a sitemap lastmod) for the copy we
    -- downloaded: the next run compares what the site declares then with this, not with our clock.
    ALTER TABLE fetches ADD COLUMN declared_at TEXT;
    -- What kind of run it was (its health baselines compare like with like), and its one-line summary.
    ALTER TABLE crawl_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'discovery'
        CHECK (kind IN ('discovery', 'backfill', 'targeted'));
    UPDATE crawl_runs SET kind = CASE
        WHEN json_array_length(coalesce(json_extract(arguments, '$.urls'), '[]')) > 0
          OR json_array_length(coalesce(json_extract(arguments, '$.authors'), '[]')) > 0 THEN 'targeted'
        WHEN json_extract(arguments, '$.since') IS NOT NULL THEN 'backfill'
        ELSE 'discovery' END;
    ALTER TABLE crawl_runs ADD COLUMN summary TEXT;
    DROP INDEX crawl_runs_spider;
    CREATE INDEX crawl_runs_spider ON crawl_runs (spider, kind, id);
    PRAGMA user_version = 5;
    """,
    6: """
    -- Work a run was not allowed to do (NEWSBOT_MAX_* bounds), kept for the next runs, newest first:
    -- article links over the request budget or a sitemap's URL cap, dated lists over the back-fill days.
    -- A row leaves when its download was recorded (articles) or its list was read (dated lists).
    CREATE TABLE backlog (
        spider TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('article', 'dated_list')),
        url TEXT NOT NULL,
        newest TEXT NOT NULL DEFAULT '',
        declared_at TEXT,
        genre_hint TEXT,
        queued_at TEXT NOT NULL,
        PRIMARY KEY (spider, kind, url)
    );
    CREATE INDEX backlog_newest ON backlog (spider, kind, newest);
    CREATE INDEX backlog_url ON backlog (url);
    PRAGMA user_version = 6;
    """,
    7: """
    -- Full-text search over articles (scrapy browse, scrapy export --search): title, description,
    -- body, author names and photo captions, as article_search_text shows them. A contentless FTS5 index
    -- (content=''), so the text is kept once, in `articles`; the triggers keep it in step with every
    -- insert and every change of that text. Keyed on article_id, not rowid: a table without an INTEGER
    -- PRIMARY KEY may get new rowids on VACUUM. (An external-content index over the view cannot serve:
    -- FTS5 cannot read a content query that uses json_each.)
    CREATE VIEW article_search_text AS
        SELECT a.article_id, a.title, a.description, a.body,
               (SELECT group_concat(j.value, ', ') FROM json_each(a.authors) AS j) AS authors,
               (SELECT group_concat(json_extract(j.value, '$.caption'), ' ') FROM json_each(a.images) AS j)
                   AS captions
        FROM articles AS a;
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, description, body, authors, captions,
        content = '', tokenize = 'porter unicode61 remove_diacritics 2'
    );
    -- A contentless index deletes an entry only when given exactly the values it indexed, so entries
    -- leave while the row still holds them (BEFORE) and arrive once it holds the new ones (AFTER), both
    -- read through the one view.
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, description, body, authors, captions)
        SELECT * FROM article_search_text WHERE article_id = new.article_id;
    END;
    CREATE TRIGGER articles_fts_delete BEFORE DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, description, body, authors, captions)
        SELECT 'delete', * FROM article_search_text WHERE article_id = old.article_id;
    END;
    -- Every re-crawl's upsert sets these columns; only a real change of the indexed text re-indexes.
    CREATE TRIGGER articles_fts_update_old BEFORE UPDATE
    OF article_id, title, description, body, authors, images ON articles
    WHEN (old.article_id, old.title, old.description, old.body, old.authors, old.images)
        IS NOT (new.article_id, new.title, new.description, new.body, new.authors, new.images)
    BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, description, body, authors, captions)
        SELECT 'delete', * FROM article_search_text WHERE article_id = old.article_id;
    END;
    CREATE TRIGGER articles_fts_update_new AFTER UPDATE
    OF article_id, title, description, body, authors, images ON articles
    WHEN (old.article_id, old.title, old.description, old.body, old.authors, old.images)
        IS NOT (new.article_id, new.title, new.description, new.body, new.authors, new.images)
    BEGIN
        INSERT INTO articles_fts (rowid, title, description, body, authors, captions)
        SELECT * FROM article_search_text WHERE article_id = new.article_id;
    END;
    -- The publication day as printed, in site time (+05:00): for browsing by day. SQLite's date() would
    -- give the UTC day and put a story of 02:00 in Karachi on the day before.
    ALTER TABLE articles ADD COLUMN published_day TEXT
        GENERATED ALWAYS AS (substr(published_at, 1, 10)) VIRTUAL;
    CREATE INDEX articles_published_day ON articles (published_day);
    -- Index what an existing archive already holds.
    INSERT INTO articles_fts (rowid, title, description, body, authors, captions)
        SELECT * FROM article_search_text;
    PRAGMA user_version = 7;
    """,
}
