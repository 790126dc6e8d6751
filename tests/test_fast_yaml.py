"""The fast front matter reader (``frontmatter_yaml.fast_fields``) answers as PyYAML's C loader.

The fast path reads the simple corner of YAML person notes are written in and
says None for everything else, which then takes the full guarded loader. These
tests hold it to one promise: whenever it answers, its answer is exactly the
loader's (same keys in the same order, same values of the same types), on
hand-picked text, on the hostile corpus, on synthetic benchmark notes, and on
text that hypothesis builds from the pieces YAML front matter is made of,
including the awkward ones (indicators, quotes, comments, odd indentation,
control characters, CRLF, tabs, aliases, tags).
"""

from __future__ import annotations

import math
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vaultnet.load import frontmatter as frontmatter_yaml
from vaultnet.load.frontmatter import _AliasFreeLoader, fast_fields, load_fields
from vaultnet.load.vault import parse_note
from vaultnet.load.notefile import split_note

HOSTILE = Path(__file__).parent / "hostile"
ROOT = Path(__file__).parent.parent


def reference(text: str):
    """What the full loader makes of the text, or the exception it raises."""
    try:
        return yaml.load(text, Loader=_AliasFreeLoader)
    except Exception as exc:  # noqa: BLE001 - any failure means the fast path must not answer
        return exc


def typed(value):
    """A value with every type spelled out, so that 1 != True != 1.0 and NaN equals NaN."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), str(value.tzinfo))
    return (type(value).__name__, value)


def same_as_loader(text: str) -> bool:
    """True when the fast path declines, or answers exactly as the loader does."""
    fast = fast_fields(text)
    if fast is None:
        return True
    expected = reference(text)
    if expected is None:
        expected = {}
    assert not isinstance(expected, Exception), f"fast path answered {fast!r} where the loader raised {expected!r}"
    assert typed(fast) == typed(expected), f"{text!r}: fast {fast!r} != loader {expected!r}"
    return True


TYPICAL = """\
name: Ada Abe
aliases:
  - Ada A.
tags:
- investor
- alumni
org: "[[Blue Harbor Capital]]"
role: 'sales lead'
phone: "+49 30 4092026"
cadence: 14
circle: network
last_contact: 2026-08-02
met: 2019-09-13 10:30:00
birthday: --04-23
received: []
flags: {}
follow_up:
score: .5
active: yes
nothing: ~
tags2: [a, b, 'c d', "e"]
summary: >-
  They asked for an intro.
  Discussed the launch.
story: |
  line one
  line two
