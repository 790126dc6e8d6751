"""Splitting a note's text (``load.notefile``): lines, conflict markers and the front
matter's delimiters, each held to the plain version in ``tests/reference/notefile.py`` on
text hypothesis builds from the pieces that matter: line endings, delimiters, conflict
markers, control characters, dated log lines and invalid dates.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet.load.notefile import conflict_lines, split_lines, split_note
from vaultnet.load.vault import parse_note

from tests.reference import notefile as reference

PIECES = st.sampled_from([
    "\n", "\r\n", "\r", "---", "...", "--- ", "---\t", "----", " ---", "<<<<<<<", ">>>>>>>", "=======", "|||||||",
    "<<<<<<< HEAD", ">>>>>>> branch", "## Log", "## log ##", "# Title", "### Sub", "```", "~~~", "- ", "* ", "+ ",
    "[x] ", "2026-11-20", "2026-02-30", "2026-13-01", "9999-12-31", " coffee: talked", "x", "é", "\x1b[31m", "\u202e",
    "\x07", "\u2028", "\x85", "\x1c", " ", "\t", "name: Ada", "\ufeff",
])
TEXTS = st.lists(PIECES, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_lines_split_as_before(text):
    assert split_lines(text) == reference.split_lines(text)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_conflicts_found_as_before(text):
    lines = reference.split_lines(text)
    assert conflict_lines(lines) == reference.conflict_lines(lines)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_front_matter_found_as_before(text):
    # a byte-order mark is not part of the text: the note is read, and written back, without it
    expected = reference.front_matter_span(reference.split_lines(text.removeprefix("\ufeff")))
    plain = text.removeprefix("\ufeff")
    # CR-only (old Mac) line ends are refused: no LF at all, or a '---' opening ended by a lone CR
    mac = "\r" in plain and ("\n" not in plain or re.match(r"---\r(?!\n)", plain) is not None)
    try:
        note = split_note(text.encode("utf-8"))
    except ValueError:
        assert expected == "unclosed" or mac
        return
    assert not mac
    assert (None if note.fm_open is None else (note.fm_open, note.fm_close)) == expected


def test_a_crlf_note_with_a_conflict_and_a_bad_log_date_reports_both():
    text = "---\r\nname: Ann\r\n---\r\n## Log\r\n- 2026-02-30 call\r\n- 2026-01-02 lunch\r\n<<<<<<< HEAD\r\n=======\r\n>>>>>>> b\r\n"
    person, problems = parse_note("People/Ann.md", text.encode())
    assert [entry.text for entry in person.log] == ["lunch"]
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [(5, "log line"), (7, "git conflict markers found; resolve the merge, then vaultnet will write to this note again")]
