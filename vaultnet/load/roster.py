"""The roster: each person's name and follow-up facts, for ``due`` and ``list``.

``due`` and ``list`` run many times a day and show a handful of fields per person, but a
whole record holds every log line and the giving ledger, and decoding 10,000 of them is
most of a warm run. So every row of the store (``store``) also holds the few facts those
two commands print and the schedule needs (name, org, circle, cadence, follow-up, last
contact, meeting date and place, archived); a warm run reads those columns and builds one
small record per person.

It is all or nothing: the roster is used only when the store holds exactly the notes a
fresh walk finds, each under its current stat key and trusted (``store.roster_rows``),
and every value has the right type. Anything else — a note edited, added, removed or
renamed, a damaged store — and the command loads the vault in full, which brings the
store up to date. So the roster can show stale data only if the store could too.

A ``Brief`` has the attribute names of a ``Person`` for the fields it holds, so the
schedule (``schedule.due_of``) and the commands' printing work on either.
"""

from __future__ import annotations

from collections import namedtuple
from contextlib import contextmanager
from datetime import date
from typing import Iterator

from ..model.config import Config
from ..model.durations import Duration
from ..model.errors import Problem
from ..model.person import not_a_person
from . import store
from .collector import collector_paused
from .discover import Aside, digest, keys_digest, keys_of, walk, walk_digest, walk_digest_aside


class Brief(namedtuple("Brief", "path name org circle cadence follow_up last_seen met met_at archived")):
    """What ``due`` and ``list`` need of one person; the names are ``Person``'s.

    A named tuple rather than a frozen dataclass: as immutable, and built in a tenth of
    the time, which shows at 10,000 people."""

    __slots__ = ()
    path: str
    name: str
    org: str | None
    circle: str | None
    cadence: Duration | None
    follow_up: date | None
    last_seen: date | None
    met: date | None
    met_at: str | None
    archived: date | bool | None


class Roster:
    """Everyone, as ``Brief`` records in the vault's order (name, then path), and the notes' problems.

    A plain class: a dataclass costs its making on every warm run, for nothing used here."""

    __slots__ = ("config", "people", "problems")

    def __init__(self, config: Config, people: list[Brief], problems: list[Problem] | None = None):
        self.config = config
        self.people = people
        self.problems = [] if problems is None else problems


def _day(value, memo: dict) -> date | None:
    """A day number as a date (remembered: a vault has far fewer days than people)."""
    found = memo.get(value, memo)
    if found is memo:
        if value.__class__ is not int:
            raise store.Invalid
        found = memo[value] = date.fromordinal(value)  # ValueError when out of range
    return found


def _cadence(text) -> Duration:
    """A cadence as stored: "amount unit" ("14 d", "0 none")."""
    if text.__class__ is not str:
        raise store.Invalid
    amount, unit = text.split(" ")
    if not (amount.isascii() and amount.isdigit()) or unit not in store.UNITS:
        raise store.Invalid
    return Duration(int(amount), unit)


def _briefs(rows: list[tuple], mentioned: dict | None = None) -> list[Brief]:
    """The roster's rows as records, each value checked (this loop is most of a warm ``due``);
    ``mentioned``: each person's latest mention as a day number, by path, which moves their
    last contact when it is later."""
    memo: dict = {None: None}
    cadences: dict = {None: None}
    archived_memo: dict = {None: None, 0: True}  # 0: ``archived: true``, or the Archive folder
    new = tuple.__new__
    people = []
    latest = mentioned.get if mentioned else None
    decode = bytes.decode
    get, archived_get = memo.get, archived_memo.get
    for path, name, org, circle, every, follow_up, seen, met, met_at, archived in rows:
        rel = decode(path, "utf-8", "surrogateescape")
        if name.__class__ is not str:
            raise store.Invalid
        if (org is not None and org.__class__ is not str) or (circle is not None and circle.__class__ is not str):
            raise store.Invalid
        if met_at is not None and met_at.__class__ is not str:
            raise store.Invalid
        cadence = cadences.get(every, cadences)
        if cadence is cadences:
            cadence = cadences[every] = _cadence(every)
        if latest is not None:
            day = latest(rel)
            if day is not None:
                if day.__class__ is not int or (seen is not None and seen.__class__ is not int):
                    raise store.Invalid
                if seen is None or day > seen:
                    seen = day
        # The days through the memo first: most are there (and None is), a call is not needed.
        found_follow_up, found_seen, found_met = get(follow_up, memo), get(seen, memo), get(met, memo)
        if found_follow_up is memo:
            found_follow_up = _day(follow_up, memo)
        if found_seen is memo:
            found_seen = _day(seen, memo)
        if found_met is memo:
            found_met = _day(met, memo)
        found_archived = archived_get(archived, memo)
        if found_archived is memo:
            found_archived = _day(archived, archived_memo)
        people.append(new(Brief, (
            rel, name, org, circle, cadence, found_follow_up, found_seen, found_met, met_at, found_archived,
        )))
    return people


