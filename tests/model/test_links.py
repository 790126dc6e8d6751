"""The link grammar (model/links.py): reading both link styles, writing them, and reading
any text in time linear in its length."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from re import _compiler as sre_compiler  # the standard library's own pattern parser and compiler
from re import _parser as sre_parse

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import vaultnet
from vaultnet.model import links
from vaultnet.model.config import Config
from vaultnet.model.links import link_target, link_targets, markdown_spans, person_link, plain_text, text_after_links
from vaultnet.model.names import safe_stem
from vaultnet.model.person import Person


@pytest.mark.parametrize(
    "text, target",
    [
        ("[[Jane Doe]]", "Jane Doe"),
        ("[[Jane Doe|Jane]]", "Jane Doe"),
        ("[[Jane Doe#Work|Jane at work]]", "Jane Doe"),
        ("[[Jane Doe^block]]", "Jane Doe"),
        ("[[People/Jane Doe]]", "Jane Doe"),
        ("[Jane](Jane%20Doe.md)", "Jane Doe"),
        ("[Jane](../People/Jane%20Doe.md)", "Jane Doe"),
        ("[Jane](<../People/Jane Doe.md>)", "Jane Doe"),
        ('[Jane](Jane%20Doe.md "Jane at Acme")', "Jane Doe"),
        ("[Jane](<Jane Doe.md> 'her')", "Jane Doe"),
        ("[Jane](<Jane [Doe].md>)", "[Jane](<Jane [Doe].md>)"),  # no bracket inside angle brackets
        ("[Acme](https://acme.example)", "acme.example"),
        ("works at [[Acme]] and [[Beta]]", "Acme"),
        ("[[#Work]] then [[Acme]]", "Acme"),  # a heading of the same note names no other note
        ("Acme Ltd ", "Acme Ltd"),  # no link: the plain text
        ("[Jane](Jane Doe.md)", "[Jane](Jane Doe.md)"),  # a space breaks a Markdown destination
        ("", None),
        (None, None),
    ],
)
def test_link_target(text, target):
    assert link_target(text) == target


def test_link_targets_in_order_and_both_styles():
    text = "introduced to [[Ann Lee|Ann]] and [Bob](People/Bob%20Beta.md), see [site](https://x.example/a)"
    assert link_targets(text) == ["Ann Lee", "Bob Beta", "a"]
    assert link_targets("no links [here]") == []


def test_plain_text_shows_what_a_link_shows():
    assert plain_text("met [[Ann Lee|Ann]] via [[Bob]] at [[Acme#Berlin]] and [the site](https://x.example)") == (
        "met Ann via Bob at Acme#Berlin and the site"
    )
    assert plain_text("[Jane](Jane Doe.md) stays") == "[Jane](Jane Doe.md) stays"
    assert plain_text('[Jane](<Jane Doe.md> "t") and [Bob](Bob.md \'b\')') == "Jane and Bob"
    assert plain_text("no links") == "no links"


def test_markdown_spans_keep_notes_and_web_links_only():
    text = "[[Ann]] [a](Ann%20Lee.md) [b](https://x.example) [c](mailto:c@x.example) [d](javascript:alert(1)) [e](f)"
    assert [m.group(0) for m in markdown_spans(text)] == [
        "[[Ann]]", "[a](Ann%20Lee.md)", "[b](https://x.example)", "[c](mailto:c@x.example)"
    ]


def test_text_after_links():
    assert text_after_links("introduced to [[B]] and [[C]]: they both build batteries") == ": they both build batteries"
    assert text_after_links("no link here") == "no link here"


@settings(max_examples=200, deadline=None)
@given(name=st.text(min_size=1, max_size=40), style=st.sampled_from(["wikilink", "markdown"]))
def test_a_written_link_reads_back_as_its_note(name, style):
    if style == "markdown":
        assume(not set(name) & set("[]\\"))  # a Markdown label escapes these; the reader does not unescape
    stem = safe_stem(name)
    person = Person(path=f"People/{stem}.md", name=name)
    config = Config(root=Path("."), link_style=style)
    for from_file in (None, "Index/index.md", person.path):
        link = person_link(config, person, from_file=from_file)
        assert link_target(link) == (stem.strip() or None)


# --- linear time ----------------------------------------------------------------------------------
# Python's ``re`` counts no steps, so linearity is shown by design (what the patterns are made
# of, read with the standard library's own parser) and by answers on long hostile texts.


def _unbounded_repeats(items, inside=False):
    """(the repeated item, whether it sits inside another unbounded repeat), for every ``*``/``+``."""
    for op, av in items:
        if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
            unbounded = av[1] == sre_parse.MAXREPEAT
            if unbounded:
                yield av[2], inside
            yield from _unbounded_repeats(av[2], inside or unbounded)
        elif op is sre_parse.SUBPATTERN:
            yield from _unbounded_repeats(av[-1], inside)
        elif op is sre_parse.BRANCH:
            for branch in av[1]:
                yield from _unbounded_repeats(branch, inside)
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            yield from _unbounded_repeats(av[1], inside)
        elif op is sre_parse.ATOMIC_GROUP:
            yield from _unbounded_repeats(av, inside)


def _patterns():
    for info in pkgutil.walk_packages(vaultnet.__path__, "vaultnet."):
        if info.name.endswith("__main__"):
            continue  # running it is the CLI
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{info.name}.{name}", value


def test_no_pattern_in_the_package_nests_unbounded_repeats():
    """A ``(a+)*`` shape backtracks exponentially; none may read note text."""
    nested = [name for name, pattern in _patterns() for _item, inside in _unbounded_repeats(sre_parse.parse(pattern.pattern, pattern.flags)) if inside]
    assert not nested
    assert len(dict(_patterns())) > 10  # the walk saw the package's patterns


@pytest.mark.parametrize("pattern", [links.LINK, links.MARKDOWN_SPAN], ids=["LINK", "MARKDOWN_SPAN"])
def test_the_link_patterns_scan_each_character_a_bounded_number_of_times(pattern):
    """Every match attempt starts at a ``[``: a wikilink attempt at ``[[``, a Markdown one at
    ``[``. Each ``*``/``+`` repeats an item one character wide, so nothing backtracks in
    nested ways, and each stops where the scans of other attempts begin: in a wikilink, at
    the next ``[[`` (so two wikilink attempts never scan the same text); in a Markdown link,
    at a ``[`` (its text) or a ``(`` (its destination, which follows its own ``](``). A text
    is therefore read a bounded number of times, whatever it holds."""
    first, (kind, (_none, (wiki, markdown))) = sre_parse.parse(pattern.pattern)
    assert first == (sre_parse.LITERAL, ord("[")) and kind is sre_parse.BRANCH  # the shared ``[``, then the two styles
    assert wiki[0] == (sre_parse.LITERAL, ord("["))
    for branch, stops_at in ((wiki, ["[["]), (markdown, ["[", "("])):
        repeats = list(_unbounded_repeats(branch))
        assert repeats
        for item, inside in repeats:
            assert not inside and item.getwidth() == (1, 1), item  # one character
            one = sre_compiler.compile(item)
            assert any(one.match(stop) is None for stop in stops_at), item


HOSTILE = [
    "[" * 20_000,
    "[[" + "a" * 20_000,
    "[[a" * 7_000,
    "[](" * 7_000,
    "[a](" + "b" * 20_000,
    "[[a|" * 5_000,
    "[a](http://" * 2_000,
    "[[a]](" * 4_000,
    "[a](<" * 5_000,
    "[a](<b" + "c" * 20_000,
    '[a](b "' * 4_000,
    "[a](b " + " " * 20_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_long_hostile_texts_read_right(text):
    # Each of these took the five patterns this grammar replaced seconds to minutes.
    assert link_targets(text) == (["a"] * 4_000 if text.startswith("[[a]]") else [])
    assert link_target(text) == ("a" if text.startswith("[[a]]") else text.strip())
    assert plain_text(text) == ("a(" * 4_000 if text.startswith("[[a]]") else text)
    assert len(markdown_spans(text)) == (4_000 if text.startswith("[[a]]") else 0)
    assert text_after_links(text) == ("(" if text.startswith("[[a]]") else text)


def test_links_at_the_end_of_a_long_hostile_text_are_found():
    text = "[" * 20_000 + " [[Ann]] " + "[](" * 5_000 + "[Bob](Bob.md)"
    assert link_targets(text) == ["Ann", "Bob"]
    assert [m.group(0) for m in markdown_spans(text)] == ["[[Ann]]", "[Bob](Bob.md)"]


def test_one_notion_of_code_for_mentions_and_renames():
    """A link in a code span, or in a fenced block inside a list item or a quote, is code
    both to the mentions (not a contact) and to a rename (left as written)."""
    from vaultnet.model.links import LinkRetarget, code_span_ranges, mention_links

    text = "- item\n  ```\n  [[Old]] in a fence\n  ```\n> ```\n> [[Old]]\n> ```\n`[[Old]]` and ``a ` [[Old]]`` then [[Old]]\n"
    lines = text.splitlines(keepends=True)
    assert [(i, links) for i, links in mention_links(lines)] == [(7, [("Old", False)])]
    new, count = LinkRetarget("People/Old.md", "Old", "People/New.md", "New").rewrite(text, "Daily/x.md")
    assert count == 1 and new.endswith("then [[New]]\n") and new.count("[[Old]]") == 4
    assert code_span_ranges("`" * 20001) == [] and len(code_span_ranges("`a` " * 5000)) == 5000
