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
The template loops over prepared rows once per file — no per-person template
call — which keeps a 10,000-person build fast. Order is stable: by name, then path.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache
from typing import Any, Callable

from .config import Config
from .links import person_link
from .person import Entry, Person, link_target
from .schedule import FOLLOW_UP, NEVER_CONTACTED, Due, due_of, week_end
from .intros import introductions_context

# A well-formed [[wikilink]] (optionally [[target|alias]]) is kept as a link.
_WIKILINK = re.compile(r"\[\[[^\[\]\n|]+(?:\|[^\[\]\n]*)?\]\]")
# A Markdown link to a web page or a relative note is kept as a link too.
_MDLINK = re.compile(r"\[[^\[\]\n]*\]\((?:https?://[^\s()<>]+|mailto:[^\s()<>]+|[^\s()<>:]+\.md)\)")
_SPECIAL = set("\\`*_[]<>|$~")
_UNSAFE_STEM = re.compile(r"[\[\]|#^\x00-\x1f\x7f]")
_NUMBERED = re.compile(r"^(\d{1,9})([.)])")
# Text without any of these needs no escaping at all (the common case: a fast path).
_NEEDS_WORK = re.compile(r"[\\`*_\[\]<>|$~#%\s]|^[-+=\d]")


def _escape_plain(text: str, at_start: bool) -> str:
    out = []
    previous = " " if at_start else "x"
    for ch in text:
        if ch in _SPECIAL:
            out.append("\\" + ch)
        elif ch == "#" and previous.isspace():
            out.append("\\#")  # "#word" would become an Obsidian tag
        elif ch == "%" and previous == "%":
            out.append("\\%")  # "%%" starts an Obsidian comment
        else:
            out.append(ch)
        previous = ch
    return "".join(out)


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
    if not _NEEDS_WORK.search(text.replace(" ", "")) and "  " not in text and text.strip(" ") == text:
        return text
    return _md(text, in_table)


@lru_cache(maxsize=1 << 16)
def _md(text: str, in_table: bool) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    pieces = []
    position = 0
    for match in _link_matches(text):
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


def _link_matches(text: str) -> list[re.Match]:
    if "[" not in text:
        return []
    found = sorted([*_WIKILINK.finditer(text), *_MDLINK.finditer(text)], key=lambda m: m.start())
    kept, end = [], -1
    for match in found:
        if match.start() >= end:
            kept.append(match)
            end = match.end()
    return kept


def cell(text: Any) -> str:
    """``md`` for a table cell."""
    return md(text, in_table=True)


def day(value: date | None, none: str = "") -> str:
    return value.isoformat() if value else none


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def relative_days(days: int) -> str:
    """``3 days overdue``, ``today``, ``in 5 days`` — for a due date ``days`` ago."""
    if days > 0:
        return f"{_plural(days, 'day')} overdue"
    if days == 0:
        return "today"
    return "tomorrow" if days == -1 else f"in {-days} days"


class IndexViews:
    """The vault's derived data, each part computed once per build and shared."""

    def __init__(self, config: Config, people: list[Person], today: date):
        self.config = config
        self.people = people  # already sorted by name, then path (loader.sort_people)
        self.today = today
        self.from_file = f"{config.index_dir.rstrip('/')}/index.md"
        self._markdown_config = dataclasses.replace(config, link_style="markdown")
        self._links: dict[tuple[str, bool], str] = {}

    def link(self, person: Person, in_table: bool = False) -> str:
        """A link to the person's note from the index folder, in the vault's link style.

        A file name holding ``[ ] | # ^`` cannot be a wikilink target (Obsidian
        refuses such names; vaultnet never creates them), so such a note gets a
        Markdown link instead of a broken wikilink.
        """
        key = (person.path, in_table)
        link = self._links.get(key)
        if link is None:
            config = self.config
            if config.link_style == "wikilink" and _UNSAFE_STEM.search(person.stem):
                config = self._markdown_config
            link = person_link(config, person, from_file=self.from_file, in_table=in_table)
            if config.link_style == "markdown":
                # The label escaped like every other text here ($, %%, #tags too); the target as linked.
                target = link[link.rindex("](") :]
                link = "[" + _escape_plain(" ".join(person.name.split()), False) + target
            self._links[key] = link
        return link

    @cached_property
    def last_seen(self) -> dict[str, date | None]:
        return {p.path: p.last_seen for p in self.people}

    @cached_property
    def dues(self) -> dict[str, Due | None]:
        return {p.path: due_of(p, self.config, self.today) for p in self.people}

    def next_text(self, person: Person) -> str:
        due = self.dues[person.path]
        if due is None:
            return "none"
        if due.reason == NEVER_CONTACTED:
            return "never contacted"
        return due.date.isoformat()

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


def people_context(views: IndexViews) -> dict[str, Any]:
    rows = []
    tags: dict[str, tuple[str, list[str]]] = {}
    orgs: dict[str, tuple[str, list[str]]] = {}
    for person in views.people:
        org_key = link_target(person.org)
        rows.append(
            {
                "name": person.name,
                "path": person.path,
                "link": views.link(person, in_table=True),
                "org": cell(person.org),
                "role": cell(person.role),
                "circle": cell(person.circle),
                "last_contact": day(views.last_seen[person.path], "never"),
                "next": views.next_text(person),
            }
        )
        plain_link = views.link(person)
        seen_tags = set()
        for tag in person.tags:
            key = tag.casefold()
            if key in seen_tags:
                continue
            seen_tags.add(key)
            tags.setdefault(key, (tag, []))[1].append(plain_link)
        if org_key:
            orgs.setdefault(" ".join(org_key.split()).casefold(), (person.org, []))[1].append(plain_link)
    by_tag = [{"tag": md(shown), "people": links} for _, (shown, links) in sorted(tags.items())]
    by_org = [{"org": md(shown), "people": links} for _, (shown, links) in sorted(orgs.items())]
    return {**views.base("People"), "people": rows, "by_tag": by_tag, "by_org": by_org}


