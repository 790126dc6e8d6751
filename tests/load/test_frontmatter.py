"""The front matter reader (``load.frontmatter.load_fields``): PyYAML's C loader behind
vaultnet's guards.

What it makes of a typical note (YAML's types: dates, numbers, booleans, folded text);
a date-like value that is no real date stays text, so the field reader names the field;
and hostile YAML (alias bombs, tabs, Python tags) is refused with a Problem, never a
traceback.
"""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet.load.frontmatter import load_fields
from vaultnet.load.notefile import split_note
from vaultnet.load.vault import parse_note

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


def test_a_typical_note_reads_with_yaml_s_types():
    fields, problem = load_fields("People/Ada.md", TYPICAL, 2)
    assert problem is None
    assert fields["last_contact"] == date(2026, 8, 2) and fields["met"] == datetime(2019, 9, 13, 10, 30)
    assert fields["active"] is True and fields["cadence"] == 14 and fields["score"] == 0.5
    assert fields["nothing"] is None and fields["follow_up"] is None
    assert fields["tags"] == ["investor", "alumni"] and fields["tags2"] == ["a", "b", "c d", "e"]
    assert fields["received"] == [] and fields["flags"] == {}
    assert fields["birthday"] == "--04-23" and fields["org"] == "[[Blue Harbor Capital]]"
    assert fields["summary"] == "They asked for an intro. Discussed the launch."
    assert fields["story"] == "line one\nline two\n"


def test_crlf_front_matter_reads_as_lf():
    assert load_fields("People/Ada.md", TYPICAL.replace("\n", "\r\n"), 2) == load_fields("People/Ada.md", TYPICAL, 2)


def test_a_date_that_is_no_date_stays_text():
    fields, problem = load_fields("People/Cy.md", "met: 2026-02-30\nseen: 2026-13-01 10:00:00\nok: 2026-02-28\n", 2)
    assert problem is None
    assert fields == {"met": "2026-02-30", "seen": "2026-13-01 10:00:00", "ok": date(2026, 2, 28)}


def test_problems_of_bad_fields_name_their_lines():
    # A plain note and one with a comment after a value give the same field problems.
    plain = "---\nname: Cy\ncadence: often\nmet: 2026-02-30\nbirthday: --02-30\n---\n"
    commented = "---\nname: Cy # a comment after a value\ncadence: often\nmet: 2026-02-30\nbirthday: --02-30\n---\n"
    person, problems = parse_note("People/Cy.md", plain.encode())
    assert person is not None and person.name == "Cy"
    _, again = parse_note("People/Cy.md", commented.encode())
    assert [(p.message, p.line, p.field) for p in problems] == [(p.message, p.line, p.field) for p in again]
    assert {(p.field, p.line) for p in problems} == {("cadence", 3), ("met", 4), ("birthday", 5)}


def test_hostile_yaml_is_refused_with_a_problem():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(5))
    fields, problem = load_fields("People/B.md", bomb, 2)
    assert fields is None and "aliases" in problem.message and problem.fatal
    fields, problem = load_fields("People/R.md", "a: &a [*a]\n", 2)
    assert fields is None and "refers to the value that contains it" in problem.message
    fields, problem = load_fields("People/T.md", "a: 1\n\tb: 2\n", 2)
    assert fields is None and "tab" in problem.message and problem.line == 3
    fields, problem = load_fields("People/P.md", "a: !!python/name:os.system\n", 2)
    assert fields is None and problem.fatal
    fields, problem = load_fields("People/D.md", "a: " + "[" * 200 + "]" * 200 + "\n", 2)
    assert fields is None and "nested more than" in problem.message
    fields, problem = load_fields("People/L.md", "- a\n- b\n", 2)
    assert fields is None and "must be fields" in problem.message


def test_a_syntax_error_names_its_line_in_the_file():
    note = split_note(b"---\nname: Ann\norg: [Acme\nrole: x\n---\n")
    fields, problem = load_fields("People/Ann.md", note.yaml_text, 2)
    assert fields is None and problem.fatal and problem.line is not None and problem.line >= 3
    assert "not valid YAML" in problem.message and "fix that line" in problem.message


