"""A warm ``due`` or ``list`` with daily notes reads each person's latest mention as the store
kept it, under the digests of the walk of the people folder and of the other notes, for the
days until the next mention falls due. Whatever changes (a mention added, removed or edited,
a note dated by its ``date:`` field, a day passing a future mention, a person renamed, a note
that cannot be read, a folder ignored, mentions turned off, the store tampered with), the warm
answer is the answer of a load with every cache off. Real CLI on real files; today is pinned.
"""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest

from vaultnet.load import store

COMMANDS = [("due", "--within", "1y"), ("list",)]


@pytest.fixture
def people(vault, monkeypatch):
    """Notes count as settled at once (no racy window), so every warm run can use the store."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)
    vault.write("Jane Doe", "---\ncadence: 30d\nlast_contact: 2026-01-10\n---\n")
    vault.write("Work/Jane Doe", "---\nname: Jane Work\ncadence: 30d\nlast_contact: 2026-02-01\n---\n")
    vault.write("Bob Ray", "---\ncadence: 2w\nlast_contact: 2026-10-01\n---\n## Log\n- 2026-10-20 call\n")
    vault.write("Cy Lee", "---\nmet: 2026-05-05\ncircle: close\n---\n")
    _note(vault, "Daily/2026-11-01.md", "Lunch with [[Bob Ray]] and [[Cy Lee|Cy]].\n")
    _note(vault, "Daily/2026-11-10.md", "- [ ] call [[Jane Doe]]\n")
    return vault


def _note(vault, rel: str, text: str) -> Path:
    path = vault.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _run(vault, monkeypatch, variable: str, *args, today: str = "2026-11-23"):
    with monkeypatch.context() as patch:
        patch.setenv(variable, "1")
        return vault.run(*args, today=today)


def reference(vault, monkeypatch, *args, today: str = "2026-11-23"):
    result = _run(vault, monkeypatch, "VAULTNET_NO_CACHE", *args, today=today)
    return result.exit_code, result.stdout, result.stderr


def warm(vault, monkeypatch, *args, today: str = "2026-11-23"):
    """The command's answer once the store is up to date (the first run may load in full),
    checked to come from the store's roster, with the cache statistics left out."""
    _run(vault, monkeypatch, "VAULTNET_CACHE_STATS", *args, today=today)
    result = _run(vault, monkeypatch, "VAULTNET_CACHE_STATS", *args, today=today)
    lines = result.stderr.splitlines(keepends=True)
    assert any("from the roster" in line for line in lines if line.startswith("vaultnet cache:")), args
    stderr = "".join(line for line in lines if not line.startswith("vaultnet cache:"))
    return result.exit_code, result.stdout, stderr


def same_warm_and_cold(vault, monkeypatch, today: str = "2026-11-23") -> list:
    answers = []
    for args in COMMANDS:
        got = warm(vault, monkeypatch, *args, today=today)
        assert got == reference(vault, monkeypatch, *args, today=today), (args, today)
        answers.append(got[1])
    return answers


def _rename(vault, old: str, new: str):
    (vault.people / f"{old}.md").rename(vault.people / f"{new}.md")


STEPS = {
    "a mention added": lambda v: _note(v, "Daily/2026-11-20.md", "Coffee with [[Jane Doe]].\n"),
    "a mention edited into an open task": lambda v: _note(v, "Daily/2026-11-20.md", "- [ ] coffee with [[Jane Doe]]\n"),
    "a mention edited back": lambda v: _note(v, "Daily/2026-11-20.md", "- [x] coffee with [[Jane Doe]]\n"),
    "a mention removed": lambda v: _note(v, "Daily/2026-11-01.md", "Lunch with [[Cy Lee|Cy]].\n"),
    "a meeting note dated by its date field": lambda v: _note(v, "Meetings/Standup.md", "---\ndate: 2026-11-21\n---\n[[Bob Ray]]\n"),
    "the meeting's date moved": lambda v: _note(v, "Meetings/Standup.md", "---\ndate: 2026-11-02\n---\n[[Bob Ray]]\n"),
    "a future daily note": lambda v: _note(v, "Daily/2026-11-30.md", "[[Cy Lee]] for dinner\n"),
    "a daily note deleted": lambda v: (v.root / "Daily/2026-11-20.md").unlink(),
    "a person renamed (the link now names the namesake)": lambda v: _rename(v, "Jane Doe", "Jane Smith"),
    "a new note for a link that named no one": lambda v: v.write("Jane Doe", "---\ncadence: 7d\n---\n"),
    "a person note that cannot be read": lambda v: v.write(
        "Jane Doe", "---\n<<<<<<< HEAD\ncadence: 7d\n=======\ncadence: 9d\n>>>>>>> other\n---\n"
    ),
    "a folder of other notes ignored": lambda v: v.config('ignore = ["Meetings"]\n'),
    "mentions turned off": lambda v: v.config("mentions = false\n"),
    "mentions on again": lambda v: v.config("mentions = true\n"),
}


