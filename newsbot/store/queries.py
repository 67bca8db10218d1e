"""The canned queries of `scrapy browse`: their SQL, by name. Titles, descriptions and chart settings are
in newsbot/browse/metadata.yml under the same names.

Datasette runs them read-only, with its time limit; `:name` parameters become form fields and arrive as
text (an empty field is '').
"""

BROWSE_QUERIES = {
    "todays_editorials": """
        SELECT published_at, title, url, description
        FROM articles
        WHERE genre = 'editorial'
          AND published_day = coalesce(nullif(trim(:day), ''),
                                       (SELECT max(published_day) FROM articles WHERE genre = 'editorial'))
        ORDER BY published_at, article_id
    """,
    "author_columns": """
        SELECT a.published_at, a.title, a.url, a.section, a.description
        FROM articles AS a
        WHERE a.genre = 'opinion'
          AND EXISTS (SELECT 1 FROM json_each(a.authors) AS j WHERE j.value = trim(:author) COLLATE NOCASE)
        ORDER BY a.published_at DESC
    """,
    "editorial_links": """
        SELECT e.editorial_url, e.title, coalesce(e.published_at, e.updated_at) AS dated,
               count(DISTINCT e.url) AS beside_stories, min(a.published_at) AS first_beside,
               max(a.published_at) AS last_beside
        FROM article_related_editorials AS e JOIN articles AS a ON a.url = e.url
        GROUP BY e.editorial_url
        ORDER BY beside_stories DESC, dated DESC
    """,
    "credits_by_agency": """
        SELECT coalesce(credit, '(no credit)') AS credit, count(*) AS photos, count(DISTINCT url) AS articles
        FROM article_images
        GROUP BY credit
        ORDER BY photos DESC, credit
    """,
    "last_runs": """
        SELECT r.id, r.spider, r.started_at, r.finished_at, r.status, r.finish_reason, r.pages_fetched,
               r.items_new, r.items_updated, r.errors,
               (SELECT count(*) FROM json_each(r.health) AS h WHERE json_extract(h.value, '$.ok'))
               || ' of ' || (SELECT count(*) FROM json_each(r.health)) AS checks_passed,
               (SELECT group_concat(json_extract(h.value, '$.name') || ': '
                                    || json_extract(h.value, '$.detail'), '; ')
                FROM json_each(r.health) AS h WHERE NOT json_extract(h.value, '$.ok')) AS failed_checks,
               r.message
        FROM crawl_runs AS r
        ORDER BY r.id DESC
        LIMIT 50
    """,
    # Charts: the last 60 days of the archive (up to its newest story or run), so a chart stays readable.
    # Every day gets a row for every genre or outcome, zeros included: the legend and colours stay the
    # same from day to day, and datasette-vega (which draws nothing for a single row) has a chart to draw
    # from the first run on.
    "stories_per_day": """
        WITH days AS (
            SELECT DISTINCT published_day AS day FROM articles
            WHERE published_day > date((SELECT max(published_day) FROM articles), '-60 days')
        ), genres (genre) AS (VALUES ('news'), ('opinion'), ('editorial'))
        SELECT days.day, genres.genre,
               (SELECT count(*) FROM articles AS a
                WHERE a.published_day = days.day AND a.genre = genres.genre) AS stories
        FROM days CROSS JOIN genres
        ORDER BY days.day, genres.genre
    """,
    "runs_per_day": """
        WITH days AS (
            SELECT DISTINCT substr(started_at, 1, 10) AS day FROM crawl_runs
            WHERE started_at > date((SELECT max(started_at) FROM crawl_runs), '-60 days')
        ), outcomes (status) AS (VALUES ('ok'), ('failed'), ('interrupted'), ('running'))
        SELECT days.day, outcomes.status,
               (SELECT count(*) FROM crawl_runs AS r
                WHERE substr(r.started_at, 1, 10) = days.day AND r.status = outcomes.status) AS runs
        FROM days CROSS JOIN outcomes
        ORDER BY days.day, outcomes.status
    """,
}
