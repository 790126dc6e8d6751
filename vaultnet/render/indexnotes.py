"""The index notes: derived views of the vault, ready for one template render each.

``REGISTRY`` lists every index note ``vaultnet build`` writes, as
``IndexNote(file, template, context)``: the file name inside ``index_dir``, the
template's name (a vault overrides it by a file of that name in its
``templates_dir``), and a function from ``IndexViews`` to the template's
variables. Adding a note is one entry, e.g.
``IndexNote("Introductions.md", "Introductions.md", introductions_context)``.

Everything a template prints is prepared here, already escaped for where it
goes (``cell`` values for table cells, ``text`` values for list items), so a
name holding ``|``, ``[[``, ``*`` or a newline cannot break a table or a link,
and a vault's own template cannot forget to escape. Raw values stay available
(``name``, ``path``) and the ``cell`` and ``md`` filters escape anything else.
A list of people (``people``, ``overdue``, ``needs`` …) is a ``rows.PersonRows``: each
item's variables are made only when asked for, and the default templates render each row
through a macro and the ``rows`` filter, which takes the rows of people who did not change
from the store (``rows``), so a build after one edit renders one person's rows. What several
notes show of a person (links, org, circle, dates) is escaped once per build
(``IndexViews.cells``) and repeated texts are escaped once (``IndexViews.cell``/``md``);
tests/render/test_indexnotes.py holds every note's variables equal to a straightforward reference.
Order is stable: by name, then path.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache
from typing import Any, Callable

from ..model.config import Config
from ..model.links import WIKILINK_BREAKERS, link_target, markdown_spans, plain_text, person_link, wikilink
from ..model.person import Entry, Person
from ..derive.plan import Reasons
from ..derive.schedule import FIRST_FOLLOW_UP, FOLLOW_UP, HELP_ASK, NEVER_CONTACTED, Due, contacted_on, due_of, met_text, plan_days, week_end
from ..model.names import normalise
from .words import plural
from ..derive.intros import Graph, build_graph, sort_name
from ..derive.ledger import NO_CIRCLE
from ..derive.network import network
from . import mermaid
from .rows import PersonRows, RowKeeper, rows_filter

_NUMBERED = re.compile(r"^(\d{1,9})([.)])")
# What ``_escape_plain`` escapes: a Markdown-significant character; ``#`` after whitespace
# ("#word" would become an Obsidian tag); the second ``%`` of ``%%`` (an Obsidian comment).
# The lookbehinds see the unescaped text, and ``\s`` is exactly ``str.isspace``.
_ESCAPE = re.compile(r"[\\`*_\[\]<>|$~]|(?<=\s)#|(?<=%)%")
# Every whitespace character but the plain space (exactly the ``str.isspace`` ones; a test checks).
_OTHER_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# ``md``'s fast path: text holding none of these, no double space, and no space, ``-``, ``+``,
# ``=`` or digit at its start (nor a space at its end) needs no work at all — no character
# ``_escape_plain`` or a link could touch, nothing to collapse, no list a start could open.
# Conservative: ``#`` and ``%`` always go the long way. One character class, because a
# plain scan for a class is cheaper than an alternation doing the same checks.
NEEDS_WORK = re.compile("[\\\\`*_\\[\\]<>|$~#%" + _OTHER_SPACE + "]")
_BAD_START = frozenset("-+= ")


def _escape_plain(text: str, at_start: bool) -> str:
    """Backslash-escape what Markdown or Obsidian would read as markup in plain text.

    ``at_start``: the text starts a line, so a leading ``#`` would start a tag too.
    """
    out = _ESCAPE.sub(r"\\\g<0>", text)
    return "\\" + out if at_start and text[:1] == "#" else out


def md(text: Any, in_table: bool = False) -> str:
    """Markdown for a piece of note text: literal, except that links stay links.

    (Memoised: orgs, tags and circles repeat across thousands of people.)

    Whitespace (newlines too) becomes single spaces; Markdown-significant
    characters are backslash-escaped; a leading ``-``, ``+`` or ``1.`` cannot
    start a list. In a table cell, a ``|`` inside a kept wikilink is escaped too.
    """
    if text is None:
        return ""
    text = str(text)
    if (
        NEEDS_WORK.search(text) is None
        and "  " not in text
        and text[:1] not in _BAD_START
        and not text[:1].isdecimal()
        and text[-1:] != " "
        and text
    ):
        return text
    return _md(text, in_table)


@lru_cache(maxsize=1 << 16)
def _md(text: str, in_table: bool) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    pieces = []
    position = 0
    for match in markdown_spans(text):
        pieces.append(_escape_plain(text[position : match.start()], position == 0))
        link = match.group(0)
        pieces.append(link.replace("|", "\\|") if in_table else link)
        position = match.end()
    pieces.append(_escape_plain(text[position:], position == 0))
    out = "".join(pieces)
    if out[:1] in "-+" or out[:1] == "=":
        out = "\\" + out
    numbered = _NUMBERED.match(out)
    if numbered:
        out = numbered.group(1) + "\\" + out[len(numbered.group(1)) :]
    return out


def cell(text: Any) -> str:
    """``md`` for a table cell."""
    return md(text, in_table=True)


def relative_days(days: int) -> str:
    """``3 days overdue``, ``today``, ``in 5 days`` — for a due date ``days`` ago."""
    if days > 0:
        return f"{plural(days, 'day')} overdue"
    if days == 0:
        return "today"
    return "tomorrow" if days == -1 else f"in {-days} days"


@dataclass(slots=True)
class PersonCells:
    """What the index notes show of one person, escaped once per build and shared by all
    of them (a 10,000-person build would otherwise escape the same org five times)."""

    link: str  # for a list item
    link_cell: str  # for a table cell
    org: str  # cell
    role: str  # cell
    circle: str  # cell
    org_text: str  # md, for a list item
    last_contact: str  # the date, or "never"
    next: str  # the due date, "never contacted" or "none"


class IndexViews:
    """The vault's derived data, each part computed once per build and shared."""

    def __init__(self, config: Config, people: list[Person], today: date, identities: dict[str, str] | None = None):
        self.config = config
        # Each person's identity (``rows.PersonRows``): what their record is made of, by path;
        # a person without one has rows that are never kept.
        self.identities = identities or {}
        self.people = people  # already sorted by name, then path (loader.sort_people)
        self.today = today
        self.from_file = f"{config.index_dir.rstrip('/')}/index.md"
        self._markdown_config = dataclasses.replace(config, link_style="markdown")
        self._cells: dict[str, PersonCells] = {}
        self._cell_memo: dict[str, str] = {}
        self._md_memo: dict[str, str] = {}
        self._days: dict[date, str] = {}
        self._link_memo: dict[str, tuple[str, str]] = {}

    def iso(self, value: date) -> str:
        """``value.isoformat()``, remembered: a vault's dates fall on a few hundred days."""
        shown = self._days.get(value)
        if shown is None:
            shown = self._days[value] = value.isoformat()
        return shown

    def cell(self, text: str | None) -> str:
        """``cell``, remembered for this build: orgs, circles, roles and ledger texts repeat."""
        if text is None:
            return ""
        shown = self._cell_memo.get(text)
        if shown is None:
            shown = self._cell_memo[text] = cell(text)
        return shown

    def md(self, text: str | None) -> str:
        """``md``, remembered for this build."""
        if text is None:
            return ""
        shown = self._md_memo.get(text)
        if shown is None:
            shown = self._md_memo[text] = md(text)
        return shown

    def cells(self, person: Person) -> PersonCells:
        """The person's shared cells (worked out on first use)."""
        found = self._cells.get(person.path)
        if found is None:
            found = self._cells[person.path] = self._make_cells(person)
        return found

    def links(self, person: Person) -> tuple[str, str]:
        """The person's link for a list item and for a table cell (worked out on first use)."""
        found = self._link_memo.get(person.path)
        if found is None:
            found = self._link_memo[person.path] = self._links(person)
        return found

    def rows(self, note: str, name: str, entries: list, make) -> PersonRows:
        """A per-person list of ``note`` (``rows.PersonRows``): ``entries`` are ``(key, person,
        source)``, an item's identity being the person's, or all of them ``(key, person, source,
        extra)``, its identity then the person's and ``extra`` (what else the item's variables
        are made of)."""
        get = self.identities.get
        if entries and len(entries[0]) > 3:
            listed = [
                (key, None if (identity := get(person.path)) is None else f"{identity}|{extra}", source)
                for key, person, source, extra in entries
            ]
        else:
            listed = [(key, get(person.path), source) for key, person, source in entries]
        return PersonRows(note, name, listed, make)

    def _make_cells(self, person: Person) -> PersonCells:
        plain, in_cell = self.links(person)
        due = self.dues[person.path]
        if due is None:
            next_text = "archived" if person.archived else "none"
        elif due.reason == NEVER_CONTACTED:
            next_text = "never contacted"
        else:
            next_text = self.iso(due.date)
        seen = self.last_seen[person.path]
        return PersonCells(
            plain,
            in_cell,
            self.cell(person.org),
            self.cell(person.role),
            self.cell(person.circle),
            self.md(person.org),
            self.iso(seen) if seen else "never",
            next_text,
        )

    def _links(self, person: Person) -> tuple[str, str]:
        """The person's link for a list item and for a table cell, in the vault's link style.

        A file name holding ``[ ] | # ^`` cannot be a wikilink target (Obsidian
        refuses such names; vaultnet never creates them), so such a note gets a
        Markdown link instead of a broken wikilink. A Markdown link's label has its
        ``|`` escaped already, so it is the same in a table cell.
        """
        config = self.config
        if config.link_style == "wikilink":
            stem = person.stem
            if not WIKILINK_BREAKERS.search(stem):
                link = wikilink(stem, person.name)  # what person_link makes of a wikilink
                return link, link.replace("|", "\\|")
            config = self._markdown_config
        link = person_link(config, person, from_file=self.from_file)
        if config.link_style == "markdown":
            # The label escaped like every other text here ($, %%, #tags too); the target as linked.
            target = link[link.rindex("](") :]
            link = "[" + _escape_plain(" ".join(person.name.split()), False) + target
        return link, link

    def link(self, person: Person, in_table: bool = False) -> str:
        """A link to the person's note from the index folder, in the vault's link style."""
        plain, in_cell = self.links(person)
        return in_cell if in_table else plain

    @cached_property
    def last_seen(self) -> dict[str, date | None]:
        return {p.path: p.last_seen for p in self.people}

    @cached_property
    def dues(self) -> dict[str, Due | None]:
        return {p.path: due_of(p, self.config, self.today) for p in self.people}

    @cached_property
    def reasons(self) -> Reasons:
        """The plan's reasons to reach out, shared with the calendar: one index per build."""
        return Reasons(self.people, self.config, self.today)

    @cached_property
    def planned_dues(self) -> list[Due]:
        """Everyone due, in line, each with their planned day (``schedule.plan_days``)."""
        dues = [d for d in self.dues.values() if d is not None]
        return plan_days(dues, self.config, self.today, self.taken_today)

    @cached_property
    def taken_today(self) -> int:
        """How many people were in touch today (``schedule.contacted_on``)."""
        return contacted_on(self.people, self.today)

    @cached_property
    def planned(self) -> dict[str, date]:
        """Each due person's planned day, by path."""
        return {d.person.path: d.planned for d in self.planned_dues}

    def next_text(self, person: Person) -> str:
        return self.cells(person).next

    def base(self, title: str) -> dict[str, Any]:
        """Variables every index note has."""
        folder = self.config.people_dir.rstrip("/") + "/"
        return {
            "title": title,
            "notice": (
                f"*Generated by `vaultnet build` from the notes in `{folder}` — do not edit: "
                "this file is rewritten on every build. Change the person notes instead.*"
            ),
            "people_dir": folder,
            "people_count": len(self.people),
            "today": self.today.isoformat(),
        }


