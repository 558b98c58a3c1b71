"""The letter (or text message) with which a coach hands an inwoner a one-time code: plain
Dutch (B1), no personal data beyond the name, so it can be printed or sent as it is."""

from datetime import datetime

from wijkhub.hub.core.clock import AMSTERDAM
from wijkhub.hub.i18n import gettext

SIGNIN_PATH = "/inwoner/aanmelden"

# The letter, line for line as printed; the catalogue keeps its line breaks.
LETTER_NL = gettext(
    "Dear {name},\n\n"
    "With this letter you can see for yourself on the internet who received data about you "
    "from the\n"
    "neighbourhood team, and why. You also see your consents. You can withdraw a consent "
    "there.\n\n"
    "This is how you do it:\n"
    "1. Go to {url}\n"
    "2. Enter this code: {code}\n"
    '3. Click "Log in".\n\n'
    "The code works once and is valid until {until}.\n"
    "Has the code expired or does it not work? Ask your neighbourhood coach for a new code.\n\n"
    "Give this code to no one else. With the code someone can see your data.\n\n"
    "Kind regards,\n"
    "The neighbourhood team\n"
)

SMS_NL = gettext(
    "Neighbourhood team: your code is {code}. Go to {url} to see who received data about you. "
    "The code works once, until {until}. Give it to no one."
)


def until_nl(moment: datetime) -> str:
    local = moment.astimezone(AMSTERDAM)
    return local.strftime("%d-%m-%Y om %H:%M uur")


def signin_url(base_url: str) -> str:
    return base_url.rstrip("/") + SIGNIN_PATH


def letter(name: str, code: str, expires_at: datetime, base_url: str) -> str:
    return LETTER_NL.format(
        name=name, url=signin_url(base_url), code=code, until=until_nl(expires_at)
    )


def sms(code: str, expires_at: datetime, base_url: str) -> str:
    return SMS_NL.format(url=signin_url(base_url), code=code, until=until_nl(expires_at))
