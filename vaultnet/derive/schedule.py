"""When is each person due? Pure functions over Person records and the config.

The rule (design notes): ``follow_up`` when set; otherwise the last contact plus the
cadence — the person's own, else their circle's, else the vault default; ``none`` means
never. Someone met but never contacted is due at ``met`` plus the config's
``first_follow_up`` (write within days and ask how you can help; ``first_follow_up =
"none"`` counts the cadence from ``met`` instead). Someone with neither a contact nor a
meeting date is due today, as "never contacted". Archived people are never due.

Due is not yet planned (``plan_days``): with ``follow_ups_per_day`` people are
placed in line — earliest due first; ties inner, close, network, other circles,
no circle, then name — each on their due date or, when that day is full, the next
day with room; overdue people from today on. Everyone keeps their place: the
people due later never take a day from those due earlier, so contacting today's
people moves nobody else earlier, and a backlog becomes a steady few a day.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import date, timedelta
from functools import partial
from typing import Iterable

from ..model.config import Config
from ..model.durations import Duration
from ..model.person import Person

FOLLOW_UP = "follow_up"
CADENCE = "cadence"
NEVER_CONTACTED = "never contacted"
FIRST_FOLLOW_UP = "first_follow_up"  # met, never contacted since: write and ask how you can help
HELP_ASK = "write and ask how you can help"


class Due(namedtuple("Due", "person date reason cadence since planned", defaults=(None,))):
    """A person's next follow-up: when, why, and from what.

    A named tuple rather than a frozen dataclass: as immutable, and made in a third of the
    time (``due`` makes two for each person due: found, then planned)."""

    __slots__ = ()
    person: Person
    date: date
    reason: str  # FOLLOW_UP, CADENCE, FIRST_FOLLOW_UP or NEVER_CONTACTED
    cadence: Duration | None
    since: date | None  # the contact (or meeting) the cadence counts from
    planned: date | None  # the day the plan puts them on (``plan_days``); None: not planned

    @property
    def day(self) -> date:
        """The day to get in touch: the planned day, else the due date."""
        return self.planned or self.date

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


def _next(person: Person, config: Config, today: date, memo: dict | None = None) -> tuple | None:
    """``(date, reason, cadence, since)`` of the person's next follow-up, or None; the
    fields of a ``Due``, as a plain tuple so that ``due_by`` can filter before building one.
    ``memo``: a dict kept across the people of one listing, of each circle's cadence (by
    circle) and each sum of a cadence and a day (see ``_after``)."""
    if person.archived:
        return None
    cadence = person.cadence  # ``cadence_of``, without a call for each of everyone
    if cadence is None:
        if memo is None:
            cadence = config.circle_cadence(person.circle) or config.default_cadence
        else:  # most people share a handful of circles: each circle's cadence looked up once
            circle = person.circle
            cadence = memo.get(circle)
            if cadence is None:
                cadence = memo[circle] = config.circle_cadence(circle) or config.default_cadence
    follow_up = person.follow_up
    seen = person.last_seen
    if follow_up and not (seen and seen >= follow_up):
        # A contact on or after the follow-up date has done it, whether ``log`` recorded it
        # (which also removes the field) or it was typed into the Log or a daily note.
        return follow_up, FOLLOW_UP, cadence, seen or person.met
    if cadence.never:
        return None
    since = seen
    if since is None:
        met = person.met
        if met is None:
            return today, NEVER_CONTACTED, cadence, None
        first = config.first_follow_up
        if not first.never:
            return _after(first, met, memo), FIRST_FOLLOW_UP, cadence, met
        since = met
    return _after(cadence, since, memo), CADENCE, cadence, since


def _after(duration: Duration, start: date, memo: dict | None) -> date:
    """``duration.after(start)``, remembered in ``memo``: many people share a cadence and a
    day of last contact, and calendar months make each sum cost a call or two."""
    if memo is None:
        return duration.after(start)
    key = (duration.amount, duration.unit, start)
    found = memo.get(key)
    if found is None:
        found = memo[key] = duration.after(start)
    return found


def next_date(person: Person, config: Config, today: date, memo: dict | None = None) -> date | None:
    """Only the date of ``due_of``: what ``list`` shows for everyone (``memo``: one dict
    for all the people listed, as in ``_next``)."""
    found = _next(person, config, today, memo)
    return None if found is None else found[0]


def due_of(person: Person, config: Config, today: date) -> Due | None:
    """The person's next follow-up, or None when their cadence is ``none`` and no date is set."""
    found = _next(person, config, today)
    return None if found is None else Due(person, *found)


