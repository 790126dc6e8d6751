"""Writing a note keeps its owner and mode, and a note its user could not save is refused.

Every write is a temporary file renamed over the note, which needs only the folder's
permission: without care, a ``chmod 444`` note would be rewritten, and a note of another
user would change hands (root's ``log`` leaving a user's note ``root:root``). The real CLI
runs in a subprocess, as another user through ``setpriv`` where a test needs one.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

TODAY = "2026-11-23"
NOBODY = 65534
NOTE = b"---\nname: Jane Doe\nlast_contact: 2026-01-01\n---\n# Jane Doe\n\n## Log\n- 2026-01-01 coffee\n"
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="making files of another user needs root")


@pytest.fixture
def shared():
    """A vault in a folder every user can reach (pytest's own tmp folder is root's alone)."""
    top = Path(tempfile.mkdtemp(prefix="vaultnet-owner-"))
    os.chmod(top, 0o755)
    root = top / "vault"
    (root / "People").mkdir(parents=True)
    (root / "People" / "Jane Doe.md").write_bytes(NOTE)
    (root / "People" / "Bob.md").write_bytes(b"---\nname: Bob\n---\n")
    for path in [root, *root.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    yield root
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            os.chmod(path, 0o755)
    shutil.rmtree(top)


def vaultnet(root: Path, *args: str, user: int | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "vaultnet", "--vault", str(root), "--today", TODAY, *args]
    if user is not None:
        if shutil.which("setpriv") is None:
            pytest.fail("setpriv is needed to run vaultnet as another user")
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def chown_tree(root: Path, uid: int) -> None:
    for path in [root, *root.rglob("*")]:
        os.chown(path, uid, uid, follow_symlinks=False)


def owner(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def test_a_read_only_note_is_refused(shared):
    """As the user who owns the note and its folder (root or not): chmod 444 means hands off."""
    note = shared / "People" / "Jane Doe.md"
    os.chmod(note, 0o444)
    result = vaultnet(shared, "log", "Jane", "call")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "People/Jane Doe.md" in result.stderr and "read-only" in result.stderr and "chmod u+w" in result.stderr
    assert "Traceback" not in result.stderr
    assert note.read_bytes() == NOTE and stat.S_IMODE(note.stat().st_mode) == 0o444
    # Both notes of an intro are checked before either is written.
    before = (shared / "People" / "Bob.md").read_bytes()
    result = vaultnet(shared, "intro", "Bob", "Jane")
    assert result.returncode == 1 and "read-only" in result.stderr
    assert (shared / "People" / "Bob.md").read_bytes() == before and note.read_bytes() == NOTE
    # Once writable again, the same command works.
    os.chmod(note, 0o644)
    assert vaultnet(shared, "log", "Jane", "call").returncode == 0
    assert b"- 2026-11-23 call" in note.read_bytes()


@needs_root
def test_a_read_only_note_is_refused_for_its_owning_user(shared):
    chown_tree(shared, NOBODY)
    note = shared / "People" / "Jane Doe.md"
    os.chmod(note, 0o444)
    result = vaultnet(shared, "log", "Jane", "call", user=NOBODY)
    assert result.returncode == 1 and "read-only" in result.stderr, result.stderr
    assert note.read_bytes() == NOTE


@needs_root
def test_root_keeps_a_users_note_theirs(shared):
    chown_tree(shared, NOBODY)
    note = shared / "People" / "Jane Doe.md"
    os.chmod(note, 0o600)
    result = vaultnet(shared, "log", "Jane", "call")
    assert result.returncode == 0, result.stderr
    assert b"- 2026-11-23 call" in note.read_bytes()
    assert owner(note) == (NOBODY, NOBODY, 0o600)
    # An intro rewrites two notes of different owners: each keeps its own.
    bob = shared / "People" / "Bob.md"
    os.chown(bob, 0, 0)
    os.chmod(bob, 0o640)
    assert vaultnet(shared, "intro", "Bob", "Jane").returncode == 0
    assert owner(note) == (NOBODY, NOBODY, 0o600) and owner(bob) == (0, 0, 0o640)
    assert b"[[Bob]]" in note.read_bytes() and b"[[Jane Doe]]" in bob.read_bytes()


@needs_root
def test_root_adding_a_person_in_a_users_vault_leaves_a_note_the_user_owns(shared):
    chown_tree(shared, NOBODY)
    result = vaultnet(shared, "add", "New Person")
    assert result.returncode == 0, result.stderr
    assert owner(shared / "People" / "New Person.md")[:2] == (NOBODY, NOBODY)
    # and the user can then edit it
    assert vaultnet(shared, "log", "New Person", "hello", user=NOBODY).returncode == 0


@needs_root
def test_root_building_keeps_the_outputs_owner(shared):
    chown_tree(shared, NOBODY)
    assert vaultnet(shared, "build", user=NOBODY).returncode == 0
    (shared / "People" / "Jane Doe.md").write_bytes(NOTE.replace(b"2026-01-01 coffee", b"2026-02-01 lunch"))
    os.chown(shared / "People" / "Jane Doe.md", NOBODY, NOBODY)
    result = vaultnet(shared, "build")
    assert result.returncode == 0 and "wrote" in result.stdout, result.stdout + result.stderr
    for output in (shared / "Index").iterdir():
        assert owner(output)[:2] == (NOBODY, NOBODY), output


@needs_root
def test_a_note_of_another_user_is_refused_not_taken_over(shared):
    """The folder is the user's and the note is writable by all, but it belongs to root:
    a rename would make it the user's, so nothing is written."""
    chown_tree(shared, NOBODY)
    note = shared / "People" / "Jane Doe.md"
    os.chown(note, 0, 0)
    os.chmod(note, 0o666)
    result = vaultnet(shared, "log", "Jane", "call", user=NOBODY)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "People/Jane Doe.md" in result.stderr and "owner" in result.stderr and "Traceback" not in result.stderr
    assert note.read_bytes() == NOTE and owner(note) == (0, 0, 0o666)
    assert [p.name for p in (shared / "People").iterdir() if p.name.startswith(".")] == []  # no temp file left


@needs_root
def test_a_note_the_user_cannot_write_is_refused(shared):
    """The folder is the user's, the note root's and not writable for them."""
    chown_tree(shared, NOBODY)
    note = shared / "People" / "Jane Doe.md"
    os.chown(note, 0, 0)
    os.chmod(note, 0o644)
    result = vaultnet(shared, "log", "Jane", "call", user=NOBODY)
    assert result.returncode == 1
    assert "permission denied" in result.stderr and "Traceback" not in result.stderr
    assert note.read_bytes() == NOTE and owner(note) == (0, 0, 0o644)