# --- Follow-ups.md ----------------------------------------------------------------------------


def _why(due: Due) -> str:
    if due.reason == FOLLOW_UP:
        return "follow-up date"
    return f"every {due.cadence}" if due.cadence else ""


def followups_context(views: IndexViews) -> dict[str, Any]:
    today = views.today
    sunday = week_end(today)
    month = today + timedelta(days=30)
    overdue, week, later, never, unscheduled = [], [], [], [], []
    dues = []
    for person in views.people:
        due = views.dues[person.path]
        if due is None:
            unscheduled.append({"name": person.name, "path": person.path, "link": views.link(person)})
        else:
            dues.append(due)
    # Most overdue first, then soonest; ties by name, then path (people are in that order).
    dues.sort(key=lambda d: d.date)
    for due in dues:
        person = due.person
        row = {
            "name": person.name,
            "path": person.path,
            "link": views.link(person, in_table=True),
            "due": due.date.isoformat(),
            "when": relative_days(due.days_overdue(today)),
            "days_overdue": due.days_overdue(today),
            "last_contact": day(views.last_seen[person.path], "never"),
            "why": cell(_why(due)),
            "org": cell(person.org),
            "circle": cell(person.circle),
            "needs": cell("; ".join(person.needs)),
        }
        if due.reason == NEVER_CONTACTED:
            never.append(row)
        elif due.date < today:
            overdue.append(row)
        elif due.date <= sunday:
            week.append(row)
        elif due.date <= month:
            later.append(row)
    return {
        **views.base("Follow-ups"),
        "week_end": sunday.isoformat(),
        "month_end": month.isoformat(),
        "overdue": overdue,
        "this_week": week,
        "next_30_days": later,
        "never_contacted": never,
        "unscheduled": unscheduled,
    }


# --- Giving.md --------------------------------------------------------------------------------


def _ledger_rows(views: IndexViews, field: str) -> list[dict[str, Any]]:
    """Every item of ``helped``/``received``, newest first; undated items last."""
    rows = []
    for order, person in enumerate(views.people):
        link = None
        for index, entry in enumerate(getattr(person, field)):
            link = link or views.link(person, in_table=True)
            rows.append((entry, order, index, person, link))
    rows.sort(key=lambda r: (r[0].date is None, -(r[0].date.toordinal() if r[0].date else 0), r[1], r[2]))
    return [
        {"date": day(entry.date, "undated"), "name": person.name, "path": person.path, "link": link, "what": cell(entry.text)}
        for entry, _order, _index, person, link in rows
    ]


def _latest(entries: tuple[Entry, ...]) -> str:
    dates = [e.date for e in entries if e.date]
    return max(dates).isoformat() if dates else ""


def giving_context(views: IndexViews) -> dict[str, Any]:
    balance = []
    for person in views.people:
        given, got = len(person.helped), len(person.received)
        if not (given or got):
            continue
        difference = given - got
        balance.append(
            {
                "name": person.name,
                "path": person.path,
                "link": views.link(person, in_table=True),
                "given": given,
                "received": got,
                "balance": f"+{difference}" if difference > 0 else ("0" if difference == 0 else f"−{-difference}"),
                "last_given": _latest(person.helped),
                "last_received": _latest(person.received),
            }
        )
    helped = _ledger_rows(views, "helped")
    received = _ledger_rows(views, "received")
    return {
        **views.base("Giving"),
        "helped": helped,
        "received": received,
        "reciprocity": balance,
        "helped_people": sum(1 for p in views.people if p.helped),
        "received_people": sum(1 for p in views.people if p.received),
    }


# --- Needs and offers.md ----------------------------------------------------------------------


def needs_offers_context(views: IndexViews) -> dict[str, Any]:
    needs, offers = [], []
    for person in views.people:
        for field, bucket in (("needs", needs), ("offers", offers)):
            items = getattr(person, field)
            if items:
                bucket.append(
                    {
                        "name": person.name,
                        "path": person.path,
                        "link": views.link(person),
                        "org": md(person.org),
                        "items": [md(item) for item in items],
                    }
                )
    return {
        **views.base("Needs and offers"),
        "needs": needs,
        "offers": offers,
        "need_count": sum(len(n["items"]) for n in needs),
        "offer_count": sum(len(o["items"]) for o in offers),
    }


@dataclass(frozen=True)
class IndexNote:
    """One generated note: its file name in ``index_dir``, its template, its variables."""

    file: str
    template: str
    context: Callable[[IndexViews], dict[str, Any]]


REGISTRY: list[IndexNote] = [
    IndexNote("People.md", "People.md", people_context),
    IndexNote("Follow-ups.md", "Follow-ups.md", followups_context),
    IndexNote("Giving.md", "Giving.md", giving_context),
    IndexNote("Needs and offers.md", "Needs and offers.md", needs_offers_context),
    IndexNote("Introductions.md", "Introductions.md", introductions_context),  # issue 4: vaultnet.intros
]


def filters() -> dict[str, Callable[..., str]]:
    """Extra Jinja filters for templates (vault overrides included): ``cell`` and ``md``."""
    return {"cell": cell, "md": md}
