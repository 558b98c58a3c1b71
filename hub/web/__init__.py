"""The web UI (issue 8): Dutch pages served by the hub's own aiohttp application.

What page modules use (see docs/web-ui.md and each function's docstring):
`pages` (register), `require`, `scope`, `render`, `hub`, `current`, `create_signin_link`.
"""

from wijkhub.hub.web.app import current, flash_redirect, hub, install, pages, render, require, scope
from wijkhub.hub.web.session import create_signin_link

__all__ = [
    "create_signin_link",
    "current",
    "flash_redirect",
    "hub",
    "install",
    "pages",
    "render",
    "require",
    "scope",
]
