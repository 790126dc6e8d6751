"""The index notes' short cuts (issue 6) give exactly what the long way gave.

``vaultnet build`` escapes each person's cells once and shares them between the
index notes, takes a one-scan fast path in ``md``, escapes by regex instead of
character by character, and compares names in the introduction graph with a
faster ``normalise``. The reference below is the code as it was before those
changes (kept here verbatim, apart from names): every index note's variables —
and so its bytes — must come out the same, for hostile text, on notes read by the
real parser and on records made up by hypothesis, in both link styles.
"""

from __future__ import annotations

import dataclasses
import random
import re
import sys
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet.render import indexnotes

from vaultnet.derive import intros

from vaultnet.model import names
from vaultnet.model.config import load_config
from vaultnet.model.durations import parse_duration
from vaultnet.render.indexnotes import REGISTRY, IndexViews
from vaultnet.model.links import link_target, person_link
from vaultnet.load.vault import load_vault
from vaultnet.model.person import Entry, Person
from vaultnet.derive.schedule import FOLLOW_UP, NEVER_CONTACTED, due_of, week_end

TODAY = date(2026, 11, 23)

# --- the reference: escaping, as it was ---------------------------------------------------------

_WIKILINK = re.compile(r"\[\[[^\[\]\n|]+(?:\|[^\[\]\n]*)?\]\]")
_MDLINK = re.compile(r"\[[^\[\]\n]*\]\((?:https?://[^\s()<>]+|mailto:[^\s()<>]+|[^\s()<>:]+\.md)\)")
_SPECIAL = set("\\`*_[]<>|$~")
_UNSAFE_STEM = re.compile(r"[\[\]|#^\x00-\x1f\x7f]")
_NUMBERED = re.compile(r"^(\d{1,9})([.)])")


def ref_escape_plain(text: str, at_start: bool) -> str:
    out = []
    previous = " " if at_start else "x"
    for ch in text:
        if ch in _SPECIAL:
            out.append("\\" + ch)
        elif ch == "#" and previous.isspace():
            out.append("\\#")
        elif ch == "%" and previous == "%":
            out.append("\\%")
        else:
            out.append(ch)
        previous = ch
    return "".join(out)


def ref_md(text: Any, in_table: bool = False) -> str:
    if text is None:
        return ""
    text = " ".join(str(text).split())  # the long way for every text: no fast path at all
    if not text:
        return ""
    found = sorted([*_WIKILINK.finditer(text), *_MDLINK.finditer(text)], key=lambda m: m.start())
    kept, end = [], -1
    for match in found:
        if match.start() >= end:
            kept.append(match)
            end = match.end()
    pieces, position = [], 0
    for match in kept:
        pieces.append(ref_escape_plain(text[position : match.start()], position == 0))
        link = match.group(0)
        pieces.append(link.replace("|", "\\|") if in_table else link)
        position = match.end()
    pieces.append(ref_escape_plain(text[position:], position == 0))
    out = "".join(pieces)
    if out[:1] in "-+" or out[:1] == "=":
        out = "\\" + out
    numbered = _NUMBERED.match(out)
    if numbered:
        out = numbered.group(1) + "\\" + out[len(numbered.group(1)) :]
    return out


def ref_cell(text: Any) -> str:
    return ref_md(text, in_table=True)


def ref_day(value: date | None, none: str = "") -> str:
    return value.isoformat() if value else none


# --- the reference: the index notes' variables, as they were ------------------------------------


class RefViews:
    def __init__(self, config, people, today):
        self.config, self.people, self.today = config, people, today
        self.from_file = f"{config.index_dir.rstrip('/')}/index.md"
        self._markdown_config = dataclasses.replace(config, link_style="markdown")
        self.last_seen = {p.path: p.last_seen for p in people}
        self.dues = {p.path: due_of(p, config, today) for p in people}

    def link(self, person: Person, in_table: bool = False) -> str:
        config = self.config
        if config.link_style == "wikilink" and _UNSAFE_STEM.search(person.stem):
            config = self._markdown_config
        link = person_link(config, person, from_file=self.from_file, in_table=in_table)
        if config.link_style == "markdown":
            target = link[link.rindex("](") :]
            link = "[" + ref_escape_plain(" ".join(person.name.split()), False) + target
        return link

    def next_text(self, person: Person) -> str:
        due = self.dues[person.path]
        if due is None:
            return "none"
        if due.reason == NEVER_CONTACTED:
            return "never contacted"
        return due.date.isoformat()

    def base(self, title: str) -> dict[str, Any]:
        return IndexViews.base(self, title)  # unchanged; it reads config, people and today only


