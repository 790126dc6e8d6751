"""The top-level-key pattern reads any front matter line in time linear in its length.

It runs over every front matter line of a note with a problem (to name the problem's line)
and over every note in ``check``. Its old form, a lazy key followed by ``\\s*:``, tried each
split of a long run of spaces: a 40 KB unindented continuation line cost seconds.

Python's ``re`` counts no steps, so linearity is shown by construction (what the pattern is
made of, read with the standard library's own parser, as tests/test_links.py does for the
link grammar), by agreement with the old pattern on short lines, and by right answers on
long hostile lines through the real CLI.
"""

from __future__ import annotations

import json
import re

try:
    import re._parser as sre_parse
except ImportError:  # pragma: no cover - Python before 3.11
    import sre_parse

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet.load.vault import TOP_KEY, top_key

# The pattern before it was made linear: the reference for what a key is, on short lines only.
OLD = re.compile(r"^(?:\"([^\"]+)\"|'([^']+)'|([^\s#'\"\-?:{}\[\],&*!|>%@`][^:#]*?|-[^\s:][^:#]*?))\s*:(?:\s|$)")


def old_top_key(line: str) -> str | None:
    match = OLD.match(line)
    return None if match is None else next(g for g in match.groups() if g is not None).strip()


def _repeats(items, inside=False):
    """(op, item, inside another unbounded repeat) for every unbounded ``*``/``+``."""
    for op, av in items:
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
            unbounded = av[1] == sre_parse.MAXREPEAT
            if unbounded:
                yield op, av[2], inside
            yield from _repeats(av[2], inside or unbounded)
        elif op is sre_parse.SUBPATTERN:
            yield from _repeats(av[-1], inside)
        elif op is sre_parse.BRANCH:
            for branch in av[1]:
                yield from _repeats(branch, inside)
        elif op is sre_parse.ATOMIC_GROUP:
            yield from _repeats(av, inside)


def test_the_pattern_is_linear_by_construction():
    """Anchored at the start, so there is one match attempt per line; in it, each branch of the
    alternation runs once, and each repeat is possessive (it never gives back a character)
    over one character and not nested in another repeat. So each character is read at most
    once per branch: a bounded number of times."""
    parsed = sre_parse.parse(TOP_KEY.pattern, TOP_KEY.flags)
    assert parsed[0] == (sre_parse.AT, sre_parse.AT_BEGINNING)
    repeats = list(_repeats(parsed))
    assert len(repeats) >= 6
    for op, item, inside in repeats:
        assert op is sre_parse.POSSESSIVE_REPEAT, item
        assert item.getwidth() == (1, 1) and not inside, item


def test_the_old_pattern_fails_the_construction_test():
    """The check above can fail: the quadratic pattern had lazy repeats."""
    ops = {op for op, _item, _inside in _repeats(sre_parse.parse(OLD.pattern))}
    assert sre_parse.MIN_REPEAT in ops


LINE_CHARS = st.sampled_from(list("ab -:#'\"?\t{}[],&*!|>%@`\u3000") + ["\u00a0"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(LINE_CHARS, max_size=14).map("".join))
def test_the_same_keys_as_the_old_pattern(line):
    assert top_key(line) == old_top_key(line)


def test_known_lines():
    assert top_key("name: Ann") == "name"
    assert top_key("last contact   : 2026-01-01") == "last contact"
    assert top_key('"a: b" : 1') == "a: b" and top_key("'x' :") == "x"
    assert top_key("-key: 1") == "-key"
    for line in ("  indented: 1", "- item: 1", "# comment: 1", "url:http://x", "a # b: c", "", "just text"):
        assert top_key(line) is None, line


HOSTILE = [
    "a" + " " * 200_000,
    "a" + " " * 200_000 + "#:",
    "-a" + " \t" * 100_000,
    '"' + "a" * 200_000,
    '"a"' + " " * 200_000,
    "'" + "a" * 200_000 + "'" + " " * 1000 + "x",
    "key" + " " * 200_000 + ": value",
]


def test_long_hostile_lines_read_right():
    assert [top_key(line) for line in HOSTILE] == [None, None, None, None, None, None, "key"]


def test_a_note_with_a_long_unindented_continuation_line_and_a_problem(vault):
    """A problem needs its line number, which reads every front matter line with the pattern."""
    spaces = " " * 100_000
    vault.write("Ann", f'---\ncadence: banana\norg: "Acme\nb{spaces}c"\nrole: chair\n---\n', dedent=False)
    vault.write("Bob", "---\nfollow_up: 2026-11-01\n---\n")
    due = vault.run("due", "--json")
    assert due.exit_code == 0 and "People/Ann.md" in due.stderr and "line 2" in due.stderr, due.stderr[:300]
    assert {p["name"] for p in json.loads(due.stdout)} >= {"Bob"}
    checked = vault.run("check", "--json")
    found = json.loads(checked.stdout)
    assert any(f["path"] == "People/Ann.md" and f["line"] == 2 for f in found["findings"]), str(found)[:500]
