"""What commands print: aligned tables, JSON, text made safe for a terminal, and its colours.

Colour: ``colour_allowed`` is the one place that decides against it (``--no-color``, or
``NO_COLOR`` set to anything, as https://no-color.org asks); the command group then sets
``ctx.color = False``. Otherwise Click decides: styles reach a terminal and are stripped
from a pipe or a file. Commands style text with ``click.style`` through the helpers
here, so what a state looks like (overdue red, due today yellow, later dim) is said once.
"""

from __future__ import annotations

import json
import os
from itertools import repeat
from datetime import date
from typing import Any

import click

from ..model.durations import Duration


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (a newline or an escape code in a
    file name, say) are shown as escapes instead of forging lines or colours."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def colour_allowed(no_color_option: bool) -> bool:
    """False when colour is refused (``--no-color``, or ``NO_COLOR`` set and not empty);
    True leaves it to Click: on for a terminal, off for a pipe."""
    return not (no_color_option or os.environ.get("NO_COLOR"))


ERROR_STYLE = {"fg": "red"}
WARNING_STYLE = {"fg": "yellow"}
OVERDUE_STYLE = {"fg": "red"}
TODAY_STYLE = {"fg": "yellow"}
LATER_STYLE = {"dim": True}


def styles_kept() -> bool:
    """Whether ``click.echo`` keeps the styles of what it prints on standard output (a
    terminal, or colour forced on), decided as Click decides it; when it strips them, a
    long table is not styled cell by cell only to have every style taken out again."""
    try:
        from click._compat import _default_text_stdout, should_strip_ansi
        from click.globals import resolve_color_default
    except ImportError:  # another Click: style, and let it decide
        return True
    stream = _default_text_stdout()
    return stream is None or not should_strip_ansi(stream, resolve_color_default(None))


def due_style(days_overdue: int) -> dict:
    """The style of a follow-up ``days_overdue`` days past (negative: still to come)."""
    if days_overdue > 0:
        return OVERDUE_STYLE
    return TODAY_STYLE if days_overdue == 0 else LATER_STYLE


def report_problems(problems) -> None:
    for problem in problems:
        if problem.fatal:
            click.echo(click.style("skipped", **ERROR_STYLE) + ": " + printable(str(problem)), err=True)
        else:
            click.echo(click.style("warning", **WARNING_STYLE) + ": " + printable(str(problem)), err=True)


def to_json(value: Any) -> str:
    """JSON with dates as ISO text, durations as their spelling; stable key order as built."""
    def default(obj: Any) -> Any:
        if isinstance(obj, date):
            return obj.isoformat()
        if isinstance(obj, Duration):
            return str(obj)
        if isinstance(obj, (set, frozenset, tuple)):
            return list(obj)
        return str(obj)

    return json.dumps(value, indent=2, ensure_ascii=False, default=default)


def table(rows: list[list[str]], headers: list[str], styles: dict[tuple[int, int], dict] | None = None) -> str:
    """Columns aligned for a terminal; the last column is not padded.

    ``styles``: ``click.style`` arguments by (row, column), applied after padding so
    colour never upsets the alignment."""
    if not rows:
        return ""
    # Column by column, each through ``map`` rather than cell by cell: ``list`` prints every person.
    columns = [list(map(str, column)) for column in zip(headers, *rows)]
    widths = [max(map(len, column)) for column in columns]
    padded = [list(map(str.ljust, column, repeat(width))) for column, width in zip(columns[:-1], widths)]
    if styles:
        padded.append(columns[-1])
        for (row, column), style in styles.items():
            cell = padded[column][row + 1]
            text = cell.rstrip(" ")
            padded[column][row + 1] = click.style(text, **style) + cell[len(text):]
        columns = padded
        padded = padded[:-1]
    lines = list(map(str.rstrip, map("  ".join, zip(*padded, columns[-1]))))
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: int, top: int, width: int = 24) -> str:
    """``value`` as a bar of Unicode blocks, ``width`` characters standing for ``top``
    (to an eighth of a character); padded to ``width``, so bars of a chart line up.
    A value above nothing gets at least a sliver."""
    if top <= 0 or value <= 0:
        return " " * width
    eighths = max(1, round(value * width * 8 / top))
    full, part = divmod(min(eighths, width * 8), 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width)


def bar_chart(rows: list[tuple[str, list[int]]], width: int = 24) -> list[str]:
    """Lines of ``label  bar  value`` (one bar per value, scaled to the largest of all)."""
    top = max((v for _label, values in rows for v in values), default=0)
    label_width = max((len(label) for label, _v in rows), default=0)
    lines = []
    for label, values in rows:
        cells = "  ".join(f"{bar(v, top, width)} {v:>{len(str(top))}}" for v in values)
        lines.append(f"{label.ljust(label_width)}  {cells}")
    return lines


PROGRESS_AFTER = 1.0  # seconds of work before a progress bar is worth showing


class Progress:
    """A progress bar that appears only on a terminal and only once the work has taken
    ``PROGRESS_AFTER`` seconds (quick work stays quiet); nothing at all in a pipe or a CI log.

    Call it as ``progress(done, total)``; use it as a context manager so the bar is closed.
    """

    def __init__(self, label: str, file=None, clock=None):
        import sys
        import time

        self.label = label
        self.file = file if file is not None else sys.stdout
        self.clock = clock or time.monotonic
        self.started = self.clock()
        self.bar = None
        self.shown = 0
        try:
            self.enabled = bool(self.file.isatty())
        except (AttributeError, ValueError, OSError):
            self.enabled = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if done >= total or self.clock() - self.started < PROGRESS_AFTER:
                return
            self.bar = click.progressbar(length=total, label=self.label, file=self.file)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
            self.bar = None
