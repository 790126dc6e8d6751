"""Single YAML values as vaultnet writes them: whatever the text, the note it lands in reads back
as that text, with no problem (the note's reader is stricter than YAML about line breaks)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet.load.vault import parse_note
from vaultnet.model.yamltext import double_quoted

# YAML 1.1 reads NEL, U+2028 and U+2029 as line breaks, the note's line splitter does not.
AWKWARD = st.text(st.sampled_from(list("ab \"'\\:#-[]{}\t\n\r\x85\u2028\u2029\x00\x1b\ufeffé😀")), max_size=30)


@settings(max_examples=300, deadline=None)
@given(AWKWARD)
def test_a_double_quoted_value_reads_back_from_a_note(text):
    note = f"---\nrole: {double_quoted(text)}\nlast_contact: 2026-01-01\n---\n".encode("utf-8", "surrogatepass")
    person, problems = parse_note("People/A.md", note)
    assert person is not None, problems
    assert not [p for p in problems if p.fatal], problems
    assert person.last_contact.isoformat() == "2026-01-01"  # the line after the value is where it was


def test_yaml_line_breaks_are_escaped_not_written_raw():
    written = double_quoted("a\u2028b\x85c\u2029d")
    assert not set("\x85\u2028\u2029") & set(written)


def test_add_with_a_line_separator_in_a_need_is_refused_cleanly(vault):
    """A need holding a line separator would show as two lines in Obsidian: refused, and no
    note is left behind half-written."""
    result = vault.run("add", "Ann Lee", "--needs", "a CFO\u2028soon")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "needs" in result.stderr
    assert vault.names() == []
