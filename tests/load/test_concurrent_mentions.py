"""Two vaultnet processes on one vault at once (a shell, an Obsidian plugin, a git hook and
``serve`` do run together): whatever order their reads and writes of the store fall in,
the store holds each note's mentions once, and every output is what it is without the
store (``VAULTNET_NO_CACHE=1``).

The first tests put the other process's whole run between one process's reading of the
store and its write, through ``read`` (called while the first process reads the notes),
so the interleaving is certain. The last ones start real processes together many times,
and two ``build`` runs at once, and a build while a note is edited."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest

from vaultnet.load import discover, mentions, store
from vaultnet.model.config import load_config

TODAY = date(2026, 11, 23)
PEOPLE = ("Jane Doe", "Bob Roe", "Ann Poe")


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _daily(root: Path, rel: str) -> Path:
    return _write(root, rel, "# The day\n\nCoffee with [[Jane Doe]] and [[Bob Roe]].\n- lunch: [[People/Ann Poe|Ann]]\n")


def _people(vault) -> None:
    for name in PEOPLE:
        vault.write(name, "---\norg: Acme\ncadence: 30d\nlast_contact: 2026-01-10\n---\n# Notes\n")


def _store_mentions(root: Path) -> list[tuple]:
    """Every row of the store's mentions table, sorted (duplicates kept)."""
    db = sqlite3.connect(root / ".vaultnet" / "cache" / store.FILE)
    try:
        return sorted(db.execute("SELECT note, day, target, line, text FROM mentions").fetchall())
    finally:
        db.close()


def _without_store(config, today: date = TODAY) -> list[tuple]:
    others = discover.walk(config, elsewhere=True)
    return sorted(store.load_mentions_without_store(others, mentions.read_mentions, today)[0])


def _through_store(config, today: date = TODAY) -> list[tuple]:
    others = discover.walk(config, elsewhere=True)
    return sorted(store.load_mentions(config, others, mentions.read_mentions, today)[0])


class Meanwhile:
    """A ``read`` for ``store.load_mentions`` that runs ``other`` (another process's run)
    once, when the first note is read: after this process read the store, before it writes."""

    def __init__(self, other):
        self.other = other
        self.done = False

    def __call__(self, note):
        if not self.done:
            self.done = True
            self.other()
        return mentions.read_mentions(note)


@pytest.mark.parametrize("settled", [True, False], ids=["settled", "fresh"])
def test_a_second_writer_of_a_new_note_replaces_its_mentions_not_adds(vault, monkeypatch, settled):
    if settled:
        monkeypatch.setattr(store, "RACY_SECONDS", 0.0)
    _people(vault)
    config = load_config(vault.root)
    _daily(vault.root, "Daily/2026-11-01.md")
    _through_store(config)  # the store holds the old notes
    _daily(vault.root, "Daily/2026-11-20.md")  # a new note both processes read for the first time
    others = discover.walk(config, elsewhere=True)
    read = Meanwhile(lambda: store.load_mentions(config, others, mentions.read_mentions, TODAY))
    rows, _ = store.load_mentions(config, others, read, TODAY)
    assert read.done
    expected = _without_store(config)
    assert len(expected) == 6 and sorted(rows) == expected
    assert len(_store_mentions(vault.root)) == 6
    assert _through_store(config) == expected
    latest, _ = store.latest_mentions(config, others, mentions.read_mentions, TODAY)
    assert sorted(latest) == [(key, date(2026, 11, 20)) for key in ("bob roe", "jane doe", "people/ann poe")]


def test_a_second_writer_into_a_store_not_made_yet_replaces_too(vault):
    _people(vault)
    config = load_config(vault.root)
    _daily(vault.root, "Daily/2026-11-20.md")
    others = discover.walk(config, elsewhere=True)
    read = Meanwhile(lambda: store.load_mentions(config, others, mentions.read_mentions, TODAY))
    rows, _ = store.load_mentions(config, others, read, TODAY)
    assert read.done and sorted(rows) == _without_store(config)
    assert len(_store_mentions(vault.root)) == 3


