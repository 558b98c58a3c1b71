"""The web UI: Dutch pages served by the hub's own aiohttp application.

`kit` is what page modules use (see docs/web-ui.md), `routes` the URL table, `app.install`
adds it all to the hub's application.
"""