# --- People.md --------------------------------------------------------------------------------


def _people_row(views: IndexViews, person: Person) -> dict[str, Any]:
    cells = views.cells(person)
    return {
        "name": person.name,
        "path": person.path,
        "link": cells.link_cell,
        "org": cells.org,
        "role": cells.role,
        "circle": cells.circle,
        "last_contact": cells.last_contact,
        "next": cells.next,
    }


def people_context(views: IndexViews) -> dict[str, Any]:
    tags: dict[str, tuple[str, list[str]]] = {}
    orgs: dict[str, tuple[str, list[str]]] = {}
    org_keys: dict[str, str | None] = {}  # an org's group, by its text: the same org recurs
    for person in views.people:
        link = None  # the person's link, looked up once for both groups
        if person.tags:
            link = views.links(person)[0]
            seen_tags = set()
            for tag in person.tags:
                key = tag.casefold()
                if key in seen_tags:
                    continue
                seen_tags.add(key)
                tags.setdefault(key, (tag, []))[1].append(link)
        if person.org:
            if person.org in org_keys:
                org_key = org_keys[person.org]
            else:
                target = link_target(person.org)
                org_key = org_keys[person.org] = " ".join(target.split()).casefold() if target else None
            if org_key is not None:
                if link is None:
                    link = views.links(person)[0]
                orgs.setdefault(org_key, (person.org, []))[1].append(link)
    by_tag = [{"tag": md(shown), "people": links} for _, (shown, links) in sorted(tags.items())]
    by_org = [{"org": md(shown), "people": links} for _, (shown, links) in sorted(orgs.items())]
    rows = views.rows("People.md", "people", [(p.path, p, p) for p in views.people], lambda p: _people_row(views, p))
    return {**views.base("People"), "people": rows, "by_tag": by_tag, "by_org": by_org}


