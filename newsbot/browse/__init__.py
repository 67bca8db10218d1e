"""`scrapy browse`: the archive in a web page (Datasette), configured from the files in this package.

app.py builds the Datasette instance (metadata.yml, templates/, the canned queries of
newsbot.store.queries, the settings of local or public serving); plugin.py holds newsbot's own small
Datasette hooks. The command itself (options, checks, serving) is newsbot.commands.browse.
"""
