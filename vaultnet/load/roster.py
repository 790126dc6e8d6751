"""The roster: each person's name and follow-up facts, in one small file, for ``due`` and ``list``.

Why it exists: ``due`` and ``list`` run many times a day and show a handful of
fields per person, but the note cache (``cache``) holds whole records — every
log line, the giving ledger — and decoding 10,000 of them costs a quarter of a
second, most of a warm run. The roster keeps, for every note, only what those
two commands print and what the schedule needs (name, org, circle, cadence,
follow-up, last contact, meeting date) plus the note's problems, so that a warm
run reads about 1 MB of JSON and builds one small record per person.

It follows the note cache's rules, and is stricter:

- Each row holds the stat key (size, ``mtime_ns``, ``ctime_ns``, inode) under
  which its facts were read, and whether that key may be trusted (the note did
  not change while it was read, nor within ``cache.RACY_SECONDS`` of the scan).
- It is all or nothing. The roster is used only when its header matches (the same
  one as the note cache: format, vaultnet and Python versions, the parser's source
  files) and its rows name exactly the notes a fresh scan finds, in the same order,
  each with the same key, each trusted, each value of the right type. Anything else
  — a note edited, added, removed or renamed, a damaged file — and the command
  loads the vault in full, as it would without a roster, and writes a new roster
  (``load``). So the roster can make a command show stale data only if
  the note cache could too.
- It is written to a temporary file and renamed over the old one, only when its
  bytes change, and never when the vault cannot be written.
  ``VAULTNET_NO_CACHE=1`` turns it off with the note cache.

A ``Brief`` has the attribute names of a ``Person`` for the fields it holds, so
the schedule (``schedule.due_of``) and the commands' printing work on either.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from ..model.config import Config
from ..model.durations import Duration
from ..model.errors import Problem

FORMAT = 1
FILE = "roster.json"


class Brief(NamedTuple):
    """What ``due`` and ``list`` need of one person; the names are ``Person``'s.

    A named tuple rather than a frozen dataclass: as immutable, and built in a
    tenth of the time, which shows at 10,000 people."""

    path: str
    name: str
    org: str | None
    circle: str | None
    cadence: Duration | None
    follow_up: date | None
    last_seen: date | None
    met: date | None


@dataclass
class Roster:
    """Everyone, as ``Brief`` records in the vault's order (name, then path), and the notes' problems."""

    config: Config
    people: list[Brief]
    problems: list[Problem] = field(default_factory=list)


def _enabled() -> bool:
    return os.environ.get("VAULTNET_NO_CACHE", "") in ("", "0")


def _path(root: Path) -> Path:
    from .cache import cache_dir

    return cache_dir(root) / FILE


def _header(people_dir: str) -> dict:
    from .cache import header

    return {**header(people_dir), "roster": FORMAT, "brief": list(Brief._fields)}


# --- writing -------------------------------------------------------------------------------------


def _day(value: date | None) -> int:
    return value.toordinal() if value is not None else 0


def _row(rel: str, key, trusted: bool, person, problems: list[Problem]) -> list:
    """One note as a flat list: path, key, trusted, then the facts (or 0 when the note
    could not be read), then its problems."""
    row: list[Any] = [rel, *key, 1 if trusted else 0]
    if person is None:
        row.append(0)
    else:
        cadence = person.cadence
        row += [
            1, person.name, person.org, person.circle,
            -1 if cadence is None else cadence.amount, "" if cadence is None else cadence.unit,
            _day(person.follow_up), _day(person.last_seen), _day(person.met),
        ]
    row.append([[p.message, p.line, p.field, p.fatal] for p in problems])
    return row


def save(config: Config, loaded) -> bool:
    """Write the roster of a full load (``cache.Loaded``) when its bytes changed; True when written.

    Never an error: a vault that cannot be written simply has no roster."""
    if not _enabled() or loaded.keys is None:
        return False
    from .cache import write_atomic

    rows = [
        _row(rel, key if key is not None else (-1, -1, -1, -1), key is not None, person, problems)
        for (rel, person, problems), key in zip(loaded.results, loaded.keys)
    ]
    data = json.dumps({"header": _header(config.people_dir), "notes": rows}, ensure_ascii=False, separators=(",", ":"))
    encoded = data.encode("utf-8", "surrogatepass")
    path = _path(config.root)
    try:
        with open(path, "rb") as handle:
            if handle.read() == encoded:
                return False
    except OSError:
        pass
    return write_atomic(path, encoded)


# --- reading -------------------------------------------------------------------------------------


class _Stale(Exception):
    """The roster does not describe the vault as it is now: load it in full."""


def _opt_str(value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    raise _Stale


def _date(value: Any, memo: dict[int, date]) -> date:
    """A day number as a date (remembered: a vault has far fewer days than people)."""
    if type(value) is not int:
        raise _Stale
    found = memo[value] = date.fromordinal(value)  # ValueError when out of range
    return found


def _problems(rel: str, raw: list) -> list[Problem]:
    out = []
    for item in raw:
        message, line, field_name, fatal = item  # ValueError/TypeError when not four values
        if type(message) is not str or (line is not None and type(line) is not int) or type(fatal) is not bool:
            raise _Stale
        out.append(Problem(rel, message, line, _opt_str(field_name), fatal))
    return out


def _decode(notes, rows: Any) -> tuple[list[Brief], list[Problem]]:
    """The roster's rows as records, when they describe exactly the scanned ``notes``
    (written for speed: this loop is most of a warm ``due``)."""
    if rows.__class__ is not list or len(rows) != len(notes):
        raise _Stale
    memo: dict[int, date] = {0: None}  # type: ignore[dict-item]
    new = tuple.__new__
    cadences: dict[tuple[int, str], Duration] = {}
    people: list[Brief] = []
    problems: list[Problem] = []
    for note, row in zip(notes, rows):
        if row.__class__ is not list or row[0] != note.rel or row[5] != 1:
            raise _Stale
        if tuple(row[1:5]) != note.key:
            raise _Stale
        if row[6] == 1:
            _, _, _, _, _, _, _, name, org, circle, amount, unit, follow_up, seen, met, found = row
            if name.__class__ is not str or amount.__class__ is not int:
                raise _Stale
            if amount == -1:
                cadence = None
            else:
                cadence = cadences.get((amount, unit))
                if cadence is None:
                    if amount < 0 or unit not in _UNITS:
                        raise _Stale
                    cadence = cadences[amount, unit] = Duration(amount, unit)
            if (org is not None and org.__class__ is not str) or (circle is not None and circle.__class__ is not str):
                raise _Stale
            people.append(new(Brief, (
                note.rel, name, org, circle, cadence,
                memo[follow_up] if follow_up in memo else _date(follow_up, memo),
                memo[seen] if seen in memo else _date(seen, memo),
                memo[met] if met in memo else _date(met, memo),
            )))
        elif row[6] == 0 and len(row) == 8:
            found = row[7]
        else:
            raise _Stale
        if found.__class__ is not list:
            raise _Stale
        if found:
            problems += _problems(note.rel, found)
    return people, problems


_UNITS = frozenset(("d", "w", "m", "y", "none"))


def read(config: Config, notes=None) -> Roster | None:
    """The roster of the vault as it is now, or None when it is missing, damaged or stale
    (then load the vault in full: ``load``); ``notes`` is a fresh ``cache.scan``, made
    here when not given."""
    if not _enabled():
        return None
    from .cache import scan

    try:
        with open(_path(config.root), "rb") as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None
    if type(data) is not dict or data.get("header") != _header(config.people_dir):
        return None
    if notes is None:
        notes = scan(config.root, config.people_dir)
    try:
        people, problems = _decode(notes, data.get("notes"))
    except (_Stale, ValueError, TypeError, IndexError, OverflowError):
        return None
    people.sort(key=lambda p: (p.name.casefold(), p.path))
    if os.environ.get("VAULTNET_CACHE_STATS"):
        print(f"vaultnet cache: Stats(notes={len(notes)}, reused={len(notes)}, parsed=0, written=False, discarded=None) from the roster", file=sys.stderr)
    return Roster(config, people, problems)


def load(config: Config) -> Roster:
    """The roster when it is current, else the vault loaded in full and a new roster
    written, seen through ``Brief`` records either way.

    Only here is the roster written: the commands that read it pay for keeping it, not
    ``build`` or ``show``, which load every record anyway."""
    config.people_path  # noqa: B018 - raises when the people folder is a link leading out of the vault
    from .cache import scan

    notes = scan(config.root, config.people_dir)  # one scan, for the roster or the full load
    found = read(config, notes)
    if found is not None:
        return found
    from .vault import load_notes, vault_of

    loaded = load_notes(config, notes)
    save(config, loaded)
    vault = vault_of(config, loaded)
    return Roster(config, [brief_of(p) for p in vault.people], list(vault.problems))


def brief_of(person) -> Brief:
    return Brief(person.path, person.name, person.org, person.circle, person.cadence, person.follow_up, person.last_seen, person.met)