# --- Follow-ups.md ----------------------------------------------------------------------------


def _why(due: Due) -> str:
    if due.reason == FOLLOW_UP:
        return "follow-up date"
    if due.reason == FIRST_FOLLOW_UP:
        return f"{plain_text(met_text(due.person))}: {HELP_ASK}"
    return f"every {due.cadence}" if due.cadence else ""


PLAN_DAYS = 7  # the days of the plan Follow-ups.md shows (`vaultnet plan`'s default)


def _due_row(views: IndexViews, due: Due, whens: dict[int, str], whys: dict[tuple, str]) -> dict[str, Any]:
    person = due.person
    cells = views.cells(person)
    days = (views.today - due.date).days  # Due.days_overdue
    when = whens.get(days)
    if when is None:
        when = whens[days] = relative_days(days)
    if due.reason == FIRST_FOLLOW_UP:  # the meeting's own date and place
        why = views.cell(_why(due))
    else:
        why = whys.get((due.reason, due.cadence))
        if why is None:
            why = whys[(due.reason, due.cadence)] = views.cell(_why(due))
    planned = views.planned[person.path]
    return {
        "name": person.name,
        "path": person.path,
        "link": cells.link_cell,
        "due": views.iso(due.date),
        "planned": views.iso(planned),
        "planned_when": relative_days((views.today - planned).days),
        "when": when,
        "days_overdue": days,
        "last_contact": cells.last_contact,
        "why": why,
        "org": cells.org,
        "circle": cells.circle,
        "needs": views.cell("; ".join(person.needs)) if person.needs else "",
    }


