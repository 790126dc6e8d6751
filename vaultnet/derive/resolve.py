"""Finding the person a command line means.

PERSON is compared with each person's name, aliases and file name ignoring case and
accents (``jose`` finds José, ``zoe`` finds Zoë), and with their emails in full: an
exact match wins; otherwise a unique prefix, then a unique substring. A note's path
(``People/J Doe.md``, or its file name) names that note, for when a name is ambiguous.
Anything ambiguous or unknown is an error listing the candidates or the closest
names, so a command never writes to the wrong note.
"""

from __future__ import annotations

import difflib
import unicodedata
from functools import lru_cache
from typing import Iterable

from ..model.errors import UsageProblem
from ..model.names import normalise
from ..model.person import Person


def fold_text(text: str) -> str:
    """The form a query and a name are compared in: ``normalise``d, then with accents dropped
    (NFKD, combining marks removed), so what a person types on any keyboard finds the note."""
    decomposed = unicodedata.normalize("NFKD", normalise(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Remembered for names, asked for again and again; bounded, for a long-running ``serve``.
fold = lru_cache(maxsize=1 << 17)(fold_text)


def _keys(person: Person) -> list[str]:
    return [fold(k) for k in (person.name, *person.aliases, person.stem) if k]


def find_people(people: Iterable[Person], query: str) -> list[Person]:
    """Everyone ``query`` could mean, by the strongest kind of match that finds anyone."""
    wanted = fold(query)
    people = list(people)
    if not wanted:
        return []
    if query.strip().lower().endswith(".md"):  # a note's path names one note, when all else is ambiguous
        path = query.strip().replace("\\", "/").lstrip("./")
        found = [p for p in people if fold(p.path) == fold(path) or "/" not in path and fold(p.stem + ".md") == fold(path)]
        if found:
            return found
    if "@" in wanted:  # an email names its person in full, never by a part of it
        found = [p for p in people if any(normalise(e) == normalise(query) for e in p.emails)]
        if found:
            return found
    for test in (
        lambda key: key == wanted,
        lambda key: key.startswith(wanted),
        lambda key: any(word.startswith(wanted) for word in key.split()),
        lambda key: wanted in key,
    ):
        found = [p for p in people if any(test(k) for k in _keys(p))]
        if found:
            return found
    return []


def resolve(people: Iterable[Person], query: str) -> Person:
    """The one person ``query`` means; raise UsageProblem (exit 2) otherwise."""
    people = list(people)
    found = find_people(people, query)
    if len(found) == 1:
        return found[0]
    if found:
        listed = "\n".join(f"  {p.name}  ({p.path})" for p in found[:20])
        more = f"\n  … and {len(found) - 20} more" if len(found) > 20 else ""
        raise UsageProblem(f"'{query}' matches {len(found)} people; say which (a note's path works too):\n{listed}{more}")
    names = {fold(k): p.name for p in people for k in (p.name, *p.aliases)}
    close = difflib.get_close_matches(fold(query), list(names), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(names[c]) for c in close)}?" if close else " `vaultnet list` shows everyone."
    raise UsageProblem(f"no person matches '{query}'.{hint}")


def people_matching(people: Iterable[Person], tag: str | None, org: str | None, circle: str | None, query: str | None):
    """Filter people for ``list``: a query over name, aliases, org, role, tags, needs, offers, emails
    and the Log lines' text, each word found ignoring case and accents.

    Here rather than in ``actions``, which imports the note editor (and PyYAML): ``list``
    with a warm cache needs no parser."""
    from ..model.links import link_target

    # A tag finds its nested tags too, as in Obsidian: ``people`` finds ``people/friend``.
    wanted_tag = normalise(tag.strip().lstrip("#").rstrip("/")) if tag else ""
    nested = wanted_tag + "/"
    result = []
    for person in people:
        if tag and not any(t == wanted_tag or t.startswith(nested) for t in map(normalise, person.tags)):
            continue
        if org and normalise(org) not in normalise(link_target(person.org) or ""):
            continue
        if circle and normalise(circle) != normalise(person.circle or ""):
            continue
        if query:
            haystack = fold_text(
                " ".join([person.name, *person.aliases, person.org or "", person.role or "", *person.tags,
                          *person.needs, *person.offers, *person.emails, *(entry.text for entry in person.log)])
            )
            if not all(word in haystack for word in fold(query).split()):
                continue
        result.append(person)
    return result
