"""Writing single YAML values the way a person would: plain when that reads back
the same, double-quoted (with escapes) when it would not.

Every choice is checked by parsing it back, so a name like ``Ada: the first``,
``#1 fan`` or ``[[Jane]]`` can never change meaning or break the front matter.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _printable(ch: str) -> bool:
    code = ord(ch)
    return (
        code in (0x09, 0x0A, 0x0D, 0x85)
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD and code != 0xFEFF
        or 0x10000 <= code <= 0x10FFFF
    )


def check_text(text: str, what: str = "text") -> str:
    """Refuse text that cannot be stored as UTF-8 (lone surrogates from undecodable arguments)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"the {what} holds bytes that are not valid UTF-8: {text!r}") from None
    return text


# Line breaks to YAML 1.1 (and so to PyYAML) but not to the note's line splitter: written
# raw, they would move every later line number, so the reader refuses them; escaped, they
# read back as themselves.
_YAML_BREAKS = frozenset("\x85\u2028\u2029")


def double_quoted(text: str) -> str:
    """A YAML double-quoted scalar; every non-printable character escaped."""
    out = ['"']
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif _printable(ch) and ch not in _YAML_BREAKS:
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}")
    out.append('"')
    return "".join(out)


@lru_cache(maxsize=1024)
def _reads_back(source: str, expected: str, flow: bool) -> bool:
    try:
        loaded = yaml.load(f"k: [{source}]" if flow else f"k: {source}", Loader=_LOADER)
    except (yaml.YAMLError, ValueError):  # ValueError: a date-like text that is no date (2026-13-01)
        return False
    want = [expected] if flow else expected
    return isinstance(loaded, dict) and loaded.get("k") == want and list(loaded) == ["k"]


def render(value: object, flow: bool = False) -> str:
    """One value as YAML source text, for a block (``key: …``) or flow (``[…]``) context."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or value is None or not isinstance(value, (str, int)):
        raise TypeError(f"cannot write {value!r} as a note field")
    if isinstance(value, int):
        return str(value)
    text = check_text(value)
    if text and text == text.strip() and all(_printable(c) for c in text) and "\n" not in text and "\r" not in text:
        if _reads_back(text, text, flow):
            return text
    return double_quoted(text)
