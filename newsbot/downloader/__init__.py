"""Between Scrapy and the site: the site guard, robots.txt policy, Retry-After retries, the mirror or
snapshot transport, and the record of each article download."""
