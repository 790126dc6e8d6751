"""The mentions' walk, reading and store: real files in temporary vaults."""

from __future__ import annotations

import os
import time
from datetime import date

import pytest

from vaultnet.load import discover, mentions, store
from vaultnet.model.config import load_config
from vaultnet.model.links import mention_links

TODAY = date(2026, 11, 23)


def _write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def settled(monkeypatch):
    """Notes count as settled at once, so a test can prove that the stat key alone decides
    what is read again; the racy rule has its own test below."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)


class Counting:
    def __init__(self):
        self.read: list[str] = []

    def __call__(self, note):
        self.read.append(note.rel)
        return mentions.read_mentions(note)


def _load(config, read=None):
    others = discover.walk(config, elsewhere=True)
    return store.load_mentions(config, others, read or mentions.read_mentions, TODAY)


def test_the_walk_of_other_notes_skips_people_index_templates_hidden_and_ignored(vault):
    vault.write("Jane Doe", "---\n---\n")
    for rel in ("Daily/2026-11-20.md", "Daily/Sub/2026-11-21.MD", "Index/People.md", ".vaultnet/templates/x.md",
                ".obsidian/a.md", ".trash/b.md", ".git/c.md", "Archive/old.md", "Daily/.hidden.md", "notes.txt", "Top.md"):
        _write(vault.root, rel, "x\n")
    vault.config('ignore = ["Archive"]\n')
    found = [f.rel for f in discover.walk(load_config(vault.root), elsewhere=True)]
    assert found == ["Daily/2026-11-20.md", "Daily/Sub/2026-11-21.MD", "Top.md"]
    keys = discover.walk(load_config(vault.root), elsewhere=True, keys_only=True)
    assert [rel for rel, _key in keys] == found
    assert discover.keys_digest(keys) == discover.digest(discover.walk(load_config(vault.root), elsewhere=True))


def test_a_link_to_a_person_note_is_not_another_note(vault):
    vault.write("Jane Doe", "---\n---\n")
    (vault.root / "Daily").mkdir()
    os.symlink(vault.people / "Jane Doe.md", vault.root / "Daily" / "2026-11-20.md")
    assert discover.walk(load_config(vault.root), elsewhere=True) == []
    assert discover.walk(load_config(vault.root), elsewhere=True, keys_only=True) == []


def test_an_unchanged_note_is_not_read_again_an_edited_one_is_a_deleted_one_is_forgotten(vault, settled):
    config = load_config(vault.root)
    first = _write(vault.root, "Daily/2026-11-20.md", "[[Jane Doe]]\n")
    second = _write(vault.root, "Daily/2026-11-21.md", "[[Bob]]\n")
    read = Counting()
    rows, _ = _load(config, read)
    assert sorted(read.read) == ["Daily/2026-11-20.md", "Daily/2026-11-21.md"]
    assert sorted((r[0], r[2]) for r in rows) == [("Daily/2026-11-20.md", "jane doe"), ("Daily/2026-11-21.md", "bob")]
    read = Counting()
    rows_again, _ = _load(config, read)
    assert read.read == [] and sorted(rows_again) == sorted(rows)
    second.write_text("[[Carol]] instead\n", encoding="utf-8")
    read = Counting()
    rows, _ = _load(config, read)
    assert read.read == ["Daily/2026-11-21.md"]
    assert sorted(r[2] for r in rows) == ["carol", "jane doe"]
    first.unlink()
    read = Counting()
    rows, _ = _load(config, read)
    assert read.read == [] and [r[2] for r in rows] == ["carol"]
    with store.Store.open(config) as opened:
        assert opened.db.execute("SELECT count(*) FROM others").fetchone() == (1,)
        assert opened.db.execute("SELECT count(*) FROM mentions").fetchone() == (1,)


def test_a_note_changed_within_the_racy_window_is_read_again(vault, monkeypatch):
    monkeypatch.setattr(store, "RACY_SECONDS", 0.5)
    config = load_config(vault.root)
    _write(vault.root, "Daily/2026-11-20.md", "[[Jane Doe]]\n")
    _load(config)
    read = Counting()
    _load(config, read)
    assert read.read == ["Daily/2026-11-20.md"]  # just written: not trusted yet
    time.sleep(0.6)
    _load(config, read)  # stored as settled now
    read = Counting()
    _load(config, read)
    assert read.read == []


def test_future_mentions_are_stored_and_count_once_their_day_comes(vault, settled):
    config = load_config(vault.root)
    _write(vault.root, "Daily/2026-11-30.md", "[[Jane Doe]]\n")
    others = discover.walk(config, elsewhere=True)
    assert store.load_mentions(config, others, mentions.read_mentions, TODAY)[0] == []
    later = store.load_mentions(config, others, mentions.read_mentions, date(2026, 12, 1))[0]
    assert [(r[0], r[1]) for r in later] == [("Daily/2026-11-30.md", date(2026, 11, 30))]
    assert store.latest_mentions(config, others, mentions.read_mentions, date(2026, 12, 1))[0] == [("jane doe", date(2026, 11, 30))]


def test_without_the_store_every_note_is_read_each_time(vault, monkeypatch):
    monkeypatch.setenv("VAULTNET_NO_CACHE", "1")
    config = load_config(vault.root)
    _write(vault.root, "Daily/2026-11-20.md", "[[Jane Doe]]\n")
    for _ in range(2):
        read = Counting()
        rows, _ = _load(config, read)
        assert read.read == ["Daily/2026-11-20.md"] and [r[2] for r in rows] == ["jane doe"]
    assert not (vault.root / ".vaultnet").exists()


def test_parse_mentions_reads_the_front_matter_links_and_lines():
    found = mentions.parse_mentions(
        "Meetings/Board.md", b"---\ndate: 2026-11-21\nattendees: [\"[[Jane Doe]]\", \"[[Bob|B]]\"]\n---\nwith [Carol](../People/Carol%20Lee.md)\n"
    )
    assert found.day == date(2026, 11, 21)
    assert [(link.line, link.keys) for link in found.links] == [
        (3, ("jane doe", "bob")), (5, ("people/carol lee", "../people/carol lee")[:1]),
    ]


def test_a_line_is_kept_trimmed():
    found = mentions.parse_mentions("2026-11-20.md", ("  [[Jo]] " + "word " * 200 + "\n").encode())
    assert len(found.links[0].text) == mentions.MAX_LINE_TEXT and found.links[0].text.startswith("[[Jo]] word")


@pytest.mark.parametrize("unit, counted", [
    ("[[", True), ("[", True), ("`", False), ("`` ` ", True), ("<!--", False), ("%%", True), ("![[", True),
    ("[a](", True), ("-->", True),
])
def test_the_mention_grammar_answers_on_long_hostile_lines(unit, counted):
    """Linear by design: the patterns nest no unbounded repeats (``tests/model/test_links``
    checks every pattern of the package), and code spans and comments are found in one
    pass each. A quadratic scan of these 300,000-unit lines would not finish; the answer
    also says what the line holds (an odd run of backticks opens no span; a comment never
    closed hides the rest of the note)."""
    line = unit * 300_000 + " [[Jo]]\n"
    found = mention_links([line])
    assert ([keys for _i, links in found for keys in links][-1:] == [("Jo", False)]) is counted


def test_a_file_name_two_people_share_names_the_one_nearer_the_root():
    keys = mentions.people_by_key(["People/B/Jane.md", "People/A/Jane.md", "People/Jane.md", "People/Zoë Ray.md"])
    assert keys["jane"] == "People/Jane.md"
    assert keys["b/jane"] == "People/B/Jane.md" and keys["people/a/jane"] == "People/A/Jane.md"
    assert keys["zoë ray"] == "People/Zoë Ray.md"
    assert mentions.people_by_key(["People/B/Jane.md", "People/A/Jane.md"])["jane"] == "People/A/Jane.md"
