"""The note editor on the awkward shapes people write: each case states the exact bytes after one edit."""

from __future__ import annotations

from datetime import date

import pytest

from vaultnet.model.errors import NoteError
from vaultnet.edit.noteedit import NoteEditor

D = date(2026, 11, 23)

CASES = [
    # (what, before, edit, after)
    ("set in place, comment kept", "---\nlast_contact: 2026-01-01  # met again\n---\n",
     lambda e: e.set("last_contact", D), "---\nlast_contact: 2026-11-23  # met again\n---\n"),
    ("set a quoted date", "---\nlast_contact: '2026-01-01'\nx: 1\n---\n",
     lambda e: e.set("last_contact", D), "---\nlast_contact: 2026-11-23\nx: 1\n---\n"),
    ("set an empty value", "---\nfollow_up:\nx: 1\n---\n",
     lambda e: e.set("follow_up", D), "---\nfollow_up: 2026-11-23\nx: 1\n---\n"),
    ("set an empty value with a comment", "---\nfollow_up:   # when?\n---\n",
     lambda e: e.set("follow_up", D), "---\nfollow_up: 2026-11-23   # when?\n---\n"),
    ("set a value written on the next line", "---\nlast_contact:\n  2026-01-01\nx: 1\n---\n",
     lambda e: e.set("last_contact", D), "---\nlast_contact: 2026-11-23\nx: 1\n---\n"),
    ("set a new key at the end", "---\n# people\nname: A\n\n---\nbody\n",
     lambda e: e.set("follow_up", D), "---\n# people\nname: A\n\nfollow_up: 2026-11-23\n---\nbody\n"),
    ("set into an empty front matter", "---\n---\n", lambda e: e.set("follow_up", D), "---\nfollow_up: 2026-11-23\n---\n"),
    ("set text that needs quotes", "---\nrole: x\n---\n",
     lambda e: e.set("role", "CEO: #1 & co"), '---\nrole: "CEO: #1 & co"\n---\n'),
    ("remove a key and its comment", "---\na: 1\nfollow_up: 2026-01-01 # soon\nb: 2\n---\n",
     lambda e: e.remove("follow_up"), "---\na: 1\nb: 2\n---\n"),
    ("remove the last key", "---\na: 1\nfollow_up: 2026-01-01\n---\n", lambda e: e.remove("follow_up"), "---\na: 1\n---\n"),
    ("append to an indented block list before a comment",
     "---\nhelped:\n    - a\n    - b\n# next\nneeds: []\n---\n",
     lambda e: e.append("helped", "c"), "---\nhelped:\n    - a\n    - b\n    - c\n# next\nneeds: []\n---\n"),
    ("append to a block list whose last item spans lines",
     "---\nhelped:\n- a\n- >\n  long\n  text\nx: 1\n---\n",
     lambda e: e.append("helped", "c"), "---\nhelped:\n- a\n- >\n  long\n  text\n- c\nx: 1\n---\n"),
    ("append to a flow list spanning lines", "---\nneeds: [a,\n  b]\n---\n",
     lambda e: e.append("needs", "c"), "---\nneeds: [a,\n  b, c]\n---\n"),
    ("append to an empty flow list", "---\nneeds: []  # none yet\n---\n",
     lambda e: e.append("needs", "x, y"), '---\nneeds: ["x, y"]  # none yet\n---\n'),
    ("append to an empty value", "---\nneeds:\nx: 1\n---\n",
     lambda e: e.append("needs", "a"), "---\nneeds:\n  - a\nx: 1\n---\n"),
    ("append to a single text", "---\nemail: 'a@x.io'\n---\n",
     lambda e: e.append("email", "b@y.io"), "---\nemail:\n  - 'a@x.io'\n  - b@y.io\n---\n"),
    ("append a new list, in the note's list style", "---\ntags:\n- a\n---\n",
     lambda e: e.append("helped", "2026-11-23 intro"), "---\ntags:\n- a\nhelped:\n- 2026-11-23 intro\n---\n"),
    ("log into a newest-first section", "---\n---\n## Log\n- 2026-11-01 b\n- 2026-10-01 a\n",
     lambda e: e.add_log(D, "c"), "---\n---\n## Log\n- 2026-11-23 c\n- 2026-11-01 b\n- 2026-10-01 a\n"),
    ("log after an item's continuation lines", "## Log\n- 2026-11-01 b\n  more about b\n\n## Next\n",
     lambda e: e.add_log(D, "c"), "## Log\n- 2026-11-01 b\n  more about b\n- 2026-11-23 c\n\n## Next\n"),
    ("log ignores a Log heading inside a code fence", "```\n## Log\n```\n",
     lambda e: e.add_log(D, "c"), "```\n## Log\n```\n\n## Log\n\n- 2026-11-23 c\n"),
    ("log into an empty section at the end without a newline", "---\n---\n## Log",
     lambda e: e.add_log(D, "c"), "---\n---\n## Log\n- 2026-11-23 c\n"),
    ("log text is one line", "---\n---\n## Log\n", lambda e: e.add_log(D, "a\nb\tc"), "---\n---\n## Log\n- 2026-11-23 a b c\n"),
    ("a value that is a nested mapping stays", "---\nsocial:\n  x: 1\n  y: [2]\nlast_contact: 2026-01-01\n---\n",
     lambda e: e.set("last_contact", D), "---\nsocial:\n  x: 1\n  y: [2]\nlast_contact: 2026-11-23\n---\n"),
    ("unicode before the value", "---\nnäme: Zoë Ünal\nlast_contact: 2026-01-01 # ü\n---\n",
     lambda e: e.set("last_contact", D), "---\nnäme: Zoë Ünal\nlast_contact: 2026-11-23 # ü\n---\n"),
]


@pytest.mark.parametrize("what, before, edit, after", CASES, ids=[c[0] for c in CASES])
def test_edit_changes_exactly_the_expected_bytes(what, before, edit, after):
    editor = NoteEditor("People/x.md", before.encode())
    edit(editor)
    assert editor.result().decode() == after


def test_a_no_op_keeps_every_byte():
    data = "\ufeff---\r\nname: x # c\r\n---\r\nbody".encode()
    editor = NoteEditor("p.md", data)
    assert not editor.changed and editor.result() == data


def test_a_mapping_cannot_take_list_items():
    editor = NoteEditor("People/x.md", b"---\nhelped:\n  a: 1\n---\n")
    with pytest.raises(NoteError, match="'helped' is not a list"):
        editor.append("helped", "x")


def test_an_unclosed_front_matter_is_refused():
    with pytest.raises(NoteError, match="never closed"):
        NoteEditor("People/x.md", b"---\nname: x\nbody\n")


@pytest.mark.parametrize("yaml_text, shape", [("{name: X, tags: [a]}", "{…} mapping"), ("~", "single value")])
def test_front_matter_that_is_not_key_value_lines_is_refused_clearly(yaml_text, shape):
    editor = NoteEditor("People/x.md", f"---\n{yaml_text}\n---\n".encode())
    with pytest.raises(NoteError, match=shape) as caught:
        editor.set("last_contact", D)
    assert "internal error" not in str(caught.value) and "line 2" in str(caught.value)
