"""Outputs never land on a file vaultnet did not write: config paths that overlap notes,
templates, the config or each other are refused (and reported by ``check``), a file at an
output path that is not vaultnet's is left alone, only regular files are read or replaced,
and a vanished people folder never publishes an empty feed."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from vaultnet.model.config import load_config
from vaultnet.serve import Site

from tests.conftest import TODAY

OUTPUTS = ["Index/People.md", "Index/Follow-ups.md", "Index/Giving.md", "Index/Needs and offers.md", "Index/Introductions.md", "Index/Network.md", "followups.ics"]


def small_vault(vault):
    vault.write("Amara Okafor", "---\norg: Acme\nlast_contact: 2026-10-01\n---\n# Amara\n")
    vault.write("Bo Beta", "---\nlast_contact: 2026-09-01\n---\n")


def stats(root: Path) -> dict[str, tuple[bytes, int]]:
    return {rel: ((root / rel).read_bytes(), (root / rel).stat().st_mtime_ns) for rel in OUTPUTS if (root / rel).exists()}


# --- config paths that would write over notes, the config, templates --------------------------


OVERLAPS = {
    "calendar on a note": ('calendar = "People/Amara Okafor.md"\n', ["calendar 'People/Amara Okafor.md'", "people_dir 'People'"]),
    "calendar on the config": ('calendar = "vaultnet.toml"\n', ["calendar 'vaultnet.toml'", "config file"]),
    "calendar in .git": ('calendar = ".git/config"\n', ["calendar '.git/config'", ".git"]),
    "calendar in .vaultnet": ('calendar = ".vaultnet/feed.ics"\n', ["calendar '.vaultnet/feed.ics'", ".vaultnet"]),
    "calendar on a template": ('calendar = ".vaultnet/templates/People.md"\n', ["calendar", "templates_dir '.vaultnet/templates'"]),
    "calendar on an index note": ('calendar = "Index/People.md"\n', ["calendar 'Index/People.md'", "index_dir 'Index'"]),
    "calendar is the index folder": ('calendar = "Index"\n', ["calendar 'Index'", "not a file"]),
    "index is the templates": ('index_dir = "T"\ntemplates_dir = "T"\n', ["index_dir 'T'", "templates_dir 'T'"]),
    "index in the templates": ('index_dir = "T/Index"\ntemplates_dir = "T"\n', ["index_dir 'T/Index'", "templates_dir 'T'"]),
    "templates in the people": ('templates_dir = "People/templates"\n', ["people_dir 'People'", "templates_dir 'People/templates'"]),
    "index holds the people": ('index_dir = "."\n', ["people_dir 'People'", "index_dir '.'"]),
    "index in .git": ('index_dir = ".git/Index"\n', ["index_dir '.git/Index'"]),
}


@pytest.mark.parametrize("case", sorted(OVERLAPS))
def test_overlapping_config_paths_are_refused_by_build_and_reported_by_check(vault, case):
    small_vault(vault)
    (vault.root / ".git").mkdir()
    (vault.root / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    templates = vault.root / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "People.md").write_text("{{ notice }}\nmine\n", encoding="utf-8")
    toml, words = OVERLAPS[case]
    vault.config(toml)
    before = vault.snapshot()
    result = vault.run("build", "--strict")
    assert result.exit_code == 1, result.output
    assert all(w in result.stderr for w in words), result.stderr
    assert "Nothing was written" in result.stderr
    assert vault.snapshot() == before
    result = vault.run("check")
    assert result.exit_code == 1
    assert "[config-overlap]" in result.stdout and all(w in result.stdout for w in words), result.stdout


def test_an_index_folder_linked_to_the_people_folder_is_refused(vault):
    small_vault(vault)
    vault.write("Giving", "---\norg: a person called Giving\n---\n")
    os.symlink("People", vault.root / "Index")
    before = vault.snapshot()
    result = vault.run("build", "--strict")
    assert result.exit_code == 1
    assert "index_dir 'Index' (a symbolic link to 'People') is inside people_dir 'People'" in result.stderr
    assert vault.snapshot() == before
    result = vault.run("check")
    assert result.exit_code == 1 and "index_dir 'Index' (a symbolic link to 'People')" in result.stdout
    assert "3 people" in vault.run("list").stdout  # no generated notes among them


def test_good_layouts_still_build(vault):
    small_vault(vault)
    vault.config('index_dir = "Notes/Index"\ncalendar = "Index/feed.ics"\ntemplates_dir = "Templates"\n')
    assert vault.run("build").exit_code == 0
    assert vault.run("check").exit_code == 0
    result = vault.run("build", "--force")
    assert result.exit_code == 0 and "Nothing changed" in result.stdout


# --- a file at an output path that vaultnet did not write ------------------------------------------


def test_a_calendar_path_on_a_file_that_is_not_a_feed_is_left_alone(vault):
    small_vault(vault)
    (vault.root / ".gitignore").write_text(".vaultnet/cache/\n", encoding="utf-8")
    vault.config('calendar = ".gitignore"\n')
    before = vault.snapshot()
    result = vault.run("build")
    assert result.exit_code == 1
    assert ".gitignore: is not vaultnet's calendar feed" in result.stderr and "nothing was written" in result.stderr
    assert vault.snapshot() == before  # not even the index notes


def test_a_note_of_the_user_in_the_index_folder_is_left_alone(vault):
    small_vault(vault)
    (vault.root / "Index").mkdir()
    (vault.root / "Index" / "Giving.md").write_text("# What I gave this year\n\nmy own notes\n", encoding="utf-8")
    before = vault.snapshot()
    result = vault.run("build")
    assert result.exit_code == 1
    assert "Index/Giving.md: does not look like an index note vaultnet wrote" in result.stderr
    assert vault.snapshot() == before


def test_vaultnets_own_outputs_and_empty_files_are_replaced(vault):
    small_vault(vault)
    assert vault.run("build").exit_code == 0
    people = vault.root / "Index" / "People.md"
    people.write_text(people.read_text(encoding="utf-8") + "a hand edit below the notice\n", encoding="utf-8")
    (vault.root / "followups.ics").write_bytes(b"")
    result = vault.run("build")
    assert result.exit_code == 0, result.output
    assert "wrote Index/People.md" in result.stdout and "wrote followups.ics" in result.stdout
    assert "hand edit" not in people.read_text(encoding="utf-8")


def test_a_template_without_the_notice_rebuilds_its_own_output_but_not_a_hand_edit(vault):
    small_vault(vault)
    templates = vault.root / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "Giving.md").write_text("# Giving\n{{ helped | length }}\n", encoding="utf-8")
    assert vault.run("build").exit_code == 0
    vault.write("Bo Beta", "---\nlast_contact: 2026-09-01\nhelped:\n  - 2026-09-01 a intro\n---\n")
    result = vault.run("build")
    assert result.exit_code == 0 and "wrote Index/Giving.md" in result.stdout, result.output
    giving = vault.root / "Index" / "Giving.md"
    giving.write_text("# Giving\nmine now\n", encoding="utf-8")
    vault.write("Bo Beta", "---\nlast_contact: 2026-09-01\n---\n")
    result = vault.run("build")
    assert result.exit_code == 1 and "Index/Giving.md: does not look like" in result.stderr
    assert giving.read_text(encoding="utf-8") == "# Giving\nmine now\n"


# --- only regular files are read or replaced ----------------------------------------------------------


def run_cli(vault, *args: str) -> subprocess.CompletedProcess:
    """The CLI in its own process, with a memory cap and a time limit: before these
    outputs were checked, a FIFO made it wait forever and /dev/zero read until memory ran out."""

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    env = {k: v for k, v in os.environ.items() if k != "VAULTNET_VAULT"}
    return subprocess.run(
        [sys.executable, "-m", "vaultnet", "--vault", str(vault.root), "--today", TODAY, *args],
        capture_output=True, text=True, timeout=120, preexec_fn=cap, env=env,
    )


def test_a_fifo_at_the_calendar_path_is_refused(vault):
    small_vault(vault)
    os.mkfifo(vault.root / "followups.ics")
    result = run_cli(vault, "build")
    assert result.returncode == 1
    assert "followups.ics: is a FIFO (named pipe), not a file vaultnet wrote" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (vault.root / "Index").exists()


def test_a_link_to_a_device_at_an_index_path_is_refused(vault):
    small_vault(vault)
    (vault.root / "Index").mkdir()
    os.symlink("/dev/zero", vault.root / "Index" / "People.md")
    result = run_cli(vault, "build")
    assert result.returncode == 1
    assert "Index/People.md: is a symbolic link, not a file vaultnet wrote" in result.stderr
    assert "Traceback" not in result.stderr
    assert os.readlink(vault.root / "Index" / "People.md") == "/dev/zero"


def test_a_link_to_a_note_at_an_index_path_is_not_written_through(vault):
    small_vault(vault)
    (vault.root / "Index").mkdir()
    os.symlink("../People/Amara Okafor.md", vault.root / "Index" / "Giving.md")
    before = vault.snapshot()
    result = vault.run("build")
    assert result.exit_code == 1 and "is a symbolic link" in result.stderr
    assert vault.snapshot() == before


def test_a_folder_at_the_calendar_path_is_refused(vault):
    small_vault(vault)
    (vault.root / "followups.ics").mkdir()
    result = vault.run("build")
    assert result.exit_code == 1 and "followups.ics: is a folder" in result.stderr
    assert not (vault.root / "Index").exists()


def test_an_output_write_failure_speaks_of_the_output_not_a_note(vault, monkeypatch):
    small_vault(vault)
    assert vault.run("build").exit_code == 0
    vault.write("Bo Beta", "---\nlast_contact: 2026-11-01\n---\n")

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    result = vault.run("build")
    assert result.exit_code == 1
    assert "the disk is full; the output file was left as it was" in result.stderr
    assert "the note was left" not in result.stderr


# --- a vanished people folder ------------------------------------------------------------------------------


def test_a_vanished_people_folder_is_refused_and_the_outputs_kept(vault):
    small_vault(vault)
    assert vault.run("build").exit_code == 0
    before = stats(vault.root)
    vault.people.rename(vault.root / "People moved")
    for args in (("build",), ("build", "--strict"), ("build", "--force")):
        result = vault.run(*args)
        assert result.exit_code == 1
        assert "the people folder 'People' is missing" in result.stderr
        assert "outputs were left as they were" in result.stderr
        assert stats(vault.root) == before


def test_serve_keeps_the_last_outputs_while_the_people_folder_is_gone(vault):
    small_vault(vault)
    logs: list[str] = []
    site = Site(load_config(vault.root), today=lambda: __import__("datetime").date(2026, 11, 23), log=logs.append)
    site.refresh()
    served = {path: f.data for path, f in site.files.items()}
    assert b"Amara" in served["/followups.ics"]
    before = stats(vault.root)
    vault.people.rename(vault.root / "People moved")
    site.refresh()
    assert {path: f.data for path, f in site.files.items()} == served
    assert any("people folder 'People' is missing" in line for line in logs)
    assert stats(vault.root) == before


# --- the last day of the calendar, and labels ----------------------------------------------------------


def test_a_today_at_the_end_of_the_calendar_is_a_clear_error(vault):
    small_vault(vault)
    result = vault.run("build", today="9999-12-31")
    assert result.exit_code == 1
    assert "run past 9999-12-31" in result.stderr and "earlier --today" in result.stderr
    assert not (vault.root / "Index").exists() and not (vault.root / "followups.ics").exists()
    assert vault.run("build", today="9999-09-01").exit_code == 0  # a horizon that still fits


def test_a_lt_in_a_name_is_escaped_in_wikilink_labels(vault):
    vault.write("Ann Alpha", "---\nname: Ann <b>Alpha</b>\norg: Acme\n---\n")
    assert vault.run("build").exit_code == 0
    people = (vault.root / "Index" / "People.md").read_text(encoding="utf-8")
    assert "[[Ann Alpha\\|Ann \\<b>Alpha\\</b>]]" in people  # in a table cell
    assert "[[Ann Alpha|Ann \\<b>Alpha\\</b>]]" in people  # in a list item
    assert people.count("<") == people.count("\\<")  # every one escaped
