"""The roster: a warm ``due`` or ``list`` reads a few columns of the store, and never shows stale data.

The yardstick is the same command with every cache turned off (``VAULTNET_NO_CACHE=1``):
whatever happened to the notes or to the roster, the output must be the same.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from vaultnet.load import roster, store
from vaultnet.model.config import load_config
from vaultnet.load.vault import load_vault

from tests.support import HOSTILE


NOTES = {
    "Jane Doe": "---\nname: Jane Doe\norg: \"[[Acme]]\"\ncircle: inner\nlast_contact: 2026-01-01\n---\n## Log\n- 2026-03-02 coffee\n",
    "Bob Stone": "---\ncadence: 2w\nlast_contact: 2026-11-01\nfollow_up: 2026-11-20\n---\n",
    "Cy": "---\nmet: 2025-05-05\ncircle: network\n---\n",
    "Dee": "---\ncadence: none\n---\n",
    "Eve": "no front matter at all\n",
    "Fay": "---\nlast_contact: 2026-13-01\ncadence: sometimes\n---\n",  # two warnings
    "Gus": "---\nname: [unclosed\n---\n",  # cannot be read at all
    "Émile Zoë": "---\ncadence: 3m\nlast_contact: 2026-08-31\nbirthday: 02-29\n---\n",
    "Hal": "---\nlast_contact: 2025-01-01\narchived: 2026-02-01\nmet_at: Web Summit\n---\n",  # archived
    "Archive/Ivy": "---\nlast_contact: 2025-01-01\n---\n",  # archived by its folder
    "Jo": "---\nmet: 2026-11-01\nmet_at: Web Summit\n---\n",  # met, never contacted: a first follow-up
    "Template": "---\ntype: template\nname: {{title}}\n---\n",  # not a person
}


@pytest.fixture
def settled(monkeypatch):
    """Notes count as settled at once (no racy window); the racy rule has a test of its own."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)


@pytest.fixture
def people(vault, settled):
    for name, text in NOTES.items():
        vault.write(name, text, dedent=False)
    vault.config('[circles]\ninner = "30d"\n')
    return vault


COMMANDS = [("due",), ("due", "--within", "90d"), ("due", "--circle", "inner", "--limit", "2"), ("list",)]


def run_with(vault, monkeypatch, variable: str, *args):
    """The command run with one environment variable set to 1."""
    with monkeypatch.context() as patch:
        patch.setenv(variable, "1")
        return vault.run(*args)


def reference(vault, monkeypatch, *args):
    """The command's output with every cache off."""
    result = run_with(vault, monkeypatch, "VAULTNET_NO_CACHE", *args)
    return result.exit_code, result.stdout, result.stderr


def run_with_stats(vault, monkeypatch, *args):
    """The command's output, and whether it was served by the roster."""
    result = run_with(vault, monkeypatch, "VAULTNET_CACHE_STATS", *args)
    lines = result.stderr.splitlines(keepends=True)
    used = any("from the roster" in line for line in lines if line.startswith("vaultnet cache:"))
    stderr = "".join(line for line in lines if not line.startswith("vaultnet cache:"))
    return (result.exit_code, result.stdout, stderr), used


def current(vault) -> roster.Roster | None:
    return roster.read(load_config(vault.root))


def store_file(vault) -> Path:
    return vault.root / ".vaultnet" / "cache" / store.FILE


def test_after_any_full_load_due_and_list_read_only_the_roster(people, monkeypatch):
    assert not store_file(people).exists()
    people.run("list", "--json")  # a full load fills the store, roster columns included
    for args in COMMANDS:
        expected = reference(people, monkeypatch, *args)
        got, used = run_with_stats(people, monkeypatch, *args)
        assert used, args
        assert got == expected, args
    # The warnings and the unreadable note are reported from the roster as from the notes.
    _, stderr = expected[1], expected[2]
    assert "Fay.md" in stderr and "Gus.md" in stderr


def test_the_roster_holds_what_the_full_load_says(people):
    people.run("list")
    vault = load_vault(load_config(people.root))
    found = current(people)
    assert found is not None
    assert found.people == [roster.brief_of(p) for p in vault.people]
    assert found.problems == vault.problems
    assert [b.last_seen for b in found.people if b.path == "People/Jane Doe.md"] == [vault.by_path("People/Jane Doe.md").last_seen]


