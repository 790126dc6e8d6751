"""The per-note parser's short cuts (issue 6) answer as the plain code they replaced.

Each short cut is compared with a reference written the straightforward way (the
code as it was before it was made faster), on text hypothesis builds from the
pieces that matter to it: line endings, delimiters, conflict markers, control
characters, dated log lines and invalid dates.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet.model.errors import Problem
from vaultnet.load.vault import parse_note
from vaultnet.load.notefile import _CONFLICT, conflict_lines, split_lines, split_note
from vaultnet.model.person import (
    _read_log,
    _texts,
    _visible,
    find_log_section,
    parse_log_line,
)

PIECES = st.sampled_from([
    "\n", "\r\n", "\r", "---", "...", "--- ", "---\t", "----", " ---", "<<<<<<<", ">>>>>>>", "=======", "|||||||",
    "<<<<<<< HEAD", ">>>>>>> branch", "## Log", "## log ##", "# Title", "### Sub", "```", "~~~", "- ", "* ", "+ ",
    "[x] ", "2026-11-20", "2026-02-30", "2026-13-01", "9999-12-31", " coffee: talked", "x", "é", "\x1b[31m", "\u202e",
    "\x07", "\u2028", "\x85", "\x1c", " ", "\t", "name: Ada", "\ufeff",
])
TEXTS = st.lists(PIECES, max_size=40).map("".join)


def reference_split_lines(text: str) -> list[str]:
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def reference_conflict_lines(lines: list[str]) -> list[int]:
    found = [(i + 1, line[0]) for i, line in enumerate(lines) if _CONFLICT.match(line)]
    kinds = {kind for _, kind in found}
    return [number for number, _ in found] if {"<", ">"} <= kinds else []


def reference_front_matter_span(lines: list[str]) -> tuple[int, int] | None | str:
    def delimiter(line: str, closing: bool = False) -> bool:
        stripped = line.rstrip("\r\n").rstrip(" \t")
        return stripped == "---" or (closing and stripped == "...")

    if lines and delimiter(lines[0]):
        for index in range(1, len(lines)):
            if delimiter(lines[index], closing=True):
                return 0, index
        return "unclosed"
    return None


def reference_read_log(path: str, body: list[str], body_line: int):
    section = find_log_section(body)
    if section is None:
        return (), []
    entries, problems = [], []
    for index in range(section[0] + 1, section[1]):
        try:
            entry = parse_log_line(body[index])
        except ValueError as exc:
            problems.append(Problem(path, f"log line: {exc}", body_line + index))
            continue
        if entry:
            entries.append(_visible(entry))
    return tuple(entries), problems


def reference_visible(value):
    control = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
    if isinstance(value, str):
        return " ".join(control.sub(" ", value).split()) if control.search(value) else value
    if isinstance(value, tuple):
        return tuple(reference_visible(item) for item in value)
    return value


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_lines_split_as_before(text):
    assert split_lines(text) == reference_split_lines(text)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_conflicts_found_as_before(text):
    lines = reference_split_lines(text)
    assert conflict_lines(lines) == reference_conflict_lines(lines)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_front_matter_found_as_before(text):
    # a byte-order mark is not part of the text: the note is read, and written back, without it
    expected = reference_front_matter_span(reference_split_lines(text.removeprefix("\ufeff")))
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


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([
    "## Log", "## Log\r", "# Other", "## Next", "```", "", "- 2026-11-20 coffee: talked", "* 2026-01-02", "+ [x] 2025-05-05 done",
    "- 2026-02-30 bad day", "- 2026-11-20\x1b[31m red", "  - 2026-11-20 lunch \u202e", "- 2026-11-20 x\x1c", "-2026-11-20 no",
    "- 20261-11-20", "- 2026-11-201", "text", "- 2026-11-20 tab\there", "- 2026-11-20 \x85 nel",
]), max_size=25), st.sampled_from(["\n", "\r\n", "\r\r\n"]), st.booleans())
def test_the_log_reads_as_parse_log_line_does(lines, ending, last_bare):
    body = [line + ending for line in lines]
    if body and last_bare:
        body[-1] = lines[-1]
    assert _read_log("People/A.md", body, 5) == reference_read_log("People/A.md", body, 5)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab \x07\x1b\u2028\u202e\x85\t\né")), max_size=8), max_size=5))
def test_visible_cleans_tuples_as_before(items):
    value = tuple(items)
    assert _visible(value) == reference_visible(value)
    if _visible(value) == value:
        assert _visible(value) is value  # nothing to clean: the same tuple, no copy


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=6), st.none(), st.integers(), st.floats(allow_nan=False)), max_size=6))
def test_text_lists_read_as_before(items):
    expected = tuple(str(item).strip() for item in items if item is not None and str(item).strip())
    assert _texts(items) == expected


def test_a_crlf_note_with_a_conflict_and_a_bad_log_date_reports_both():
    text = "---\r\nname: Ann\r\n---\r\n## Log\r\n- 2026-02-30 call\r\n- 2026-01-02 lunch\r\n<<<<<<< HEAD\r\n=======\r\n>>>>>>> b\r\n"
    person, problems = parse_note("People/Ann.md", text.encode())
    assert [entry.text for entry in person.log] == ["lunch"]
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [(5, "log line"), (7, "git conflict markers found; resolve the merge, then vaultnet will write to this note again")]
