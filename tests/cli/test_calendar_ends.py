"""Every reading command works on the first and the last days a date can hold: a pinned
``--today`` of 0001-01-01 or 9999-12-31 gives an answer or a clear refusal, never a traceback."""

from __future__ import annotations

import shutil

import pytest

from tests.support import EXAMPLES

COMMANDS = [
    ("due",), ("due", "--json"), ("list",), ("show", "amara"), ("stats",), ("stats", "--json"),
    ("match",), ("plan",), ("plan", "--json"), ("check",), ("build",),
]


@pytest.mark.parametrize("today", ["0001-01-01", "0001-02-03", "9999-12-30", "9999-12-31"])
def test_reading_commands_at_the_ends_of_the_calendar(vault, today):
    shutil.rmtree(vault.root)
    shutil.copytree(EXAMPLES, vault.root)
    for command in COMMANDS:
        result = vault.run(*command, today=today)
        assert result.exit_code in (0, 1, 2), (command, result.output, result.stderr)
        assert "Traceback" not in result.output + result.stderr, command
        if result.exit_code:
            assert "Error" in result.stderr or "error" in result.stderr, (command, result.stderr)
