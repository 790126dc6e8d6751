"""Network health and the giving ledger, as pure functions over Person records.

The figures ``vaultnet stats`` prints, each with a definition a user can check
by hand:

- people per circle (a person without a ``circle`` counts under "(none)");
- *due now*: what ``vaultnet due`` lists (follow-up date today or earlier);
  *overdue*: strictly before today;
- *contacted recently*: the latest contact (``last_contact`` or a newer log
  line) within the last ``window`` days, today included; the share is over
  everyone in the vault;
- the giving balance: items in ``helped`` (you gave) against items in
  ``received`` (they gave), overall and per person; "most lopsided" ranks by
  the difference, then by the larger side;
- gone cold: people you mean to keep in touch with (their cadence is not
  ``none``) ranked by the days since the latest contact, oldest first; people
  with no contact logged yet (met but never followed up, or never contacted at all) are
  counted separately, since they have no contact date to rank;
- archived people (``archived``, or a note in the people folder's ``Archive/``) are in no
  figure: they are only counted, as *archived*.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

from ..model.config import Config
from ..model.person import Person
from .schedule import Due, cadence_of, due_of

NO_CIRCLE = "(none)"


@dataclass(frozen=True, slots=True)
class Balance:
    person: Person
    helped: int
    received: int

    @property
    def net(self) -> int:
        """Positive: you gave more; negative: they gave more."""
        return self.helped - self.received


@dataclass(frozen=True, slots=True)
class Cold:
    person: Person
    last: date
    days: int


@dataclass(frozen=True)
class Stats:
    total: int
    circles: list[tuple[str, int]]
    due_now: int
    overdue: int
    window_days: int
    contacted_recently: int
    helped_total: int
    received_total: int
    gave_more: list[Balance]  # you gave more than you received, most lopsided first
    received_more: list[Balance]  # they gave more than you did, most lopsided first
    cold: list[Cold]
    never_contacted: list[Person]
    archived: int = 0  # left out of every other figure

    @property
    def recent_share(self) -> float:
        return self.contacted_recently / self.total if self.total else 0.0


def circle_counts(people: Sequence[Person], config: Config) -> list[tuple[str, int]]:
    """People per circle: the configured circles in config order (zeros included), then others by name."""
    counts = Counter((p.circle.strip().lower() if p.circle and p.circle.strip() else NO_CIRCLE) for p in people)
    ordered = [(name, counts.pop(name, 0)) for name in config.circles]
    none = counts.pop(NO_CIRCLE, 0)
    ordered += sorted(counts.items())
    if none:
        ordered.append((NO_CIRCLE, none))
    return ordered


def balances(people: Sequence[Person]) -> list[Balance]:
    return [Balance(p, len(p.helped), len(p.received)) for p in people]


def network_stats(
    people: Sequence[Person], config: Config, today: date, window: int = 90, top: int = 5,
    dues: Sequence[Due | None] | None = None,
) -> Stats:
    """Every figure of ``vaultnet stats``; ``top`` bounds the ranked lists. ``dues``: each
    person's ``schedule.due_of``, when the caller has them already (``network`` takes the same)."""
    everyone = list(people)
    if dues is None:
        dues = [due_of(p, config, today) for p in everyone]
    people = [p for p in everyone if not p.archived]
    dues = [d for p, d in zip(everyone, dues) if d is not None and not p.archived]
    since = today - timedelta(days=min(window, today.toordinal() - 1))  # no day before 0001-01-01
    recent = sum(1 for p in people if p.last_seen is not None and p.last_seen >= since)
    all_balances = balances(people)
    gave = sorted(
        (b for b in all_balances if b.net > 0),
        key=lambda b: (-b.net, -b.helped, b.person.name.casefold(), b.person.path),
    )
    got = sorted(
        (b for b in all_balances if b.net < 0),
        key=lambda b: (b.net, -b.received, b.person.name.casefold(), b.person.path),
    )
    kept = [p for p in people if not cadence_of(p, config).never or p.follow_up]
    cold = sorted(
        (Cold(p, p.last_seen, (today - p.last_seen).days) for p in kept if p.last_seen is not None),
        key=lambda c: (c.last, c.person.name.casefold(), c.person.path),
    )
    never = [p for p in kept if p.last_seen is None]
    return Stats(
        total=len(people),
        circles=circle_counts(people, config),
        due_now=sum(1 for d in dues if d.date <= today),
        overdue=sum(1 for d in dues if d.date < today),
        window_days=window,
        contacted_recently=recent,
        helped_total=sum(b.helped for b in all_balances),
        received_total=sum(b.received for b in all_balances),
        gave_more=gave[:top],
        received_more=got[:top],
        cold=cold[:top],
        never_contacted=never,
        archived=len(everyone) - len(people),
    )


def stats_dict(stats: Stats) -> dict:
    """JSON-ready figures."""

    def balance(b: Balance) -> dict:
        return {"name": b.person.name, "path": b.person.path, "helped": b.helped, "received": b.received, "net": b.net}

    return {
        "people": stats.total,
        "circles": {name: count for name, count in stats.circles},
        "due_now": stats.due_now,
        "overdue": stats.overdue,
        "contacted_recently": {
            "window_days": stats.window_days,
            "count": stats.contacted_recently,
            "share": round(stats.recent_share, 4),
        },
        "giving": {
            "helped": stats.helped_total,
            "received": stats.received_total,
            "net": stats.helped_total - stats.received_total,
            "you_gave_more": [balance(b) for b in stats.gave_more],
            "they_gave_more": [balance(b) for b in stats.received_more],
        },
        "coldest": [
            {"name": c.person.name, "path": c.person.path, "last_contact": c.last, "days": c.days} for c in stats.cold
        ],
        "never_contacted": [{"name": p.name, "path": p.path} for p in stats.never_contacted],
        "archived": stats.archived,
    }
