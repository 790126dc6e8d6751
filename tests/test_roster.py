"""The roster: a warm ``due`` or ``list`` reads one small file, and never shows stale data.

The yardstick is the same command with every cache turned off (``VAULTNET_NO_CACHE=1``):
whatever happened to the notes or to the roster, the output must be the same.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from pathlib import Path

import pytest

from vaultnet.load import cache

from vaultnet.load import roster
from vaultnet.model.config import load_config
from vaultnet.load.vault import load_vault

HOSTILE = Path(__file__).parent / "hostile"

NOTES = {
    "Jane Doe": "---\nname: Jane Doe\norg: \"[[Acme]]\"\ncircle: inner\nlast_contact: 2026-01-01\n---\n## Log\n- 2026-03-02 coffee\n",
    "Bob Stone": "---\ncadence: 2w\nlast_contact: 2026-11-01\nfollow_up: 2026-11-20\n---\n",
    "Cy": "---\nmet: 2025-05-05\ncircle: network\n---\n",
    "Dee": "---\ncadence: none\n---\n",
    "Eve": "no front matter at all\n",
    "Fay": "---\nlast_contact: 2026-13-01\ncadence: sometimes\n---\n",  # two warnings
    "Gus": "---\nname: [unclosed\n---\n",  # cannot be read at all
    "Émile Zoë": "---\ncadence: 3m\nlast_contact: 2026-08-31\nbirthday: 02-29\n---\n",
}


@pytest.fixture
def settled(monkeypatch):
    """Notes count as settled at once (no racy window); the racy rule has a test of its own."""
    monkeypatch.setattr(cache, "RACY_SECONDS", 0.0)


@pytest.fixture
def people(vault, settled):
    for name, text in NOTES.items():
        vault.write(name, text, dedent=False)
    vault.config('[circles]\ninner = "30d"\n')
    return vault


COMMANDS = [("due",), ("due", "--within", "90d"), ("due", "--json"), ("list",)]


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


def test_due_writes_the_roster_and_due_and_list_then_read_only_it(people, monkeypatch):
    assert not (cache.cache_dir(people.root) / roster.FILE).exists()
    people.run("list", "--json")  # a full load, which needs no roster
    people.run("build")
    assert not (cache.cache_dir(people.root) / roster.FILE).exists()
    people.run("due")  # loads in full, and writes the roster
    assert (cache.cache_dir(people.root) / roster.FILE).is_file()
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
    for args in (("list", "--tag", "x"), ("list", "acme"), ("list", "--json"), ("list", "--circle", "inner")):
        expected = reference(people, monkeypatch, *args)
        got, used = run_with_stats(people, monkeypatch, *args)
        assert not used and got == expected, args


def test_the_roster_is_rewritten_only_when_its_bytes_change(people, monkeypatch):
    people.run("due")
    path = cache.cache_dir(people.root) / roster.FILE
    before = (path.stat().st_mtime_ns, path.stat().st_ino)
    # A note in the racy window keeps the roster from being used, run after run, but the
    # roster each of those runs would write is the same: it is not written again.
    monkeypatch.setattr(cache, "RACY_SECONDS", 60.0)
    people.write("Hal", "---\norg: Hal Co\n---\n", dedent=False)
    people.run("due")
    after_change = (path.stat().st_mtime_ns, path.stat().st_ino)
    assert after_change != before and current(people) is None
    people.run("due")
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == after_change
    assert [f.name for f in path.parent.iterdir() if f.name.endswith(".tmp")] == []


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
    monkeypatch.setattr(cache, "RACY_SECONDS", 0.5)
    vault.write("Jane Doe", NOTES["Jane Doe"], dedent=False)
    vault.run("due")
    assert current(vault) is None  # just written: not trusted yet
    time.sleep(0.6)
    vault.run("due")  # read again, now settled
    assert current(vault) is not None


# --- a damaged roster is never trusted ----------------------------------------------------------


def _tamper(path: Path, change) -> None:
    data = json.loads(path.read_bytes())
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _row(data: dict, rel: str) -> list:
    return next(r for r in data["notes"] if r[0] == rel)


DAMAGE = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:-100]),
    "empty": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(os.urandom(2048)),
    "not-utf8": lambda p: p.write_bytes(p.read_bytes().replace(b"Jane Doe", b"Jane \xff\xfe")),
    "deep-nesting": lambda p: p.write_bytes(b"[" * 100_000 + b"]" * 100_000),
    "wrong-header": lambda p: _tamper(p, lambda d: d["header"].__setitem__("roster", 0)),
    "another-version": lambda p: _tamper(p, lambda d: d["header"].__setitem__("vaultnet", "0.0.1")),
    "a-row-missing": lambda p: _tamper(p, lambda d: d["notes"].pop()),
    "rows-reordered": lambda p: _tamper(p, lambda d: d["notes"].reverse()),
    "name-not-text": lambda p: _tamper(p, lambda d: _row(d, "People/Jane Doe.md").__setitem__(7, 42)),
    "org-not-text": lambda p: _tamper(p, lambda d: _row(d, "People/Jane Doe.md").__setitem__(8, ["x"])),
    "day-out-of-range": lambda p: _tamper(p, lambda d: _row(d, "People/Jane Doe.md").__setitem__(13, 10**9)),
    "day-as-text": lambda p: _tamper(p, lambda d: _row(d, "People/Jane Doe.md").__setitem__(13, "2026-01-01")),
    "bad-cadence-unit": lambda p: _tamper(p, lambda d: _row(d, "People/Bob Stone.md").__setitem__(11, "fortnight")),
    "negative-cadence": lambda p: _tamper(p, lambda d: _row(d, "People/Bob Stone.md").__setitem__(10, -5)),
    "short-row": lambda p: _tamper(p, lambda d: _row(d, "People/Cy.md").pop()),
    "untrusted-row": lambda p: _tamper(p, lambda d: _row(d, "People/Cy.md").__setitem__(5, 0)),
    "problem-wrong-shape": lambda p: _tamper(p, lambda d: _row(d, "People/Fay.md")[-1].__setitem__(0, ["only", "two"])),
    "problem-fatal-not-bool": lambda p: _tamper(p, lambda d: _row(d, "People/Fay.md")[-1][0].__setitem__(3, 1)),
    "problems-not-a-list": lambda p: _tamper(p, lambda d: _row(d, "People/Cy.md").__setitem__(15, {})),
    "unhashable-day": lambda p: _tamper(p, lambda d: _row(d, "People/Jane Doe.md").__setitem__(12, [1])),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_roster_is_not_used_and_changes_nothing_the_user_sees(people, monkeypatch, damage):
    people.run("due")
    path = cache.cache_dir(people.root) / roster.FILE
    DAMAGE[damage](path)
    assert current(people) is None
    for n, args in enumerate(COMMANDS):
        got, used = run_with_stats(people, monkeypatch, *args)
        # The first command loads in full and writes a roster that is good again for the others.
        assert got == reference(people, monkeypatch, *args) and used == (n > 0), args


def test_no_cache_switch_neither_reads_nor_writes_the_roster(people, monkeypatch):
    monkeypatch.setenv("VAULTNET_NO_CACHE", "1")
    people.run("due")
    assert not (cache.cache_dir(people.root) / roster.FILE).exists()


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
