"""Likely duplicates: two notes (or a note and a new contact) that are probably one person.

Names are compared by ``name_key``, which folds away what differs between two spellings
of one name as address books and people write it:

- letter case and accents (NFKD, combining marks dropped): ``José`` is ``jose``;
- apostrophes of every kind (``O’Brien``, ``O'Brien``, ``OBrien`` are one) and other
  punctuation (``Jean-Luc`` is ``Jean Luc``);
- emoji and other symbols (``Maria 🚀 Rossi`` is ``Maria Rossi``);
- titles before the name (``Dr.``, ``Prof.``, ``Mr.`` …) and degrees or generations
  after it (``, PhD``, ``MBA``, ``Jr.``, ``III`` …), when a name remains without them.

Three rules make a likely pair: names with the same key; the same email in any letter
case; a name whose key is the key of the other's alias. Pure functions: ``check``,
``add`` and the importers call them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from ..model.person import Person

_APOSTROPHES = "'\u2018\u2019\u02bc\u02bb`\u00b4\u2032"
PREFIXES = frozenset({"dr", "prof", "mr", "mrs", "ms", "mx", "sir", "dame"})
SUFFIXES = frozenset({"phd", "md", "mba", "jr", "sr", "ii", "iii", "iv", "esq", "cpa", "dds", "msc", "bsc", "cfa"})
_SEPARATOR = re.compile(r"[^\w.]+")  # runs of what is neither a word character nor a dot


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """The form two spellings of one name share (see the module's notes); "" for no name."""
    text = unicodedata.normalize("NFKD", name).casefold()
    kept = []
    for ch in text:
        if ch in _APOSTROPHES:
            continue
        category = unicodedata.category(ch)
        if category in ("Mn", "Me", "Cf") or category[0] == "S":
            continue  # accents, zero-width joiners and variation selectors, emoji and symbols
        kept.append(ch)
    words = [word.strip(".").replace(".", "") for word in _SEPARATOR.split("".join(kept).replace("_", " "))]
    words = [word for word in words if word]
    while len(words) > 1 and words[0] in PREFIXES:
        words.pop(0)
    while len(words) > 1 and words[-1] in SUFFIXES:
        words.pop()
    return " ".join(words)


def email_key(email: str) -> str:
    return email.strip().casefold()


@dataclass(frozen=True)
class Pair:
    """Two notes that are likely one person, and why (``same-name``, ``same-email``, ``name-is-alias``)."""

    first: Person
    second: Person
    reason: str
    detail: str


def _name_keys(person: Person) -> set[str]:
    # The name only: a file name is the name made safe (``AC/DC`` is in ``AC-DC.md``), and
    # a note without a ``name`` field is named by its file already.
    return {key for key in (name_key(person.name),) if key}


def _alias_keys(person: Person) -> set[str]:
    return {key for key in map(name_key, person.aliases) if key}


def likely_pairs(people: Iterable[Person]) -> list[Pair]:
    """Every pair of notes likely to be one person, each pair once (the first by path)."""
    people = sorted(people, key=lambda p: p.path)
    names: dict[str, list[Person]] = {}
    emails: dict[str, list[Person]] = {}
    aliases: dict[str, list[Person]] = {}
    for person in people:
        for key in _name_keys(person):
            names.setdefault(key, []).append(person)
        for key in {email_key(e) for e in person.emails if e.strip()}:
            emails.setdefault(key, []).append(person)
        for key in _alias_keys(person):
            aliases.setdefault(key, []).append(person)
    found: dict[tuple[str, str], Pair] = {}

    def add(a: Person, b: Person, reason: str, detail: str) -> None:
        if a.path == b.path:
            return
        a, b = sorted((a, b), key=lambda p: p.path)
        found.setdefault((a.path, b.path), Pair(a, b, reason, detail))

    for key, group in names.items():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                add(a, b, "same-name", f"{a.name} and {b.name} are the same name")
    for key, group in emails.items():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                add(a, b, "same-email", f"both have the email {key}")
    for person in people:
        for key in _name_keys(person):
            for other in aliases.get(key, []):
                add(person, other, "name-is-alias", f"{person.name} is an alias of {other.name}")
    return sorted(found.values(), key=lambda p: (p.first.path, p.second.path))


def matches_for(people: Iterable[Person], name: str, emails: Iterable[str] = (), aliases: Iterable[str] = ()) -> list[tuple[Person, str]]:
    """The people a new contact (``name``, its emails and aliases) is likely to be, with why,
    strongest reason first: the same email, then the same name, then a name matching an alias."""
    wanted = name_key(name)
    wanted_emails = {email_key(e) for e in emails if e and e.strip()}
    wanted_aliases = {k for k in map(name_key, aliases) if k}
    found: dict[str, tuple[int, Person, str]] = {}
    for person in people:
        shared = wanted_emails & {email_key(e) for e in person.emails}
        if shared:
            found.setdefault(person.path, (0, person, f"the same email ({sorted(shared)[0]})"))
        elif wanted and wanted in _name_keys(person):
            found.setdefault(person.path, (1, person, "the same name"))
        elif wanted and wanted in _alias_keys(person):
            found.setdefault(person.path, (2, person, "their alias"))
        elif wanted_aliases & _name_keys(person):
            found.setdefault(person.path, (2, person, "an alias of the new name"))
    return [(person, why) for _rank, person, why in sorted(found.values(), key=lambda t: (t[0], t[1].path))]
