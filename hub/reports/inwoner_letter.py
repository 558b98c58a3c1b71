"""The letter (or text message) with which a coach hands an inwoner a one-time code: plain
Dutch (B1), no personal data beyond the name, so it can be printed or sent as it is."""

from datetime import datetime

from wijkhub.hub.core.clock import AMSTERDAM

SIGNIN_PATH = "/inwoner/aanmelden"

LETTER_NL = """\
Beste {name},

Met deze brief kunt u zelf op internet zien wie gegevens over u heeft gekregen van het
wijkteam, en waarom. U ziet ook uw toestemmingen. Een toestemming kunt u daar intrekken.

Zo doet u het:
1. Ga naar {url}
2. Vul deze code in: {code}
3. Klik op "Inloggen".

De code werkt één keer en is geldig tot {until}.
Is de code verlopen of werkt hij niet? Vraag uw wijkcoach om een nieuwe code.

Geef deze code aan niemand anders. Met de code kan iemand uw gegevens zien.

Met vriendelijke groet,
Het wijkteam
"""

SMS_NL = (
    "Wijkteam: uw code is {code}. Ga naar {url} om te zien wie gegevens over u kreeg. "
    "De code werkt één keer, tot {until}. Geef hem aan niemand."
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
