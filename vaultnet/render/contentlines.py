"""Content lines, as iCalendar (RFC 5545 §3.1) and vCard (RFC 6350 §3.2) share them.

A content line is ``NAME;PARAM=x:value``, ended by CRLF. A line longer than 75 octets
is folded: a CRLF and one space are put between two characters, never inside a UTF-8
sequence, and a reader removes them again. TEXT values escape ``\\``, ``,``, ``;`` and
line breaks, so no value can start a property or a component of its own.

The calendar encodes each value with icalendar (the authority on iCalendar's value
types) and folds here; the vCard writer does both here.
"""

from __future__ import annotations

LIMIT = 75  # octets in one physical line, CRLF not counted
FOLD = b"\r\n "


def fold(line: bytes, first: int = LIMIT, keep_escapes: bool = False) -> bytes:
    """One encoded content line (no CRLF), folded; every physical line at most 75 octets.

    ``first`` is the most the first physical line holds (each later one holds a space
    and 74 more). With ``keep_escapes``, a piece never ends in ``\\`` or ``^``: that
    character moves to the next piece, so that an escape (``\\,``, RFC 6868's ``^n``)
    is never cut by a fold, which some clients misread. A piece ends at the start of
    the character that would overflow it, found on the bytes (a UTF-8 continuation
    byte is 0b10xxxxxx), so folding never walks the text one character at a time.
    """
    size = len(line)
    if size <= first:
        return line
    pieces = []
    start, room = 0, first
    while size - start > room:
        end = start + room
        while line[end] & 0xC0 == 0x80:  # inside a UTF-8 sequence: cut before it
            end -= 1
        if keep_escapes and line[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        pieces.append(line[start:end])
        start, room = end, LIMIT - 1
    pieces.append(line[start:])
    return FOLD.join(pieces)


def escape_text(value: str) -> str:
    """A TEXT value: backslash, comma and semicolon escaped, every line break (CRLF, CR
    or LF) written ``\\n``."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")

