"""The index notes (``render.indexnotes``): every note's variables, and so its bytes, are
what the long way in ``tests/reference/indexnotes.py`` gives, for hostile text, on notes
read by the real parser and on records made up by hypothesis, in both link styles.

``vaultnet build`` escapes each person's cells once and shares them between the index
notes, takes a one-scan fast path in ``md``, escapes by regex instead of character by
character, and compares names in the introduction graph with a faster ``normalise``;
the reference does none of that.
"""

from __future__ import annotations

import random
import re
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet.load.vault import load_vault
from vaultnet.model import names
from vaultnet.model.config import load_config
from vaultnet.model.durations import parse_duration
from vaultnet.model.person import Entry, Person
from vaultnet.render import indexnotes
from vaultnet.render.indexnotes import REGISTRY, IndexViews

from tests.reference import indexnotes as reference
from tests.reference import names as reference_names
from tests.support import cells

TODAY = date(2026, 11, 23)

_ENVIRONMENTS: dict[Path, Any] = {}


def assert_same_as_reference(config, people, monkeypatch):
    """Every index note's variables, and its rendered bytes, equal the reference's."""
    from vaultnet.pipeline import render_note
    from vaultnet.render.templating import environment

    long_way = reference.Views(config, people, TODAY)
    expected = {
        "People.md": reference.people(long_way),
        "Follow-ups.md": reference.followups(long_way),
        "Giving.md": reference.giving(long_way),
        "Needs and offers.md": reference.needs_offers(long_way),
        "Introductions.md": reference.introductions(long_way, monkeypatch),
        # Counts only, no escaped person text: tests/render/test_network.py checks them by hand.
        "Network.md": indexnotes.network_context(long_way),
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
        assert indexnotes.md(text, in_table) == reference.md(text, in_table)
    assert indexnotes.cell(text) == reference.cell(text)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=["Cs"]), max_size=60))
def test_md_escaping_is_safe_for_any_text(text):
    for in_table in (False, True):
        shown = indexnotes.md(text, in_table)
        assert "\n" not in shown and "\r" not in shown
        assert shown == reference.md(text, in_table)  # the fast path agrees with the long way
    shown = indexnotes.cell(text)
    # No pipe that GFM would read as a cell boundary.
    assert not re.search(r"(?<!\\)\|", shown.replace("\\\\", "")), shown
    row = f"| {shown} | x |"
    assert len(cells(row)) == 2


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
    assert names.normalise(text) == reference_names.normalise(text)
    assert names.normalise(unicodedata.normalize("NFD", text)) == reference_names.normalise(unicodedata.normalize("NFD", text))


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
                met_at=draw(st.none() | short),
                archived=draw(st.none() | st.just(True) | day),
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
