"""The network's shape over time: the figures the charts of ``Network.md`` and ``vaultnet stats`` draw.

Pure functions over Person records, each with a definition a user can check by hand:

- contacts per month, the last 12 calendar months up to today's: every dated
  contact counted in the month of its date (``contact_days`` says which days count);
- people per circle: ``ledger.circle_counts``;
- follow-ups over the coming weeks: people whose next follow-up is before today
  (overdue), then per week — this week (to Sunday), then the following weeks of
  Monday to Sunday;
- the giving balance per month: ``helped`` items (you gave) and ``received``
  items (they gave) by the month of their date; undated items are in no month.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Sequence

from ..model.config import Config
from ..model.person import Person, days, pack_days
from .ledger import circle_counts
from .schedule import Due, contacted_on, due_of, plan_days, week_end

MONTHS = 12
WEEKS = 8


@dataclass(frozen=True)
class Week:
    start: date  # for the first week: today
    end: date  # a Sunday
    due: int  # people whose follow-up falls due this week
    planned: int  # people the daily cap plans this week (overdue people from today on)


@dataclass(frozen=True)
class Network:
    months: list[date]  # the first day of each month, oldest first
    contacts: list[int]  # per month
    helped: list[int]  # per month
    received: list[int]  # per month
    circles: list[tuple[str, int]]
    overdue: int
    weeks: list[Week]


def contact_days(person: Person) -> bytes:
    """The days on which a person was in touch, one per day however many lines record it,
    packed as ``Person.dated`` holds days (``model.person.days`` reads them): each dated Log
    line (not a job change an import noted) and each mention in a daily or meeting note
    (``Person.mentions``). The one place that says what a contact is for the monthly count."""
    found = person.dated.contact_days
    mentions = person.mentions
    if mentions:
        return pack_days({*days(found), *(mention.date.toordinal() for mention in mentions)})
    return found


def month_starts(today: date, count: int = MONTHS) -> list[date]:
    """The first days of the ``count`` calendar months ending with today's, oldest first."""
    year, month = today.year, today.month
    starts = []
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        if year < 1:
            break  # the calendar starts in year 1
    return starts[::-1]


def per_month(packed: Iterable[bytes], months: Sequence[date], today: date) -> list[int]:
    """How many days of ``packed`` fall in each month of ``months`` (consecutive; none after
    today). Each item holds a person's days packed in ascending order (``Person.dated``), so
    it is cut to the months' span by bisection: a person's days outside it cost nothing."""
    counts = [0] * len(months)
    if not months:
        return counts
    low, high = months[0].toordinal(), today.toordinal()
    inside: list[int] = []
    for item in packed:
        if item:
            found = days(item)
            if found[-1] >= low:
                inside += found[bisect_left(found, low):bisect_right(found, high)]
    bounds = [month.toordinal() for month in months[1:]]
    for day, count in Counter(inside).items():
        counts[bisect_right(bounds, day)] += count
    return counts


def network(
    people: Sequence[Person], config: Config, today: date, weeks: int = WEEKS, dues: Sequence[Due | None] | None = None,
    plan: tuple[list[Due], int] | None = None,
) -> Network:
    """Every figure of the network charts, archived people left out. ``dues``: each
    person's ``schedule.due_of``, when the caller has them already; ``plan``: the
    ``plan_days`` of everyone's dues and the ``taken_today`` it was made with, when the
    caller has made it already (archived people are never due, so it is the same plan
    whenever they took none of today's room)."""
    if dues is None:
        dues = [due_of(person, config, today) for person in people]
    active = [(p, d) for p, d in zip(people, dues) if not p.archived]
    people = [p for p, _d in active]
    months = month_starts(today)
    contacts = per_month(map(contact_days, people), months, today)
    helped = per_month((p.dated.helped_days for p in people), months, today)
    received = per_month((p.dated.received_days for p in people), months, today)
    ends = [week_end(today)]
    for _ in range(weeks - 1):
        if (date.max - ends[-1]).days < 7:
            break  # the calendar ends in year 9999
        ends.append(ends[-1] + timedelta(days=7))
    weeks = len(ends)
    due_counts = [0] * weeks
    planned_counts = [0] * weeks
    overdue = 0
    last = ends[-1]
    taken = contacted_on(people, today)
    if plan is not None and plan[1] == taken:
        # A person's day depends only on those before them in line, and everyone due by the
        # last week's end comes before everyone due later: the plan's first part is theirs.
        planned = [d for d in plan[0] if d.date <= last]
    else:
        planned = plan_days([d for _p, d in active if d is not None and d.date <= last], config, today, taken)
    for due in planned:
        if due.date < today:
            overdue += 1
        else:
            due_counts[_week_of(due.date, ends)] += 1
        if due.planned <= last:
            planned_counts[_week_of(due.planned, ends)] += 1
    starts = [today] + [end + timedelta(days=1) for end in ends[:-1]]
    return Network(
        months=months,
        contacts=contacts,
        helped=helped,
        received=received,
        circles=circle_counts(people, config),
        overdue=overdue,
        weeks=[Week(*week) for week in zip(starts, ends, due_counts, planned_counts)],
    )


def _week_of(day: date, ends: list[date]) -> int:
    if day <= ends[0]:
        return 0
    return 1 + (day - ends[0] - timedelta(days=1)).days // 7
