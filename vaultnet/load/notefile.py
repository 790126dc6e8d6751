"""The layout of a note's text: byte-order mark, front matter span, body, line endings.

Reader and editor share this one splitter, so the lines the loader reports in
an error are the lines the editor patches. Lines keep their endings (``\n`` or
``\r\n``): joining ``lines`` and re-adding the BOM gives back the original bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BOM = "\ufeff"
_LINE = re.compile(r"[^\n]*\n|[^\n]+")  # a line with its LF, or a last line without one
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(\s|$)")


@dataclass
class NoteText:
    """A note split into lines. ``fm_open``/``fm_close`` index the delimiter lines, or are None."""

    lines: list[str]
    bom: bool = False
    fm_open: int | None = None
    fm_close: int | None = None

    @property
    def has_front_matter(self) -> bool:
        return self.fm_open is not None

    @property
    def yaml_text(self) -> str:
        """The YAML between the delimiters; line N of it is file line N + 2 (1-based)."""
        if self.fm_open is None:
            return ""
        return "".join(self.lines[self.fm_open + 1 : self.fm_close])

    @property
    def body_start(self) -> int:
        return 0 if self.fm_close is None else self.fm_close + 1

    @property
    def newline(self) -> str:
        """The note's line ending: that of its first line, else LF."""
        for line in self.lines:
            if line.endswith("\n"):
                return "\r\n" if line.endswith("\r\n") else "\n"
        return "\n"

    def conflict_lines(self) -> list[int]:
        """1-based numbers of lines that look like git conflict markers."""
        return conflict_lines(self.lines)

    def to_text(self) -> str:
        return (BOM if self.bom else "") + "".join(self.lines)

    def to_bytes(self) -> bytes:
        return self.to_text().encode("utf-8")


def conflict_lines(lines: list[str]) -> list[int]:
    """1-based numbers of git conflict marker lines, when the text holds a conflict.

    A conflict has an opening ``<<<<<<<`` and a closing ``>>>>>>>`` line; a lone
    ``=======`` is a Markdown heading underline, not a conflict.
    """
    joined = "".join(lines)  # one C-level scan: most notes hold no 7-character run of < at all
    if "<<<<<<<" not in joined or ">>>>>>>" not in joined:
        return []
    found = [(i + 1, line[0]) for i, line in enumerate(lines) if _CONFLICT.match(line)]
    kinds = {kind for _, kind in found}
    return [number for number, _ in found] if {"<", ">"} <= kinds else []


class SplitError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def split_lines(text: str) -> list[str]:
    """Split on LF only, keeping each line's ending (CR stays with its CRLF line)."""
    return _LINE.findall(text)  # in C; a third faster than split("\n") and re-adding the endings


def _is_delimiter(line: str, closing: bool = False) -> bool:
    stripped = line.rstrip("\r\n").rstrip(" \t")
    return stripped == "---" or (closing and stripped == "...")


def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 text and whether it carried a BOM; raise SplitError naming the bad byte offset."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3:].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SplitError(f"not valid UTF-8 text (byte {exc.start}); re-save the file as UTF-8", line) from None
    return text, bom


_MAC = (
    "the note's lines end in a carriage return only (old Mac line ends), so its front matter and log cannot be "
    "told apart; re-save it with Unix (LF) or Windows (CRLF) line ends"
)


def _mac_line_ends(text: str) -> bool:
    """Whether the text's lines end in CR alone: no LF at all, or a first line (the front
    matter's ``---``) ended by a CR that no LF follows."""
    return "\r" in text and ("\n" not in text or (text[:4] == "---\r" and text[4:5] != "\n"))


def split_note(data: bytes) -> NoteText:
    """Split a note's bytes; raise SplitError for text that is not UTF-8, has CR-only line
    ends, or an unclosed front matter."""
    text, bom = decode(data)
    if "\r" in text and _mac_line_ends(text):
        # Split on LF, such a note is one long line: its front matter went unseen, and an
        # edit added a second one. Reading it as it is would mislead, so it is refused.
        raise SplitError(_MAC, 1)
    lines = split_lines(text)
    note = NoteText(lines=lines, bom=bom)
    if lines and _is_delimiter(lines[0]):
        for index in range(1, len(lines)):
            line = lines[index]
            if (line[:3] == "---" or line[:3] == "...") and _is_delimiter(line, closing=True):
                note.fm_open, note.fm_close = 0, index
                break
        else:
            if re.search(r"\r(?!\n)", text):
                raise SplitError(f"the front matter opened by '---' on line 1 is never closed: {_MAC}", 1)
            raise SplitError("the front matter opened by '---' on line 1 is never closed; add a '---' line after it", 1)
    return note
