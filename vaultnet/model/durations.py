"""Durations: ``14d``, ``2w``, ``3m`` (calendar months), ``1y``, a bare number of days, or ``none``.

Months and years are calendar units, not fixed day counts: 31 January plus one
month is the last day of February, which is what a person means by "monthly".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_UNITS = {
    "d": "d", "day": "d", "days": "d",
    "w": "w", "wk": "w", "week": "w", "weeks": "w",
    "m": "m", "mo": "m", "month": "m", "months": "m",
    "y": "y", "yr": "y", "year": "y", "years": "y",
}
_PATTERN = re.compile(r"^\s*(\d+)\s*([a-z]*)\s*$")


@dataclass(frozen=True, slots=True)
class Duration:
    """A count of days, weeks, calendar months or years; ``unit == "none"`` means never."""

    amount: int
    unit: str  # "d", "w", "m", "y" or "none"

    @property
    def never(self) -> bool:
        return self.unit == "none"

    def after(self, start: date) -> date:
        """The date this long after ``start`` (months clamp to the month's last day)."""
        if self.never:
            raise ValueError("a 'none' duration has no end")
        try:
            if self.unit == "d":
                return start + timedelta(days=self.amount)
            if self.unit == "w":
                return start + timedelta(weeks=self.amount)
            months = self.amount * (12 if self.unit == "y" else 1)
            index = start.month - 1 + months
            year, month = start.year + index // 12, index % 12 + 1
            return date(year, month, min(start.day, days_in_month(year, month)))
        except (OverflowError, ValueError):
            # Past year 9999 (a note saying `last_contact: 9999-12-31`, `cadence: 99999y`):
            # as good as never, and one odd note must not crash every command.
            return date.max

    def __str__(self) -> str:
        return "none" if self.never else f"{self.amount}{self.unit}"


NEVER = Duration(0, "none")

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """``calendar.monthrange(year, month)[1]``, without importing ``calendar`` (and
    ``locale``) on every run for one table and the leap-year rule."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


def parse_duration(value: object) -> Duration:
    """Read a duration from text or a YAML number; raise ValueError saying what is accepted."""
    if isinstance(value, Duration):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(f"cannot read {value!r} as a duration")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a duration cannot be negative: {value}")
        return Duration(value, "d")
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("none", "never", "no"):
            return NEVER
        match = _PATTERN.match(text)
        if match:
            unit = _UNITS.get(match.group(2) or "d")
            if unit:
                return Duration(int(match.group(1)), unit)
    raise ValueError(
        f"cannot read {value!r} as a duration "
        "(use a number with d, w, m or y — like 14d, 2w, 3m, 1y — a bare number of days, or none)"
    )
