"""The introduction graph: who met whom through whom, and the introductions you made.

Two kinds of edge, both read from the notes themselves (nothing is stored elsewhere):

- ``introduced_by`` on a person: that person was brought into your network by
  someone ("Lena introduced you to Amara"). Following it upwards gives chains:
  Lena introduced you to Amara, who introduced you to Marcus.
- an introduction you made: a ``helped`` item that says ``introduced to [[B]]``
  (what ``vaultnet intro`` writes, on both notes). Written by hand on only one
  of the two notes, it still counts; written on both, it counts once.

The graph is data typed by hand, so it may hold cycles (A introduced by B, B
by A) or names of people who have no note: every walk here is cycle-safe and
unresolved names are kept as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..model.links import link_target, link_targets, text_after_links
from ..model.names import normalise
from ..model.person import Entry, Person


INTRO_TEXT = re.compile(r"^\s*(?:introduced|introduction|intro)(?:\s+(?:to|with))?\b", re.IGNORECASE)


# --- the graph ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Introduction:
    """An introduction you made between two people (``second`` may be a name without a note)."""

    date: date | None
    first: Person
    second: Person | str
    why: str

    @property
    def second_name(self) -> str:
        return self.second.name if isinstance(self.second, Person) else self.second


class Directory:
    """Finds the person a name or link in a note means: file name, name, or alias; unique only."""

    def __init__(self, people: Sequence[Person]):
        self.people = list(people)
        found: dict[str, list[Person]] = {}
        by_stem: dict[str, Person] = {}
        for person in self.people:
            stem = person.stem
            by_stem[stem_key := normalise(stem)] = person  # the last of equal file names, as ever
            keys = {stem_key} if stem else set()
            keys.update(normalise(k) for k in (person.name, *person.aliases) if k)
            for key in keys:
                found.setdefault(key, []).append(person)
        self._by_key = found
        self._by_stem = by_stem

    def find(self, text: str | None) -> Person | None:
        target = link_target(text)
        if not target:
            return None
        key = normalise(target)
        if key in self._by_stem:  # a link names a file: that wins over an alias elsewhere
            return self._by_stem[key]
        matches = self._by_key.get(key, [])
        return matches[0] if len(matches) == 1 else None


@dataclass
class Graph:
    """Who brought whom into your network, and the introductions you made."""

    people: list[Person]
    introducer: dict[str, Person | str]  # path -> who introduced you to them (a person, or a name)
    brought_in: dict[str, list[Person]]  # path -> the people they introduced you to, by name
    made: list[Introduction]  # newest first

    def chain_up(self, person: Person) -> tuple[list[Person | str], bool]:
        """Who introduced you to ``person``, who introduced you to them, …: nearest first.

        The second value is True when the walk came back to someone already on
        the chain (a cycle in the notes); the walk stops there.
        """
        chain: list[Person | str] = []
        seen = {person.path}
        current: Person | str | None = self.introducer.get(person.path)
        while current is not None:
            if isinstance(current, Person):
                if current.path in seen:
                    return chain, True
                seen.add(current.path)
                chain.append(current)
                current = self.introducer.get(current.path)
            else:
                chain.append(current)
                break
        return chain, False

    def in_cycle(self, person: Person) -> bool:
        """Whether walking up ``introduced_by`` from ``person`` comes back to them."""
        seen = set()
        current = self.introducer.get(person.path)
        while isinstance(current, Person) and current.path not in seen:
            if current.path == person.path:
                return True
            seen.add(current.path)
            current = self.introducer.get(current.path)
        return False

    def introductions_of(self, person: Person) -> list[tuple[Introduction, Person | str]]:
        """Introductions you made that involve ``person``, with the other side; newest first."""
        out = []
        for intro in self.made:
            if intro.first.path == person.path:
                out.append((intro, intro.second))
            elif isinstance(intro.second, Person) and intro.second.path == person.path:
                out.append((intro, intro.first))
        return out

    def trees(self) -> list[tuple[Person | str, list]]:
        """The introduced_by forest: (root, children) with children as nested (person, children).

        Roots are introducers who were not introduced by anyone in the vault (or a
        name without a note). A cycle has no root; its member first by name stands
        in for one. No one appears twice.
        """
        placed: set[str] = set()

        def grow(person: Person) -> list:
            placed.add(person.path)
            branches = []
            for child in self.brought_in.get(person.path, []):
                if child.path not in placed:
                    branches.append((child, grow(child)))
            return branches

        forest: list[tuple[Person | str, list]] = []
        by_name: dict[str, list[Person]] = {}
        for person in self.people:
            source = self.introducer.get(person.path)
            if isinstance(source, str):
                by_name.setdefault(source, []).append(person)
        roots = [p for p in self.people if p.path in self.brought_in and not isinstance(self.introducer.get(p.path), Person)]
        for root in roots:
            if root.path not in placed and not isinstance(self.introducer.get(root.path), str):
                forest.append((root, grow(root)))
        for name in sorted(by_name, key=lambda n: (normalise(n), n)):
            children = [(c, grow(c)) for c in by_name[name] if c.path not in placed]
            if children:
                forest.append((name, children))
        for person in self.people:  # what is left hangs in cycles
            if person.path in self.brought_in and person.path not in placed:
                forest.append((person, grow(person)))
        forest.sort(key=lambda t: sort_name(t[0]))
        return forest


def sort_name(item: Person | str) -> tuple[str, str]:
    if isinstance(item, Person):
        return (normalise(item.name), item.path)
    return (normalise(item), "")


def is_introduction(entry: Entry) -> bool:
    """A helped item that records an introduction: ``introduced to [[B]]…`` (or ``intro to``)."""
    return bool(INTRO_TEXT.match(entry.text)) and bool(link_targets(entry.text))


def _why(text: str) -> str:
    """What follows the link(s) of an ``introduced to [[B]]: why`` item."""
    return text_after_links(text).lstrip(" :—–-").strip()


def build_graph(people: Iterable[Person]) -> Graph:
    """The introduction graph of a vault's people."""
    people = sorted(people, key=lambda p: (normalise(p.name), p.path))
    directory = Directory(people)
    introducer: dict[str, Person | str] = {}
    brought_in: dict[str, list[Person]] = {}
    for person in people:
        if not person.introduced_by:
            continue
        source = directory.find(person.introduced_by)
        if source is not None and source.path == person.path:
            continue  # "introduced by myself": meaningless, ignore
        if source is None:
            name = link_target(person.introduced_by) or person.introduced_by
            introducer[person.path] = name
        else:
            introducer[person.path] = source
            brought_in.setdefault(source.path, []).append(person)
    made: dict[tuple, Introduction] = {}
    for person in people:
        for entry in person.helped:
            if not is_introduction(entry):
                continue
            for target in link_targets(entry.text):
                other = directory.find(target)
                if other is not None and other.path == person.path:
                    continue
                second: Person | str = other if other is not None else target
                ends = sorted([person.path, other.path if other else "\0" + normalise(target)])
                key = (entry.date, *ends)
                intro = Introduction(entry.date, person, second, _why(entry.text))
                if key not in made:
                    made[key] = intro
                elif not made[key].why and intro.why:
                    made[key] = Introduction(entry.date, made[key].first, made[key].second, intro.why)
    ordered = sorted(
        made.values(),
        key=lambda i: (-(i.date.toordinal() if i.date else 0), normalise(i.first.name), normalise(i.second_name)),
    )
    return Graph(people, introducer, brought_in, ordered)