def ref_people(views):
    rows, tags, orgs = [], {}, {}
    for person in views.people:
        org_key = link_target(person.org)
        rows.append(
            {
                "name": person.name,
                "path": person.path,
                "link": views.link(person, in_table=True),
                "org": ref_cell(person.org),
                "role": ref_cell(person.role),
                "circle": ref_cell(person.circle),
                "last_contact": ref_day(views.last_seen[person.path], "never"),
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
    by_tag = [{"tag": ref_md(shown), "people": links} for _, (shown, links) in sorted(tags.items())]
    by_org = [{"org": ref_md(shown), "people": links} for _, (shown, links) in sorted(orgs.items())]
    return {**views.base("People"), "people": rows, "by_tag": by_tag, "by_org": by_org}


def ref_followups(views):
    today = views.today
    sunday = week_end(today)
    month = today + timedelta(days=30)
    overdue, week, later, never, unscheduled, dues = [], [], [], [], [], []
    for person in views.people:
        due = views.dues[person.path]
        if due is None:
            unscheduled.append({"name": person.name, "path": person.path, "link": views.link(person)})
        else:
            dues.append(due)
    dues.sort(key=lambda d: d.date)
    for due in dues:
        person = due.person
        why = "follow-up date" if due.reason == FOLLOW_UP else (f"every {due.cadence}" if due.cadence else "")
        row = {
            "name": person.name,
            "path": person.path,
            "link": views.link(person, in_table=True),
            "due": due.date.isoformat(),
            "when": indexnotes.relative_days(due.days_overdue(today)),
            "days_overdue": due.days_overdue(today),
            "last_contact": ref_day(views.last_seen[person.path], "never"),
            "why": ref_cell(why),
            "org": ref_cell(person.org),
            "circle": ref_cell(person.circle),
            "needs": ref_cell("; ".join(person.needs)),
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


def ref_ledger_rows(views, field):
    rows = []
    for order, person in enumerate(views.people):
        link = None
        for index, entry in enumerate(getattr(person, field)):
            link = link or views.link(person, in_table=True)
            rows.append((entry, order, index, person, link))
    rows.sort(key=lambda r: (r[0].date is None, -(r[0].date.toordinal() if r[0].date else 0), r[1], r[2]))
    return [
        {"date": ref_day(e.date, "undated"), "name": p.name, "path": p.path, "link": link, "what": ref_cell(e.text)}
        for e, _order, _index, p, link in rows
    ]


def ref_giving(views):
    def latest(entries):
        dates = [e.date for e in entries if e.date]
        return max(dates).isoformat() if dates else ""

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
                "last_given": latest(person.helped),
                "last_received": latest(person.received),
            }
        )
    return {
        **views.base("Giving"),
        "helped": ref_ledger_rows(views, "helped"),
        "received": ref_ledger_rows(views, "received"),
        "reciprocity": balance,
        "helped_people": sum(1 for p in views.people if p.helped),
        "received_people": sum(1 for p in views.people if p.received),
    }


def ref_needs_offers(views):
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
                        "org": ref_md(person.org),
                        "items": [ref_md(item) for item in items],
                    }
                )
    return {
        **views.base("Needs and offers"),
        "needs": needs,
        "offers": offers,
        "need_count": sum(len(n["items"]) for n in needs),
        "offer_count": sum(len(o["items"]) for o in offers),
    }


def ref_normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


def ref_introductions(views, monkeypatch):
    """The introductions context on the reference views, escaping and ``normalise``."""
    with monkeypatch.context() as patch:
        patch.setattr(indexnotes, "md", ref_md)
        patch.setattr(indexnotes, "cell", ref_cell)
        patch.setattr(intros, "normalise", ref_normalise)
        patch.setattr(indexnotes, "normalise", ref_normalise)
        return indexnotes.introductions_context(views)


_ENVIRONMENTS: dict[Path, Any] = {}


def assert_same_as_reference(config, people, monkeypatch):
    """Every index note's variables, and its rendered bytes, equal the reference's."""
    from vaultnet.pipeline import render_note
    from vaultnet.render.templating import environment

    reference = RefViews(config, people, TODAY)
    expected = {
        "People.md": ref_people(reference),
        "Follow-ups.md": ref_followups(reference),
        "Giving.md": ref_giving(reference),
        "Needs and offers.md": ref_needs_offers(reference),
        "Introductions.md": ref_introductions(reference, monkeypatch),
    }
    assert sorted(expected) == sorted(note.file for note in REGISTRY)
    views = IndexViews(config, people, TODAY)
    if config.root not in _ENVIRONMENTS:  # compiling the templates once per vault keeps hypothesis quick
        _ENVIRONMENTS[config.root] = environment(config, **indexnotes.filters())
    env = _ENVIRONMENTS[config.root]
    for note in REGISTRY:
        context = note.context(views)
        assert context == expected[note.file], note.file
        assert render_note(env, note.template, context) == render_note(env, note.template, expected[note.file])


