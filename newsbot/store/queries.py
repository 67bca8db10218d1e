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
    "stories_per_day": """
        SELECT published_day AS day, genre, count(*) AS stories
        FROM articles
        WHERE published_day > date((SELECT max(published_day) FROM articles), '-60 days')
        GROUP BY day, genre
        ORDER BY day, genre
    """,
    "runs_per_day": """
        SELECT substr(started_at, 1, 10) AS day, status, count(*) AS runs
        FROM crawl_runs
        WHERE started_at > date((SELECT max(started_at) FROM crawl_runs), '-60 days')
        GROUP BY day, status
        ORDER BY day, status
    """,
}
