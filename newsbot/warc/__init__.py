"""WARC (ISO 28500) files: every response newsbot downloads, kept as it came over the wire.

A format layer on top of warcio: `records` builds WARC/1.1 records from plain HTTP values, `files`
writes them (one gzip member per record, files named by time, `.open` while written, rotated by size,
crash-safe), and `reader` reads them back (tolerating the incomplete last record a crash leaves) and
turns a response record into a Scrapy response again. It knows nothing of the crawl or the archive:
downloader/capture.py, downloader/mirror.py and `scrapy reextract` use it.
"""
