"""The merge driver's rules (``vaultnet.edit.merge``), on notes in several styles, and a
hypothesis property: merging two sides' edits from the commands (log, snooze, helped, a
need) equals applying them one after the other, modulo the order the rules choose
(``follow_up`` moved on both sides takes the later date). The same driver run by real git
is tested in tests/cli/test_gitsync.py."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultnet.edit.actions import contact_edit, item_edit
from vaultnet.edit.merge import merge_fields, merge_lists, merge_note
from vaultnet.edit.noteedit import NoteEditor
from vaultnet.load.vault import parse_note


# --- the rules, on notes in several styles -----------------------------------------------------------


def test_merge_keeps_the_notes_own_style():
    base = ("\ufeff---\r\nname: \"Ada\"\r\ntags: [ math, poetry ]\r\nemail: ada@example.org\r\n"
            "last_contact: 2026-01-01\r\n---\r\n## Log\r\n- 2026-01-05 newest\r\n- 2026-01-01 older\r\n").encode()
    ours = base.replace(b"[ math, poetry ]", b"[ math, poetry, chess ]").replace(
        b"- 2026-01-05 newest", b"- 2026-02-01 ours\r\n- 2026-01-05 newest")
    theirs = base.replace(b"email: ada@example.org", b"email:\r\n  - ada@example.org\r\n  - ada@work.example").replace(
        b"[ math, poetry ]", b"[ math ]").replace(b"- 2026-01-05 newest", b"- 2026-01-20 theirs\r\n- 2026-01-05 newest")
    merged = merge_note(base, ours, theirs)
    assert not merged.conflict and merged.how == "fields"
    assert merged.data == (
        "\ufeff---\r\nname: \"Ada\"\r\ntags: [ math, chess ]\r\nemail:\r\n  - ada@example.org\r\n  - ada@work.example\r\n"
        "last_contact: 2026-01-01\r\n---\r\n## Log\r\n- 2026-02-01 ours\r\n- 2026-01-20 theirs\r\n"
        "- 2026-01-05 newest\r\n- 2026-01-01 older\r\n").encode()


def test_merge_reads_a_deeper_log_heading_in_any_log_style():
    base = b"---\nname: Ada\n---\n# Ada\n### Log\n* **2026-01-05** newest\n* [ ] 2026-03-01 plan\n1. [[2026-01-01]]: older\n## Notes\nx\n"
    ours = base.replace(b"* **2026-01-05** newest", b"* **2026-02-01** ours\n* **2026-01-05** newest")
    theirs = base.replace(b"* **2026-01-05** newest", b"* **2026-01-20** theirs\n* **2026-01-05** newest").replace(
        b"* [ ] 2026-03-01 plan\n", b"")
    merged = merge_note(base, ours, theirs)
    assert not merged.conflict and merged.how == "fields"
    assert merged.data == (b"---\nname: Ada\n---\n# Ada\n### Log\n* **2026-02-01** ours\n* **2026-01-20** theirs\n"
                           b"* **2026-01-05** newest\n1. [[2026-01-01]]: older\n## Notes\nx\n")


def test_follow_up_rules():
    d = date.fromisoformat
    # cleared by a contact on one side, untouched on the other: stays cleared
    assert merge_fields({"follow_up": d("2026-03-01")}, {}, {"follow_up": d("2026-03-01")}) == ({}, [])
    # moved on both: the later date
    assert merge_fields({"follow_up": d("2026-03-01")}, {"follow_up": d("2026-04-01")},
                        {"follow_up": d("2026-05-01")})[0] == {"follow_up": d("2026-05-01")}
    # cleared on one side, moved on the other: the new date, unless the contact is on or after it
    base = {"follow_up": d("2026-03-01"), "last_contact": d("2026-01-01")}
    cleared = {"last_contact": d("2026-03-02")}
    assert merge_fields(base, cleared, {**base, "follow_up": d("2026-06-01")})[0]["follow_up"] == d("2026-06-01")
    assert "follow_up" not in merge_fields(base, cleared, {**base, "follow_up": d("2026-03-02")})[0]
    # a scalar set to two values is a conflict, kept as ours
    assert merge_fields({"org": "A"}, {"org": "B"}, {"org": "C"}) == ({"org": "B"}, ["org"])


def test_list_union_minus_removals_base_order_first():
    assert merge_lists(["a", "b", "c"], ["c", "b", "x"], ["a", "b", "y"]) == ["b", "x", "y"]
    assert merge_lists(None, "one@x", ["two@x"]) == ["one@x", "two@x"]


def test_unreadable_sides_merge_as_text():
    merged = merge_note(b"---\nname: A\n---\n", b"---\nname: [A\n---\n", b"---\nname: B\n---\n")
    assert merged.conflict and merged.how.startswith("merged as text")


# --- the property: merging two sides' edits equals applying them one after the other -------------------

BASES = [
    "---\nname: Ada\nlast_contact: 2026-01-10\nfollow_up: 2026-02-01\nneeds: [funding]\n---\nNotes.\n\n## Log\n\n- 2026-01-10 first\n",
    "---\nname: Ada\nneeds:\n  - funding\nhelped:\n  - 2026-01-02 a book\n---\n",
    "---\r\nname: Ada\r\nlast_contact: 2026-01-20\r\n---\r\n## Log\r\n- 2026-01-20 newer\r\n- 2026-01-05 older\r\n",
]
DAYS = st.integers(0, 40).map(lambda n: date(2026, 1, 1) + timedelta(days=n))
OPS = st.lists(st.one_of(
    st.tuples(st.just("log"), DAYS),
    st.tuples(st.just("snooze"), DAYS),
    st.tuples(st.just("helped"), DAYS),
    st.tuples(st.just("need"), DAYS),
), min_size=1, max_size=4)


def apply(data: bytes, ops, side: str) -> bytes:
    editor = NoteEditor("People/Ada.md", data)
    for number, (kind, day) in enumerate(ops):
        text = f"{side}{number} {kind}"  # distinct texts: the merge drops exact duplicates
        if kind == "log":
            contact_edit(day, text, [])(editor)
        elif kind == "snooze":
            editor.set("follow_up", day)
        elif kind == "helped":
            item_edit("helped", f"{day.isoformat()} {text}")(editor)
        else:
            item_edit("needs", text)(editor)
        editor = NoteEditor("People/Ada.md", editor.result())
    return editor.result()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(BASES), OPS, OPS)
def test_merged_edits_equal_the_edits_in_sequence(base_text, ops_a, ops_b):
    base = base_text.encode()
    ours, theirs = apply(base, ops_a, "a"), apply(base, ops_b, "b")
    merged = merge_note(base, ours, theirs)
    assert not merged.conflict and merged.how == "fields", merged.how
    a_then_b = apply(ours, ops_b, "b")
    b_then_a = apply(theirs, ops_a, "a")
    got, _ = parse_note("People/Ada.md", merged.data)
    ab, _ = parse_note("People/Ada.md", a_then_b)
    ba, _ = parse_note("People/Ada.md", b_then_a)
    assert got.log == ab.log
    assert (got.last_contact, got.needs, got.helped) == (ab.last_contact, ab.needs, ab.helped)
    assert got.follow_up in (ab.follow_up, ba.follow_up)  # both moved it: the later date wins
    assert merged.data.count(b"\r\n") == (merged.data.count(b"\n") if b"\r\n" in base else 0)
