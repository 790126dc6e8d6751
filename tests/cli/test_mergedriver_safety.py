"""`vaultnet merge-driver` run on hostile files: it writes only the file git gave it, never
through a link standing in its place, and reads only regular files within the size limit."""

from __future__ import annotations

import os
import subprocess
import sys

BASE = b"---\nname: A\nlast_contact: 2026-01-01\n---\n## Log\n- 2026-01-01 a\n"
THEIRS = b"---\nname: A\nlast_contact: 2026-03-01\n---\n## Log\n- 2026-01-01 a\n- 2026-03-01 b\n"


def _driver(folder, base, ours, theirs):
    return subprocess.run(
        [sys.executable, "-m", "vaultnet", "merge-driver", str(base), str(ours), str(theirs), "People/A.md"],
        cwd=folder, capture_output=True, text=True, timeout=60,
    )


def test_a_link_in_place_of_the_local_version_is_not_written_through(tmp_path):
    (tmp_path / "O").write_bytes(BASE)
    (tmp_path / "B").write_bytes(THEIRS)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(BASE)  # reads as a note, so the merge itself succeeds
    os.symlink(victim, tmp_path / "A")
    result = _driver(tmp_path, tmp_path / "O", tmp_path / "A", tmp_path / "B")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert victim.read_bytes() == BASE
    assert (tmp_path / "A").is_symlink()


def test_a_named_pipe_is_not_read(tmp_path):
    (tmp_path / "O").write_bytes(BASE)
    (tmp_path / "A").write_bytes(BASE)
    os.mkfifo(tmp_path / "B")
    result = _driver(tmp_path, tmp_path / "O", tmp_path / "A", tmp_path / "B")  # would block for ever
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "FIFO" in result.stderr
    assert (tmp_path / "A").read_bytes() == BASE


def test_an_ordinary_merge_still_writes_the_result(tmp_path):
    (tmp_path / "O").write_bytes(BASE)
    (tmp_path / "A").write_bytes(BASE.replace(b"2026-01-01\n---", b"2026-02-01\n---"))
    (tmp_path / "B").write_bytes(THEIRS)
    result = _driver(tmp_path, tmp_path / "O", tmp_path / "A", tmp_path / "B")
    assert result.returncode == 0, result.stderr
    merged = (tmp_path / "A").read_bytes()
    assert b"last_contact: 2026-03-01" in merged and b"- 2026-03-01 b" in merged
