"""Shared fixtures: a real vault in a temporary folder, and the real CLI run on it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultnet.cli import main

TODAY = "2026-11-23"


class VaultFixture:
    """A temporary vault; ``run`` invokes the CLI on it with today pinned."""

    def __init__(self, root: Path):
        self.root = root
        self.people = root / "People"
        self.people.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, text: str | bytes, dedent: bool = True) -> Path:
        """Write ``People/<name>.md`` (text is dedented; bytes are written as they are)."""
        path = self.people / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_bytes((textwrap.dedent(text).lstrip("\n") if dedent else text).encode("utf-8"))
        return path

    def read(self, name: str) -> bytes:
        return (self.people / f"{name}.md").read_bytes()

    def person(self, name: str, clean: bool = True):
        """``People/<name>.md`` read by the real loader; ``clean`` also asserts it has no problems."""
        from vaultnet.load.vault import parse_note

        found, problems = parse_note(f"People/{name}.md", self.read(name))
        assert found is not None and not (clean and problems), problems
        return found

    def names(self) -> list[str]:
        """The file names (without .md) of the notes directly in People/, sorted."""
        return sorted(p.stem for p in self.people.glob("*.md"))

    def config(self, text: str) -> None:
        (self.root / "vaultnet.toml").write_text(textwrap.dedent(text), encoding="utf-8")

    def run(self, *args: str, today: str | None = TODAY, input: str | None = None):
        argv = ["--vault", str(self.root)]
        if today:
            argv += ["--today", today]
        return CliRunner().invoke(main, [*argv, *args], input=input, catch_exceptions=False)

    def snapshot(self) -> dict[str, bytes]:
        """Every file under the vault and its bytes, to prove what a command did not touch
        (vaultnet's own cache of parsed notes, in ``.vaultnet/cache/``, is not the user's file)."""
        files = sorted(self.root.rglob("*"))
        return {
            p.relative_to(self.root).as_posix(): p.read_bytes()
            for p in files
            if p.is_file() and not p.relative_to(self.root).as_posix().startswith(".vaultnet/cache/")
        }


@pytest.fixture
def vault(tmp_path: Path) -> VaultFixture:
    return VaultFixture(tmp_path / "vault")