def followups_context(views: IndexViews) -> dict[str, Any]:
    today = views.today
    sunday = week_end(today)
    month = today + timedelta(days=30)
    overdue, week, later, never, unscheduled = [], [], [], [], []
    dues = []
    for person in views.people:
        due = views.dues[person.path]
        if due is None:
            if person.archived:  # archived people leave the follow-ups altogether
                continue
            unscheduled.append((person.path, person, person))
        else:
            dues.append(due)
    # Most overdue first, then soonest; ties by name, then path (people are in that order).
    dues.sort(key=lambda d: d.date)
    planned = views.planned
    for due in dues:
        path = due.person.path
        # A row shows the planned day, which depends on everyone due: it is part of the row's identity.
        entry = (path, due.person, due, planned[path].toordinal())
        if due.reason == NEVER_CONTACTED:
            never.append(entry)
        elif due.date < today:
            overdue.append(entry)
        elif due.date <= sunday:
            week.append(entry)
        elif due.date <= month:
            later.append(entry)
    whens: dict[int, str] = {}
    whys: dict[tuple, str] = {}

    def make(due: Due) -> dict[str, Any]:
        return _due_row(views, due, whens, whys)

    def listed(name: str, entries: list) -> PersonRows:
        return views.rows("Follow-ups.md", name, entries, make)

    def unscheduled_row(person: Person) -> dict[str, Any]:
        return {"name": person.name, "path": person.path, "link": views.links(person)[0]}

    # The plan of the next days, with the reasons `vaultnet plan` gives.
    last = today + timedelta(days=PLAN_DAYS - 1)
    days: dict[date, list] = {today + timedelta(days=n): [] for n in range(PLAN_DAYS)}
    for due in views.planned_dues:
        if due.planned > last:
            break  # in line, so the planned days only grow
        days[due.planned].append({
            "name": due.person.name,
            "path": due.person.path,
            "link": views.links(due.person)[0],
            "reasons": [views.md(r.text) for r in views.reasons.of(due)],
        })
    plan = [
        {"date": day.isoformat(), "when": relative_days((today - day).days), "people": people}
        for day, people in days.items()
    ]
    return {
        **views.base("Follow-ups"),
        "plan": plan,
        "week_end": sunday.isoformat(),
        "per_day": views.config.follow_ups_per_day or "any number of",
        "month_end": month.isoformat(),
        "overdue": listed("overdue", overdue),
        "this_week": listed("this_week", week),
        "next_30_days": listed("next_30_days", later),
        "never_contacted": listed("never_contacted", never),
        "unscheduled": views.rows("Follow-ups.md", "unscheduled", unscheduled, unscheduled_row),
    }


