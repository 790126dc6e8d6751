"""What commands print: aligned tables, JSON, and text made safe for a terminal."""

from __future__ import annotations

import json
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


def report_problems(problems) -> None:
    for problem in problems:
        click.echo(printable(f"warning: {problem}" if not problem.fatal else f"skipped: {problem}"), err=True)


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


def table(rows: list[list[str]], headers: list[str]) -> str:
    """Columns aligned for a terminal; the last column is not padded."""
    if not rows:
        return ""
    # Column by column rather than cell by cell: ``list`` prints every person.
    columns = [[str(c) for c in column] for column in zip(headers, *rows)]
    widths = [max(map(len, column)) for column in columns]
    padded = [[c.ljust(width) for c in column] for column, width in zip(columns[:-1], widths)]
    lines = ["  ".join(cells).rstrip() for cells in zip(*padded, columns[-1])]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