def due_by(people: Iterable[Person], config: Config, today: date, within: Duration | None = None) -> list[Due]:
    """Everyone due on or before today plus ``within``, most overdue first.

    Only those due are made into ``Due`` records: at 10,000 people, most are not."""
    return sorted(_due_by(people, config, today, within), key=lambda d: (d.date, d.person.name.casefold(), d.person.path))


def _due_by(people: Iterable[Person], config: Config, today: date, within: Duration | None) -> list[Due]:
    """``due_by`` in the people's order."""
    limit = within.after(today) if within is not None and not within.never else today
    dues = []
    memo: dict = {}
    for person in people:
        found = _next(person, config, today, memo)
        if found is not None and found[0] <= limit:
            dues.append(Due(person, *found))
    return dues


CIRCLE_ORDER = {"inner": 0, "close": 1, "network": 2}


def line_key(due: Due, today: date, ranks: dict | None = None) -> tuple:
    """A person's place in line: due date (overdue counts from today), circle, name, path.
    ``ranks``: a dict kept across one line, of each circle's place (most share a few)."""
    person = due.person
    circle = person.circle
    rank = None if ranks is None else ranks.get(circle)
    if rank is None:
        rank = 4 if not circle else CIRCLE_ORDER.get(circle.strip().lower(), 3)
        if ranks is not None:
            ranks[circle] = rank
    when = due.date
    return (when if when > today else today, when, rank, person.name.casefold(), person.path)


def plan_days(
    dues: Iterable[Due], config: Config, today: date, taken_today: int = 0, until: date | None = None
) -> list[Due]:
    """``dues`` in line order, each with its planned day (``Due.planned``).

    At most ``config.follow_ups_per_day`` a day (0: no cap, each on their due date or
    today). ``taken_today`` counts the people already contacted today: they used
    today's room, so rebuilding after a day's follow-ups adds nobody to today.
    A person's day depends only on those before them in line, so the plan of
    everyone due by a date can be made from just them. With ``until``, only the people
    planned on or before that day are returned.
    """
    cap = config.follow_ups_per_day
    ordered = sorted(dues, key=partial(line_key, today=today, ranks={}))
    out = []
    day = today
    used = min(taken_today, cap) if cap else 0
    one = timedelta(days=1)
    for due in ordered:
        start = max(due.date, today)
        if not cap:
            if until is not None and start > until:
                break
            out.append(Due(due.person, due.date, due.reason, due.cadence, due.since, start))
            continue
        if start > day:
            day, used = start, 0
        if used >= cap and day < date.max:
            day, used = day + one, 0
        if until is not None and day > until:
            break  # everyone after is planned later still
        used += 1
        out.append(Due(due.person, due.date, due.reason, due.cadence, due.since, day))
    return out


def contacted_on(people: Iterable[Person], day: date) -> int:
    """How many people were last in touch on ``day`` (for ``plan_days``' ``taken_today``)."""
    return sum(1 for p in people if p.last_seen == day)


def planned_by(people: Iterable[Person], config: Config, today: date, within: Duration | None = None) -> list[Due]:
    """Everyone due on or before today plus ``within``, in line order, each with a planned day."""
    people = list(people)
    # The plan puts them in line (``line_key``) itself: ``due_by``'s order would be thrown away.
    return plan_days(_due_by(people, config, today, within), config, today, contacted_on(people, today))


def days_since(day: date | None, today: date) -> int | None:
    return None if day is None else (today - day).days


def week_end(today: date) -> date:
    """The Sunday ending the week of ``today`` (ISO weeks start on Monday); the last day
    there is in the last week of year 9999."""
    return today + timedelta(days=min(6 - today.weekday(), (date.max - today).days))