# --- Giving.md --------------------------------------------------------------------------------


def _ledger_rows(views: IndexViews, field: str) -> PersonRows:
    """Every item of ``helped``/``received``, newest first; undated items last.

    Ties keep the order of people (by name, then path) and of the items in a note:
    the rows are collected in that order and the sort is stable.
    """
    entries: list[tuple] = []
    newest_first: list[int] = []  # each row's sort key: ordinals are >= 1, so undated (1) comes last
    for person in views.people:
        items = getattr(person, field)
        if items:
            path = person.path
            for number, entry in enumerate(items):
                entries.append((f"{path}\0{number}", person, (person, entry)))
                newest_first.append(-entry.date.toordinal() if entry.date else 1)
    iso, escape = views.iso, views.cell

    def make(source: tuple[Person, Entry]) -> dict[str, Any]:
        person, entry = source
        when = entry.date
        return {
            "date": iso(when) if when else "undated",
            "name": person.name,
            "path": person.path,
            "link": views.links(person)[1],
            "what": escape(entry.text),
        }

    ordered = [entries[i] for i in sorted(range(len(entries)), key=newest_first.__getitem__)]
    return views.rows("Giving.md", field, ordered, make)


def _latest(views: IndexViews, entries: tuple[Entry, ...]) -> str:
    newest = None
    for entry in entries:
        if entry.date and (newest is None or entry.date > newest):
            newest = entry.date
    return views.iso(newest) if newest else ""


def _balance_row(views: IndexViews, person: Person) -> dict[str, Any]:
    given, got = len(person.helped), len(person.received)
    difference = given - got
    return {
        "name": person.name,
        "path": person.path,
        "link": views.links(person)[1],
        "given": given,
        "received": got,
        "balance": f"+{difference}" if difference > 0 else ("0" if difference == 0 else f"−{-difference}"),
        "last_given": _latest(views, person.helped),
        "last_received": _latest(views, person.received),
    }


def giving_context(views: IndexViews) -> dict[str, Any]:
    balance = [(p.path, p, p) for p in views.people if p.helped or p.received]
    helped = _ledger_rows(views, "helped")
    received = _ledger_rows(views, "received")
    return {
        **views.base("Giving"),
        "helped": helped,
        "received": received,
        "reciprocity": views.rows("Giving.md", "reciprocity", balance, lambda p: _balance_row(views, p)),
        "helped_people": sum(1 for p in views.people if p.helped),
        "received_people": sum(1 for p in views.people if p.received),
    }


