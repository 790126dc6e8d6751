"""The store of parsed notes: it saves work, and it never serves a stale or damaged record.

The yardstick in most tests is the same command with the store turned off
(``VAULTNET_NO_CACHE=1``), or a load without it: whatever happened to the notes or to
the store, the output must be the same. ``VAULTNET_CACHE_STATS=1`` says what a run
reused and parsed.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from vaultnet.load import discover, store
from vaultnet.load.vault import parse_note
from vaultnet.model.config import load_config
from vaultnet.model.dates import Birthday
from vaultnet.model.durations import Duration
from vaultnet.model.errors import Problem
from vaultnet.model.person import Entry, Person, days, dated_of

JANE = """\
    ---
    name: Jane Doe
    org: Acme
    circle: inner
    last_contact: 2026-01-01
    needs: [a designer]
    ---
    ## Log
    - 2026-01-01 coffee: talked about hiring
    """

STATS = re.compile(r"^vaultnet cache: Stats\(notes=(\d+), reused=(\d+), parsed=(\d+), written=(\w+), discarded=(.*)\)( from the roster)?$", re.M)


def path_of(vault) -> Path:
    return vault.root / ".vaultnet" / "cache" / store.FILE


def run(vault, monkeypatch, *args, off: bool = False):
    """The command's (exit code, stdout, stderr without the stats line) and its stats."""
    with monkeypatch.context() as patch:
        patch.setenv("VAULTNET_CACHE_STATS", "1")
        if off:
            patch.setenv("VAULTNET_NO_CACHE", "1")
        result = vault.run(*args)
    found = STATS.search(result.stderr)
    stats = None
    if found:
        notes, reused, parsed, written, discarded, roster = found.groups()
        stats = {"notes": int(notes), "reused": int(reused), "parsed": int(parsed), "written": written == "True",
                 "discarded": None if discarded == "None" else discarded, "roster": bool(roster)}
    return (result.exit_code, result.stdout, STATS.sub("", result.stderr).replace("\n\n", "\n").lstrip("\n")), stats


def same_as_without(vault, monkeypatch, *args):
    """Run a command, check it says what it says with the store off; return its stats."""
    got, stats = run(vault, monkeypatch, *args)
    expected, _ = run(vault, monkeypatch, *args, off=True)
    assert got == expected, args
    return stats


def build_as_without(vault, monkeypatch):
    """Build, and check that a build with the store off would write nothing else; return
    the stats (None when the build stamp said nothing changed, so no note was loaded)."""
    got, stats = run(vault, monkeypatch, "build")
    assert got[0] == 0, got
    again, _ = run(vault, monkeypatch, "build", off=True)
    assert again[0] == 0 and again[1].startswith("Nothing changed"), again
    return stats


def load(vault, use_store: bool = True) -> store.Loaded:
    return store.load_notes(load_config(vault.root), parse_note, use_store=use_store)


def assert_fresh(vault) -> store.Loaded:
    """A load from the store equals one without it, record for record and problem for problem."""
    stored = load(vault)
    plain = load(vault, use_store=False)
    assert [(rel, p) for rel, p, _ in stored.results] == [(rel, p) for rel, p, _ in plain.results]
    assert [probs for *_, probs in stored.results] == [probs for *_, probs in plain.results]
    assert [p.problems if p else None for _, p, _ in stored.results] == [p.problems if p else None for _, p, _ in plain.results]
    return stored


def people_of(loaded: store.Loaded) -> dict[str, Person]:
    return {rel: p for rel, p, _ in loaded.results if p}


def age(path: Path, seconds: float = 3600) -> None:
    """Push a file's modification time into the past (its ctime stays now: that is the point)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - int(seconds * 1e9)))


def files_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.iterdir()}


def sql(vault, statement: str, *args) -> None:
    db = sqlite3.connect(path_of(vault))
    with db:
        db.execute(statement, args)
    db.close()


@pytest.fixture
def settled(monkeypatch):
    """Notes count as settled at once (no racy window), so a test can prove that the key
    alone catches a change; the racy rule has tests of its own."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)


# --- it saves work --------------------------------------------------------------------------------


def test_a_warm_run_reuses_every_note_and_writes_nothing(vault, settled, monkeypatch):
    for i in range(20):
        vault.write(f"Person {i:02d}", JANE.replace("Jane Doe", f"Person {i:02d}"))
    first = same_as_without(vault, monkeypatch, "list", "--json")
    assert (first["parsed"], first["reused"], first["written"]) == (20, 0, True)
    assert build_as_without(vault, monkeypatch)["parsed"] == 0  # writes the outputs and the build stamp
    folder = path_of(vault).parent
    before = files_state(folder)
    assert store.FILE in before and not [n for n in before if n.startswith(store.FILE + "-")]  # no journal left behind
    assert build_as_without(vault, monkeypatch) is None  # the build stamp holds
    for args in (("list", "--json"), ("show", "Person 03"), ("due",), ("list",), ("check",)):
        stats = same_as_without(vault, monkeypatch, *args)
        assert (stats["parsed"], stats["written"]) == (0, False), args
    assert files_state(folder) == before  # nothing rewritten


