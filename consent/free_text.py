"""Checks on free text before it goes to a partner: a BSN typed into a motivation or a
consultation message would bypass the rule that some partners may never receive one.

One guard for every text that leaves the hub. It looks at the text as a person reads it, not
at its code points: NFKC first (full-width and other compatibility digits become ASCII), then
the invisible format characters (Unicode category Cf: zero-width space, soft hyphen, direction
overrides, ...) are dropped, and every decimal digit of any script counts as that digit. Then
digits are grouped as written: a group is a run of digits, groups are chained by short runs of
separators (anything that is neither a letter nor a digit: spaces, dots, dashes, slashes,
line separators). Any consecutive groups of a chain that hold exactly nine digits together
and pass the elfproef are a BSN, however they were split (`999 990 019`, `99-99-90-019`,
`9 9 9 9 9 0 0 1 9`). A longer run of digits without a separator (`1999990019`, a phone
number) is a different number and is left alone."""

import re
import unicodedata

from stdnum.nl import bsn

# At most this many separator characters between two groups of one number: "999 -- 990 / 019"
# is one number; a letter between two groups always ends the number.
MAX_SEPARATOR_RUN = 6
BSN_LENGTH = 9


def normalised(text: str) -> str:
    """The text as it reads: NFKC, format characters dropped, every decimal digit as ASCII."""
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        if category == "Nd":
            out.append(str(unicodedata.decimal(ch)))
        else:
            out.append(ch)
    return "".join(out)


_GROUP = re.compile(r"[0-9]+")


def _chains(text: str) -> list[list[str]]:
    """Digit groups, chained where only a short run of separators lies between them."""
    chains: list[list[str]] = []
    last_end = -1
    for m in _GROUP.finditer(text):
        between = text[last_end : m.start()] if last_end >= 0 else None
        joined = (
            between is not None
            and 0 < len(between) <= MAX_SEPARATOR_RUN
            and not any(c.isalpha() for c in between)
        )
        if joined:
            chains[-1].append(m.group())
        else:
            chains.append([m.group()])
        last_end = m.end()
    return chains


def contains_bsn(text: str) -> bool:
    """Whether any grouping of the text's digits is a valid BSN (see the module's docstring)."""
    for chain in _chains(normalised(text)):
        for start in range(len(chain)):
            digits = ""
            for group in chain[start:]:
                digits += group
                if len(digits) >= BSN_LENGTH:
                    break
            if len(digits) == BSN_LENGTH and bsn.is_valid(digits):
                return True
    return False