# --- Needs and offers.md ----------------------------------------------------------------------


def needs_offers_context(views: IndexViews) -> dict[str, Any]:
    needs, offers = [], []
    for person in views.people:
        if person.archived:  # left out of matching, so of the needs and offers to match
            continue
        if person.needs:
            needs.append((person.path, person, person))
        if person.offers:
            offers.append((person.path, person, person))

    def make(field: str) -> Callable[[Person], dict[str, Any]]:
        def row(person: Person) -> dict[str, Any]:
            return {
                "name": person.name,
                "path": person.path,
                "link": views.links(person)[0],
                "org": views.md(person.org),
                "items": [views.md(item) for item in getattr(person, field)],
            }
        return row

    return {
        **views.base("Needs and offers"),
        "needs": views.rows("Needs and offers.md", "needs", needs, make("needs")),
        "offers": views.rows("Needs and offers.md", "offers", offers, make("offers")),
        "need_count": sum(len(entry[1].needs) for entry in needs),
        "offer_count": sum(len(entry[1].offers) for entry in offers),
    }


# --- Introductions.md ------------------------------------------------------------------------


def introductions_context(views) -> dict:
    """The variables of ``Introductions.md`` (an ``indexnotes.IndexNote`` context function).

    ``brought_in``: one row per introducer (most people brought in first) with
    ``introducer`` and ``people`` as table cells and ``count``; ``chains``: the
    introduced_by trees that are at least two introductions deep, flattened to
    rows of ``depth``, ``indent`` and ``link`` in walking order; ``made``: the
    introductions you made, newest first (``date``, ``first``, ``second``,
    ``why`` as cells); ``cycles``: names on a loop of introduced_by.
    Every text is escaped for where it goes; links come from ``views.link``.
    """
    graph = build_graph(views.people)

    def link(item: Person | str, in_table: bool = False) -> str:
        if isinstance(item, Person):
            return views.link(item, in_table=in_table)
        return (cell(item) if in_table else md(item)) + " (no note)"

    introducers: dict[str, tuple[Person | str, list[Person]]] = {}
    for person in graph.people:
        source = graph.introducer.get(person.path)
        if source is None:
            continue
        key = source.path if isinstance(source, Person) else "\0" + normalise(source)
        introducers.setdefault(key, (source, []))[1].append(person)
    brought_in = [
        {"introducer": link(source, True), "count": len(found), "people": ", ".join(link(p, True) for p in found)}
        for source, found in sorted(introducers.values(), key=lambda v: (-len(v[1]), sort_name(v[0])))
    ]

    def height(children: list) -> int:
        return 1 + max((height(c) for _p, c in children), default=0) if children else 0

    chains: list[dict] = []

    def walk(item: Person | str, children: list, depth: int) -> None:
        chains.append({"depth": depth, "indent": "    " * depth, "link": link(item)})
        for child, grandchildren in children:
            walk(child, grandchildren, depth + 1)

    longest = 0
    for root, children in graph.trees():
        h = height(children)
        longest = max(longest, h)
        if h >= 2:  # a chain: someone you met through someone you met through someone
            walk(root, children, 0)
    cycles = [md(name) for name in sorted({p.name for p in graph.people if graph.in_cycle(p)}, key=normalise)]
    made = [
        {
            "date": intro.date.isoformat() if intro.date else "",
            "first": link(intro.first, True),
            "second": link(intro.second, True),
            "why": cell(intro.why),
        }
        for intro in graph.made
    ]
    diagram, diagram_note = introductions_diagram(graph, introducers)
    return {
        **views.base("Introductions"),
        "diagram": diagram,
        "diagram_note": diagram_note,
        "brought_in": brought_in,
        "introduced_count": sum(r["count"] for r in brought_in),
        "chains": chains,
        "longest_chain": longest,
        "made": made,
        "cycles": cycles,
    }


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def introductions_diagram(
    graph: Graph, introducers: dict[str, tuple[Person | str, list[Person]]], max_nodes: int = mermaid.MAX_NODES
) -> tuple[str, str]:
    """The introduction graph as a fenced Mermaid flowchart, and a line saying what it leaves out.

    Solid arrows: an introducer to the people they brought in (``introduced_by``);
    dashed lines: introductions you made. A big vault is cut to ``max_nodes`` people:
    the busiest introducers first (each with everyone they brought in), then the
    introductions you made, newest first, while both people fit. Empty when there
    is nothing to draw.
    """
    chart = mermaid.Flowchart()

    def key(item: Person | str):
        return item.path if isinstance(item, Person) else "\0" + normalise(item)

    def add(item: Person | str) -> None:
        if isinstance(item, Person):
            chart.add_node(key(item), item.name, sort_name(item), note=item.stem)
        else:
            chart.add_node(key(item), item, sort_name(item), missing=True)

    groups = sorted(introducers.values(), key=lambda v: (-len(v[1]), sort_name(v[0])))
    shown_groups = shown_people = 0
    for source, found in groups:
        new = {key(p) for p in (source, *found)} - chart.nodes.keys()
        if len(chart.nodes) + len(new) > max_nodes:
            continue  # a smaller group further down may still fit
        shown_groups += 1
        shown_people += len(found)
        add(source)
        for person in found:
            add(person)
            chart.edge(key(source), key(person))
    shown_made = 0
    for intro in graph.made:
        new = {key(intro.first), key(intro.second)} - chart.nodes.keys()
        if len(chart.nodes) + len(new) > max_nodes:
            continue
        shown_made += 1
        add(intro.first)
        add(intro.second)
        chart.link(key(intro.first), key(intro.second))
    if not chart.nodes:
        return "", ""
    total_people = sum(len(found) for _s, found in groups)
    left = []
    if shown_groups < len(groups):
        left.append(
            f"{plural(len(groups) - shown_groups, 'introducer')} (and {_people(total_people - shown_people)} they brought in)"
        )
    if shown_made < len(graph.made):
        left.append(plural(len(graph.made) - shown_made, "introduction") + " you made")
    note = ""
    if left:
        note = (
            f"The picture shows the busiest introducers and newest introductions, {max_nodes} people at most; "
            f"left out: {' and '.join(left)}. The tables below list everyone."
        )
    return chart.render(), note


