"""File names for people: safe on every file system and inside ``[[wikilinks]]``.

The display name is kept in the note's ``name`` field whenever the file name had
to differ from it, so nothing the user typed is lost.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters a file name must not hold: unsafe on some file system or inside a [[wikilink]].
UNSAFE_CHARACTERS = re.compile(r'[/\\:*?"<>|#^\[\]\x00-\x1f\x7f-\x9f]')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
MAX_BYTES = 200  # well under the 255-byte limit of common file systems, leaving room for ".md"


def safe_stem(name: str) -> str:
    """The file name (without ``.md``) for a person's display name."""
    text = unicodedata.normalize("NFC", name)
    text = re.sub(r"\s+", " ", text).strip()  # newlines and tabs become plain spaces first
    text = UNSAFE_CHARACTERS.sub("-", text)
    text = re.sub(r"-{2,}", "-", text)
    text = text.lstrip(". -").rstrip(". ")
    while len(text.encode("utf-8")) > MAX_BYTES:
        text = text[:-1].rstrip(". ")
    if not text or text.strip("-") == "":
        text = "Unnamed"
    if text.split(".")[0].lower() in _RESERVED:
        text += "_"
    return text


def nfc_casefold(text: str) -> str:
    """The form file names are compared in: NFC and case-folded (what macOS and Windows
    treat as one name). Unlike ``normalise``, whitespace is kept as it is: ``a  b.md``
    and ``a b.md`` are two files everywhere."""
    return unicodedata.normalize("NFC", text).casefold()


@lru_cache(maxsize=1 << 17)  # bounded, for a long-running ``serve``
def normalise(text: str) -> str:
    """The form names are compared in: NFC, case-folded, runs of whitespace made one space.

    Remembered: the introduction graph, lint and matching compare every name, file name
    and alias of a vault several times each. ``str.split`` splits on exactly the
    characters ``re``'s ``\\s`` matches, so joining the parts with one space collapses
    runs of whitespace and strips the ends.
    """
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()