def read(config: Config, notes=None, today: date | None = None, report: bool = True, aside=None) -> Roster | None:
    """The roster of the vault as it is now, or None when the store does not hold it
    (then load the vault in full: ``load``); ``notes`` is a fresh walk of the people folder
    as ``(rel, key)`` pairs (``discover.walk(keys_only=True)``, or ``discover.keys_of`` of a
    walk); ``aside``, when given, gives the digest of a fresh walk of the other notes
    (``discover.walk_digest_aside``). The last contact counts the mentions dated up to
    ``today`` (default: the real today). ``report``: say so with ``VAULTNET_CACHE_STATS``."""
    if notes is None:
        notes = walk(config, keys_only=True)
    walked = keys_digest(notes)
    found = store.roster_rows(config, notes, walked)
    if found is None:
        return None
    rows, problems = found
    if problems:  # a note that says it is not a person is left out without a word (``check`` says why)
        problems = [p for p in problems if not not_a_person(p)]
    mentioned, elsewhere = None, []
    try:
        if config.mentions:
            mentioned, elsewhere = _mentions(config, walked, rows, problems, today or date.today(), aside)
        people = _briefs(rows, mentioned)
    except (ValueError, TypeError, OverflowError) as exc:  # store.Invalid among them
        store.discard(config, f"a roster row failed validation ({exc.__class__.__name__})")
        return None
    if report:
        store.report(store.Stats(notes=len(notes), reused=len(notes)), " from the roster")
    return Roster(config, people, problems + elsewhere)


def _mentions(
    config: Config, walked: bytes, rows: list[tuple], problems: list[Problem], today: date, aside=None
) -> tuple[dict | None, list[Problem]]:
    """Each person's latest mention up to ``today`` that is later than their own last
    contact (a day number by path: what moves their last contact) and the other notes'
    problems; ``walked`` is the digest of the walk of the people folder the roster's
    ``rows`` are, ``aside()`` (when given) that of the other notes, as ``read`` says.

    It is what ``mentions.resolve_latest`` of ``mentions.latest_by_key`` says (the mentions
    resolve against every note a link can name), kept in the store (``store.keep_latest``)
    under the digests of both walks, and read back while neither changes and no mention
    falls between the day it was worked out for and ``today``. ``_briefs`` checks the
    types of what the store gives back."""
    # The other notes' paths and keys are all a warm run needs of them (their digest): the
    # notes themselves are walked again only when the store does not hold what it keeps.
    found = walk_digest(config, elsewhere=True) if aside is None else aside()
    if found is None:
        return None, []  # no other notes
    kept = store.kept_latest(config, walked, found, today)
    if kept is not None:
        return kept
    others = walk(config, elsewhere=True)
    if not others:
        return None, []
    others_digest = digest(others)
    from .mentions import latest_by_key, resolve_latest

    latest, found_problems = latest_by_key(config, today, others, others_digest)
    # A note that cannot be read is still a note a link can name (its last good record
    # shows in a full load): its mentions are not handed to a namesake elsewhere.
    seen = {}
    for row in rows:
        if row[0].__class__ is not bytes:
            raise store.Invalid
        seen[row[0].decode("utf-8", "surrogateescape")] = row[6]
    names = [*seen, *(p.path for p in problems if p.fatal)]
    moving = {}
    for path, day in resolve_latest(latest, names).items():
        # Only a mention later than the person's own last contact changes anything.
        if path in seen:
            last, day = seen[path], day.toordinal()
            if last is None or last.__class__ is not int or day > last:
                moving[path] = day
    store.keep_latest(config, walked, others_digest, today, moving)
    return moving, found_problems


@contextmanager
def others_aside(config: Config) -> Iterator[Aside | None]:
    """The digest of the other notes' walk worked out on the second core
    (``discover.walk_digest_aside``) while the block reads the people folder, for ``read``'s
    ``aside``; None when no mentions count. When the block ends the walk's process is
    gone: ended without waiting when its digest was not asked for (the store did not hold
    the people folder's walk, and a full load walks the other notes anyway)."""
    aside = walk_digest_aside(config, elsewhere=True) if config.mentions else None
    try:
        yield aside
    finally:
        if aside is not None:
            aside.close(kill=True)


def load(config: Config, today: date | None = None) -> Roster:
    """The roster when the store holds it, else the vault loaded in full (which brings the
    store up to date), seen through ``Brief`` records either way; the last contact counts
    the mentions dated up to ``today`` (default: the real today)."""
    today = today or date.today()
    with others_aside(config) as aside, collector_paused(keep=True):  # the records live until the command ends
        # The paths and keys are all the roster needs of the walk: the notes themselves are
        # walked again only for a full load, when something changed.
        found = read(config, walk(config, keys_only=True), today, aside=aside)
    if found is not None:
        return found
    from .vault import load_notes, vault_of, with_mentions_of

    notes = walk(config)
    vault = with_mentions_of(vault_of(config, load_notes(config, notes)), today)
    # The store now holds what the load found: read it as the next run will, so that this
    # run, not the next, keeps the digests that run compares (a warm run writes nothing).
    with collector_paused():
        read(config, keys_of(notes), today, report=False)
    return Roster(config, [brief_of(p) for p in vault.people], list(vault.problems))


def brief_of(person) -> Brief:
    return Brief(
        person.path, person.name, person.org, person.circle, person.cadence, person.follow_up, person.last_seen,
        person.met, person.met_at, person.archived,
    )