# --- Network.md -------------------------------------------------------------------------------

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(day: date) -> str:
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def week_label(index: int, start: date) -> str:
    return "this week" if index == 0 else f"{MONTH_NAMES[start.month - 1]} {start.day}"


def network_context(views: IndexViews) -> dict[str, Any]:
    """The variables of ``Network.md``: four charts as fenced Mermaid blocks (``""`` when
    there is nothing to draw) and the figures behind them as table rows.

    ``contacts_chart``, ``circles_chart``, ``followups_chart``, ``giving_chart``;
    ``months``: rows of ``month``, ``contacts``, ``helped``, ``received``;
    ``circles``: rows of ``circle`` (a cell) and ``people``; ``weeks``: rows of
    ``week``, ``from``, ``to``, ``due``, ``planned``; ``overdue``.
    """
    dues = views.dues
    figures = network(
        views.people, views.config, views.today, dues=[dues[p.path] for p in views.people],
        plan=(views.planned_dues, views.taken_today),
    )
    labels = [month_label(m) for m in figures.months]
    contacts_chart = giving_chart = ""
    if any(figures.contacts):
        contacts_chart = mermaid.bar_chart("Contacts logged per month", labels, [("bar", figures.contacts)], "contacts")
    if any(figures.helped) or any(figures.received):
        giving_chart = mermaid.bar_chart(
            "You helped (bars) and were helped (line), per month",
            labels,
            [("bar", figures.helped), ("line", figures.received)],
            "items",
        )
    circles = [(name if name != NO_CIRCLE else "no circle", count) for name, count in figures.circles]
    circles_chart = mermaid.pie_chart("People per circle", circles) if any(c for _n, c in circles) else ""
    week_labels = ["overdue"] + [week_label(i, w.start) for i, w in enumerate(figures.weeks)]
    week_counts = [figures.overdue] + [w.due for w in figures.weeks]
    planned_counts = [0] + [w.planned for w in figures.weeks]  # nobody is planned before today
    followups_chart = ""
    if any(week_counts):
        followups_chart = mermaid.bar_chart(
            "Follow-ups due (bars) and planned (line), by week",
            week_labels,
            [("bar", week_counts), ("line", planned_counts)],
            "people",
        )
    return {
        **views.base("Network"),
        "contacts_chart": contacts_chart,
        "circles_chart": circles_chart,
        "followups_chart": followups_chart,
        "giving_chart": giving_chart,
        "months": [
            {"month": label, "contacts": c, "helped": h, "received": r}
            for label, c, h, r in zip(labels, figures.contacts, figures.helped, figures.received)
        ],
        "circles": [{"circle": cell(name), "people": count} for name, count in circles],
        "overdue": figures.overdue,
        "weeks": [
            {"week": week_labels[i + 1], "from": w.start.isoformat(), "to": w.end.isoformat(), "due": w.due, "planned": w.planned}
            for i, w in enumerate(figures.weeks)
        ],
    }