def test_the_cli_reports_problems_from_the_store_too(vault, settled, monkeypatch):
    vault.write("Jane Doe", JANE)
    vault.write("Bob", "---\nlast_contact: 2026-13-01\n---\n")
    vault.write("Broken", "---\nname: [\n---\n")
    same_as_without(vault, monkeypatch, "list", "--json")
    again, stats = run(vault, monkeypatch, "list", "--json")
    assert stats["reused"] == 3 and "last_contact" in again[2] and "Broken.md" in again[2]


def test_the_cache_folder_ignores_itself_in_git(vault):
    vault.write("Jane Doe", JANE)
    vault.run("due")
    assert (vault.root / ".vaultnet" / "cache" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(vault.root)], check=True)
        status = subprocess.run(["git", "-C", str(vault.root), "status", "--porcelain", "-uall"], capture_output=True, text=True, check=True)
        assert ".vaultnet" not in status.stdout and "People/Jane Doe.md" in status.stdout


def test_the_files_of_the_old_caches_are_removed(vault, monkeypatch):
    vault.write("Jane Doe", JANE)
    folder = vault.root / ".vaultnet" / "cache"
    folder.mkdir(parents=True)
    for name in ("notes-00.json", "notes-31.json", "roster.json", "build-stamp.json", "calendar-writer.json"):
        (folder / name).write_text("{}", encoding="utf-8")
    same_as_without(vault, monkeypatch, "due")
    assert sorted(p.name for p in folder.iterdir()) == [store.FILE]


# --- it is never stale -----------------------------------------------------------------------------


def test_an_edit_is_seen(vault, settled, monkeypatch):
    note = vault.write("Jane Doe", JANE)
    same_as_without(vault, monkeypatch, "show", "Jane")
    note.write_bytes(note.read_bytes().replace(b"org: Acme", b"org: Acme Robotics"))
    stats = same_as_without(vault, monkeypatch, "show", "Jane")
    assert stats["parsed"] == 1
    assert people_of(assert_fresh(vault))["People/Jane Doe.md"].org == "Acme Robotics"


