"""A person's record (``model.person.person_from_fields``): the log section, text lists and
the cleaning of control characters, each held to the plain version in
``tests/reference/person.py``; and the log's last date, worked out afresh for each record."""

from __future__ import annotations

import dataclasses
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet.load.vault import parse_note
from vaultnet.model.person import CONTROL_MESSAGE, Entry, person_from_fields

from tests.reference import person as reference

PATH = "People/A.md"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([
    "## Log", "## Log\r", "# Other", "## Next", "```", "", "- 2026-11-20 coffee: talked", "* 2026-01-02", "+ [x] 2025-05-05 done",
    "- 2026-02-30 bad day", "- 2026-11-20\x1b[31m red", "  - 2026-11-20 lunch \u202e", "- 2026-11-20 x\x1c", "-2026-11-20 no",
    "- 20261-11-20", "- 2026-11-201", "text", "- 2026-11-20 tab\there", "- 2026-11-20 \x85 nel",
    "### Log", "### More", "* [[2026-11-20]] coffee", "1. **2026-11-18** call", "2) 2026-11-20: lunch", "- [ ] 2026-12-01 book",
    "- [ ] 2026-02-30 plan", "- [x] 2026-11-02 done", "- coffee, no date", "* * *", "---", "-", "- [x] done, no date",
]), max_size=25), st.sampled_from(["\n", "\r\n", "\r\r\n"]), st.booleans())
def test_the_log_reads_as_parse_log_line_does(lines, ending, last_bare):
    body = [line + ending for line in lines]
    if body and last_bare:
        body[-1] = lines[-1]
    person = person_from_fields(PATH, "A", {}, body, 5, {})
    assert (person.log, list(person.problems)) == reference.read_log(PATH, body, 5)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab \x07\x1b\u2028\u202e\x85\t\né")), max_size=8), max_size=5))
def test_visible_cleans_lists_as_before(items):
    """Control characters in a list become spaces; the field is flagged exactly when that changed it."""
    person = person_from_fields(PATH, "A", {"aliases": list(items)}, [], 1, {"aliases": 2})
    texts = reference.texts(items)
    assert person.aliases == reference.visible(texts)
    flagged = [(p.message, p.line) for p in person.problems if p.field == "aliases"]
    assert flagged == ([(CONTROL_MESSAGE, 2)] if reference.visible(texts) != texts else [])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=6), st.none(), st.integers(), st.floats(allow_nan=False)), max_size=6))
def test_text_lists_read_as_before(items):
    person = person_from_fields(PATH, "A", {"aliases": items}, [], 1, {})
    assert person.aliases == reference.visible(reference.texts(items))


def test_last_seen_follows_the_log_of_each_record():
    text = "---\nlast_contact: 2026-03-01\n---\n## Log\n- 2026-05-02 call\n- 2026-05-02 lunch\n- 2026-01-09 walk\n"
    person, _ = parse_note("People/Di.md", text.encode())
    assert person.last_seen == date(2026, 5, 2) and person.last_log == Entry(date(2026, 5, 2), "lunch")
    assert person.last_seen == date(2026, 5, 2)  # asked again: the kept answer
    older = dataclasses.replace(person, log=(Entry(date(2026, 2, 1), "old"),))
    assert older.last_seen == date(2026, 3, 1) and older.last_log == Entry(date(2026, 2, 1), "old")
    assert older != person and dataclasses.replace(person) == person
