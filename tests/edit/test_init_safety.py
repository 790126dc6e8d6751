"""`vaultnet init` in folders that are not as expected: a clear message, never a traceback,
and nothing half-written."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

VAULTNET = [sys.executable, "-m", "vaultnet"]


def init(root: Path, preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run([*VAULTNET, "init", str(root)], capture_output=True, text=True, timeout=60, preexec_fn=preexec)


def listing(root: Path) -> dict[str, bytes | None]:
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def test_a_gitignore_that_is_not_utf8_gains_the_lines_and_keeps_its_bytes(tmp_path):
    old = "caf\xe9/\n# r\xe9sum\xe9s\n".encode("latin-1")
    (tmp_path / ".gitignore").write_bytes(old)
    result = init(tmp_path)
    assert result.returncode == 0, result.stderr
    data = (tmp_path / ".gitignore").read_bytes()
    assert data.startswith(old) and b".vaultnet/cache/\n" in data and b".*.vaultnet-tmp\n" in data
    assert init(tmp_path).returncode == 0
    assert (tmp_path / ".gitignore").read_bytes() == data  # the second run adds nothing


def test_a_gitignore_without_a_final_line_end(tmp_path):
    (tmp_path / ".gitignore").write_bytes(b"node_modules/")
    assert init(tmp_path).returncode == 0
    assert (tmp_path / ".gitignore").read_bytes().startswith(b"node_modules/\n# vaultnet's")


def test_a_gitignore_folder_is_a_clear_message(tmp_path):
    (tmp_path / ".gitignore").mkdir()
    result = init(tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and ".gitignore: is a folder" in result.stderr
    assert ".vaultnet/cache/" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "vaultnet.toml").is_file() and (tmp_path / "People").is_dir()  # the rest was done


@pytest.mark.parametrize("people", ["People", "Notes/People"])
def test_a_file_where_the_people_folder_goes_is_a_clear_message(tmp_path, people):
    if people != "People":
        (tmp_path / "vaultnet.toml").write_text(f'people_dir = "{people}"\n', encoding="utf-8")
    (tmp_path / people).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / people).write_text("not a folder\n", encoding="utf-8")
    result = init(tmp_path)
    assert result.returncode == 1
    assert f"{people}: exists but is not a folder" in result.stderr and "people_dir" in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / people).read_text(encoding="utf-8") == "not a folder\n"


def test_a_file_as_the_vault_folder_is_a_clear_message(tmp_path):
    (tmp_path / "vault").write_text("x", encoding="utf-8")
    result = subprocess.run(
        [*VAULTNET, "--vault", str(tmp_path / "vault"), "init"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "vault" in result.stderr


def _small_files() -> None:
    # Every write past 40 bytes fails as it would on a full disk (EFBIG rather than ENOSPC:
    # the same failing write; Python ignores SIGXFSZ, so the call returns the error).
    resource.setrlimit(resource.RLIMIT_FSIZE, (40, 40))


def test_a_failing_write_of_the_config_leaves_nothing_half_written(tmp_path):
    result = init(tmp_path, preexec=_small_files)
    assert result.returncode == 1
    assert "vaultnet.toml: cannot create it" in result.stderr and "nothing was created" in result.stderr
    assert "Traceback" not in result.stderr
    assert listing(tmp_path) == {}  # no partial config, no temporary file
    assert init(tmp_path).returncode == 0  # once there is room, init works


def test_a_full_disk_while_adding_to_gitignore_leaves_it_as_it_was(tmp_path):
    (tmp_path / "vaultnet.toml").write_text("", encoding="utf-8")
    (tmp_path / "People").mkdir()
    old = b"# mine\n" + b"x" * 30 + b"\n"
    (tmp_path / ".gitignore").write_bytes(old)
    result = init(tmp_path, preexec=_small_files)
    assert result.returncode == 1
    assert ".gitignore: cannot add to it" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / ".gitignore").read_bytes() == old


def _can_mount_tmpfs(where: Path) -> bool:
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)], capture_output=True).returncode == 0


def test_a_really_full_disk(tmp_path):
    """A real full file system where one can be made (a small tmpfs, as root)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not _can_mount_tmpfs(disk):
        pytest.skip("mounting a small tmpfs needs root; the RLIMIT_FSIZE tests above cover the same writes")
    try:
        with open(disk / "filler", "wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 4096)
            except OSError:
                pass
        result = init(disk / "vault")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "the disk is full" in result.stderr and "Traceback" not in result.stderr
        assert not (disk / "vault" / "vaultnet.toml").exists()
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_gitignore_linking_out_of_the_vault_is_not_written(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.write_bytes(b"keep me\n")
    root = tmp_path / "vault"
    root.mkdir()
    (root / ".gitignore").symlink_to(outside)
    result = init(root)
    assert result.returncode == 1 and "leading out of the vault" in result.stderr
    assert outside.read_bytes() == b"keep me\n"
