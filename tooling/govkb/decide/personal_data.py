"""Personal data in free text: e-mail addresses, phone numbers, @handles.

The Transparency Database takes no personal data, so facts holding any of these make a
case an error rather than a statement.  Every pattern runs in linear time: each either
starts only at an ``@`` and reads a bounded window, or consumes a run of characters with
no backtracking (no nested or adjacent unbounded quantifiers over the same characters).
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}")
# An @handle: '@' not preceded by a word character or '.' (that would be an e-mail address).
_HANDLE = re.compile(r"(?<![A-Za-z0-9_.%+-])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}")
# A run of digits and the separators phone numbers are written with; counted afterwards.
_NUMBER_RUN = re.compile(r"[+(]?[0-9][0-9 ().-]*")
_ISO_DATE = re.compile(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b")
# Seven digits with only number-run separators between them: every phone number below has
# them (cutting dates out leaves a run's other digits and separators), most facts do not.
# Linear: the separators and the digit that ends each repeat are disjoint classes.
_SEVEN_DIGITS = re.compile(r"[0-9](?:[ ().-]*[0-9]){6}")
PHONE_MIN_DIGITS = 9  # a national number without its prefix has 8 or more; dates are cut out first
INTL_PHONE_MIN_DIGITS = 7


def personal_data(text: str) -> str | None:
    """What kind of personal data ``text`` holds (``"an e-mail address"``...), or None."""
    if "@" in text:
        if _EMAIL.search(text):
            return "an e-mail address"
        if _HANDLE.search(text):
            return "an @handle"
    if _SEVEN_DIGITS.search(text) is None:
        return None
    # Dates (YYYY-MM-DD) are the digit runs facts hold most; they are not phone numbers.
    for run in _NUMBER_RUN.finditer(_ISO_DATE.sub(" ", text)):
        digits = sum(ch.isdigit() for ch in run.group())
        if digits >= PHONE_MIN_DIGITS or (run.group().startswith("+") and digits >= INTL_PHONE_MIN_DIGITS):
            return "a phone number"
    return None
