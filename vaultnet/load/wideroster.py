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
from .discover import Found, keys_of, walk


FIELDS = ("tags", "emails", "aliases", "needs", "offers", "helped")  # in the order of ``store.FACTS``


class Wide(namedtuple("Wide", (*roster.Brief._fields, *FIELDS))):
    """A ``roster.Brief`` and the person's tags, emails, aliases, needs and offers; the names
    are ``Person``'s. ``helped`` holds only the items that link to someone (undated): what
    says who was introduced to whom, all that is read of it for people not planned. A field
    the command did not ask for (``read``'s ``fields``) is None."""

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


def _strings(text) -> tuple[str, ...]:
    """A ``FACTS`` column as a tuple of strings."""
    if text.__class__ is not str:
        raise store.Invalid
    values = json.loads(text)
    if values.__class__ is not list or not values or any(v.__class__ is not str for v in values):
        raise store.Invalid
    return tuple(values)


def _helped(text) -> tuple[Entry, ...]:
    return tuple(Entry(None, item) for item in _strings(text))


def _widen(people: list, facts: dict[str, tuple], fields: tuple[str, ...]) -> list[Wide]:
    decoders = [_helped if name == "helped" else _strings for name in fields]
    # One memo per field, by the stored text: a network repeats its tags and its phrases.
    memos = [{None: ()} for _name in fields]
    slots = [FIELDS.index(name) for name in fields]
    new = tuple.__new__
    out = []
    for brief in people:
        row = facts.get(brief.path)
        if row is None:
            raise store.Invalid
        values = [None] * len(FIELDS)
        for slot, text, memo, decode in zip(slots, row, memos, decoders):
            found = memo.get(text)
            if found is None:
                found = memo[text] = decode(text)
            values[slot] = found
        out.append(new(Wide, (*brief, *values)))
    return out


def read(config: Config, today: date, fields: tuple[str, ...] = FIELDS) -> WideRoster | None:
    """The wide roster of the vault as it is now, with the ``fields`` asked for (of ``FIELDS``),
    or None when the store does not hold it (then load the vault in full); the last contact
    counts the mentions dated up to ``today``."""
    if store.codec() is None:
        return None
    with roster.others_aside(config) as aside, collector_paused(keep=True):  # the records live until the command ends
        notes = walk(config)
        found = roster.read(config, keys_of(notes), today, aside=aside)
        if found is None:
            return None
        facts = store.fact_rows(config, notes, [store.FACTS[FIELDS.index(name)] for name in fields])
        if facts is None:
            return None
        try:
            people = _widen(found.people, facts, fields)
        except (ValueError, TypeError, RecursionError) as exc:  # store.Invalid among them
            store.discard(config, f"a row's facts failed validation ({exc.__class__.__name__})")
            return None
    return WideRoster(config, people, found.problems, notes)
