"""Templates are someone else's code: an error in one is a message naming the file and line
(never a traceback, nothing written), and no template reads a file outside its folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import DATA

SECRET = "the contents of a private file outside the vault"


def small_vault(vault):
    vault.write("Ann Alpha", "---\nlast_contact: 2026-10-01\nhelped:\n  - 2026-10-01 sent a deck\n---\n")
    vault.write("Bo Beta", "---\norg: Acme\n---\n")


def templates(vault) -> Path:
    folder = vault.root / ".vaultnet" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def outputs(vault) -> dict[str, bytes]:
    return {rel: data for rel, data in vault.snapshot().items() if rel.startswith("Index/") or rel == "followups.ics"}


RUNTIME_ERRORS = {
    "zero": ("{{ 1/0 }}", "division by zero"),
    "type": ("{{ 'a' + 1 }}", "TypeError"),
    "recursion": ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "recursion"),
    "huge range": ("{{ range(10**9) | list }}", "sandbox"),
    "memory": ("{{ 'x' * 10**18 }}", "memory"),
}


@pytest.mark.parametrize("kind", sorted(RUNTIME_ERRORS))
def test_a_template_runtime_error_fails_build_with_the_file_and_line(vault, kind):
    small_vault(vault)
    assert vault.run("build").exit_code == 0
    before = outputs(vault)
    line, words = RUNTIME_ERRORS[kind]
    (templates(vault) / "Giving.md").write_text("{{ notice }}\n\n" + line + "\n", encoding="utf-8")
    result = vault.run("build", "--force")
    assert result.exit_code == 1
    assert "template Giving.md: line 3:" in result.stderr and words in result.stderr
    assert "Traceback" not in result.output
    assert outputs(vault) == before  # nothing written, not even the outputs that rendered


@pytest.mark.parametrize("kind", sorted(RUNTIME_ERRORS))
def test_a_person_template_runtime_error_fails_add_and_writes_nothing(vault, kind):
    small_vault(vault)
    line, words = RUNTIME_ERRORS[kind]
    (templates(vault) / "person.md").write_text("---\nname: {{ name }}\n---\n" + line + "\n", encoding="utf-8")
    before = vault.snapshot()
    result = vault.run("add", "Cy Gamma")
    assert result.exit_code == 1
    assert "template person.md: line 4:" in result.stderr and words in result.stderr
    assert vault.snapshot() == before


def test_a_person_template_runtime_error_fails_import_and_writes_nothing(vault):
    small_vault(vault)
    (templates(vault) / "person.md").write_text("---\nname: {{ name }}\n---\n{{ 1/0 }}\n", encoding="utf-8")
    before = vault.snapshot()
    result = vault.run("import", "google", str(DATA / "google_contacts.csv"))
    assert result.exit_code == 1
    assert "person.md: line 4: division by zero" in result.stderr
    assert vault.snapshot() == before


def test_an_error_in_an_included_template_names_it_and_the_includer(vault):
    small_vault(vault)
    folder = templates(vault)
    (folder / "part.md").write_text("fine\n{{ 1/0 }}\n", encoding="utf-8")
    (folder / "Giving.md").write_text("{{ notice }}\n{% include 'part.md' %}\n", encoding="utf-8")
    result = vault.run("build")
    assert result.exit_code == 1
    assert "template part.md (included from Giving.md): line 2: division by zero" in result.stderr
    (folder / "part.md").write_text("fine\n{% for %}\n", encoding="utf-8")
    result = vault.run("build")
    assert result.exit_code == 1
    assert "template part.md (included from Giving.md, line 2): line 2:" in result.stderr


def test_a_missing_include_names_the_missing_file_and_where_it_is_included(vault):
    small_vault(vault)
    (templates(vault) / "Giving.md").write_text("{{ notice }}\n\n{% include 'no such part.md' %}\n", encoding="utf-8")
    result = vault.run("build")
    assert result.exit_code == 1
    assert "template Giving.md: line 3: includes no such part.md, which is not in" in result.stderr
    assert not (vault.root / "Index").exists()


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    return folder


def test_a_template_linked_to_a_file_outside_the_vault_is_refused(vault, outside):
    small_vault(vault)
    os.symlink(outside / "secret.txt", templates(vault) / "People.md")
    result = vault.run("build")
    assert result.exit_code == 1
    assert "template People.md" in result.stderr and "symbolic link leading out of that folder" in result.stderr
    assert not (vault.root / "Index").exists()


def test_an_include_of_a_linked_file_or_through_a_linked_folder_is_refused(vault, outside):
    small_vault(vault)
    folder = templates(vault)
    os.symlink(outside / "secret.txt", folder / "part.md")
    os.symlink(outside, folder / "parts")
    for include in ("part.md", "parts/secret.txt"):
        (folder / "Giving.md").write_text("{{ notice }}\n{% include '" + include + "' %}\n", encoding="utf-8")
        result = vault.run("build")
        assert result.exit_code == 1
        assert "symbolic link leading out of that folder" in result.stderr
        assert not (vault.root / "Index").exists()


def test_a_link_to_a_note_of_the_vault_is_not_a_template_either(vault):
    small_vault(vault)
    os.symlink(vault.people / "Ann Alpha.md", templates(vault) / "Giving.md")
    result = vault.run("build")
    assert result.exit_code == 1 and "symbolic link leading out of that folder" in result.stderr


def test_a_person_template_including_a_linked_file_writes_no_note(vault, outside):
    small_vault(vault)
    folder = templates(vault)
    os.symlink(outside / "secret.txt", folder / "part.md")
    (folder / "person.md").write_text("---\nname: {{ name }}\n---\n{% include 'part.md' %}\n", encoding="utf-8")
    before = vault.snapshot()
    result = vault.run("add", "Cy Gamma")
    assert result.exit_code == 1 and "symbolic link leading out of that folder" in result.stderr
    assert vault.snapshot() == before
    assert not any(SECRET in p.read_text(encoding="utf-8") for p in vault.people.glob("*.md"))


def test_a_link_inside_the_templates_folder_still_works(vault):
    small_vault(vault)
    folder = templates(vault)
    (folder / "real.md").write_text("{{ notice }}\nmine\n", encoding="utf-8")
    os.symlink("real.md", folder / "Giving.md")
    result = vault.run("build")
    assert result.exit_code == 0, result.output
    assert (vault.root / "Index" / "Giving.md").read_text(encoding="utf-8").endswith("mine\n")


def test_a_long_note_is_written_as_its_template_makes_it_line_ends_and_all(vault):
    # Many thousand pieces with characters beyond ASCII, CRLF line ends and extra trailing
    # newlines: the note is encoded a batch of pieces at a time, and must read as the whole
    # text would.
    small_vault(vault)
    (templates(vault) / "People.md").write_text(
        "{% for i in range(6000) %}Zoë {{ i }} —\r\n{% endfor %}\n\n\n", encoding="utf-8", newline=""
    )
    result = vault.run("build")
    assert result.exit_code == 0, result.output
    expected = "".join(f"Zoë {i} —\n" for i in range(6000))
    assert (vault.root / "Index" / "People.md").read_bytes() == expected.encode("utf-8")