# a comment
linkedin: https://www.linkedin.com/in/ada-abe
"""


def test_a_typical_note_takes_the_fast_path_and_matches():
    fast = fast_fields(TYPICAL)
    assert fast is not None  # the corner it reads covers this note
    assert same_as_loader(TYPICAL)
    assert fast["last_contact"] == date(2026, 8, 2) and fast["active"] is True and fast["cadence"] == 14
    assert fast["summary"] == "They asked for an intro. Discussed the launch."
    assert fast["story"] == "line one\nline two\n"


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",  # anchors and aliases
    "a: !!python/object:os.system echo\n",  # tags
    "a: [[[1]]]\n",
    "a:\n  b: 1\n",  # nested mapping
    "a: text\n  continued\n",  # multi-line plain text
    "a: 'two\n  lines'\n",
    'a: "esc\\n"\n',  # escapes
    "a: x # comment\n",
    "a: |+\n  kept\n\n",
    "a: >\n  x\n\n  y\n",  # a blank line inside a folded block
    "a: >\n  x\n    y\n",  # a more indented line
    "a:\tb\n",
    "a: b\r\nc: d\rx\n",
    "a: b\x85c\n",
    "a: b\u2028c\n",
    "a: 1\n  - x\n",
    "- a\n- b\n",  # not a mapping
    "just text\n",
    "<<: {a: 1}\n",
    "a: =\n",
    "a: -\n",
    "a: b: c\n",
    "a: [a, b\n",
    "a: [a, [b]]\n",
    "a: |\n  no line break at the end",
    "? a\n: b\n",
    "a:\n  - x\n   - y\n",
    "a:\n  -\n    x\n",
    "a: 'it''s'\n",
    "\ufeffa: 1\n",
])
def test_awkward_text_declines_or_matches(text):
    assert same_as_loader(text)


def test_crlf_front_matter_matches():
    text = TYPICAL.replace("\n", "\r\n")
    assert fast_fields(text) is not None and same_as_loader(text)


def test_the_hostile_corpus_declines_or_matches():
    for path in sorted(HOSTILE.glob("*.md")):
        data = path.read_bytes()
        if b"\x00" in data:
            continue
        try:
            note = split_note(data)
        except ValueError:
            continue
        if note.has_front_matter:
            assert same_as_loader(note.yaml_text), path.name


def test_synthetic_benchmark_notes_take_the_fast_path_and_match():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    for person in generate.people(200, 7):
        text = split_note(generate.note_text(person).encode()).yaml_text
        assert fast_fields(text) is not None, person["name"]
        assert same_as_loader(text)


def test_problems_of_bad_notes_are_the_loaders():
    # A front matter the fast path reads and one it declines give the same field problems.
    fast = "---\nname: Cy\ncadence: often\nmet: 2026-02-30\nbirthday: --02-30\n---\n"
    slow = "---\nname: Cy # the slow path: a comment after a value\ncadence: often\nmet: 2026-02-30\nbirthday: --02-30\n---\n"
    assert fast_fields(split_note(fast.encode()).yaml_text) is not None
    assert fast_fields(split_note(slow.encode()).yaml_text) is None
    _, fast_problems = parse_note("People/Cy.md", fast.encode())
    _, slow_problems = parse_note("People/Cy.md", slow.encode())
    assert [(p.message, p.line, p.field) for p in fast_problems] == [(p.message, p.line, p.field) for p in slow_problems]
    assert len(fast_problems) == 3


def test_load_fields_refuses_what_it_refused_before():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(5))
    fields, problem = load_fields("People/B.md", bomb, 2)
    assert fields is None and "aliases" in problem.message
    fields, problem = load_fields("People/T.md", "a: 1\n\tb: 2\n", 2)
    assert fields is None and "tab" in problem.message and problem.line == 3
    fields, problem = load_fields("People/P.md", "a: !!python/name:os.system\n", 2)
    assert fields is None and problem.fatal


# --- hypothesis: front matter assembled from the pieces it is made of -------------------------

WORDS = st.sampled_from([
    "x", "Ada", "yes", "No", "on", "OFF", "null", "~", "true", "1", "-1", "+2", "0o7", "0x1F", "012", "1_000", "1:30",
    "3.5", ".5", "1e3", "-.inf", ".NaN", "2026-01-02", "2026-13-01", "2026-01-02 10:00:00", "2026-01-02T10:00:00Z",
    "2001-12-14t21:59:43.10-05:00", "--04-23", "-x", "a:b", "a: b", "a #b", "a#b", "C#", "#tag", "&a", "*a", "!x",
    "!!str", "%x", "@x", "`x", "?x", "? x", ":x", "-", "- x", "|", ">", ">-", "|-", "|+", "[]", "[a]", "[a, b]",
    "[a,b,]", "[ ]", "{}", "{a: 1}", "[[Link]]", "'q'", "'it''s'", "'open", '"dq"', '"a\\tb"', '"a \' b"', "https://x.y/z?q=1",
    "=", "<<", "ünïcödé", "日本", "\U0001f600", "a  b", "x:", "x :", " ", "", "\t", "\r", "\x07", "\x85", "\u2028", "\ufeff",
    "...", "---", "- - x", "a, b", "a]", "{", "}", "\\", "'", '"', "\xa0", "x\xa0", "\u3000", "\u2003y", "\x7f",
])
KEYS = st.sampled_from(["name", "tags", "a", "b", "on", "No", "null", "y", "_x", "last-contact", "1", "x y", "<<", "a:b", "?"])
SAFE_KEYS = st.sampled_from(["name", "tags", "org", "met", "helped", "summary"])
INDENTS = st.sampled_from(["", " ", "  ", "   ", "    "])


# Pieces the fast path reads; most values are built from these, so that most examples
# take the fast path and are compared, and the awkward pieces above are mixed in.
SAFE = st.sampled_from([
    "x", "Ada", "yes", "No", "on", "null", "~", "true", "1", "-1", "+2", "0o7", "0x1F", "012", "1_000", "1:30", "3.5",
    ".5", "1e3", "-.inf", ".NaN", "2026-01-02", "2026-01-02 10:00:00", "2026-01-02T10:00:00Z", "--04-23", "-x",
    "a:b", "a#b", "C#", "https://x.y/z?q=1", "ünïcödé", "日本", "\U0001f600", "a  b", "[]", "{}", "[a, b]",
    "[1, 'c', \"d\"]", "'q'", "'it''s'", '"dq"', '"[[Link]]"', "- ", "x.", "a-b", "2026-02-30", "x\xa0", "\u3000z",
])


@st.composite
def values(draw):
    pieces = st.one_of(SAFE, SAFE, SAFE, SAFE, SAFE, SAFE, SAFE, SAFE, SAFE, WORDS)
    return draw(st.lists(pieces, min_size=1, max_size=3).map(" ".join))


@st.composite
def entries(draw):
    key = draw(st.one_of(KEYS, KEYS, SAFE_KEYS))
    kind = draw(st.sampled_from(["scalar"] * 4 + ["list"] * 3 + ["block"] * 2 + ["null", "comment", "blank", "raw"]))
    if kind == "scalar":
        return [f"{key}: {draw(values())}{draw(st.sampled_from(['', '', '', ' ', '  # c']))}"]
    if kind == "list":
        indent = draw(INDENTS)
        items = draw(st.lists(values(), min_size=1, max_size=4))
        lines = [f"{key}:"]
        for item in items:
            lines.append(f"{indent}-{draw(st.sampled_from([' ', ' ', ' ', '  ', '']))}{item}")
            if draw(st.booleans()) and draw(st.booleans()):
                lines.append(draw(st.sampled_from(["", "# c", "  ", f"{draw(INDENTS)}{draw(values())}"])))
        return lines
    if kind == "block":
        header = draw(st.sampled_from([">-", ">", "|", "|-", ">-", ">", "|", "|-", "|+", ">2", "> # c"]))
        lines = [f"{key}: {header}"]
        indent = draw(st.sampled_from(["  ", " ", "    "]))
        for _ in range(draw(st.integers(1, 4))):
            lines.append(f"{indent if draw(st.integers(0, 5)) else draw(INDENTS)}{draw(values())}{draw(st.sampled_from(['', '', ' ']))}")
        return lines
    if kind == "null":
        return [f"{key}:{draw(st.sampled_from(['', ' ', '  ']))}"]
    if kind == "comment":
        return [f"{draw(INDENTS)}# {draw(values())}"]
    if kind == "blank":
        return [draw(st.sampled_from(["", " ", "   "]))]
    return [f"{draw(INDENTS)}{draw(values())}"]


@st.composite
def front_matters(draw):
    lines = [line for entry in draw(st.lists(entries(), max_size=8)) for line in entry]
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = end.join(lines) + (end if draw(st.booleans()) or not lines else "")
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matters())
@example("a: >-\n  x\n   \nb: 1\n")
@example("a: >-\n  x\n \nb: 1\n")
@example("a:\n- x\n\n- y\nb:\n  - z\n")
def test_fast_path_equals_the_loader(text):
    assert same_as_loader(text)


@st.composite
def plain_front_matters(draw):
    """Front matter of the kind notes hold, with nothing awkward: nearly all of it takes the
    fast path, so its typing of values and its folding of text are compared in bulk."""
    lines = []
    for _ in range(draw(st.integers(1, 10))):
        key = draw(SAFE_KEYS)
        kind = draw(st.sampled_from(["scalar", "list", "block", "null"]))
        pieces = st.lists(SAFE, min_size=1, max_size=3).map(" ".join)
        if kind == "scalar":
            lines.append(f"{key}: {draw(pieces)}")
        elif kind == "list":
            indent = draw(st.sampled_from(["", "  ", "    "]))
            lines.append(f"{key}:")
            lines += [f"{indent}- {item}" for item in draw(st.lists(pieces, min_size=1, max_size=4))]
        elif kind == "block":
            lines.append(f"{key}: {draw(st.sampled_from(['>-', '>', '|', '|-']))}")
            lines += [f"  {item}" for item in draw(st.lists(pieces, min_size=1, max_size=4))]
        else:
            lines.append(f"{key}:")
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None)
@given(plain_front_matters())
def test_fast_path_equals_the_loader_on_plain_notes(text):
    assert same_as_loader(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:- #'\"[]{},|>&*!\n\t\r.0123456789yN~")), max_size=60))
def test_fast_path_equals_the_loader_on_character_soup(text):
    assert same_as_loader(text)


# --- whole notes: parse_note with the fast reader equals parse_note without it ----------------

def _bench_notes() -> list[str]:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return [generate.note_text(person) for person in generate.people(12, 3)]


BENCH_NOTES = _bench_notes()
EDITS = st.sampled_from([
    "", " ", "  ", "\n", "\r\n", "\t", "#", " #", ": ", ":", "-", "- ", "'", '"', "[", "]", "{", "}", "&a ", "*a", "!!str ",
    "|", ">", "\x07", "\x1b", "\u202e", "\xa0", "2026-02-30", "yes", "~", "\\", "---\n", "...", "<<<<<<< x\n", ">>>>>>> y\n",
])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(BENCH_NOTES), st.lists(st.tuples(st.floats(0, 1), EDITS), min_size=1, max_size=4))
def test_a_whole_note_parses_the_same_with_and_without_the_fast_reader(text, edits):
    for where, what in edits:  # edit the note at a few places, mostly inside its front matter
        at = int(where * min(len(text), 900))
        text = text[:at] + what + text[at:]
    data = text.encode("utf-8")
    fast_person, fast_problems = parse_note("People/N.md", data)
    original = frontmatter_yaml.fast_fields
    frontmatter_yaml.fast_fields = lambda _text: None
    try:
        slow_person, slow_problems = parse_note("People/N.md", data)
    finally:
        frontmatter_yaml.fast_fields = original
    assert repr(fast_person) == repr(slow_person)
    assert [(p.message, p.line, p.field, p.fatal) for p in fast_problems] == [
        (p.message, p.line, p.field, p.fatal) for p in slow_problems]