def test_a_same_size_edit_with_the_old_mtime_put_back_is_seen(vault, settled, monkeypatch):
    """An edit within the same second that keeps the size (and here even the exact
    modification time, put back with os.utime). Only ctime tells."""
    note = vault.write("Jane Doe", JANE)
    age(note)  # an old note, well out of any racy window
    load(vault)
    st = note.stat()
    time.sleep(0.05)  # let the clock tick past the file time granularity
    edited = note.read_bytes().replace(b"last_contact: 2026-01-01", b"last_contact: 2026-01-09")
    assert len(edited) == st.st_size
    note.write_bytes(edited)
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (note.stat().st_size, note.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert people_of(assert_fresh(vault))["People/Jane Doe.md"].last_contact == date(2026, 1, 9)
    same_as_without(vault, monkeypatch, "show", "Jane")


def test_a_same_size_edit_right_after_a_run_is_seen_through_the_cli(vault):
    """No clock tick, no settling: the racy rule re-reads a note changed just before a run."""
    vault.write("Jane Doe", JANE)
    assert "2026-01-01" in vault.run("show", "Jane").stdout
    note = vault.people / "Jane Doe.md"
    st = note.stat()
    note.write_bytes(note.read_bytes().replace(b"2026-01-01\nneeds", b"2026-01-07\nneeds"))
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert "last contact: 2026-01-07" in vault.run("show", "Jane").stdout


def test_a_note_changed_within_the_racy_window_is_read_again(vault, monkeypatch):
    monkeypatch.setattr(store, "RACY_SECONDS", 0.5)  # the real window (2 s) made short, to wait it out
    vault.write("Jane Doe", JANE)
    assert same_as_without(vault, monkeypatch, "list", "--json")["parsed"] == 1
    assert same_as_without(vault, monkeypatch, "list", "--json")["parsed"] == 1  # not trusted yet
    time.sleep(0.6)
    assert same_as_without(vault, monkeypatch, "list", "--json")["parsed"] == 1  # read once more, now settled
    assert same_as_without(vault, monkeypatch, "list", "--json")["reused"] == 1


def test_a_note_settled_by_the_time_it_is_read_is_trusted(vault, monkeypatch):
    """The racy rule is about when a note was read, not when the load began: notes written
    just before a long load (a first build right after an import) and read once they have
    settled are trusted, so the next run does not parse them all again."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0.5)
    for name in ("Ann", "Ben", "Cy"):
        vault.write(name, f"---\norg: {name}\n---\n")
    started = []

    def slow_parse(rel, data):
        if not started:  # the first note parsed: the others are read after the window
            started.append(rel)
            time.sleep(0.6)
        return parse_note(rel, data)

    first = store.load_notes(load_config(vault.root), slow_parse, use_store=True)
    assert first.stats.parsed == 3
    again = assert_fresh(vault)
    assert again.stats.parsed == 1 and again.stats.reused == 2  # only the one read within the window


def test_rename_delete_and_add_are_seen(vault, settled, monkeypatch):
    a = vault.write("Ann", "---\norg: A\n---\n")
    b = vault.write("Ben", "---\norg: B\n---\n")
    vault.write("Cy", "---\norg: C\n---\n")
    load(vault)
    a.rename(vault.people / "Annie.md")  # same inode, same bytes, new path
    b.unlink()
    vault.write("Dee", "---\norg: D\n---\n")
    stats = same_as_without(vault, monkeypatch, "list", "--json")
    assert stats["reused"] == 1  # Cy
    loaded = assert_fresh(vault)
    assert sorted(people_of(loaded)) == ["People/Annie.md", "People/Cy.md", "People/Dee.md"]
    assert people_of(loaded)["People/Annie.md"].name == "Annie"  # the name comes from the new path
    rows = sqlite3.connect(path_of(vault)).execute("SELECT count(*) FROM notes").fetchone()[0]
    assert rows == 3  # the rows of vanished notes are deleted


def test_swapping_two_same_size_notes_is_seen(vault, settled, monkeypatch):
    """An editor's save-by-rename: same paths, same sizes, maybe the same times; new inodes."""
    a = vault.write("Ann", "---\norg: AAA\n---\n")
    b = vault.write("Ben", "---\norg: BBB\n---\n")
    for p in (a, b):
        os.utime(p, ns=(10**18, 10**18))
    load(vault)
    temp = vault.people / "swap.tmp"
    a.rename(temp)
    b.rename(a)
    temp.rename(b)
    for p in (a, b):
        os.utime(p, ns=(10**18, 10**18))
    same_as_without(vault, monkeypatch, "list", "--json")
    assert people_of(assert_fresh(vault))["People/Ann.md"].org == "BBB"


def test_random_edits_never_serve_a_stale_record(vault, settled):
    """Many rounds of edits of every kind, each followed by a load from the store that must
    equal one without it; half the edits keep the size and put the old times back."""
    rng = random.Random(7)
    names = [f"P{i}" for i in range(12)]
    for name in names:
        vault.write(name, f"---\norg: O{rng.randint(10, 99)}\nlast_contact: 2026-01-{rng.randint(10, 28)}\n---\n")
    load(vault)
    for _round in range(40):
        name = rng.choice(names)
        path = vault.people / f"{name}.md"
        action = rng.choice(["same-size", "same-size", "grow", "delete", "break"])
        if not path.exists():
            vault.write(name, "---\norg: back\n---\n")
        elif action == "same-size":
            st = path.stat()
            data = path.read_bytes()
            new = data.replace(b"org: O", b"org: Q") if b"org: O" in data else data.replace(b"org: Q", b"org: O")
            path.write_bytes(new)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        elif action == "grow":
            path.write_bytes(path.read_bytes().replace(b"---\n", b"---\ntags: [x]\n", 1))
        elif action == "delete":
            path.unlink()
        else:
            path.write_bytes(b"---\norg: [unclosed\n---\n")
        assert_fresh(vault)


# --- it is never trusted when damaged or foreign -----------------------------------------------------


def _built(vault) -> Path:
    vault.write("Jane Doe", JANE)
    vault.write("Bob", "---\nname: Bob\nlast_contact: 2026-02-30\n---\n")
    vault.write("Broken", "---\nname: [\n---\n")
    for name in ("Jane Doe", "Bob", "Broken"):
        age(vault.people / f"{name}.md")
    load(vault)
    return path_of(vault)


def _record(vault, change) -> None:
    """Change Jane's stored record (a JSON list: the Person's fields by name, and its ``Dated``)."""
    db = sqlite3.connect(path_of(vault))
    (text,) = db.execute("SELECT record FROM notes WHERE path = ?", (b"People/Jane Doe.md",)).fetchone()
    values = json.loads(text)
    changed = change(values)
    with db:
        db.execute("UPDATE notes SET record = ? WHERE path = ?", (changed if isinstance(changed, str) else json.dumps(values), b"People/Jane Doe.md"))
    db.close()


def _foreign(path: Path) -> None:
    path.unlink()
    db = sqlite3.connect(path)
    with db:
        db.execute("CREATE TABLE notes (path TEXT, size INT)")
        db.execute("INSERT INTO notes VALUES ('People/Jane Doe.md', 1)")
    db.close()


def _schema_not_utf8(path: Path) -> None:
    """A byte that is not UTF-8 in a table's SQL: SQLite's error message quotes it."""
    db = sqlite3.connect(path)
    with db:
        db.execute("PRAGMA writable_schema = ON")
        db.execute("UPDATE sqlite_master SET sql = CAST(x'43524541544520ff' || CAST(sql AS BLOB) AS TEXT) WHERE name = 'meta'")
    db.close()


DAMAGE = {
    "truncated": lambda v, p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "empty": lambda v, p: p.write_bytes(b""),
    "garbage": lambda v, p: p.write_bytes(os.urandom(8192)),
    "text": lambda v, p: p.write_text('{"header": {}, "notes": {}}', encoding="utf-8"),
    "schema-not-utf8": lambda v, p: _schema_not_utf8(p),
    "pages-overwritten": lambda v, p: p.write_bytes(p.read_bytes()[:100] + os.urandom(len(p.read_bytes()) - 100)),
    "foreign-database": lambda v, p: _foreign(p),
    "another-schema-version": lambda v, p: sql(v, "PRAGMA user_version = 99"),
    "another-vaultnet": lambda v, p: sql(v, "UPDATE meta SET value = '0.0.1' WHERE key = 'vaultnet'"),
    "another-people-folder": lambda v, p: sql(v, "UPDATE meta SET value = 'Contacts' WHERE key = 'people_dir'"),
    "a-table-changed": lambda v, p: sql(v, "ALTER TABLE notes ADD COLUMN extra TEXT"),
    "a-trigger-added": lambda v, p: sql(v, "CREATE TRIGGER t AFTER INSERT ON notes BEGIN DELETE FROM meta; END"),
    "record-not-json": lambda v, p: _record(v, lambda r: "[1, 2"),
    "record-deep-nesting": lambda v, p: _record(v, lambda r: "[" * 100_000 + "]" * 100_000),
    "text-not-text": lambda v, p: _record(v, lambda r: r[0].__setitem__("name", 42)),
    "field-missing": lambda v, p: _record(v, lambda r: r[0].pop("name")),
    "bad-day": lambda v, p: _record(v, lambda r: r[0].__setitem__("last_contact", "2026-02-30")),
    "day-as-number": lambda v, p: _record(v, lambda r: r[0].__setitem__("last_contact", 739000)),
    "negative-cadence": lambda v, p: _record(v, lambda r: r[0].__setitem__("cadence", {"amount": -3, "unit": "d"})),
    "unknown-unit": lambda v, p: _record(v, lambda r: r[0].__setitem__("cadence", {"amount": 3, "unit": "fortnights"})),
    "no-real-birthday": lambda v, p: _record(v, lambda r: r[0].__setitem__("birthday", {"month": 2, "day": 30, "year": None})),
    "archived-false": lambda v, p: _record(v, lambda r: r[0].__setitem__("archived", False)),
    "log-line-wrong-shape": lambda v, p: _record(v, lambda r: r[0].__setitem__("log", [[1, 2, 3]])),
    "record-of-another-note": lambda v, p: _record(v, lambda r: r[0].__setitem__("path", "People/Bob.md")),
    "dated-missing": lambda v, p: _record(v, lambda r: r.pop()),
    "dated-past-the-log": lambda v, p: _record(v, lambda r: r[1].__setitem__(0, 99)),
    "dated-not-numbers": lambda v, p: _record(v, lambda r: r[1].__setitem__(1, ["2026-01-01"])),
    "dated-not-whole-days": lambda v, p: _record(v, lambda r: r[1].__setitem__(1, "AAAA")),
    "record-without-fatal-problem": lambda v, p: sql(v, "UPDATE notes SET problems = NULL WHERE path = ?", b"People/Broken.md"),
    "problem-wrong-shape": lambda v, p: sql(v, "UPDATE notes SET problems = '[[\"only\", \"two\"]]' WHERE path = ?", b"People/Bob.md"),
    "problem-fatal-not-bool": lambda v, p: sql(v, "UPDATE notes SET problems = '[[\"m\", 1, null, 1]]' WHERE path = ?", b"People/Bob.md"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_or_foreign_store_is_rebuilt_never_trusted(vault, settled, monkeypatch, damage):
    path = _built(vault)
    DAMAGE[damage](vault, path)
    # The first run after the damage parses every note, and says the same as without a store...
    stats = same_as_without(vault, monkeypatch, "list", "--json")
    assert stats["parsed"] == 3 and stats["reused"] == 0 and stats["written"], stats
    assert_fresh(vault)
    # ...and the rebuilt store is good again.
    again = same_as_without(vault, monkeypatch, "list", "--json")
    assert (again["reused"], again["written"]) == (3, False)
    for args in (("due",), ("list",), ("show", "Jane"), ("check",)):
        same_as_without(vault, monkeypatch, *args)


def test_a_store_file_that_is_a_link_is_replaced_not_followed(vault, settled, monkeypatch, tmp_path):
    path = _built(vault)
    outside = tmp_path / "elsewhere.sqlite3"
    shutil.copy(path, outside)
    before = outside.read_bytes()
    path.unlink()
    path.symlink_to(outside)
    vault.write("Jane Doe", JANE.replace("Acme", "Acme 2"))
    stats = same_as_without(vault, monkeypatch, "list", "--json")
    assert stats["written"] and not path.is_symlink()
    assert outside.read_bytes() == before  # the link was replaced, not followed


# --- the codec --------------------------------------------------------------------------------------


def test_every_person_field_has_a_codec():
    """A field added to Person with a type the store cannot hold would turn records off:
    this test says so instead of a silent slow-down."""
    assert store.codec() is not None


def test_the_codec_round_trips_every_kind_of_value():
    person = Person(
        path="People/x.md",
        name="Zoë \x7f Nul\x00",
        aliases=("Z",),
        tags=("a", "b"),
        org="[[Acme]]",
        role=None,
        emails=("z@example.org",),
        phones=(),
        circle="inner",
        cadence=Duration(3, "m"),
        last_contact=date(2026, 1, 1),
        follow_up=None,
        met=date(1, 1, 1),
        met_at="",
        introduced_by="[[Bob]]",
        needs=("x",),
        offers=(),
        helped=(Entry(date(2026, 2, 3), "intro"), Entry(None, "no date")),
        received=(Entry(date(2025, 1, 1), "has \x7f a control"), Entry(date(2025, 1, 2), "")),
        birthday=Birthday(2, 29),
        archived=date(2026, 6, 1),
        log=(Entry(date(9999, 12, 31), "far"),),
        extra=(("linkedin", "https://x"),),
        problems=(Problem("People/x.md", "bad", 3, "met", False),),
    )
    back = store.decode_record("People/x.md", store.encode_record(person))
    assert back == person and back.problems == person.problems
    assert back.dated == dated_of(person)
    assert back.dated.last_log == 0 and list(days(back.dated.contact_days)) == [date(9999, 12, 31).toordinal()]
    assert list(days(back.dated.helped_days)) == [date(2026, 2, 3).toordinal()]
    assert list(days(back.dated.received_days)) == [date(2025, 1, 1).toordinal(), date(2025, 1, 2).toordinal()]
    assert all(type(e) is Entry for e in back.helped + back.received + back.log)
    plain = Person(path="People/y.md", name="Y", log=(Entry(date(2026, 1, 2), "call"),), birthday=Birthday(5, 6, 1990), archived=True)
    back = store.decode_record("People/y.md", store.encode_record(plain))
    assert back == plain and back.archived is True  # not the day number 1
    problems = [Problem("People/x.md", "conflict", None, None, True), Problem("People/x.md", "bad", 3, "met", False)]
    assert store.decode_problems(json.loads(json.dumps(store.encode_problems(problems))), "People/x.md") == problems


# --- the other tables: the build stamp and rendered fragments ---------------------------------------


def test_fragments_are_kept_by_path_and_kind(vault, monkeypatch):
    config = load_config(vault.root)
    assert store.fragments(config, "event") == {}
    assert store.save_fragments(config, "event", {"People/A.md": ("k1", b"BEGIN:VEVENT\r\n"), "People/B.md": ("k2", b"b")})
    assert store.save_fragments(config, "card", {"People/A.md": ("k9", b"card")})
    assert store.fragments(config, "event") == {"People/A.md": ("k1", b"BEGIN:VEVENT\r\n"), "People/B.md": ("k2", b"b")}
    assert store.save_fragments(config, "event", {"People/A.md": ("k3", b"new")}, gone=["People/B.md"])
    assert store.fragments(config, "event") == {"People/A.md": ("k3", b"new")}
    assert store.fragments(config, "card") == {"People/A.md": ("k9", b"card")}
    # They live in the store: a damaged store loses them, and nothing else happens.
    path_of(vault).write_bytes(b"garbage" * 100)
    assert store.fragments(config, "event") == {}
    # Off, or in a vault where the store cannot be made, there are none and none are kept.
    monkeypatch.setenv("VAULTNET_NO_CACHE", "1")
    assert not store.save_fragments(config, "event", {"People/A.md": ("k", b"x")})
    assert store.fragments(config, "event") == {}


def test_the_build_stamp_lives_in_the_store(vault, settled, monkeypatch):
    vault.write("Jane Doe", JANE)
    assert build_as_without(vault, monkeypatch)["parsed"] == 1
    got, stats = run(vault, monkeypatch, "build")
    assert stats is None and "Nothing changed" in got[1]  # the stamp held: no note was loaded
    path_of(vault).write_bytes(b"\x00{not a database")
    got, stats = run(vault, monkeypatch, "build")
    assert stats["parsed"] == 1 and "Nothing changed" in got[1]  # rebuilt, and the outputs were right


# --- discovery --------------------------------------------------------------------------------------


def test_the_walk_finds_the_notes_by_the_rules(vault, tmp_path, monkeypatch):
    vault.write("Top", "")
    vault.write("sub/Deep", "")
    vault.write("a b/Space", "")
    vault.write("a/Slash", "")
    vault.write(".hidden/Secret", "")
    (vault.people / ".Dot.md").write_text("")
    (vault.people / "Upper.MD").write_text("")
    (vault.people / "notes.txt").write_text("")
    (vault.people / "folder.md").mkdir()  # a folder named like a note: walked into
    (vault.people / "folder.md" / "Inner.md").write_text("")
    outside = tmp_path / "outside.md"
    outside.write_text("")
    (vault.people / "LinkOut.md").symlink_to(outside)
    (vault.people / "LinkIn.md").symlink_to(vault.people / "Top.md")  # the same note: read as Top only
    (vault.people / "LinkDeep.md").symlink_to(vault.people / "sub" / "Deep.md")
    (vault.people / "LinkHidden.md").symlink_to(vault.people / ".hidden" / "Secret.md")  # not read otherwise
    (vault.root / "Archive").mkdir()
    (vault.root / "Archive" / "Old.md").write_text("")
    (vault.people / "LinkArchive.md").symlink_to(vault.root / "Archive" / "Old.md")  # in the vault, not a person note
    (vault.people / "Broken.md").symlink_to(vault.people / "nope.md")
    (vault.people / "linked dir").symlink_to(vault.people / "sub", target_is_directory=True)
    (vault.people / ".Top.md.abc.vaultnet-tmp").write_text("")
    expected = [
        "People/LinkArchive.md", "People/LinkHidden.md", "People/Top.md", "People/Upper.MD",
        "People/a/Slash.md", "People/a b/Space.md", "People/folder.md/Inner.md", "People/sub/Deep.md",
    ]
    config = load_config(vault.root)
    assert [f.rel for f in discover.walk(config)] == expected  # path order: the parts compared in turn
    # The walk a warm run compares first lists the same notes in the same order, with the same digest.
    for elsewhere in (False, True):
        walked = discover.walk(config, elsewhere=elsewhere)
        keys = discover.walk(config, elsewhere=elsewhere, keys_only=True)
        assert keys == [(f.rel, f.key) for f in walked] and discover.keys_digest(keys) == discover.digest(walked)
    assert discover.walk(config, elsewhere=True, keys_only=True)[0][0] == "Archive/Old.md"
    kinds = {f.rel: f.kind for f in discover.walk(config, everything=True)}
    assert {rel for rel, kind in kinds.items() if kind == discover.NOTE} == set(expected)
    assert kinds["People/LinkOut.md"] == "link-outside" and kinds["People/Broken.md"] == "link-broken"
    assert kinds["People/LinkIn.md"] == kinds["People/LinkDeep.md"] == "link-to-note"
    assert kinds["People/notes.txt"] == "other" and kinds["People/.Top.md.abc.vaultnet-tmp"] == "stale-temp"
    assert kinds["People/linked dir"] == kinds["People/sub"] == kinds["People/folder.md"] == "folder"
    assert not any(".hidden" in rel or ".Dot" in rel for rel in kinds)
    # Every note of the vault, for check's links: hidden notes and links to notes count too.
    everywhere = [f.rel for f in discover.walk(config, whole_vault=True)]
    assert everywhere == ["Archive/Old.md", *sorted([
        "People/.Dot.md", "People/LinkArchive.md", "People/LinkDeep.md", "People/LinkHidden.md", "People/LinkIn.md",
        "People/Top.md", "People/Upper.MD",
    ]), "People/a/Slash.md", "People/a b/Space.md", "People/folder.md/Inner.md", "People/sub/Deep.md"]
    # The loader, the store and check all see exactly these notes.
    listed = json.loads(vault.run("list", "--json").stdout)
    assert sorted(p["path"] for p in listed) == sorted(expected)
    assert json.loads(vault.run("check", "--json").stdout)["notes"] == len(expected)
    assert sorted(rel for rel, _p, _ in load(vault).results) == sorted(expected)


# --- concurrency, locks and read-only vaults ----------------------------------------------------------

SETTLED_CLI = "import sys; from vaultnet.load import store; store.RACY_SECONDS = 0.0; from vaultnet.cli import main; main()"


def test_concurrent_runs_agree_and_leave_a_good_store(vault, monkeypatch):
    for i in range(300):
        vault.write(f"P{i:03d}", f"---\norg: Org {i}\nneeds: [x{i}]\n---\n## Log\n- 2026-01-01 call {i}\n")
    expected = [(f"People/P{i:03d}.md", f"Org {i}") for i in range(300)]
    for _round in range(3):
        shutil.rmtree(vault.root / ".vaultnet", ignore_errors=True)
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", SETTLED_CLI, "--vault", str(vault.root), "list", "--json"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
            for _ in range(4)
        ]
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0 and err == b"", err.decode()
            assert sorted((p["path"], p["org"]) for p in json.loads(out)) == expected
        left = os.listdir(path_of(vault).parent)
        assert store.FILE in left and not [n for n in left if n.startswith(store.FILE + "-")]
        assert_fresh(vault)


def test_readers_never_see_a_stale_note_while_another_process_writes(vault, monkeypatch):
    for i in range(200):
        vault.write(f"P{i:03d}", f"---\norg: Org {i}\n---\n")
    writer = textwrap.dedent("""\
        import sys, time
        from pathlib import Path
        from vaultnet.load import store
        from vaultnet.load.vault import load_vault
        from vaultnet.model.config import load_config
        root = Path(sys.argv[1]); note = root / "People" / "P000.md"
        end = time.time() + 3
        n = 0
        while time.time() < end:
            n += 1
            temp = note.with_name(".P000.md.tmp")
            temp.write_text(f"---\\norg: Org {n % 7}\\n---\\n")
            temp.rename(note)  # as an editor saves: the note is never half written
            load_vault(load_config(root))
        """)
    process = subprocess.Popen([sys.executable, "-c", writer, str(vault.root)], stderr=subprocess.PIPE)
    reads = 0
    deadline = time.time() + 2.5
    while time.time() < deadline:
        loaded = load(vault)
        found = people_of(loaded)
        assert len(found) == 200 and found["People/P000.md"].org in {f"Org {n}" for n in range(7)}
        reads += 1
    assert process.wait(timeout=60) == 0, process.stderr.read().decode()
    assert reads > 0
    assert_fresh(vault)


def test_a_locked_store_is_skipped_not_waited_on(vault, settled, monkeypatch):
    vault.write("Jane Doe", JANE)
    same_as_without(vault, monkeypatch, "list", "--json")
    monkeypatch.setattr(store, "BUSY_SECONDS", 0.2)
    holder = sqlite3.connect(path_of(vault), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a long write
    try:
        vault.write("Bob", "---\norg: B\n---\n")
        for args in (("list", "--json"), ("due",)):
            stats = same_as_without(vault, monkeypatch, *args)
            assert not stats["written"]
        build_as_without(vault, monkeypatch)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    stats = same_as_without(vault, monkeypatch, "list", "--json")
    assert stats["reused"] >= 1 and stats["written"]  # and afterwards it is used again


NOBODY = 65534


def _run_as_nobody(args: list[str]) -> subprocess.CompletedProcess:
    """Run vaultnet as an unprivileged user (root ignores permission bits)."""
    command = [sys.executable, "-m", "vaultnet", *args]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.fail("running as root without setpriv: cannot test a real read-only vault")
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("with_stale_store", [False, True])
def test_a_read_only_vault_reads_without_a_store_and_silently(with_stale_store):
    root = Path(tempfile.mkdtemp(prefix="vaultnet-ro-store-"))
    try:
        os.chmod(root, 0o755)
        vault = root / "vault"
        (vault / "People").mkdir(parents=True)
        note = vault / "People" / "Jane Doe.md"
        note.write_text(textwrap.dedent(JANE), encoding="utf-8")
        (vault / "People" / "Bob.md").write_text("---\norg: Bob Co\n---\n", encoding="utf-8")
        if with_stale_store:
            age(note)
            store.load_notes(load_config(vault), parse_note)
            note.write_text(textwrap.dedent(JANE).replace("Acme", "Acme Robotics"), encoding="utf-8")
        for path in [vault, *vault.rglob("*")]:
            os.chmod(path, 0o555 if path.is_dir() else 0o444)
        before = sorted((p.as_posix(), p.stat().st_mtime_ns) for p in vault.rglob("*"))
        for command in (["list", "--json"], ["due"]):
            result = _run_as_nobody(["--vault", str(vault), "--today", "2026-11-23", *command])
            assert result.returncode == 0, result.stderr
            assert result.stderr == ""  # a store that cannot be written is no warning
            if command[0] == "list":
                org = {p["name"]: p["org"] for p in json.loads(result.stdout)}["Jane Doe"]
                assert org == ("Acme Robotics" if with_stale_store else "Acme")
        assert sorted((p.as_posix(), p.stat().st_mtime_ns) for p in vault.rglob("*")) == before
    finally:
        for path in [root, *root.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                os.chmod(path, 0o755)
        shutil.rmtree(root)


def test_a_vault_where_the_store_cannot_be_made_still_works(vault, monkeypatch):
    vault.write("Jane Doe", JANE)
    (vault.root / ".vaultnet").write_text("not a folder", encoding="utf-8")
    result = vault.run("due")
    assert result.exit_code == 0 and result.stderr == "" and "Jane Doe" in result.stdout
    assert (vault.root / ".vaultnet").read_text(encoding="utf-8") == "not a folder"
    same_as_without(vault, monkeypatch, "list", "--json")


def test_no_cache_switch(vault, monkeypatch):
    vault.write("Jane Doe", JANE)
    monkeypatch.setenv("VAULTNET_NO_CACHE", "1")
    for args in (("due",), ("list", "--json")):
        assert vault.run(*args).exit_code == 0
    assert not (vault.root / ".vaultnet").exists()
    assert vault.run("build").exit_code == 0
    assert not path_of(vault).exists()


def test_a_big_batch_is_parsed_in_worker_processes_with_the_same_result(vault, monkeypatch):
    """The cold path splits parsing across processes; records and problems come back equal."""
    monkeypatch.setattr(store, "PARALLEL_FROM", 10)
    monkeypatch.setattr(store.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)
    for i in range(450):
        extra = "last_contact: 2026-02-30\n" if i % 50 == 0 else ""  # some problems too
        vault.write(f"P{i:03d}", f"---\norg: Org {i}\n{extra}tags: [a, b]\n---\n## Log\n- 2026-01-0{i % 9 + 1} call {i}\n")
    vault.write("Broken", "---\nname: [\n---\n")
    parallel = load(vault)
    assert parallel.stats.parsed == 451
    again = load(vault)
    assert (again.stats.reused, again.stats.written) == (451, False) and again.results == parallel.results
    plain = load(vault, use_store=False)
    monkeypatch.setattr(store, "PARALLEL_FROM", 10**9)
    serial = load(vault, use_store=False)
    assert parallel.results == plain.results == serial.results
    assert [p.problems for _, p, _ in parallel.results if p] == [p.problems for _, p, _ in serial.results if p]


def test_a_file_name_that_is_not_utf8_is_stored_too(vault, settled, monkeypatch):
    vault.write("Jane Doe", JANE)
    bad = os.fsencode(vault.people) + b"/Bad \xff name.md"
    with open(bad, "wb") as handle:
        handle.write(b"---\norg: X\n---\n")
    first = assert_fresh(vault)
    assert first.stats.written
    again = assert_fresh(vault)
    assert (again.stats.reused, again.stats.parsed, again.stats.written) == (2, 0, False)
    same_as_without(vault, monkeypatch, "due")
    assert same_as_without(vault, monkeypatch, "due")["roster"]


def test_a_vault_on_a_path_that_is_not_utf8_keeps_its_store(tmp_path, settled, monkeypatch):
    """A vault's own folder may be named in another encoding (``café`` in Latin-1, from an
    old disk): the store opens there as anywhere, and every command says what it says
    without the store."""
    from tests.conftest import VaultFixture

    vault = VaultFixture(Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9 vault")))
    vault.write("Jane Doe", JANE)
    for args in (("due",), ("due",), ("list",), ("plan",), ("show", "Jane")):
        same_as_without(vault, monkeypatch, *args)
    assert path_of(vault).is_file()
    assert same_as_without(vault, monkeypatch, "due")["roster"]
    assert build_as_without(vault, monkeypatch)["parsed"] == 0


def test_no_worker_processes_are_forked_while_other_threads_run(vault, monkeypatch):
    """``serve`` loads the vault from request threads; forking there could deadlock."""
    import multiprocessing

    monkeypatch.setattr(store, "PARALLEL_FROM", 10)
    monkeypatch.setattr(store.os, "cpu_count", lambda: 2)

    def no_fork(*args, **kwargs):
        raise AssertionError("forked worker processes from a threaded process")

    monkeypatch.setattr(multiprocessing, "get_context", no_fork)
    for i in range(30):
        vault.write(f"P{i:02d}", f"---\norg: Org {i}\n---\n")
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(loaded=load(vault)))
    thread.start()
    thread.join(timeout=60)
    assert outcome["loaded"].stats.parsed == 30
    monkeypatch.setattr(store, "PARALLEL_FROM", 10**9)
    assert outcome["loaded"].results == load(vault, use_store=False).results


# --- the dated facts kept with each record -----------------------------------------------------------


def test_the_dated_facts_of_a_changed_note_are_worked_out_again(vault, settled, monkeypatch):
    """The dated facts kept beside a record (its newest contact, its days in touch, its giving
    days) come back from the store for an unchanged note, and are worked out again for a
    changed one: the last contact and the monthly figures follow the edit."""
    vault.write("Jane Doe", JANE)
    vault.write("Bob", "---\nname: Bob\n---\n## Log\n- 2026-10-02 call\n", dedent=False)
    for args in (("stats", "--json"), ("list", "--json")):
        same_as_without(vault, monkeypatch, *args)
    stats = same_as_without(vault, monkeypatch, "stats", "--json")
    assert (stats["reused"], stats["parsed"]) == (2, 0)
    before = json.loads(vault.run("stats", "--json").output)["per_month"]
    path = vault.people / "Jane Doe.md"
    path.write_text(
        path.read_text().replace("needs: [a designer]", "helped: [2026-11-03 an intro]")
        + "- 2026-11-21 job change: CTO at Acme\n- 2026-11-20 walk\n- 2026-11-20 call, later that day\n",
        encoding="utf-8",
    )
    stats = same_as_without(vault, monkeypatch, "stats", "--json")
    assert (stats["reused"], stats["parsed"]) == (1, 1)
    after = json.loads(vault.run("stats", "--json").output)["per_month"]
    assert [m["contacts"] for m in after] == [m["contacts"] + (m["month"] == "2026-11") for m in before]
    assert [m["helped"] for m in after] == [m["helped"] + (m["month"] == "2026-11") for m in before]
    jane = next(p for p in json.loads(vault.run("list", "--json").output) if p["name"] == "Jane Doe")
    assert jane["last_contact"] == "2026-11-20"  # the job change is news, not a contact
    same_as_without(vault, monkeypatch, "list", "--json")
    stored = assert_fresh(vault)
    for _rel, person, _problems in stored.results:
        assert person.dated == dated_of(person)
    jane = next(person for _rel, person, _problems in stored.results if person.name == "Jane Doe")
    assert jane.last_log.text == "call, later that day"  # a tie: the last line written
