"""When is each person due? Pure functions over Person records and the config.

The rule (design notes): ``follow_up`` when set; otherwise the last contact plus the
cadence — the person's own, else their circle's, else the vault default; ``none`` means
never. Someone met but never contacted is due at ``met`` plus the config's
``first_follow_up`` (write within days and ask how you can help; ``first_follow_up =
"none"`` counts the cadence from ``met`` instead). Someone with neither a contact nor a
meeting date is due today, as "never contacted". Archived people are never due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from ..model.config import Config
from ..model.durations import Duration
from ..model.person import Person

FOLLOW_UP = "follow_up"
CADENCE = "cadence"
NEVER_CONTACTED = "never contacted"
FIRST_FOLLOW_UP = "first_follow_up"  # met, never contacted since: write and ask how you can help
HELP_ASK = "write and ask how you can help"


@dataclass(frozen=True, slots=True)
class Due:
    """A person's next follow-up: when, why, and from what."""

    person: Person
    date: date
    reason: str  # FOLLOW_UP, CADENCE, FIRST_FOLLOW_UP or NEVER_CONTACTED
    cadence: Duration | None
    since: date | None  # the contact (or meeting) the cadence counts from

    def days_overdue(self, today: date) -> int:
        """Positive when overdue, zero when due today, negative when still ahead."""
        return (today - self.date).days

    def describe(self, today: date) -> str:
        days = self.days_overdue(today)
        if self.reason == NEVER_CONTACTED:
            return "never contacted"
        when = "due today" if days == 0 else (f"{days} days overdue" if days > 0 else f"due in {-days} days")
        if days == 1:
            when = "1 day overdue"
        elif days == -1:
            when = "due tomorrow"
        if self.reason == FIRST_FOLLOW_UP:
            return f"{when} ({met_text(self.person)}: {HELP_ASK})"
        cause = "follow-up date" if self.reason == FOLLOW_UP else f"every {self.cadence}"
        return f"{when} ({cause})"


def met_text(person) -> str:
    """``met 2026-11-20 at Web Summit``: where a first follow-up comes from."""
    met_at = person.met_at
    return f"met {person.met.isoformat()}" + (f" at {met_at}" if met_at else "")


def cadence_of(person: Person, config: Config) -> Duration:
    """The person's cadence: their own, else their circle's, else the vault default."""
    if person.cadence is not None:
        return person.cadence
    return config.circle_cadence(person.circle) or config.default_cadence


def _next(person: Person, config: Config, today: date) -> tuple | None:
    """``(date, reason, cadence, since)`` of the person's next follow-up, or None; the
    fields of a ``Due``, as a plain tuple so that ``due_by`` can filter before building one."""
    if person.archived:
        return None
    cadence = cadence_of(person, config)
    if person.follow_up:
        return person.follow_up, FOLLOW_UP, cadence, person.last_seen or person.met
    if cadence.never:
        return None
    since = person.last_seen
    if since is None:
        met = person.met
        if met is None:
            return today, NEVER_CONTACTED, cadence, None
        first = config.first_follow_up
        if not first.never:
            return first.after(met), FIRST_FOLLOW_UP, cadence, met
        since = met
    return cadence.after(since), CADENCE, cadence, since


def next_date(person: Person, config: Config, today: date) -> date | None:
    """Only the date of ``due_of``: what ``list`` shows for everyone."""
    found = _next(person, config, today)
    return None if found is None else found[0]


def due_of(person: Person, config: Config, today: date) -> Due | None:
    """The person's next follow-up, or None when their cadence is ``none`` and no date is set."""
    found = _next(person, config, today)
    return None if found is None else Due(person, *found)


def schedule(people: Iterable[Person], config: Config, today: date) -> list[Due]:
    """Everyone with a next follow-up, soonest (most overdue) first, then by name."""
    dues = [d for d in (due_of(p, config, today) for p in people) if d is not None]
    return sorted(dues, key=lambda d: (d.date, d.person.name.casefold(), d.person.path))


def due_by(people: Iterable[Person], config: Config, today: date, within: Duration | None = None) -> list[Due]:
    """Everyone due on or before today plus ``within``, most overdue first.

    Only those due are made into ``Due`` records: at 10,000 people, most are not."""
    limit = within.after(today) if within is not None and not within.never else today
    dues = []
    for person in people:
        found = _next(person, config, today)
        if found is not None and found[0] <= limit:
            dues.append(Due(person, *found))
    return sorted(dues, key=lambda d: (d.date, d.person.name.casefold(), d.person.path))


def days_since(day: date | None, today: date) -> int | None:
    return None if day is None else (today - day).days


def week_end(today: date) -> date:
    """The Sunday ending the week of ``today`` (ISO weeks start on Monday); the last day
    there is in the last week of year 9999."""
    return today + timedelta(days=min(6 - today.weekday(), (date.max - today).days))