# --- what each note reads ----------------------------------------------------------------------
#
# A note whose context is a function of a small part of each record (and of the config, the
# day, the templates and the number of people, which every kept note's key holds) says which
# part, person by person: ``build`` keeps the note's bytes in the store under a key of those
# parts and renders it again only when the key changes. Each function returns the values the
# note's context reads of one person (None when the note leaves the person out); a context
# that starts reading something more must read it here too (tests/pipeline/test_never_stale.py
# compares kept notes with a build without the store). A person's part is a function of their
# record, the config and the day, so ``build`` keeps a digest of it under the person's identity.


def _entries(entries: tuple[Entry, ...]) -> tuple:
    """Ledger items as plain values (a dataclass's repr is slow)."""
    return tuple([(e.date.toordinal() if e.date else None, e.text) for e in entries]) if entries else ()


def people_reads(views: IndexViews, p: Person) -> tuple:
    seen = p.last_seen
    due = views.dues[p.path]
    return (p.path, p.name, p.org, p.role, p.circle, p.tags, p.archived, seen.toordinal() if seen else None,
            None if due is None else (due.reason, due.date.toordinal()))


def giving_reads(views: IndexViews, p: Person) -> tuple | None:
    # Only the people with a ledger appear in the note.
    return (p.path, p.name, _entries(p.helped), _entries(p.received)) if p.helped or p.received else None


def needs_offers_reads(views: IndexViews, p: Person) -> tuple | None:
    # Only the people not archived with needs or offers appear.
    return (p.path, p.name, p.org, p.needs, p.offers) if (p.needs or p.offers) and not p.archived else None


def introductions_reads(views: IndexViews, p: Person) -> tuple:
    return (p.path, p.name, p.aliases, p.introduced_by, _entries(p.helped))


@dataclass(frozen=True)
class IndexNote:
    """One generated note: its file name in ``index_dir``, its template, its variables, and
    (optionally) what of each person those variables are made of (see above)."""

    file: str
    template: str
    context: Callable[[IndexViews], dict[str, Any]]
    reads: Callable[[IndexViews, Person], Any] | None = None


REGISTRY: list[IndexNote] = [
    IndexNote("People.md", "People.md", people_context, people_reads),
    IndexNote("Follow-ups.md", "Follow-ups.md", followups_context),
    IndexNote("Giving.md", "Giving.md", giving_context, giving_reads),
    IndexNote("Needs and offers.md", "Needs and offers.md", needs_offers_context, needs_offers_reads),
    IndexNote("Introductions.md", "Introductions.md", introductions_context, introductions_reads),
    IndexNote("Network.md", "Network.md", network_context),
]


def filters(keeper: RowKeeper | None = None) -> dict[str, Callable[..., Any]]:
    """Extra Jinja filters for templates (vault overrides included): ``cell``, ``md`` and
    ``rows`` (``rows.rows_filter``: a list's items rendered by a macro, the texts of people who
    did not change taken from ``keeper``)."""
    return {"cell": cell, "md": md, "rows": rows_filter(keeper or RowKeeper())}