def test_a_walk_another_writer_outdated_is_not_vouched_for(vault, monkeypatch):
    """A note made between this process's walk and the other's is stored by the other; this
    process must not then keep its own walk's digest as if the store held exactly that walk,
    or once the note is deleted again its mentions would be served from the store."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)
    _people(vault)
    config = load_config(vault.root)
    _daily(vault.root, "Daily/2026-11-01.md")
    _through_store(config)
    _daily(vault.root, "Daily/2026-11-10.md")  # read by both runs
    mine = discover.walk(config, elsewhere=True)

    def other():
        _daily(vault.root, "Daily/2026-11-15.md")  # made after this process walked
        store.load_mentions(config, discover.walk(config, elsewhere=True), mentions.read_mentions, TODAY)

    store.load_mentions(config, mine, Meanwhile(other), TODAY)
    (vault.root / "Daily" / "2026-11-15.md").unlink()
    assert discover.digest(discover.walk(config, elsewhere=True)) == discover.digest(mine)
    expected = _without_store(config)
    assert len(expected) == 6
    assert _through_store(config) == expected
    assert len(_store_mentions(vault.root)) == 6


# --- real processes at once ------------------------------------------------------------------------

# Each process imports everything first, then waits for the go file, so that their runs
# start within a millisecond of each other and their store reads and writes overlap.
RACER = textwrap.dedent("""\
    import importlib, os, pkgutil, sys, time
    import vaultnet
    for module in pkgutil.walk_packages(vaultnet.__path__, "vaultnet."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    from vaultnet.cli import main
    go = sys.argv[1]
    open(go + "." + str(os.getpid()), "w").close()
    while not os.path.exists(go):
        time.sleep(0.0002)
    main(sys.argv[2:])
    """)


def _start(root: Path, go: Path, commands: list[list[str]]) -> list[subprocess.Popen]:
    """Start the CLI commands, each in its own process, and let them all go at once."""
    env = {**os.environ, "VAULTNET_NO_CACHE": "0"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(go), "--vault", str(root), "--today", str(TODAY), *argv],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        for argv in commands
    ]
    deadline = time.time() + 60
    while len(list(go.parent.glob(go.name + ".*"))) < len(processes) and time.time() < deadline:
        time.sleep(0.01)
    go.touch()
    return processes


def _outputs_of(processes: list[subprocess.Popen]) -> list[str]:
    """What each process printed; each must succeed and say nothing on stderr."""
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0 and err == b"", err.decode()
        outputs.append(out.decode())
    return outputs


def _race(root: Path, go: Path, commands: list[list[str]]) -> list[str]:
    """Run the CLI commands at once; their outputs."""
    return _outputs_of(_start(root, go, commands))


def _cli(root: Path, *argv: str, cache: bool = True) -> str:
    env = {**os.environ, "VAULTNET_NO_CACHE": "0" if cache else "1"}
    result = subprocess.run(
        [sys.executable, "-m", "vaultnet", "--vault", str(root), "--today", str(TODAY), *argv],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


def test_processes_reading_new_notes_at_once_store_their_mentions_once(vault, tmp_path):
    _people(vault)
    root = vault.root
    _daily(root, "Daily/2026-01-01.md")
    _cli(root, "due")
    # Each round many new notes at once (a git pull, say): their reading is what the
    # processes' runs overlap in.
    for round_ in range(3):
        for k in range(150):
            _daily(root, f"Daily/2026-{round_ + 2:02d}-01 {k:03d}.md")
        go = tmp_path / f"go{round_}"
        shown = _race(root, go, [["show", "--json", "Jane Doe"], ["show", "--json", "Jane Doe"], ["due"], ["stats"]])
        expected = _without_store(load_config(root))
        assert _store_mentions(root) == [(r[0].encode(), r[1].toordinal(), *r[2:]) for r in expected]
        assert shown[0] == shown[1] == _cli(root, "show", "--json", "Jane Doe", cache=False)
        assert len(json.loads(shown[0])["mentions"]) == 150 * (round_ + 1) + 1
        assert shown[2] == _cli(root, "due", cache=False)
        assert shown[3] == _cli(root, "stats", cache=False)


def test_a_note_changed_while_read_is_not_counted_twice_when_another_process_stored_it(vault):
    """This process cannot store a note that changed while it read it; another process,
    reading the new version, may have stored it meanwhile: its rows are this one's too."""
    _people(vault)
    config = load_config(vault.root)
    _daily(vault.root, "Daily/2026-11-01.md")
    _through_store(config)
    note = _daily(vault.root, "Daily/2026-11-20.md")
    others = discover.walk(config, elsewhere=True)

    def other():
        note.write_text("# The day, later\n\nTea with [[Jane Doe]] and [[Bob Roe]].\n", encoding="utf-8")
        store.load_mentions(config, discover.walk(config, elsewhere=True), mentions.read_mentions, TODAY)

    rows, _ = store.load_mentions(config, others, Meanwhile(other), TODAY)
    expected = _without_store(config)
    assert len(expected) == 5 and sorted(rows) == expected
    assert _through_store(config) == expected


# --- builds at once, and a build while a note is edited ----------------------------------------------


def _outputs(root: Path) -> dict[str, bytes]:
    """What ``build`` writes: the index notes and the calendar."""
    found = {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "Index").rglob("*") if p.is_file()}
    found["followups.ics"] = (root / "followups.ics").read_bytes()
    return found


