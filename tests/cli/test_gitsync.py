"""A vault synced with git: two clones of one bare repository, both editing the same person.

Real git, real clones, the real CLI: ``vaultnet init`` registers the merge driver in each
clone, and ``git pull`` (merge or rebase) must run it, finish without stopping, and leave
a note that holds what both sides wrote. Genuine conflicts must stop with markers; the
generated outputs, committed on both sides, must never stop a pull. The rules themselves,
and a hypothesis property over them, are in tests/edit/test_merge.py.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultnet.cli import main
from vaultnet.edit.actions import item_edit
from vaultnet.load.vault import parse_note

# --- real git --------------------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A HOME of its own, so no global git config (identity, drivers) takes part."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("HOME", str(path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_CONFIG_GLOBAL", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    return path


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"], "GIT_CONFIG_NOSYSTEM": "1",
           "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_EDITOR": "true"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def vaultnet(root: Path, *args: str, today: str = "2026-11-23"):
    result = CliRunner().invoke(main, ["--vault", str(root), "--today", today, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def configure(repo: Path) -> None:
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "user.email", "test@example.org")
    git(repo, "config", "init.defaultBranch", "main")


class Clones:
    """A bare origin and two clones, ``a`` and ``b``, of a vault with one person in it."""

    def __init__(self, root: Path):
        self.origin = root / "origin.git"
        git(root, "-c", "init.defaultBranch=main", "init", "--bare", "-q", str(self.origin))
        self.a = root / "a"
        git(root, "-c", "init.defaultBranch=main", "clone", "-q", str(self.origin), str(self.a))
        configure(self.a)
        vaultnet(self.a, "init")
        vaultnet(self.a, "add", "Ada Lovelace", "--org", "Acme", "--needs", "funding", "--tag", "math")
        vaultnet(self.a, "log", "Ada", "met at the conference", "--date", "2026-10-01")
        vaultnet(self.a, "snooze", "Ada", "2026-11-15", today="2026-11-01")  # snoozed then; overdue now
        self.commit(self.a, "a vault")
        git(self.a, "push", "-q", "origin", "HEAD:main")
        self.b = root / "b"
        git(root, "-c", "init.defaultBranch=main", "clone", "-q", str(self.origin), str(self.b))
        configure(self.b)
        vaultnet(self.b, "init")  # every clone registers the driver in its own config

    @staticmethod
    def commit(repo: Path, message: str) -> None:
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", message)

    @staticmethod
    def note(repo: Path) -> bytes:
        return (repo / "People" / "Ada Lovelace.md").read_bytes()


@pytest.fixture
def clones(tmp_path, home) -> Clones:
    return Clones(tmp_path)


def need(repo: Path, text: str) -> None:
    """Add an item to ``needs`` as the editor does (no command adds needs to an existing note)."""
    from vaultnet.edit.atomic import edit_notes

    edit_notes(repo, [("People/Ada Lovelace.md", item_edit("needs", text))])


def both_sides_edit(clones: Clones) -> None:
    vaultnet(clones.a, "log", "Ada", "coffee: her fundraise", "--date", "2026-11-20", today="2026-11-20")
    vaultnet(clones.a, "snooze", "Ada", "2026-12-20", today="2026-11-20")
    vaultnet(clones.a, "helped", "Ada", "sent the deck", "--date", "2026-11-20", today="2026-11-20")
    need(clones.a, "a designer")
    vaultnet(clones.a, "build", today="2026-11-20")
    clones.commit(clones.a, "a: coffee")
    git(clones.a, "push", "-q", "origin", "HEAD:main")

    vaultnet(clones.b, "log", "Ada", "call about hiring", "--date", "2026-11-21", today="2026-11-22")
    vaultnet(clones.b, "snooze", "Ada", "2027-01-10", today="2026-11-22")
    vaultnet(clones.b, "helped", "Ada", "introduced to Grace", "--date", "2026-11-22", today="2026-11-22")
    need(clones.b, "an accountant")
    vaultnet(clones.b, "build", today="2026-11-22")
    clones.commit(clones.b, "b: call")


def assert_holds_both_sides(repo: Path) -> None:
    person, problems = parse_note("People/Ada Lovelace.md", Clones.note(repo))
    assert person is not None and not problems
    assert [(e.date.isoformat(), e.text) for e in person.log] == [
        ("2026-10-01", "met at the conference"),
        ("2026-11-20", "coffee: her fundraise"),
        ("2026-11-21", "call about hiring"),
    ]
    assert person.last_contact == date(2026, 11, 21)
    assert person.follow_up == date(2027, 1, 10)  # both snoozed: the later date
    assert person.needs[0] == "funding"  # base order first, then each side's additions
    assert sorted(person.needs[1:]) == ["a designer", "an accountant"]
    assert {e.text for e in person.helped} == {"sent the deck", "introduced to Grace"}
    assert person.org == "Acme"
    assert b"<<<<<<<" not in Clones.note(repo)


def test_init_registers_the_driver_once_and_no_git_skips_it(tmp_path, home):
    repo = tmp_path / "vault"
    repo.mkdir()
    git(repo, "-c", "init.defaultBranch=main", "init", "-q")
    (repo / ".gitattributes").write_text("*.png binary\n", encoding="utf-8")
    first = vaultnet(repo, "init")
    assert "merge.vaultnet.driver: set" in first.output
    attributes = (repo / ".gitattributes").read_text(encoding="utf-8")
    assert attributes.startswith("*.png binary\n")  # what was there stays
    assert "People/**/*.md merge=vaultnet" in attributes and "Index/** merge=vaultnet-output" in attributes
    assert git(repo, "check-attr", "merge", "--", "People/x/Ada.md", "Index/People.md", "followups.ics").stdout == (
        "People/x/Ada.md: merge: vaultnet\nIndex/People.md: merge: vaultnet-output\nfollowups.ics: merge: vaultnet-output\n"
    )
    assert git(repo, "config", "merge.vaultnet-output.driver").stdout == "true\n"
    assert "merge-driver %O %A %B %P" in git(repo, "config", "merge.vaultnet.driver").stdout
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    again = vaultnet(repo, "init")
    assert "already registered" in again.output
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before

    other = tmp_path / "other"
    other.mkdir()
    git(other, "-c", "init.defaultBranch=main", "init", "-q")
    vaultnet(other, "init", "--no-git")
    assert not (other / ".gitattributes").exists()
    assert git(other, "config", "--get-regexp", "merge", check=False).stdout == ""


def test_init_outside_git_says_so(tmp_path, home):
    result = vaultnet(tmp_path / "plain", "init")
    assert "not in a git work tree" in result.output
    assert not (tmp_path / "plain" / ".gitattributes").exists()


@pytest.mark.parametrize("mode", ["--no-rebase", "--rebase"])
def test_pull_merges_both_sides_edits(clones, mode):
    both_sides_edit(clones)
    pulled = git(clones.b, "pull", mode, "origin", "main", check=False)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert git(clones.b, "status", "--porcelain").stdout == ""
    assert_holds_both_sides(clones.b)
    # the outputs were committed on both sides and changed on both: the pull kept one side
    assert b"<<<<<<<" not in (clones.b / "followups.ics").read_bytes()
    vaultnet(clones.b, "check")
    # and the other clone takes the merge as it is
    git(clones.b, "push", "-q", "origin", "HEAD:main")
    git(clones.a, "pull", "-q", "--no-rebase", "origin", "main")
    assert Clones.note(clones.a) == Clones.note(clones.b)


def test_a_genuine_conflict_stops_the_pull_with_markers(clones):
    for repo, org in ((clones.a, "Globex"), (clones.b, "Initech")):
        path = repo / "People" / "Ada Lovelace.md"
        path.write_bytes(path.read_bytes().replace(b"org: Acme", b"org: " + org.encode()))
        vaultnet(repo, "log", "Ada", f"told me about {org}", "--date", "2026-11-20")
    clones.commit(clones.a, "a: Globex")
    git(clones.a, "push", "-q", "origin", "HEAD:main")
    clones.commit(clones.b, "b: Initech")
    pulled = git(clones.b, "pull", "--no-rebase", "origin", "main", check=False)
    assert pulled.returncode != 0
    assert "CONFLICT" in pulled.stdout
    text = Clones.note(clones.b).decode()
    assert "<<<<<<< ours\norg: Initech\n=======\norg: Globex\n>>>>>>> theirs\n" in text
    assert "told me about Globex" in text and "told me about Initech" in text  # the rest still merged
    result = CliRunner().invoke(main, ["--vault", str(clones.b), "check"])
    assert result.exit_code == 1
    assert "Ada Lovelace.md" in result.output and "conflict" in result.output


def test_body_lines_edited_apart_conflict(clones):
    for repo, words in ((clones.a, b"Loves chess."), (clones.b, b"Hates chess.")):
        path = repo / "People" / "Ada Lovelace.md"
        path.write_bytes(path.read_bytes() + b"\n## Notes\n\n" + words + b"\n")
    clones.commit(clones.a, "a")
    git(clones.a, "push", "-q", "origin", "HEAD:main")
    clones.commit(clones.b, "b")
    pulled = git(clones.b, "pull", "--no-rebase", "origin", "main", check=False)
    assert pulled.returncode != 0
    text = Clones.note(clones.b).decode()
    assert "<<<<<<< ours" in text and "Loves chess." in text and "Hates chess." in text


def test_outputs_committed_on_both_sides_never_stop_a_pull(clones):
    vaultnet(clones.a, "build", today="2026-11-20")
    clones.commit(clones.a, "a: outputs")
    git(clones.a, "push", "-q", "origin", "HEAD:main")
    vaultnet(clones.b, "build", today="2026-12-24")  # another day: other "As of", other overdue days
    clones.commit(clones.b, "b: outputs")
    pulled = git(clones.b, "pull", "--no-rebase", "origin", "main", check=False)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert b"<<<<<<<" not in (clones.b / "followups.ics").read_bytes()
    assert not any(b"<<<<<<<" in p.read_bytes() for p in (clones.b / "Index").rglob("*.md"))


def test_the_driver_runs_from_any_folder(clones, tmp_path):
    base = Clones.note(clones.a)
    ours = base.replace(b"- 2026-10-01 met at the conference", b"- 2026-10-01 met at the conference\n- 2026-11-02 lunch")
    theirs = base.replace(b"- 2026-10-01 met at the conference", b"- 2026-10-01 met at the conference\n- 2026-11-03 tea")
    folder = tmp_path / "git's temporary files"
    folder.mkdir()
    files = []
    for name, data in (("base", base), ("ours", ours), ("theirs", theirs)):
        (folder / name).write_bytes(data)
        files.append(shlex.quote(str(folder / name)))
    command = git(clones.a, "config", "merge.vaultnet.driver").stdout.strip()
    command = command.replace("%O", files[0]).replace("%A", files[1]).replace("%B", files[2]).replace("%P", "People/Ada.md")
    done = subprocess.run(command, shell=True, cwd="/", capture_output=True, env={"PATH": os.environ["PATH"]})
    assert done.returncode == 0, done.stderr
    merged = (folder / "ours").read_bytes()
    assert b"- 2026-11-02 lunch\n- 2026-11-03 tea\n" in merged


def test_check_after_a_hand_resolved_merge_names_each_duplicate_line_and_the_value_read(tmp_path, home):
    import json

    vault = tmp_path / "vault"
    vaultnet(vault, "init", "--no-git")
    (vault / "People" / "Ada.md").write_text(
        "---\nname: Ada\nfollow_up: 2026-12-20\nlast_contact: 2026-11-20\nfollow_up: 2026-12-01\n"
        "org: A\norg: B\norg: C\n---\n", encoding="utf-8")
    (vault / "People" / "Bob.md").write_text(
        "---\nname: Bob\n<<<<<<< ours\norg: A\n=======\norg: B\n>>>>>>> theirs\n---\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--vault", str(vault), "check", "--json"])
    assert result.exit_code == 1
    found = {(f["path"], f["code"], f.get("field")): f for f in json.loads(result.output)["findings"]}
    follow_up = found[("People/Ada.md", "duplicate-key", "follow_up")]
    assert follow_up["line"] == 5
    assert "(lines 3 and 5); readers use the last one, line 5 (follow_up: 2026-12-01)" in follow_up["message"]
    org = found[("People/Ada.md", "duplicate-key", "org")]
    assert "appears 3 times (lines 6, 7 and 8)" in org["message"] and "(org: C)" in org["message"]
    assert ("People/Bob.md", "conflict", None) in found  # the note still in conflict is named
