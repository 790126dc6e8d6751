"""Progress bars: on a terminal once work has taken a second, never in a pipe."""

from __future__ import annotations

import io

from vaultnet.cli import output
from vaultnet.cli.output import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bar_appears_on_a_terminal_only_after_a_second():
    screen, clock = Terminal(), Clock()
    with Progress("Reading notes", file=screen, clock=clock) as progress:
        progress(100, 1000)
        assert screen.getvalue() == ""  # quick so far: nothing
        clock.now += output.PROGRESS_AFTER
        progress(200, 1000)
        progress(1000, 1000)
    assert "Reading notes" in screen.getvalue()
    assert "100%" in screen.getvalue()


def test_work_done_within_a_second_shows_nothing():
    screen, clock = Terminal(), Clock()
    with Progress("Reading notes", file=screen, clock=clock) as progress:
        progress(1000, 1000)
        clock.now += 5  # done already: no bar for finished work
        progress(1000, 1000)
    assert screen.getvalue() == ""


def test_never_in_a_pipe():
    pipe, clock = io.StringIO(), Clock()
    with Progress("Reading notes", file=pipe, clock=clock) as progress:
        clock.now += 60
        progress(1, 1000)
        progress(1000, 1000)
    assert pipe.getvalue() == ""


def test_build_in_a_pipe_prints_no_bar(vault, monkeypatch):
    monkeypatch.setattr(output, "PROGRESS_AFTER", 0.0)
    for i in range(250):
        vault.write(f"P{i:03}", f"---\nlast_contact: 2026-01-{1 + i % 28:02}\n---\n", dedent=False)
    result = vault.run("build")
    assert result.exit_code == 0
    assert "Reading notes" not in result.output and "\r" not in result.output
    assert result.output.startswith("wrote Index/People.md\n")
