"""CSRF tokens: one per session, derived from the session id (HMAC), so nothing extra is
stored and a token is worthless without the HttpOnly cookie it belongs to. Every form carries
it (`csrf_field()` in templates); every state-changing request is checked (form field
`csrf_token` or header `X-CSRF-Token`) before its handler runs."""

import hashlib
import hmac

from markupsafe import Markup

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
# A form shown before anyone is signed in (the inwoner's code) is bound to this random
# HttpOnly cookie instead of a session, so a sign-in cannot be posted from another site.
PRESESSION_COOKIE = "wijkhub_voorsessie"


def token_for(session_id: str) -> str:
    return hmac.new(session_id.encode(), b"wijkhub-web-csrf", hashlib.sha256).hexdigest()


def valid(session_id: str | None, given: str | None) -> bool:
    if not session_id or not given:
        return False
    return hmac.compare_digest(token_for(session_id), given)


def field(session_id: str | None) -> Markup:
    value = token_for(session_id) if session_id else ""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, value)
