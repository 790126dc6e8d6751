"""Likely duplicates: each folding rule of ``name_key``, and the pairs ``likely_pairs`` finds."""

from __future__ import annotations

import pytest

from vaultnet.derive.duplicates import likely_pairs, matches_for, name_key
from vaultnet.load.vault import parse_note


def person(stem: str, front: str = ""):
    found, _problems = parse_note(f"People/{stem}.md", f"---\n{front}---\n".encode() if front else b"")
    return found


@pytest.mark.parametrize(
    "a, b",
    [
        ("Sam O’Brien", "Sam O'Brien"),  # curly and straight apostrophes
        ("Sam O'Brien", "sam obrien"),
        ("José García", "Jose Garcia"),  # accents
        ("JOSÉ GARCÍA", "josé garcía"),  # case
        ("Maria 🚀 Rossi", "Maria Rossi"),  # emoji
        ("Maria Rossi 👩🏽‍💻", "Maria Rossi"),  # an emoji sequence with a skin tone and a joiner
        ("Priya Natarajan, PhD", "Priya Natarajan"),
        ("Priya Natarajan Ph.D.", "Priya Natarajan"),
        ("Martin Luther King Jr.", "Martin Luther King"),
        ("Dr. Amy Chen", "Amy Chen"),
        ("Prof. Dr. Amy Chen, MBA", "Amy Chen"),
        ("Jean-Luc Picard", "Jean Luc Picard"),
        ("Zoë  Østergaard", "zoe østergaard"),  # runs of spaces; ø has no decomposition and stays
        ("ｓａｍ", "sam"),  # full-width letters (NFKD)
    ],
)
def test_names_that_fold_together(a, b):
    assert name_key(a) == name_key(b) != ""


@pytest.mark.parametrize(
    "a, b",
    [
        ("Sam O'Brien", "Sam Brien"),
        ("Jack Ma", "Jack"),  # a surname is not a degree
        ("Dr", "Md"),  # a title alone stays a name
        ("Anna", "Hanna"),
        ("李 小龙", "李小龙"),  # a space between words still separates them
    ],
)
def test_names_that_stay_apart(a, b):
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize("hostile", ["", "   ", "🚀🚀", "'''", "\u200d\u200d", "\x00\x1b[31m", "[[", ", PhD"])
def test_hostile_names_give_a_key_without_crashing(hostile):
    key = name_key(hostile)
    assert isinstance(key, str)
    if not any(ch.isalnum() for ch in hostile):
        assert key == ""


def test_an_emoji_only_name_matches_nobody():
    assert likely_pairs([person("A", "name: 🚀\n"), person("B", "name: 🎉\n")]) == []


def test_pairs_by_each_rule():
    people = [
        person("Sam O'Brien"),
        person("Sam O’Brien"),
        person("Vera Lind", "email: vera@lind.se\n"),
        person("V Lind", "email: VERA@Lind.se\n"),
        person("Robert Smith", "aliases: [Bobby Smith]\n"),
        person("Bobby Smith, Jr."),
        person("Alone"),
    ]
    found = {(p.first.stem, p.second.stem, p.reason) for p in likely_pairs(people)}
    assert found == {
        ("Sam O'Brien", "Sam O’Brien", "same-name"),
        ("V Lind", "Vera Lind", "same-email"),
        ("Bobby Smith, Jr.", "Robert Smith", "name-is-alias"),
    }


def test_matches_for_a_new_contact_strongest_reason_first():
    people = [person("Vera Lind", "email: vera@lind.se\n"), person("Sam O'Brien", "aliases: [Sammy]\n")]
    assert [(p.stem, why) for p, why in matches_for(people, "Vera L.", ["VERA@LIND.SE"])] == [("Vera Lind", "the same email (vera@lind.se)")]
    assert [(p.stem, why) for p, why in matches_for(people, "Sam O’Brien")] == [("Sam O'Brien", "the same name")]
    assert [(p.stem, why) for p, why in matches_for(people, "sammy")] == [("Sam O'Brien", "their alias")]
    assert matches_for(people, "Someone Else", ["other@x.org"]) == []


def test_many_people_are_paired_in_one_pass():
    people = [person(f"Person {i}") for i in range(3000)] + [person("Person 7, PhD")]
    assert [{p.first.stem, p.second.stem} for p in likely_pairs(people)] == [{"Person 7", "Person 7, PhD"}]
