"""The note's text split the plain way (``vaultnet.load.notefile`` does it in fewer steps)."""

from __future__ import annotations

import re

# a git conflict marker line: seven of one marker character, then a space or the line's end
CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(\s|$)")


def split_lines(text: str) -> list[str]:
    """Split on LF only, each line keeping its ending."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def conflict_lines(lines: list[str]) -> list[int]:
    """1-based numbers of the conflict marker lines, when both an opening and a closing one exist."""
    found = [(i + 1, line[0]) for i, line in enumerate(lines) if CONFLICT.match(line)]
    kinds = {kind for _, kind in found}
    return [number for number, _ in found] if {"<", ">"} <= kinds else []


def front_matter_span(lines: list[str]) -> tuple[int, int] | None | str:
    """The indexes of the opening and closing delimiter lines; None without front matter;
    ``"unclosed"`` when it is opened and never closed."""

    def delimiter(line: str, closing: bool = False) -> bool:
        stripped = line.rstrip("\r\n").rstrip(" \t")
        return stripped == "---" or (closing and stripped == "...")

    if lines and delimiter(lines[0]):
        for index in range(1, len(lines)):
            if delimiter(lines[index], closing=True):
                return 0, index
        return "unclosed"
    return None
