"""The one message catalogue: every word a person reads, in Dutch.

Messages are gettext messages (``locale/nl/LC_MESSAGES/wijkhub.po``, read with Babel), so a
later English interface is a translation, not a rewrite. Public: `gettext`, `ngettext`,
`pydantic_message` (a validation error in Dutch), `install_for_click` (click's own help and
error texts from the same catalogue), `translate_commands` (a command tree's help and usage
placeholders) and `dates` (dates as people write them). This package imports nothing else of
the hub: every layer above may use it.
"""

from wijkhub.hub.i18n.catalogue import gettext, ngettext
from wijkhub.hub.i18n.click_texts import install_for_click, translate_commands
from wijkhub.hub.i18n.validation import pydantic_message

__all__ = ["gettext", "install_for_click", "ngettext", "pydantic_message", "translate_commands"]
