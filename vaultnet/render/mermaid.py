"""Mermaid diagrams for the index notes: the introduction flowchart and the network charts.

Obsidian and GitHub draw a fenced ```` ```mermaid ```` block as a picture, so a diagram
costs the vault nothing but text. Everything a person typed (a name, a circle) reaches a
diagram only through ``text``, the one escaper: Mermaid reads ``#NNN;`` as the character
with that decimal code (in every diagram type), so each character that is not a letter,
a digit or a plain space is written that way. A name can then hold quotes, brackets,
``-->``, ``%%``, ``;``, ``#``, backticks, ``<script>`` or the word ``end`` and still be
one label; line breaks and invisible format characters (direction overrides, zero-width
joiners outside emoji) are not drawn at all. Node ids are generated (``n1``, ``n2`` …),
never taken from a name.

Every block comes out fenced and complete, so a vault's own template prints it as is.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Sequence

FENCE = "```"
LABEL_MAX = 40  # characters of a name drawn in a box; longer names end in "…"
MAX_NODES = 100  # people drawn in the introduction graph; Mermaid gives up on very large texts


def text(value: str, limit: int = LABEL_MAX) -> str:
    """``value`` as the inside of a double-quoted Mermaid string: letters, digits and
    spaces as they are, every other character as ``#NNN;``; whitespace runs become one
    space; control and format characters are dropped; at most ``limit`` characters shown."""
    kept = []
    for char in value:
        if char.isspace():
            kept.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") or (
            unicodedata.category(char) == "Cf" and char != "\u200d"
        ):
            continue
        else:
            kept.append(char)
    plain = " ".join("".join(kept).split())
    if len(plain) > limit:
        plain = plain[: limit - 1].rstrip() + "…"
    return "".join(c if c.isalnum() or c == " " else f"#{ord(c)};" for c in plain)


def block(lines: Sequence[str]) -> str:
    """A fenced Mermaid block of ``lines`` (the first names the diagram type)."""
    return "\n".join([FENCE + "mermaid", *lines, FENCE])


# --- the introduction graph -------------------------------------------------------------------


@dataclass
class Flowchart:
    """A flowchart of people: nodes keyed by any hashable identity, drawn with generated ids.

    ``add_node(key, label, sort_key, missing)`` once per person; ``edge(a, b)`` (solid,
    "brought in") and ``link(a, b)`` (dashed, "introduced to each other") between keys.
    Ids are given in ``sort_key`` order when the chart is drawn, so they are stable.
    """

    direction: str = "LR"
    nodes: dict = field(default_factory=dict)  # key -> (sort_key, label, missing)
    edges: list = field(default_factory=list)  # (key, key, solid?)
    linked: set = field(default_factory=set)  # keys whose label is their note's file name

    def add_node(self, key, label: str, sort_key, missing: bool = False, note: str | None = None) -> None:
        """``note``: the file name (without ``.md``) the box opens in Obsidian, which
        follows a box of class ``internal-link`` to the note its text names; only a
        box showing exactly that name can be such a link."""
        if key in self.nodes:
            return
        self.nodes[key] = (sort_key, label, missing)
        if note is not None and note == label and text(label) == text(label, len(label) + 1):
            self.linked.add(key)

    def edge(self, source, target) -> None:
        self.edges.append((source, target, True))

    def link(self, first, second) -> None:
        self.edges.append((first, second, False))

    def lines(self) -> list[str]:
        order = sorted(self.nodes, key=lambda k: self.nodes[k][0])
        ids = {key: f"n{number}" for number, key in enumerate(order, 1)}
        out = [f"flowchart {self.direction}"]
        for key in order:
            _sort, label, missing = self.nodes[key]
            out.append(f'    {ids[key]}["{text(label)}"]' + (":::nonote" if missing else ""))
        seen = set()
        for source, target, solid in self.edges:
            mark = (ids[source], ids[target], solid)
            if mark in seen:
                continue
            seen.add(mark)
            out.append(f"    {ids[source]} {'-->' if solid else '-.-'} {ids[target]}")
        if self.linked:
            out.append("    class " + ",".join(ids[k] for k in order if k in self.linked) + " internal-link")
        if any(missing for _s, _l, missing in self.nodes.values()):
            out.append("    classDef nonote stroke-dasharray: 4 4")
        return out

    def render(self) -> str:
        return block(self.lines())


# --- charts -----------------------------------------------------------------------------------


def bar_chart(title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], y_title: str = "") -> str:
    """An ``xychart-beta`` block: categories on the x axis, one ``bar``/``line`` per series.

    ``series`` holds ``("bar" | "line", values)``; category names go through ``text``.
    """
    cats = ", ".join(f'"{text(c, 30)}"' for c in categories)
    top = max((v for _kind, values in series for v in values), default=0)
    lines = ["xychart-beta", f'    title "{text(title, 80)}"', f"    x-axis [{cats}]"]
    lines.append(f'    y-axis "{text(y_title, 40)}" 0 --> {max(top, 1)}' if y_title else f"    y-axis 0 --> {max(top, 1)}")
    for kind, values in series:
        lines.append(f"    {kind} [{', '.join(str(int(v)) for v in values)}]")
    return block(lines)


def pie_chart(title: str, slices: Sequence[tuple[str, int]]) -> str:
    """A ``pie`` block; slices with nothing in them are left out (Mermaid draws nothing for them).

    The title is unquoted in Mermaid's pie syntax and ends at a ``#`` or ``;``, so it
    cannot hold escapes: only letters, digits and spaces are accepted.
    """
    if not all(c.isalnum() or c == " " for c in title):
        raise ValueError(f"a pie chart's title is letters, digits and spaces only: {title!r}")
    lines = [f"pie title {title}"]
    for name, count in slices:
        if count > 0:
            lines.append(f'    "{text(name, 30)}" : {int(count)}')
    return block(lines)
