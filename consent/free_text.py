"""Checks on free text before it goes to a partner: a BSN typed into a motivation would
bypass the rule that some partners may never receive one."""

import re

from stdnum.nl import bsn

# Nine digits, optionally written 1234.56.789; not part of a longer number.
_CANDIDATE = re.compile(r"(?<![\d.])(\d{4}[. ]?\d{2}[. ]?\d{3})(?![\d])")


def contains_bsn(text: str) -> bool:
    for m in _CANDIDATE.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        if len(digits) == 9 and bsn.is_valid(digits):
            return True
    return False
