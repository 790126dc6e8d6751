"""A symbolic link in the people folder is edited through only when it leads to a note.

``ln -s ../vaultnet.toml "People/Config Person.md"`` makes the config look like a person;
``log`` on it must not rewrite the config as a note. Nor a template, an index note, a
file in a hidden folder, or a folder.
"""

from __future__ import annotations

import os

import pytest

NOTE = b"---\nname: Jane Doe\nlast_contact: 2026-01-01\n---\n# Jane Doe\n\n## Log\n- 2026-01-01 coffee\n"


def setup_targets(vault) -> dict[str, bytes]:
    vault.config('calendar_name = "Mine"\n')
    vault.write("Bob", "---\nname: Bob\n---\n")
    templates = vault.root / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "person.md").write_text("---\norg: Acme\n---\n# {{ name }}\n", encoding="utf-8")
    assert vault.run("build").exit_code == 0
    (vault.root / ".git").mkdir()
    (vault.root / ".git" / "NOTES.md").write_text("git's own\n", encoding="utf-8")
    (vault.root / "Archive.md").mkdir()
    return {
        "vaultnet.toml": (vault.root / "vaultnet.toml").read_bytes(),
        ".vaultnet/templates/person.md": (templates / "person.md").read_bytes(),
        "Index/People.md": (vault.root / "Index" / "People.md").read_bytes(),
        ".git/NOTES.md": (vault.root / ".git" / "NOTES.md").read_bytes(),
        "followups.ics": (vault.root / "followups.ics").read_bytes(),
    }


@pytest.mark.parametrize(
    "target", ["vaultnet.toml", ".vaultnet/templates/person.md", "Index/People.md", ".git/NOTES.md", "followups.ics"]
)
@pytest.mark.parametrize("command", [("log", "Linked", "call"), ("snooze", "Linked", "2w"), ("intro", "Linked", "Bob")])
def test_a_link_to_a_file_that_is_not_a_note_is_never_edited(vault, target, command):
    before = setup_targets(vault)
    os.symlink(os.path.relpath(vault.root / target, vault.people), vault.people / "Linked.md")
    bob = vault.read("Bob")
    result = vault.run(*command)
    assert result.exit_code == 1, result.output
    assert "People/Linked.md" in result.stderr and "not a note" in result.stderr and target in result.stderr
    assert (vault.root / target).read_bytes() == before[target]
    assert (vault.people / "Linked.md").is_symlink()
    assert vault.read("Bob") == bob  # the other note of an intro is untouched too


def test_a_link_to_a_note_elsewhere_in_the_vault_is_still_edited_through(vault):
    (vault.root / "Archive").mkdir()
    (vault.root / "Archive" / "Jane Doe.md").write_bytes(NOTE)
    os.symlink("../Archive/Jane Doe.md", vault.people / "Jane Doe.md")
    result = vault.run("log", "Jane", "call")
    assert result.exit_code == 0, result.output
    assert (vault.people / "Jane Doe.md").is_symlink()
    assert b"- 2026-11-23 call" in (vault.root / "Archive" / "Jane Doe.md").read_bytes()
