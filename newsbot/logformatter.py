"""Log lines that name the URL and reason of a dropped item instead of dumping the whole item."""

from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter


class NewsbotLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider=None):
        # The pipeline that dropped the item already logged a WARNING with reason and URL.
        return {"level": logging.DEBUG, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}
