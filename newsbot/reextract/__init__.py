"""`scrapy reextract`: today's page objects over every response kept in WARC, the archive updated as a
crawl would update it, without a single download.

captures.py finds the captures to re-extract, work.py turns one into an item (in worker processes),
run.py plans and writes (one writer) and counts what changed; store/history.py holds the rules.
"""
