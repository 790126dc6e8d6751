"""Pointing links to one note at another (rename, merge), and the code a link in it is not."""

from __future__ import annotations

import pytest

from vaultnet.model.links import LinkRetarget, code_ranges


def spans(text: str) -> list[str]:
    return [text[a:b] for a, b in code_ranges(text)]


def test_code_ranges_follow_commonmark_runs():
    assert spans("a `b` c ``d ` e`` f") == ["`b`", "``d ` e``"]
    assert spans("an unmatched `` run and `one`") == ["`one`"]  # the run of two closes nothing...
    assert spans("``a` b") == []  # ...no run of the same length: literal
    assert spans("x\n```py\n[[A]]\n```\ny `[[B]]`") == ["```py\n[[A]]\n```\n", "`[[B]]`"]
    assert spans("~~~\nopen to the end [[A]]") == ["~~~\nopen to the end [[A]]"]
    assert spans("```a`b` [[A]]") == ["`b`"]  # not a fence: its info string holds a backtick
    assert spans("````\n```\nstill code\n````\n") == ["````\n```\nstill code\n````\n"]


RETARGET = LinkRetarget("People/Jane Doe.md", "Jane Doe", "People/Jane Smith.md", "Jane Smith")


@pytest.mark.parametrize(
    "before, after",
    [
        ("[[Jane Doe]]", "[[Jane Smith]]"),
        ("[[jane doe|Jane]]", "[[Jane Smith|Jane]]"),
        ("[[Jane Doe|Jane Doe]]", "[[Jane Smith|Jane Smith]]"),
        ("[[Jane Doe#Work|w]]", "[[Jane Smith#Work|w]]"),
        ("[[Jane Doe^block]]", "[[Jane Smith^block]]"),
        ("![[Jane Doe]]", "![[Jane Smith]]"),
        ("[[People/Jane Doe]]", "[[People/Jane Smith]]"),
        ("[[Jane%20Doe]]", "[[Jane%20Smith]]"),
        ("[[Jane Doe.md]]", "[[Jane Smith]]"),
        ("[x](Jane%20Doe.md)", "[x](Jane%20Smith.md)"),
        ("[Jane Doe](../People/Jane%20Doe.md#Log)", "[Jane Smith](../People/Jane%20Smith.md#Log)"),
        ("[x](/People/Jane%20Doe.md)", "[x](/People/Jane%20Smith.md)"),
        ("[x](<Jane Doe.md>)", "[x](<Jane Smith.md>)"),  # angle brackets stay, the path unencoded
        ("[x](<Jane%20Doe.md>)", "[x](<Jane%20Smith.md>)"),
        ('[Jane Doe](Jane%20Doe.md "her note")', '[Jane Smith](Jane%20Smith.md "her note")'),  # the title stays
        ("[x](<../People/Jane Doe.md#Log> 'log')", "[x](<../People/Jane Smith.md#Log> 'log')"),
        # not links to her
        ("[[Jane Doer]]", None),
        ("[[Projects/Jane Doe]]", None),
        ("[x](../Projects/Jane%20Doe.md)", None),
        ("[x](https://example.org/Jane%20Doe.md)", None),
        ("`[[Jane Doe]]`", None),
    ],
)
def test_retarget_from_a_person_note(before, after):
    text, count = RETARGET.rewrite(f"see {before} now", "People/Bob.md")
    assert (text, count) == ((f"see {after} now", 1) if after else (f"see {before} now", 0))


def test_relative_paths_are_resolved_from_the_linking_file():
    assert RETARGET.rewrite("[x](../People/Jane%20Doe.md)", "Daily/2026-11-20.md") == ("[x](../People/Jane%20Smith.md)", 1)
    assert RETARGET.rewrite("[x](Jane%20Doe.md)", "Daily/2026-11-20.md")[1] == 0  # that is Daily/Jane Doe.md


HOSTILE = ["`" * 20_000, "`a``b" * 8_000, "[[" * 20_000, "```\n" * 10_000, "[Jane Doe](" * 8_000, "[[Jane Doe|" * 8_000]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_long_hostile_texts_come_back_unchanged(text):
    assert RETARGET.rewrite(text, "People/Bob.md") == (text, 0)


def test_a_link_after_a_long_hostile_text_is_found():
    text = "x" + "`" * 20_001 + " [[" * 5_000 + "[[Jane Doe]]"
    new, count = RETARGET.rewrite(text, "People/Bob.md")
    assert count == 1 and new.endswith("[[Jane Smith]]")


def test_a_tables_escaped_pipe_is_part_of_the_link_not_of_its_target():
    from vaultnet.model.links import LinkRetarget, link_targets

    text = "| [[Jane Doe\\|Jane]] | [[Jane Doe#Work\\|w]] | [[Bob\\|B]] |"
    assert link_targets(text) == ["Jane Doe", "Jane Doe", "Bob"]
    new, count = LinkRetarget("People/Jane Doe.md", "Jane Doe", "People/Jane Smith.md", "Jane Smith").rewrite(text, "x.md")
    assert (new, count) == ("| [[Jane Smith\\|Jane]] | [[Jane Smith#Work\\|w]] | [[Bob\\|B]] |", 2)


def test_a_note_retargeted_into_another_folder_is_linked_by_its_new_path():
    from vaultnet.model.links import LinkRetarget

    retarget = LinkRetarget("People/Archive/J Doe.md", "J Doe", "People/Jane Doe.md", "Jane Doe")
    text = "[J](../People/Archive/J%20Doe.md#Log) [[Archive/J Doe|J]] [[J Doe]] [x](/People/Archive/J%20Doe.md)"
    assert retarget.rewrite(text, "Daily/x.md") == (
        "[J](../People/Jane%20Doe.md#Log) [[People/Jane Doe|J]] [[Jane Doe]] [x](/People/Jane%20Doe.md)", 4
    )
    assert retarget.rewrite("[s](J%20Doe.md)", "People/Archive/Other.md") == ("[s](../Jane%20Doe.md)", 1)
    assert retarget.rewrite('[J](<J Doe.md> "t")', "People/Archive/Other.md") == ('[J](<../Jane Doe.md> "t")', 1)
    # a new path that angle brackets cannot hold is written percent-encoded, without them
    odd = LinkRetarget("People/J Doe.md", "J Doe", "People/J <Doe>.md", "J <Doe>")
    assert odd.rewrite("[J](<J Doe.md>)", "People/Other.md") == ("[J](J%20%3CDoe%3E.md)", 1)


def test_text_moved_to_another_folder_keeps_its_relative_links_leading_to_the_same_notes():
    from vaultnet.model.links import rebase_links

    text = "[Bob](../Bob.md) [[Bob]] [d](../../Daily/2026%2001.md#x) `[c](../Bob.md)` [w](https://x.y/a.md) [r](/People/Bob.md) [out](../../../x.md)"
    assert rebase_links(text, "People/Archive/J Doe.md", "People/Jane Doe.md") == (
        "[Bob](Bob.md) [[Bob]] [d](../Daily/2026%2001.md#x) `[c](../Bob.md)` [w](https://x.y/a.md) [r](/People/Bob.md) [out](../../../x.md)"
    )
    assert rebase_links(text, "People/A.md", "People/B.md") == text
    assert rebase_links("[Bob](<../Bob Beta.md> 'b') [t](../Bob.md \"t\")", "People/Archive/J.md", "People/J.md") == (
        "[Bob](<Bob Beta.md> 'b') [t](Bob.md \"t\")"
    )
