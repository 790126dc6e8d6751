"""An index note from a template without the notice is known as vaultnet's by what the
store remembers; without the store, a file that already holds the new output is never
refused, and one that cannot be proven is refused with a message saying how to go on."""

from __future__ import annotations

import shutil

from tests.conftest import VaultFixture

TEMPLATE = "# My people\n{% for p in people %}- {{ p.name }}\n{% endfor %}"


def vault_with_own_template(vault):
    vault.write("Amara Okafor", "---\norg: Acme\nlast_contact: 2026-10-01\n---\n")
    vault.write("Bo Beta", "---\nlast_contact: 2026-09-01\n---\n")
    templates = vault.root / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "People.md").write_text(TEMPLATE, encoding="utf-8")
    result = vault.run("build")
    assert result.exit_code == 0, result.output
    assert "does not look like" not in result.output


def test_an_unchanged_output_builds_with_the_store_turned_off(vault, monkeypatch):
    vault_with_own_template(vault)
    monkeypatch.setenv("VAULTNET_NO_CACHE", "1")
    before = vault.snapshot()
    result = vault.run("build")
    assert result.exit_code == 0, result.output
    assert vault.snapshot() == before


def test_an_unchanged_output_builds_after_the_store_is_deleted(vault):
    vault_with_own_template(vault)
    shutil.rmtree(vault.root / ".vaultnet" / "cache")
    result = vault.run("build", "--force")
    assert result.exit_code == 0, result.output
    assert "wrote Index/People.md" not in result.stdout


def test_an_unchanged_output_builds_in_a_copy_of_the_vault(vault, tmp_path):
    vault_with_own_template(vault)
    copy = VaultFixture(tmp_path / "copy")
    shutil.copytree(vault.root, copy.root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("cache"))
    result = copy.run("build")
    assert result.exit_code == 0, result.output


def test_an_earlier_output_put_back_is_known_by_its_content(vault):
    vault_with_own_template(vault)
    people = vault.root / "Index" / "People.md"
    earlier = people.read_bytes()
    vault.write("Cy Gamma", "---\nlast_contact: 2026-09-02\n---\n")
    assert vault.run("build").exit_code == 0
    assert b"Cy Gamma" in people.read_bytes()
    people.unlink()
    people.write_bytes(earlier)  # what a git checkout of an older commit does: same bytes, new file
    result = vault.run("build")
    assert result.exit_code == 0, result.output
    assert "wrote Index/People.md" in result.stdout and b"Cy Gamma" in people.read_bytes()


def test_an_earlier_output_without_the_store_is_refused_with_the_way_on(vault, monkeypatch):
    vault_with_own_template(vault)
    people = vault.root / "Index" / "People.md"
    vault.write("Cy Gamma", "---\nlast_contact: 2026-09-02\n---\n")
    monkeypatch.setenv("VAULTNET_NO_CACHE", "1")
    before = vault.snapshot()
    result = vault.run("build")
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "Index/People.md: does not look like an index note vaultnet wrote" in message
    assert "has no record of writing these bytes" in message
    assert "delete it once and build again" in message
    assert "add {{ notice }} to the first lines of its template in .vaultnet/templates/" in message
    assert vault.snapshot() == before
    people.unlink()  # the way on the message gives
    result = vault.run("build")
    assert result.exit_code == 0, result.output
    assert b"Cy Gamma" in people.read_bytes()


def test_a_hand_edit_of_an_output_without_the_notice_is_still_refused(vault):
    vault_with_own_template(vault)
    people = vault.root / "Index" / "People.md"
    people.write_text("# My people\nmine now\n", encoding="utf-8")
    vault.write("Cy Gamma", "---\nlast_contact: 2026-09-02\n---\n")
    result = vault.run("build")
    assert result.exit_code == 1 and "Index/People.md: does not look like" in result.stderr
    assert people.read_text(encoding="utf-8") == "# My people\nmine now\n"
