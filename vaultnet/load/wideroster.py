"""The wide roster: the roster (``roster``) with what ``plan`` and ``due --tag``/``--json``
read of everyone, and the whole records of the few people they show.

``plan`` needs everyone's schedule (the roster has it) and, for its index of strong
matches, everyone's needs and offers, aliases and the ``helped`` items that link to
someone; ``due --tag`` and ``due --json`` need everyone's tags and emails. Whole records
(every log line, the giving ledger) are needed only for the handful of people planned.
Decoding 10,000 records is most of a warm run, so the store keeps those lists beside the
roster (``store.FACTS``), and ``records`` reads the whole records of the people asked for.

As for the roster, it is all or nothing: used only when the store holds exactly the notes a
fresh walk finds, each under its current stat key and trusted, and every value has the
right type; else the caller loads the vault in full (``read`` answers None), which brings
the store up to date. The last contact counts the mentions, as in the roster.
"""

from __future__ import annotations

import json
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date

from ..model.config import Config
from ..model.errors import Problem
from ..model.person import Entry, Person
from . import roster, store
from .collector import collector_paused
from .discover import Found, walk


class Wide(namedtuple("Wide", (*roster.Brief._fields, "tags", "emails", "aliases", "needs", "offers", "helped"))):
    """A ``roster.Brief`` and the person's tags, emails, aliases, needs and offers; the names
    are ``Person``'s. ``helped`` holds only the items that link to someone (undated): what
    says who was introduced to whom, all that is read of it for people not planned."""

    __slots__ = ()

    @property
    def stem(self) -> str:
        """The file name without folder and ``.md`` (as ``Person.stem``)."""
        base = self.path.rsplit("/", 1)[-1]
        return base[:-3] if base.lower().endswith(".md") else base


@dataclass
class WideRoster:
    """Everyone as ``Wide`` records in the vault's order, the notes' problems, and the walk
    they were read under (for ``records``)."""

    config: Config
    people: list[Wide]
    problems: list[Problem] = field(default_factory=list)
    notes: list[Found] = field(default_factory=list, repr=False)

    def records(self, paths) -> dict[str, Person] | None:
        """The whole records of the people at ``paths``, or None when the store no longer
        holds them as the walk found them (then load the vault in full)."""
        return store.records(self.config, self.notes, paths)


class _Stale(Exception):
    """A stored value of the wrong type: the store is not trusted."""


def _strings(text, memo: dict) -> tuple[str, ...]:
    """A ``FACTS`` column as a tuple of strings (remembered: a network repeats its tags and phrases)."""
    found = memo.get(text)
    if found is None:
        if text.__class__ is not str:
            raise _Stale
        values = json.loads(text)
        if values.__class__ is not list or not values or any(v.__class__ is not str for v in values):
            raise _Stale
        found = memo[text] = tuple(values)
    return found


def _widen(people: list, facts: dict[str, tuple]) -> list[Wide]:
    memo: dict = {None: ()}
    links: dict = {None: ()}
    new = tuple.__new__
    out = []
    for brief in people:
        row = facts.get(brief.path)
        if row is None or len(row) != 6:
            raise _Stale
        tags, emails, aliases, needs, offers, helped = row
        entries = links.get(helped)
        if entries is None:
            entries = links[helped] = tuple(Entry(None, text) for text in _strings(helped, memo))
        out.append(new(Wide, (*brief, _strings(tags, memo), _strings(emails, memo), _strings(aliases, memo),
                              _strings(needs, memo), _strings(offers, memo), entries)))
    return out


def read(config: Config, today: date) -> WideRoster | None:
    """The wide roster of the vault as it is now, or None when the store does not hold it
    (then load the vault in full); the last contact counts the mentions dated up to ``today``."""
    if store.PLAN is None:
        return None
    notes = walk(config)
    with collector_paused(keep=True):  # a record per person, alive until the command ends
        found = roster.read(config, notes, today)
        if found is None:
            return None
        facts = store.fact_rows(config, notes)
        if facts is None:
            return None
        try:
            people = _widen(found.people, facts)
        except (_Stale, ValueError, TypeError, RecursionError) as exc:
            store.discard(config, f"a row's facts failed validation ({exc.__class__.__name__})")
            return None
    return WideRoster(config, people, found.problems, notes)
