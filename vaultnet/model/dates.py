"""Tolerant date reading: what Obsidian writes, and what people type by hand.

Accepted: a YAML date, a YAML date-time (its date is used), ``YYYY-MM-DD`` text
(quoted or not), an ISO date-time string. Anything else raises ValueError with a
message saying what to write instead; callers turn that into a Problem that
names the file and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_ENTRY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:\s+|\s*[:\-–—]\s*|$)(.*)$", re.DOTALL)
_MONTH_DAY = re.compile(r"^-{0,2}(\d{2})-(\d{2})$")


def parse_date(value: object) -> date:
    """Read one date; raise ValueError naming the value and the expected form."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = _ISO_DATE.match(value.strip())
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError as exc:
                raise ValueError(f"{value.strip()!r} is not a real date ({exc})") from None
    raise ValueError(f"cannot read {value!r} as a date (write YYYY-MM-DD)")


@dataclass(frozen=True, slots=True)
class Birthday:
    """A yearly date, with the year when it is known (``--MM-DD`` has none)."""

    month: int
    day: int
    year: int | None = None

    def __str__(self) -> str:
        if self.year:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"--{self.month:02d}-{self.day:02d}"


def parse_birthday(value: object) -> Birthday:
    """A full date or a yearless ``--MM-DD`` (vCard and Google Contacts write that form)."""
    if isinstance(value, str):
        match = _MONTH_DAY.match(value.strip())
        if match:
            month, day = int(match.group(1)), int(match.group(2))
            try:
                date(2000, month, day)  # 2000 is a leap year: 02-29 is valid
            except ValueError:
                raise ValueError(f"{value!r} is not a real month and day") from None
            return Birthday(month, day)
    try:
        parsed = parse_date(value)
    except ValueError:
        raise ValueError(f"cannot read {value!r} as a birthday (write YYYY-MM-DD or --MM-DD)") from None
    return Birthday(parsed.month, parsed.day, parsed.year)


def split_dated_text(value: str) -> tuple[date | None, str]:
    """Split ``"2026-11-20 coffee: talked"`` into its date and its text.

    Text without a leading date gives ``(None, text)``; a leading date that is
    not a real date (``2026-13-01``) raises ValueError.
    """
    match = _ENTRY.match(value)
    if not match:
        return None, value.strip()
    return day_of(match.group(1)), match.group(2).strip()


@lru_cache(maxsize=4096)
def day_of(text: str) -> date:
    """``parse_date`` of a ``YYYY-MM-DD`` text, remembered: a vault's ledger items and log
    lines share a few thousand days. A failure is not remembered; it raises as ``parse_date``."""
    return parse_date(text)
