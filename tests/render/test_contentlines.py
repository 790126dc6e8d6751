"""Content lines (``render.contentlines``): folding and TEXT escaping, held to icalendar's own
and to the plain definitions on hostile text."""

from __future__ import annotations

import re

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser import Contentline

from vaultnet.render.contentlines import LIMIT, escape_text, fold

# What folding must not cut (multi-octet characters, an escape's backslash, RFC 6868's
# caret), what TEXT escapes, and plain letters to vary the place of every fold.
PIECES = st.one_of(
    st.sampled_from(list("\\;,^:\"\ufeff\u2028\x00\x7f") + ["\\n", "é", "€", "😀", "👩‍👩‍👧", "\u0301"]),
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"),
    st.sampled_from(list("abcxyz ")),
)
LINES = st.lists(PIECES, max_size=200).map("".join)


def reference_fold(line: str) -> bytes:
    """The plain definition, one character at a time: a physical line takes characters while
    it stays within 75 octets, its leading space counted."""
    parts, current, size, limit = [], [], 0, 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74
        current.append(ch)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts).encode("utf-8")


def physical_lines_fit(folded: bytes, original: bytes) -> None:
    assert folded.replace(b"\r\n ", b"") == original
    for line in folded.split(b"\r\n"):
        assert len(line) <= LIMIT
        line.decode("utf-8")  # no UTF-8 sequence is cut


@settings(max_examples=400, deadline=None)
@given(text=LINES)
def test_fold_is_the_plain_definition(text):
    data = text.encode("utf-8")
    folded = fold(data)
    assert folded == reference_fold(text)
    physical_lines_fit(folded, data)


@settings(max_examples=400, deadline=None)
@given(text=LINES)
def test_fold_as_icalendar_is_icalendar_s_folding(text):
    data = text.encode("utf-8")
    folded = fold(data, first=LIMIT - 1, keep_escapes=True)
    assert folded == Contentline(text).to_ical()
    physical_lines_fit(folded, data)


@settings(max_examples=200, deadline=None)
@given(prefix=st.integers(0, 80), unit=st.sampled_from(["é", "€", "😀", "\\", "^", "\\,", "a"]), count=st.integers(1, 120))
def test_every_fold_point(prefix, unit, count):
    """Runs of one awkward character after every prefix length, so each falls at every
    position of a fold (hypothesis alone rarely lines them up)."""
    text = "p" * prefix + unit * count
    data = text.encode("utf-8")
    assert fold(data) == reference_fold(text)
    assert fold(data, first=LIMIT - 1, keep_escapes=True) == Contentline(text).to_ical()


def test_a_short_line_is_left_alone():
    assert fold(b"x" * 75) == b"x" * 75
    assert fold(b"x" * 76) == b"x" * 75 + b"\r\n x"
    assert fold(b"x" * 74, first=74) == b"x" * 74
    assert fold(b"x" * 75, first=74) == b"x" * 74 + b"\r\n x"


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.one_of(PIECES, st.sampled_from(["\r", "\n", "\r\n", "\\N"])), max_size=60).map("".join))
def test_text_escaping_is_icalendar_s_and_reads_back(text):
    """The same TEXT escaping as icalendar's ``vText`` (except that icalendar first reads
    ``\\N`` as a line break, a quirk of its own), and a reader unescaping it gets the text
    back, every line break as LF."""
    escaped = escape_text(text)
    if "\\N" not in text:
        assert escaped == icalendar.vText(text).to_ical().decode("utf-8")
    assert "\n" not in escaped and "\r" not in escaped
    unescaped = re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), escaped)
    assert unescaped == text.replace("\r\n", "\n").replace("\r", "\n")
