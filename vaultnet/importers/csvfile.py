"""CSV rows with the file line each one starts on, and header lookups by column name.

Both CSV sources are read by column *name*, never by position: LinkedIn and
Google have each changed their columns over the years, and Google's number of
numbered groups (``E-mail 1 - Value``, ``E-mail 2 - Value`` …) depends on the
data exported.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Iterator

from ..load.vault import MAX_NOTE_BYTES

# Lines end in CRLF in both exports; a lone CR or LF is accepted too.
LINE_END = re.compile(r"\r\n|\n|\r")


def physical_lines(text: str) -> list[str]:
    """The file's lines without their endings (``str.splitlines`` would also split on
    Unicode separators that may sit inside a name)."""
    lines = LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _allow_long_fields() -> None:
    """Let a field be as long as a note may be.

    The csv module refuses fields over 131,072 characters by default; a long Notes cell
    is legitimate, and a field too long for any note is refused with a clear message.
    The limit is process-wide and only ever raised here.
    """
    if csv.field_size_limit() < MAX_NOTE_BYTES:
        csv.field_size_limit(MAX_NOTE_BYTES)


def error_text(exc: csv.Error) -> str:
    """The csv module's complaint in the user's terms."""
    if "field larger than field limit" in str(exc):
        return f"a field is longer than {MAX_NOTE_BYTES // 1048576} MiB, more than a note may hold"
    return f"not valid CSV ({exc})"


def parse_line(line: str) -> list[str]:
    """One physical line as CSV cells (for files whose fields never hold line breaks);
    raises ``csv.Error`` (see ``error_text``) when the line cannot be read."""
    _allow_long_fields()
    return next(csv.reader([line]), [])


def records(text: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """``(first line, cells, None)`` for each record (which may span lines inside quotes),
    or ``(line, None, error)`` when the CSV module gives up; reading stops there."""
    _allow_long_fields()
    reader = csv.reader(io.StringIO(text, newline=""))
    consumed = 0
    while True:
        start = consumed + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, None, f"{error_text(exc)}; reading stopped here"
            return
        consumed = reader.line_num
        yield start, row, None


def header_index(cells: list[str]) -> dict[str, int]:
    """Column name (case-folded, trimmed) to its position; the first of duplicates wins."""
    index: dict[str, int] = {}
    for position, cell in enumerate(cells):
        index.setdefault(cell.strip().lstrip("\ufeff").casefold(), position)
    return index


class Row:
    """One record's cells, looked up by column name."""

    def __init__(self, header: dict[str, int], cells: list[str]):
        self.header = header
        self.cells = cells

    def get(self, *names: str) -> str:
        """The first non-empty value among the named columns ('' when none)."""
        for name in names:
            position = self.header.get(name.casefold())
            if position is not None and position < len(self.cells) and self.cells[position].strip():
                return self.cells[position]
        return ""

    def numbered(self, pattern: re.Pattern[str]) -> list[str]:
        """Values of every column whose name matches ``pattern`` (its group 1 is the number), in number order."""
        found = []
        for name, position in self.header.items():
            match = pattern.match(name)
            if match and position < len(self.cells) and self.cells[position].strip():
                found.append((int(match.group(1)), position, self.cells[position]))
        return [value for _n, _p, value in sorted(found)]


def split_multi(value: str) -> list[str]:
    """Google joins several values in one cell with `` ::: ``."""
    return [part.strip() for part in value.split(":::") if part.strip()]