def test_every_change_reaches_the_warm_answer_as_a_full_load_sees_it(people, monkeypatch):
    seen = [same_warm_and_cold(people, monkeypatch)]
    for step, change in STEPS.items():
        change(people)
        answers = same_warm_and_cold(people, monkeypatch)
        for today in ("2026-11-29", "2026-11-30", "2026-12-05"):  # up to, on and after a future mention
            same_warm_and_cold(people, monkeypatch, today)
        seen.append(answers)
    # The steps change what is shown (each answer checked above against a full load).
    assert len({tuple(a) for a in seen}) >= 6


def test_the_days_a_kept_value_holds_for_end_at_the_next_mention(people, monkeypatch):
    _note(people, "Daily/2026-11-30.md", "[[Jane Doe]] for dinner\n")
    before = same_warm_and_cold(people, monkeypatch, "2026-11-29")
    on_the_day = same_warm_and_cold(people, monkeypatch, "2026-11-30")
    assert "2026-11-30" not in before[1] and "2026-11-30" in on_the_day[1]
    assert same_warm_and_cold(people, monkeypatch, "2026-11-29") == before  # back before it


def test_a_warm_run_with_daily_notes_writes_nothing(people, monkeypatch):
    people.run("due")
    folder = people.root / ".vaultnet" / "cache"
    before = {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.iterdir()}
    for args in COMMANDS:
        warm(people, monkeypatch, *args)
    assert {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.iterdir()} == before


def _sql(vault, statement: str, *args) -> None:
    db = sqlite3.connect(vault.root / ".vaultnet" / "cache" / store.FILE)
    with db:
        db.execute(statement, args)
    db.close()


TAMPERING = {
    "latest-not-json": "UPDATE digests SET value = '[[[' WHERE name = 'latest'",
    "latest-day-as-text": "UPDATE digests SET value = '[null, null, {\"People/Cy Lee.md\": \"2026-11-01\"}]' WHERE name = 'latest'",
    "latest-day-out-of-range": "UPDATE digests SET value = '[null, null, {\"People/Cy Lee.md\": 1000000000}]' WHERE name = 'latest'",
    "latest-bounds-as-text": "UPDATE digests SET value = '[\"a\", null, {}]' WHERE name = 'latest'",
    "latest-not-a-mapping": "UPDATE digests SET value = '[null, null, []]' WHERE name = 'latest'",
    "others-problems-damaged": "UPDATE digests SET value = '[[1, 2]]' WHERE name = 'others'",
    "a-mention-row-damaged": "UPDATE mentions SET target = CAST(target AS BLOB)",
    "a-note-row-changed": "UPDATE notes SET trusted = 0 WHERE path = CAST('People/Cy Lee.md' AS BLOB)",
    "an-other-note-row-changed": "UPDATE others SET trusted = 0",
}


@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_a_kept_value_tampered_with_is_never_trusted(people, monkeypatch, tampering):
    _note(people, "Daily/2026-11-20.md", "Coffee with [[Jane Doe]].\n")
    expected = same_warm_and_cold(people, monkeypatch)
    _sql(people, TAMPERING[tampering])
    for args, answer in zip(COMMANDS, expected):
        result = people.run(*args)
        assert (result.exit_code, result.stdout) == (0, answer), args


def test_a_note_row_damaged_under_kept_digests_is_not_trusted(people, monkeypatch):
    """A row whose path is not what the store writes, while the digests that vouch for the
    rows are still there (written back by hand): a full load, not a traceback."""
    _note(people, "Daily/2026-11-20.md", "Coffee with [[Jane Doe]].\n")
    expected = same_warm_and_cold(people, monkeypatch)
    db = sqlite3.connect(people.root / ".vaultnet" / "cache" / store.FILE)
    with db:
        saved = db.execute("SELECT name, digest, value FROM digests WHERE name != 'latest'").fetchall()
        db.execute("UPDATE notes SET path = CAST(path AS TEXT) WHERE path = CAST('People/Cy Lee.md' AS BLOB)")
        db.execute("DELETE FROM digests")
        db.executemany("INSERT INTO digests VALUES (?, ?, ?)", saved)
    db.close()
    assert {name for name, _digest, _value in saved} == {"people", "others"}
    for args, answer in zip(COMMANDS, expected):
        result = people.run(*args)
        assert (result.exit_code, result.stdout) == (0, answer), args