# --- escaping: the fast ways equal the long way, for any text -----------------------------------

HOSTILE = [
    *"\\`*_[]<>|$~#%-+=1٣.)(: \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u2028\u3000\u200b\u0301aZé/",
    "[[a]]", "[[a|b]]", "[[a#h]]", "[x](y.md)", "[x](https://e.com/a)", "](mailto:a@b.c)", "%%", " #", "1.", "2)",
]
hostile_text = st.lists(st.sampled_from(HOSTILE) | st.text(max_size=3), max_size=14).map("".join)


@settings(max_examples=700, deadline=None)
@given(hostile_text | st.text(st.characters(blacklist_categories=["Cs"]), max_size=40))
def test_md_and_its_fast_path_equal_the_long_way(text):
    for in_table in (False, True):
        assert indexnotes.md(text, in_table) == ref_md(text, in_table)
    assert indexnotes.cell(text) == ref_cell(text)


def test_the_fast_path_knows_every_kind_of_whitespace():
    """``md``'s one-scan check lists the whitespace characters by hand: exactly ``str.isspace``'s."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    expected = {ch for ch in every if (ch.isspace() and ch != " ") or ch in "\\`*_[]<>|$~#%"}
    assert set(indexnotes.NEEDS_WORK.findall(every)) == expected
    # ``str.isdecimal`` (the start check) is what ``\d`` (the numbered-list rule) matches.
    assert set(re.findall(r"\d", every)) == {ch for ch in every if ch.isdecimal()}


@settings(max_examples=400, deadline=None)
@given(hostile_text | st.text(st.characters(blacklist_categories=["Cs"]), max_size=40))
def test_normalise_equals_the_long_way(text):
    assert names.normalise(text) == ref_normalise(text)
    assert names.normalise(unicodedata.normalize("NFD", text)) == ref_normalise(unicodedata.normalize("NFD", text))


# --- whole index notes: notes read by the real parser ---------------------------------------------


def _hostile_vault(root: Path, count: int, seed: int, style: str) -> None:
    """A seeded vault of notes full of text that escaping has to get right."""
    import json

    rng = random.Random(seed)

    def text(most: int = 4) -> str:
        return "".join(rng.choice(HOSTILE + ["Ana", "Acme", "intro", "introduced to", " ", "  "]) for _ in range(rng.randint(0, most)))

    people = root / "People"
    people.mkdir(parents=True)
    (root / "vaultnet.toml").write_text(f'link_style = "{style}"\n', encoding="utf-8")
    names_ = [text(3).strip() or f"N{i}" for i in range(count)]
    for i, name in enumerate(names_):
        stem = rng.choice([f"p{i}", f"p{i} [x]", f"p{i}#h", f"p|{i}", f"P {i}", "".join(c for c in name if c.isprintable() and c not in "/\\:")[:30].strip(". ") or f"q{i}"])
        lines = ["---", f"name: {json.dumps(name)}"]
        for key, chance in (("org", 0.7), ("role", 0.5), ("circle", 0.5)):
            if rng.random() < chance:
                lines.append(f"{key}: {json.dumps(rng.choice([text(), 'Acme', 'work']))}")
        if rng.random() < 0.5:
            lines.append(f"aliases: {json.dumps([text(2) for _ in range(rng.randint(0, 2))])}")
        if rng.random() < 0.6:
            lines.append(f"tags: {json.dumps([text(1) or 't' for _ in range(rng.randint(0, 3))])}")
        if rng.random() < 0.5:
            lines.append(f"cadence: {rng.choice(['1w', '2m', 'none', '3d', '1y'])}")
        if rng.random() < 0.6:
            lines.append(f"last_contact: 2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        if rng.random() < 0.3:
            lines.append(f"follow_up: 2026-{rng.randint(10, 12):02d}-{rng.randint(1, 28):02d}")
        if rng.random() < 0.5:
            other = rng.choice(names_)
            lines.append(f"introduced_by: {json.dumps(rng.choice([other, '[[' + other + ']]', text(2), 'Nobody Known']))}")
        for key in ("needs", "offers"):
            if rng.random() < 0.4:
                lines.append(f"{key}: {json.dumps([text() for _ in range(rng.randint(1, 3))])}")
        for key in ("helped", "received"):
            if rng.random() < 0.5:
                items = []
                for _ in range(rng.randint(1, 4)):
                    when = rng.choice(["", f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} "])
                    body = rng.choice([f"introduced to [[{rng.choice(names_)}]]: {text(2)}", f"intro to [[p{rng.randint(0, count)}]]", text()])
                    items.append(when + body)
                lines.append(f"{key}: {json.dumps(items)}")
        lines += ["---", "", "## Log", f"- 2026-0{rng.randint(1, 9)}-0{rng.randint(1, 9)} talked", ""]
        path = people / f"{stem}.md"
        if path.exists():
            path = people / f"{stem}-{i}.md"
        path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("style,seed", [("wikilink", 1), ("markdown", 2), ("wikilink", 3)])
def test_index_notes_of_a_hostile_vault_equal_the_reference(tmp_path, monkeypatch, style, seed):
    _hostile_vault(tmp_path, 150, seed, style)
    config = load_config(tmp_path)
    vault = load_vault(config)
    assert len(vault.people) > 100
    assert_same_as_reference(config, vault.people, monkeypatch)


# --- whole index notes: records made up by hypothesis ---------------------------------------------

words = st.sampled_from(["Ana", "Ben", "Acme", "a|b", "[[Ana]]", "[[Ben|B]]", "*x*", "#t", "%%", "-", "1.", " ", "  ", "\t", "é", "e\u0301"])
short = st.lists(words, min_size=1, max_size=4).map("".join)
day = st.dates(date(2025, 1, 1), date(2027, 6, 30))
entries = st.lists(st.builds(Entry, st.none() | day, short | st.builds(lambda n, w: f"introduced to [[{n}]]: {w}", short, short)), max_size=3)


@st.composite
def people(draw):
    count = draw(st.integers(0, 12))
    found = []
    for i in range(count):
        name = draw(short)
        stem = draw(st.sampled_from([f"p{i}", f"p{i}#x", f"p [{i}]", f"P {i}", "p0", "P  0"]))
        folder = draw(st.sampled_from(["", "", "a/", "B/"]))  # equal file names in other folders
        found.append(
            Person(
                path=f"People/{folder}{stem}.md",
                name=name,
                aliases=tuple(draw(st.lists(short, max_size=2))),
                tags=tuple(draw(st.lists(short, max_size=3))),
                org=draw(st.none() | short),
                role=draw(st.none() | short),
                circle=draw(st.none() | st.sampled_from(["work", "friends"]) | short),
                cadence=draw(st.none() | st.sampled_from(["1w", "2m", "none"]).map(parse_duration)),
                last_contact=draw(st.none() | day),
                follow_up=draw(st.none() | day),
                met=draw(st.none() | day),
                introduced_by=draw(st.none() | short | st.sampled_from([f"[[p{j}]]" for j in range(count)] or ["x"])),
                needs=tuple(draw(st.lists(short, max_size=2))),
                offers=tuple(draw(st.lists(short, max_size=2))),
                helped=tuple(draw(entries)),
                received=tuple(draw(entries)),
            )
        )
    unique = {p.path: p for p in found}.values()
    return sorted(unique, key=lambda p: (p.name.casefold(), p.path))


@pytest.fixture(scope="module")
def roots(tmp_path_factory):
    """A vault folder per link style (hypothesis runs many examples in one test)."""
    found = {}
    for style in ("wikilink", "markdown"):
        found[style] = tmp_path_factory.mktemp(style)
        (found[style] / "vaultnet.toml").write_text(f'link_style = "{style}"\n', encoding="utf-8")
    return found


@settings(max_examples=60, deadline=None)
@given(records=people(), style=st.sampled_from(["wikilink", "markdown"]))
def test_index_notes_of_any_records_equal_the_reference(roots, records, style):
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert_same_as_reference(load_config(roots[style]), records, monkeypatch)


# --- the cycle collector, paused during the render ------------------------------------------------


def test_the_render_leaves_the_cycle_collector_as_it_found_it(vault):
    """Paused while the index notes render; on again after a build, a failed one included."""
    import gc

    vault.write("Ana", "---\norg: Acme\ncadence: 1w\n---\n")
    assert gc.isenabled()
    assert vault.run("build").exit_code == 0
    assert gc.isenabled()
    templates = vault.root / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "Giving.md").write_text("{{ no_such_variable }}\n", encoding="utf-8")
    result = vault.run("build")
    assert result.exit_code == 1 and "Giving.md" in result.stderr
    assert gc.isenabled()
    gc.disable()  # a program that turned it off itself keeps it off
    try:
        (templates / "Giving.md").unlink()
        assert vault.run("build", "--force").exit_code == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_is_really_off_while_rendering(vault, monkeypatch):
    import gc

    from vaultnet import pipeline as build
    seen = []
    real = build.render_note

    def spy(env, template, context):
        seen.append(gc.isenabled())
        return real(env, template, context)

    monkeypatch.setattr(build, "render_note", spy)
    vault.write("Ana", "---\norg: Acme\n---\n")
    assert vault.run("build").exit_code == 0
    assert seen == [False] * len(REGISTRY)
    assert gc.isenabled()
