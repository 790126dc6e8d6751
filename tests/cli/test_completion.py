"""Shell completion through Click's own protocol: the shell runs ``vaultnet`` with
``_VAULTNET_COMPLETE`` and ``COMP_WORDS``/``COMP_CWORD`` set, and reads the answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = """\
import atexit, json, sys
atexit.register(lambda: print("MODULES " + json.dumps(sorted(m for m in sys.modules if m.startswith("vaultnet."))), file=sys.stderr))
from vaultnet.cli import main
main(prog_name="vaultnet")
"""


def complete(words: str, shell: str = "bash", vault=None, cwd=None) -> tuple[list[str], set[str]]:
    """What the shell gets for the last word of ``words`` (a trailing space: a new, empty word),
    and the vaultnet modules the completing process imported."""
    parts = words.split(" ")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULTNET")}
    # bash and zsh pass the index of the word being completed; fish passes the word itself.
    cword = parts[-1] if shell == "fish" else str(len(parts) - 1)
    env.update(_VAULTNET_COMPLETE=f"{shell}_complete", COMP_WORDS=words, COMP_CWORD=cword)
    if vault is not None:
        env["VAULTNET_VAULT"] = str(vault)
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=cwd, timeout=60)
    modules = next(line for line in result.stderr.splitlines() if line.startswith("MODULES "))
    return result.stdout.splitlines(), set(json.loads(modules[len("MODULES "):]))


@pytest.fixture
def people(vault):
    vault.write("Amara Okafor", "---\naliases: [Ami, Dr. O]\n---\n", dedent=False)
    vault.write("amara-2", "---\nname: Amara Lee\n---\n", dedent=False)
    vault.write("Bob", "---\nname: Bob \"Bobby\" Tables\n---\n", dedent=False)
    vault.write("Zoë Ångström", "---\n---\n", dedent=False)
    return vault


def values(lines: list[str]) -> list[str]:
    """bash answers ``type,value`` lines."""
    return [line.split(",", 1)[1] for line in lines]


def test_command_names_complete_without_importing_any_command(tmp_path):
    lines, modules = complete("vaultnet s", cwd=tmp_path)
    assert values(lines) == ["snooze", "set", "show", "serve", "stats"]
    assert not any(m.split(".")[-1] in ("record", "view", "build", "connect", "transfer", "check") for m in modules), modules
    assert "vaultnet.load.store" not in modules


def test_options_complete(tmp_path):
    assert values(complete("vaultnet due --w", cwd=tmp_path)[0]) == ["--within"]
    assert values(complete("vaultnet --no", cwd=tmp_path)[0]) == ["--no-color"]


@pytest.mark.parametrize("with_store", [True, False])
def test_person_names_aliases_and_file_names(people, with_store):
    if with_store:
        assert people.run("build").exit_code == 0  # the store is written as the vault is read
    else:
        assert not (people.root / ".vaultnet").exists()
    lines, _modules = complete("vaultnet show am", vault=people.root)
    if with_store:
        # bash inserts the text as typed: spaces and quotes get a backslash
        assert values(lines) == ["Amara\\ Lee", "Amara\\ Okafor", "amara-2", "Ami"]
    else:  # no store yet: file names only, from a walk
        assert values(lines) == ["Amara\\ Okafor", "amara-2"]
    # A word inside the name matches too, whatever the case.
    assert values(complete("vaultnet log OKA", vault=people.root)[0]) == ["Amara\\ Okafor"]


def test_zsh_and_fish_get_names_as_they_are_with_help(people):
    people.run("build")
    lines, _ = complete("vaultnet intro Bob b", shell="zsh", vault=people.root)
    assert lines == ["plain", "Bob", 'file of Bob "Bobby" Tables', "plain", 'Bob "Bobby" Tables', "_"]
    lines, _ = complete("vaultnet helped d", shell="fish", vault=people.root)
    assert lines == ["plain,Dr. O\talias of Amara Okafor"]
    lines, _ = complete("vaultnet snooze zo", shell="fish", vault=people.root)
    assert lines == ["plain,Zoë Ångström"]


def test_no_vault_no_suggestions_and_no_error(tmp_path):
    lines, _ = complete("vaultnet show a", vault=tmp_path / "missing")
    assert [line for line in lines if line] == []  # an empty answer is one empty line


def test_the_start_up_scripts_are_clicks(tmp_path):
    for shell, marker in (("bash", "complete -o nosort -F"), ("zsh", "compdef"), ("fish", "complete --no-files --command vaultnet")):
        env = {**os.environ, "_VAULTNET_COMPLETE": f"{shell}_source"}
        out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=60).stdout
        assert marker in out and "_VAULTNET_COMPLETE" in out