def test_empty_front_matter_is_no_fields():
    assert load_fields("People/E.md", "", 2) == ({}, None)
    assert load_fields("People/E.md", "# only a comment\n", 2) == ({}, None)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:- #'\"[]{},|>&*!\n\t\r.0123456789yN~\x85\u2028\ufeff")), max_size=80))
def test_any_text_gives_fields_or_a_problem_never_an_exception(text):
    fields, problem = load_fields("People/S.md", text, 2)
    assert (fields is None) != (problem is None)
    if problem is not None:
        assert problem.fatal and problem.path == "People/S.md"
        assert "front matter" in problem.message or "tab" in problem.message
    else:
        assert isinstance(fields, dict)


def test_a_number_too_long_to_read_or_print_is_refused_on_its_line():
    # Python will not read decimal text of over 4,300 digits as an int, nor print a longer
    # int read from hexadecimal; a long base-60 number (1:2:3) costs quadratic time to build.
    for value in ("1" + "2" * 5_000, "0x" + "f" * 3_990, "-0b" + "1" * 5_000, "1" + ":1" * 100_000, "1" + ":59" * 2_000 + ".5"):
        fields, problem = load_fields("People/Long.md", f"name: Long\nnotes:\n  - fine\n  - {value}\n", 2)
        assert fields is None and problem.fatal and problem.line == 5, value[:10]
        assert "thousands of digits" in problem.message and "quotes" in problem.message
    # numbers a note may hold still read as numbers, and quoted long digits as text
    fields, problem = load_fields("People/Ok.md", f"a: {'9' * 3_000}\nb: 0x{'f' * 3_000}\nc: 1:30\nd: 1.{'5' * 100_000}\ne: '{'1' * 9_000}'\n", 2)
    assert problem is None
    assert fields["a"] == 10**3000 - 1 and fields["b"] == 16**3000 - 1 and fields["c"] == 90
    assert fields["d"] == float("1." + "5" * 100) and fields["e"] == "1" * 9_000


def test_a_character_yaml_breaks_lines_at_and_a_note_does_not_is_refused_on_its_line():
    # libyaml (YAML 1.1) ends a line at NEL, U+2028, U+2029 and a lone CR: its line numbers,
    # which errors quote and the editor patches, would no longer be the note's.
    for char, words in (("\x85", "U+0085"), ("\u2028", "U+2028"), ("\u2029", "U+2029"), ("\r", "carriage return")):
        for text in (f'name: "Ann{char}Lee"\n', f"needs:\n  - a{char}b\n", f"x:\n  y: 1{char}  z: 2\n"):
            lines = text.split("\n")
            line = 2 + next(i for i, l in enumerate(lines) if char in l)
            fields, problem = load_fields("People/S.md", "name: S\n" + text, 2)
            assert fields is None and problem.fatal and problem.line == line + 1, (char, text, problem)
            assert words in problem.message
    # written as an escape, the character is only text, and CRLF line ends are fine
    assert load_fields("People/S.md", 'name: "Ann\\u2028Lee"\r\nrole: x\r\n', 2) == ({"name": "Ann\u2028Lee", "role": "x"}, None)


# --- the alias walk and the line numbers, done only when needed -------------------------------


def test_anchors_without_aliases_and_harmless_aliases_load(vault):
    vault.write("Ana", """\
        ---
        org: R&D at Acme
        tags: &shared [friend, climber]
        role: "*the* expert"
        ---
        """)
    vault.write("Ben", """\
        ---
        tags: &shared [friend, climber]
        needs: *shared
        ---
        """)
    ana = vault.person("Ana")
    assert (ana.org, ana.tags, ana.role) == ("R&D at Acme", ("friend", "climber"), "*the* expert")
    ben = vault.person("Ben")
    assert ben.tags == ben.needs == ("friend", "climber")


def test_an_alias_bomb_is_still_refused():
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(5)]
    person, problems = parse_note("People/Bomb.md", ("---\n" + "\n".join(levels) + "\n---\n").encode())
    assert person is None
    assert "aliases" in problems[0].message and problems[0].fatal


def test_a_field_problem_still_names_its_line():
    text = "---\nname: Cy\norg: Acme\n\ncadence: often\nmet: 2026-02-30\n---\n"
    person, problems = parse_note("People/Cy.md", text.encode())
    assert person is not None and person.org == "Acme"
    assert {(p.field, p.line) for p in problems} == {("cadence", 5), ("met", 6)}
