"""Two builds at once: one of the notes as they were, slower, and one of an edit made
meanwhile. Whatever order their writes fall in, the build after them both writes what a
fresh build writes; it never trusts a stamp whose outputs another build has replaced.
(Real processes racing builds: ``tests/load/test_concurrent_mentions.py``.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vaultnet.load import store

from tests.conftest import VaultFixture


def _outputs(root: Path) -> dict[str, bytes]:
    paths = [*(root / "Index").glob("*.md"), root / "followups.ics"]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in paths}


@pytest.fixture
def two_people(vault, monkeypatch):
    # Notes count as settled at once: the stamp is trusted by stat keys alone, as it is
    # once a vault's notes are older than the racy window.
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)
    for name in ("Jane Doe", "Bob Roe"):
        vault.write(name, "---\norg: Acme\ncadence: 30d\nlast_contact: 2026-01-10\n---\n")
    assert vault.run("build").exit_code == 0
    return vault


def _late_writer(monkeypatch, older: dict[str, bytes], root: Path, at: str) -> None:
    """Make the slower build's outputs (``older``) land while this build waits for the
    store (``at``: the store function it is about to call), as an editor saves: whole
    files renamed over the outputs."""
    real = getattr(store, at)

    def meanwhile(*args, **kwargs):
        for rel, data in older.items():
            temp = root / f"{rel}.tmp"
            temp.write_bytes(data)
            temp.replace(root / rel)
        older.clear()
        return real(*args, **kwargs)

    monkeypatch.setattr(store, at, meanwhile)


@pytest.mark.parametrize("at", ["save_fragments", "save_stamp"])
def test_outputs_an_older_build_wrote_after_this_one_are_built_again(two_people, monkeypatch, tmp_path, at):
    vault = two_people
    older = _outputs(vault.root)
    vault.write("Jane Doe", "---\norg: Globex\ncadence: 7d\nlast_contact: 2026-02-10\n---\n")
    with monkeypatch.context() as patch:
        _late_writer(patch, dict(older), vault.root, at)
        assert vault.run("build").exit_code == 0
    assert _outputs(vault.root) == older  # the slower build's outputs are the last written
    result = vault.run("build")
    assert result.exit_code == 0 and "wrote Index/People.md" in result.stdout
    fresh = tmp_path / "fresh"
    shutil.copytree(vault.root, fresh, ignore=shutil.ignore_patterns(".vaultnet", "Index", "followups.ics"))
    with monkeypatch.context() as patch:
        patch.setenv("VAULTNET_NO_CACHE", "1")
        assert VaultFixture(fresh).run("build").exit_code == 0
    assert _outputs(vault.root) == _outputs(fresh)
    assert vault.run("build").stdout.startswith("Nothing changed")
