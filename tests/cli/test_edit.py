"""`vaultnet edit PERSON` with a fake editor that records how it was called; the Obsidian link of `show`."""

from __future__ import annotations

import json
import shlex
import stat
import sys
from pathlib import Path

import pytest


@pytest.fixture
def editor(tmp_path):
    """A fake editor (in a folder with a space in its name) that records its arguments."""
    folder = tmp_path / "my tools"
    folder.mkdir()
    script = folder / "fake editor"
    record = tmp_path / "calls.json"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(record)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "sys.exit(int(__import__('os').environ.get('FAKE_STATUS', '0')))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)

    def calls() -> list[list[str]]:
        return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []

    return shlex.quote(str(script)), calls


@pytest.fixture
def amara(vault):
    vault.write("Amara Okafor", "---\naliases: [Ami]\n---\n", dedent=False)
    vault.write("Odd $(touch pwned) 'name'", "---\nname: Odd\n---\n", dedent=False)
    return vault


def test_edit_opens_the_note_with_the_editors_own_arguments(amara, editor, monkeypatch):
    command, calls = editor
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{command} -w --new-window")
    result = amara.run("edit", "ami")
    assert result.exit_code == 0, result.output
    assert calls() == [["-w", "--new-window", str(amara.root / "People" / "Amara Okafor.md")]]
    assert result.output == ""


def test_visual_wins_over_editor(amara, editor, monkeypatch):
    command, calls = editor
    monkeypatch.setenv("VISUAL", f"{command} --visual")
    monkeypatch.setenv("EDITOR", "false")
    assert amara.run("edit", "Amara Okafor").exit_code == 0
    assert calls()[0][0] == "--visual"


def test_a_file_name_is_one_argument_never_a_command(amara, editor, monkeypatch, tmp_path):
    command, calls = editor
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", command)
    assert amara.run("edit", "Odd").exit_code == 0
    assert calls() == [[str(amara.root / "People" / "Odd $(touch pwned) 'name'.md")]]
    assert not list(Path.cwd().glob("pwned")) and not list(tmp_path.rglob("pwned"))


def test_without_an_editor_the_path_is_printed(amara, monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    result = amara.run("edit", "amara")
    assert result.exit_code == 0
    assert result.output == f"{amara.root / 'People' / 'Amara Okafor.md'}\n"


def test_path_option_prints_even_with_an_editor(amara, editor, monkeypatch):
    command, calls = editor
    monkeypatch.setenv("EDITOR", command)
    result = amara.run("edit", "amara", "--path")
    assert result.output == f"{amara.root / 'People' / 'Amara Okafor.md'}\n"
    assert calls() == []


def test_a_failing_or_missing_editor_is_a_clear_error(amara, editor, monkeypatch):
    command, _calls = editor
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", command)
    monkeypatch.setenv("FAKE_STATUS", "3")
    result = amara.run("edit", "amara")
    assert result.exit_code == 1
    assert "exited with status 3" in result.stderr
    monkeypatch.setenv("EDITOR", "no-such-editor-anywhere --wait")
    result = amara.run("edit", "amara")
    assert result.exit_code == 1
    assert "cannot start the editor 'no-such-editor-anywhere'" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_an_unknown_person_is_a_usage_error(amara, monkeypatch):
    monkeypatch.setenv("EDITOR", "true")
    assert amara.run("edit", "Nobody Here").exit_code == 2


def test_show_links_into_obsidian_only_in_an_obsidian_vault(amara):
    assert "obsidian://" not in amara.run("show", "amara").output
    assert "obsidian_url" not in json.loads(amara.run("show", "amara", "--json").output)
    vault_dir = amara.root.parent / "My Vault & Co"
    amara.root.rename(vault_dir)
    amara.root = vault_dir
    (vault_dir / ".obsidian").mkdir()
    url = "obsidian://open?vault=My%20Vault%20%26%20Co&file=People%2FAmara%20Okafor.md"
    assert amara.run("show", "amara").output.splitlines()[1] == f"  {url}"
    assert json.loads(amara.run("show", "amara", "--json").output)["obsidian_url"] == url