# --- views --------------------------------------------------------------------------------------


def _name(item: Person | str) -> str:
    return item.name if isinstance(item, Person) else f"{item} (no note)"


def show_lines(people: Sequence[Person], person: Person) -> list[str]:
    """The introduction lines of ``vaultnet show``: the chain above, who they brought in, intros made."""
    graph = build_graph(people)
    lines = []
    chain, cycle = graph.chain_up(person)
    if len(chain) > 1 or cycle:
        path = " → ".join(_name(x) for x in reversed(chain)) + f" → {person.name}"
        lines.append(f"introduction chain: {path}" + (" (the chain loops back; check introduced_by)" if cycle else ""))
    brought = graph.brought_in.get(person.path, [])
    if brought:
        lines.append(f"introduced you to: {', '.join(p.name for p in brought)}")
    intros = graph.introductions_of(person)
    if intros:
        lines.append(f"you introduced them to ({len(intros)}):")
        for intro, other in intros:
            when = intro.date.isoformat() + " " if intro.date else ""
            lines.append(f"  - {when}{_name(other)}" + (f": {intro.why}" if intro.why else ""))
    return lines


def show_dict(people: Sequence[Person], person: Person) -> dict:
    """The same as ``show_lines``, for ``vaultnet show --json``."""
    graph = build_graph(people)
    chain, cycle = graph.chain_up(person)

    def named(item: Person | str) -> dict:
        if isinstance(item, Person):
            return {"name": item.name, "path": item.path}
        return {"name": item, "path": None}

    return {
        "introduction_chain": [named(x) for x in reversed(chain)],
        "introduction_chain_loops": cycle,
        "introduced_you_to": [named(p) for p in graph.brought_in.get(person.path, [])],
        "introductions": [
            {"date": intro.date, "with": named(other), "why": intro.why} for intro, other in graph.introductions_of(person)
        ],
    }