def _single_build(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The outputs of one build, without the store, of a copy of the vault as it is now."""
    copy = tmp_path / "single"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".vaultnet", "Index", "followups.ics"))
    _cli(copy, "build", cache=False)
    return _outputs(copy)


def test_builds_at_once_write_whole_outputs_equal_to_one_build(vault, tmp_path):
    _people(vault)
    root = vault.root
    _daily(root, "Daily/2026-01-01.md")
    _cli(root, "build")
    for round_ in range(3):
        for k in range(100):
            _daily(root, f"Daily/2026-{round_ + 2:02d}-{k % 28 + 1:02d} {k:03d}.md")
        vault.write("Bob Roe", f"---\norg: Org {round_}\ncadence: 14d\nlast_contact: 2026-0{round_ + 1}-10\n---\n")
        _race(root, tmp_path / f"go{round_}", [["build"], ["build"], ["due"]])
        expected = _single_build(root, tmp_path)
        assert _outputs(root) == expected
        assert _cli(root, "build").startswith("Nothing changed")
        assert _outputs(root) == expected
        assert _store_mentions(root) == sorted(
            (r[0].encode(), r[1].toordinal(), *r[2:]) for r in _without_store(load_config(root), date(9999, 1, 1))
        )


def test_a_note_edited_while_builds_run_is_built_right_once_the_edits_stop(vault, tmp_path):
    _people(vault)
    root = vault.root
    daily = _daily(root, "Daily/2026-01-01.md")
    _cli(root, "build")
    edits = 0
    for round_ in range(3):
        (racing,) = _start(root, tmp_path / f"go{round_}", [["build"]])
        # As an editor saves (a whole new file renamed over the note), as fast as it can
        # until the build is done: Jane's note and a daily note mentioning someone else.
        while racing.poll() is None or edits < 5:
            edits += 1
            for path, text in (
                (root / "People" / "Jane Doe.md", f"---\norg: Org {edits}\ncadence: 30d\nlast_contact: 2026-01-{edits % 28 + 1:02d}\n---\n"),
                (daily, f"# The day\n\nCoffee with [[{PEOPLE[edits % 3]}]].\n"),
            ):
                temp = path.with_name(f".{path.name}.tmp")
                temp.write_text(text, encoding="utf-8")
                temp.replace(path)
        _outputs_of([racing])
        _cli(root, "build")
        assert _outputs(root) == _single_build(root, tmp_path)


def test_the_latest_mentions_count_the_version_of_a_note_changed_while_read_not_another_process_s(vault):
    _people(vault)
    config = load_config(vault.root)
    _daily(vault.root, "Daily/2026-11-01.md")
    _through_store(config)
    note = _write(vault.root, "Daily/meeting.md", "---\ndate: 2026-11-20\n---\nWith [[Jane Doe]].\n")
    others = discover.walk(config, elsewhere=True)

    def other():  # stores the note as it is, then it is moved to an earlier day meanwhile
        store.load_mentions(config, discover.walk(config, elsewhere=True), mentions.read_mentions, TODAY)
        note.write_text("---\ndate: 2026-11-05\n---\nWith [[Jane Doe]], moved.\n", encoding="utf-8")

    latest, _ = store.latest_mentions(config, others, Meanwhile(other), TODAY)
    expected = {"bob roe": date(2026, 11, 1), "jane doe": date(2026, 11, 5), "people/ann poe": date(2026, 11, 1)}
    assert _latest_by_key(latest) == expected
    again, _ = store.latest_mentions(config, discover.walk(config, elsewhere=True), mentions.read_mentions, TODAY)
    assert _latest_by_key(again) == expected


def _latest_by_key(rows: list[tuple[str, date]]) -> dict[str, date]:
    out: dict[str, date] = {}
    for key, day in rows:
        out[key] = max(day, out.get(key, day))
    return out
