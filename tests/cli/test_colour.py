"""Colour on a terminal, never in a pipe: NO_COLOR and --no-color turn it off everywhere."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from vaultnet.cli import main

ESC = "\x1b["
RED, YELLOW, DIM, BOLD = "\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[1m"


@pytest.fixture
def mixed(vault):
    vault.write("Late", "---\nfollow_up: 2026-11-01\n---\n", dedent=False)  # overdue
    vault.write("Now", "---\nfollow_up: 2026-11-23\n---\n", dedent=False)  # due today
    vault.write("Soon", "---\nfollow_up: 2026-11-30\n---\n", dedent=False)  # planned, later
    vault.write("Bad", "---\nlast_contact: 2026-13-45\n---\n", dedent=False)  # a warning, an error in check
    return vault


def run(vault, *args, color: bool, env: dict | None = None):
    return CliRunner().invoke(main, ["--vault", str(vault.root), "--today", "2026-11-23", *args], color=color, env=env)


def test_due_colours_each_state_on_a_terminal(mixed):
    out = run(mixed, "due", "--within", "2w", color=True).output
    lines = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert f"{RED}22d overdue" in lines["Late"]
    assert f"{YELLOW}today" in lines["Now"]
    assert f"{DIM}in 7d" in lines["Soon"]
    # The colour codes do not move the columns: without them the table is what a pipe gets.
    assert strip(out) == run(mixed, "due", "--within", "2w", color=False).output


def strip(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.parametrize("args", [("due", "--within", "2w"), ("list",), ("show", "Late"), ("check",), ("stats",), ("build",)])
def test_no_escape_code_reaches_a_pipe(mixed, args):
    result = run(mixed, *args, color=False)
    assert ESC not in result.output
    assert ESC not in result.stderr


@pytest.mark.parametrize("how", ["env", "option"])
@pytest.mark.parametrize("args", [("due", "--within", "2w"), ("list",), ("show", "Late"), ("check",)])
def test_no_color_wins_over_a_terminal(mixed, args, how):
    assert ESC in run(mixed, *args, color=True).output  # there is colour to take away
    if how == "env":
        result = run(mixed, *args, color=True, env={"NO_COLOR": "1"})
    else:
        result = run(mixed, "--no-color", *args, color=True)
    assert ESC not in result.output


def test_an_empty_no_color_is_not_set(mixed):
    assert RED in run(mixed, "due", color=True, env={"NO_COLOR": ""}).output


def test_check_colours_errors_red_and_warnings_yellow(mixed):
    out = run(mixed, "check", color=True).output
    assert f"{RED}error" in out
    assert f"{BOLD}People/Bad.md" in out


def test_problems_and_errors_on_stderr_are_coloured_too(mixed):
    result = run(mixed, "due", color=True)
    assert f"{YELLOW}warning{ESC}0m: People/Bad.md" in result.stderr
    result = run(mixed, "show", "Nobody At All", color=True)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{RED}Error{ESC}0m: ")
    assert ESC not in run(mixed, "show", "Nobody At All", color=False).stderr


def test_a_real_process_writing_to_a_pipe_prints_no_colour(mixed):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    for args in (["due", "--within", "2w"], ["list"], ["show", "Late"], ["check"], ["show", "Nobody"]):
        result = subprocess.run(
            [sys.executable, "-m", "vaultnet", "--vault", str(mixed.root), "--today", "2026-11-23", *args],
            capture_output=True, text=True, env=env, timeout=60,
        )
        assert result.stdout or result.stderr
        assert ESC not in result.stdout + result.stderr
