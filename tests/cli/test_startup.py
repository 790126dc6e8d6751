"""Start-up stays light: heavy libraries are imported only by the commands that use them.

Each check runs in a fresh interpreter and inspects ``sys.modules`` after the CLI ran, so
it fails the moment someone adds a top-level ``import jinja2`` to a module on the path
(no timing assertion, which would be flaky on a busy machine; the benchmark times it).
"""

from __future__ import annotations

import time

import pytest

from tests.support import imported_by

HEAVY = ("jinja2", "icalendar", "vobject")
PARSERS = ("yaml", "frontmatter")  # needed to parse notes, never to print help
RECORDS = ("msgspec",)  # needed to read or write whole records, never for help or a warm due

def test_importing_the_cli_loads_no_heavy_library_and_no_yaml():
    modules = imported_by(None)
    assert "click" in modules  # the probe works
    assert not modules & {*HEAVY, *PARSERS, *RECORDS}


def test_help_loads_no_heavy_library_and_no_yaml():
    modules = imported_by(["--help"])
    assert "vaultnet" in modules
    assert not modules & {*HEAVY, *PARSERS, *RECORDS}


def test_help_imports_no_command_module():
    """The command table carries each command's one-line help, so listing them imports none."""
    from vaultnet.cli import COMMANDS

    modules = imported_by(["--help"], prefix="VAULTNET ")
    assert "vaultnet.cli" in modules and "vaultnet.cli.context" in modules  # the probe works
    commands = {entry.target.split(":")[0] for entry in COMMANDS.values()}
    assert len(commands) >= 5 and not modules & commands


def test_the_command_table_names_each_command_and_its_help():
    from vaultnet.cli import COMMANDS, main

    for name, entry in COMMANDS.items():
        command = main.get_command(None, name)
        assert command is not None and command.name == name, name
        assert entry.short_help and entry.short_help.endswith("."), name
        assert command.short_help is None, f"{name}: its one-line help belongs in COMMANDS only"


@pytest.mark.parametrize("command", ["due", "list", "show", "log", "build", "import", "export", "check"])
def test_a_command_help_loads_no_heavy_library(command):
    assert not imported_by([command, "--help"]) & set(HEAVY)


@pytest.mark.parametrize("command", [["due"], ["list"], ["show", "Jane"]])
def test_reading_commands_load_no_heavy_library(vault, command):
    vault.write("Jane Doe", "---\nlast_contact: 2026-01-01\n---\n")
    argv = ["--vault", str(vault.root), "--today", "2026-11-23", *command]
    assert not imported_by(argv) & set(HEAVY)
    assert not imported_by(argv) & set(HEAVY)  # again, from the cache


def test_a_warm_run_does_not_import_the_yaml_parser_nor_the_record_decoder(vault, monkeypatch):
    from vaultnet.load import store
    vault.write("Jane Doe", "---\nlast_contact: 2026-01-01\n---\n")
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)  # trust a note written just now
    time.sleep(0.05)  # past the file time granularity
    assert vault.run("due").exit_code == 0  # parses the note, writes the cache
    for command in ("due", "list"):
        modules = imported_by(["--vault", str(vault.root), "--today", "2026-11-23", command])
        assert "vaultnet" in modules and not modules & {*PARSERS, *RECORDS}
    modules = imported_by(["--vault", str(vault.root), "--today", "2026-11-23", "due", "--json"])
    assert "msgspec" in modules and not modules & set(PARSERS)  # the probe sees a decoder at work
