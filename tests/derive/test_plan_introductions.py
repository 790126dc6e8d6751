"""The plan's introductions found for a few people (``focus``) are those found for everyone."""

from __future__ import annotations

import random

import pytest

from vaultnet.derive.plan import Introductions
from vaultnet.model.person import Person

from tests.derive.test_match import MANY_WORDS, WORDS, random_people


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("words", [WORDS, MANY_WORDS], ids=["few-words", "many-words"])
def test_introductions_for_a_few_people_are_those_for_everyone(seed, words):
    rng = random.Random(seed)
    people = random_people(rng, 160, words, (1, 5))
    # Dated needs (the date takes no part), an archived person, and phrases said twice.
    people[0] = Person(path="People/Dated.md", name="Dated", needs=(f"2026-01-02 {people[1].offers[0]}",) if people[1].offers else ())
    people[2] = Person(path="People/Gone.md", name="Gone", offers=people[3].needs, archived=True)
    everyone = Introductions(people)
    focus = rng.sample(people, 12)
    few = Introductions(people, focus)
    found = 0
    for person in [*focus, *rng.sample(people, 12)]:  # the others are found on demand
        expected = everyone.reasons(person)
        assert few.reasons(person) == expected, person.path
        found += len(expected)
    assert found  # the vaults do hold introductions to make