def test_a_filtered_or_json_list_reads_whole_records(people, monkeypatch):
    people.run("list")
    # list's filters and JSON read fields the roster does not hold (due's: tests/load/test_wideroster.py).
    for args in (("list", "--tag", "x"), ("list", "acme"), ("list", "--json"), ("list", "--circle", "inner")):
        expected = reference(people, monkeypatch, *args)
        got, used = run_with_stats(people, monkeypatch, *args)
        assert not used and got == expected, args


def test_a_warm_due_writes_nothing(people, monkeypatch):
    people.run("due")
    folder = store_file(people).parent
    before = {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.iterdir()}
    for args in COMMANDS:
        assert run_with_stats(people, monkeypatch, *args)[1], args
    assert {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.iterdir()} == before


# --- it is never stale ---------------------------------------------------------------------------


def _same_size_edit_with_old_times(note: Path) -> None:
    st = note.stat()
    time.sleep(0.05)
    data = note.read_bytes()
    edited = data.replace(b"2026-11-01", b"2026-11-09")
    assert edited != data and len(edited) == len(data)
    note.write_bytes(edited)
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))


def _swap(a: Path, b: Path) -> None:
    temp = a.with_suffix(".tmp")
    a.rename(temp)
    b.rename(a)
    temp.rename(b)


CHANGES = {
    "edit": lambda v: (v.people / "Bob Stone.md").write_text("---\nlast_contact: 2026-11-22\n---\n", encoding="utf-8"),
    "same-size-edit-old-mtime": lambda v: _same_size_edit_with_old_times(v.people / "Bob Stone.md"),
    "add": lambda v: v.write("Ivy", "---\nlast_contact: 2020-01-01\n---\n", dedent=False),
    "delete": lambda v: (v.people / "Cy.md").unlink(),
    "rename": lambda v: (v.people / "Cy.md").rename(v.people / "Cyrus.md"),
    "swap": lambda v: _swap(v.people / "Dee.md", v.people / "Eve.md"),
    "fix-a-broken-note": lambda v: v.write("Gus", "---\nname: Gus\n---\n", dedent=False),
    "break-a-note": lambda v: v.write("Cy", "---\n: : :\n---\n", dedent=False),
    "new-subfolder-note": lambda v: v.write("Team/Kim", "---\ncircle: inner\n---\n", dedent=False),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_to_the_notes_is_never_served_from_the_roster(people, monkeypatch, change):
    people.run("due")
    assert current(people) is not None
    CHANGES[change](people)
    assert current(people) is None
    for n, args in enumerate(COMMANDS):
        expected = reference(people, monkeypatch, *args)
        got, used = run_with_stats(people, monkeypatch, *args)
        # The first command loads in full and writes a roster that is good again for the others.
        assert got == expected and used == (n > 0), args


def test_random_edits_never_serve_stale_output(people, monkeypatch):
    rng = random.Random(11)
    names = list(NOTES)
    for _ in range(25):
        name = rng.choice(names)
        note = people.people / f"{name}.md"
        kind = rng.choice(["last_contact", "follow_up", "delete", "circle"])
        if kind == "delete" and note.exists():
            note.unlink()
        else:
            day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(10, 28)}"
            text = {"last_contact": f"last_contact: {day}", "follow_up": f"follow_up: {day}", "circle": "circle: inner", "delete": "org: Back"}[kind]
            note.write_text(f"---\n{text}\n---\n", encoding="utf-8")
        for args in (("due", "--json"), ("list",)):
            got, _ = run_with_stats(people, monkeypatch, *args)
            assert got == reference(people, monkeypatch, *args), (kind, args)


def test_a_note_changed_within_the_racy_window_is_not_served_from_the_roster(vault, monkeypatch):
    monkeypatch.setattr(store, "RACY_SECONDS", 0.5)
    vault.write("Jane Doe", NOTES["Jane Doe"], dedent=False)
    vault.run("due")
    assert current(vault) is None  # just written: not trusted yet
    time.sleep(0.6)
    vault.run("due")  # read again, now settled
    assert current(vault) is not None


# --- a damaged roster is never trusted ----------------------------------------------------------


def _sql(path: Path, statement: str, *args) -> None:
    db = sqlite3.connect(path)
    with db:
        db.execute(statement, args)
    db.close()


def _set(rel: str, column: str, value):
    return lambda p: _sql(p, f"UPDATE notes SET {column} = ? WHERE path = ?", value, f"People/{rel}.md".encode())


DAMAGE = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "empty": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(os.urandom(2048)),
    "another-version": lambda p: _sql(p, "UPDATE meta SET value = '0.0.1' WHERE key = 'vaultnet'"),
    "another-schema": lambda p: _sql(p, "PRAGMA user_version = 0"),
    "a-row-missing": lambda p: _sql(p, "DELETE FROM notes WHERE path = ?", b"People/Cy.md"),
    "a-row-too-many": lambda p: _sql(p, "INSERT INTO notes (path, size, mtime_ns, ctime_ns, inode, trusted) VALUES (?, 1, 1, 1, 1, 1)", b"People/Ghost.md"),
    "name-not-text": _set("Jane Doe", "name", b"\x00"),
    "org-not-text": _set("Jane Doe", "org", b"x"),
    "day-out-of-range": _set("Jane Doe", "last_seen", 10**9),
    "day-as-text": _set("Jane Doe", "last_seen", "2026-01-01"),
    "bad-cadence-unit": _set("Bob Stone", "cadence", "2 fortnight"),
    "negative-cadence": _set("Bob Stone", "cadence", "-5 d"),
    "cadence-without-unit": _set("Bob Stone", "cadence", "14"),
    "cadence-not-text": _set("Bob Stone", "cadence", b"14 d"),
    "untrusted-row": _set("Cy", "trusted", 0),
    "another-key": _set("Cy", "size", 1),
    "problem-wrong-shape": _set("Fay", "problems", '[["only", "two"]]'),
    "problem-fatal-not-bool": _set("Fay", "problems", '[["m", 1, null, 1]]'),
    "problems-not-a-list": _set("Cy", "problems", "{}"),
    "problems-not-json": _set("Cy", "problems", "[[["),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_roster_is_not_used_and_changes_nothing_the_user_sees(people, monkeypatch, damage):
    people.run("due")
    DAMAGE[damage](store_file(people))
    assert current(people) is None
    for n, args in enumerate(COMMANDS):
        got, used = run_with_stats(people, monkeypatch, *args)
        # The first command loads in full and rebuilds the store, good again for the others.
        assert got == reference(people, monkeypatch, *args) and used == (n > 0), args


def test_no_cache_switch_neither_reads_nor_writes_the_roster(people, monkeypatch):
    people.run("due")
    DAMAGE["name-not-text"](store_file(people))
    monkeypatch.setenv("VAULTNET_NO_CACHE", "1")
    got, used = run_with_stats(people, monkeypatch, "due")
    assert not used and got == reference(people, monkeypatch, "due")
    shutil.rmtree(people.root / ".vaultnet")
    people.run("due")
    assert not (people.root / ".vaultnet").exists()


def test_a_vault_whose_cache_cannot_be_written_still_lists_everyone(people, monkeypatch):
    folder = people.root / ".vaultnet"
    shutil.rmtree(folder, ignore_errors=True)
    folder.write_text("not a folder", encoding="utf-8")  # the cache folder cannot be made
    for args in COMMANDS:
        got, used = run_with_stats(people, monkeypatch, *args)
        assert got == reference(people, monkeypatch, *args) and not used, args


def test_the_hostile_corpus_reads_the_same_through_the_roster(vault, settled, monkeypatch):
    for source in sorted(HOSTILE.glob("*.md")):
        (vault.people / source.name).write_bytes(source.read_bytes())
    vault.run("due")
    assert current(vault) is not None
    for args in COMMANDS:
        got, used = run_with_stats(vault, monkeypatch, *args)
        assert used and got == reference(vault, monkeypatch, *args), args


def test_a_warm_read_leaves_the_cycle_collector_as_it_found_it(vault):
    """The collector is paused while the roster is built (a record per person, no cycles),
    then on again; a program that turned it off keeps it off."""
    import gc

    vault.write("Ana", "---\norg: Acme\ncadence: 1w\n---\n")
    assert vault.run("list").exit_code == 0  # fills the store
    assert gc.isenabled()
    assert "Ana" in vault.run("due", "--within", "1y").stdout  # the roster this time
    assert gc.isenabled()
    gc.disable()
    try:
        assert vault.run("list").exit_code == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
