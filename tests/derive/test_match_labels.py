"""The grades against a hand-labelled set of need/offer pairs (match_labels.txt)."""

from __future__ import annotations

import json
from pathlib import Path

from vaultnet.derive.matching import MIN_STRENGTH, Catalogue, grade, item_terms, terms
from vaultnet.model.person import Person

LABELS = Path(__file__).with_name("match_labels.txt")
GRADES = ("none", "weak", "good", "strong", "exact")


def labelled() -> list[tuple[str, str, str]]:
    rows = []
    for number, line in enumerate(LABELS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        need, offer, label = (part.strip() for part in line.split("|"))
        assert label in GRADES, f"match_labels.txt line {number}: unknown label {label!r}"
        rows.append((need, offer, label))
    return rows


def graded() -> list[tuple[str, str, str, str]]:
    """(need, offer, label, the grade vaultnet gives), every item of the set in one catalogue."""
    rows = labelled()
    people = [Person(path=f"People/N{i}.md", name=f"N{i}", needs=(n,)) for i, n in enumerate(dict.fromkeys(r[0] for r in rows))]
    people += [Person(path=f"People/O{i}.md", name=f"O{i}", offers=(o,)) for i, o in enumerate(dict.fromkeys(r[1] for r in rows))]
    cat = Catalogue(people)
    out = []
    for need, offer, label in rows:
        value = cat.strength(item_terms(need), terms(offer))
        out.append((need, offer, label, grade(value) if value >= MIN_STRENGTH else "none"))
    return out


def test_the_set_is_big_enough_and_covers_every_label():
    rows = labelled()
    assert len(rows) >= 40
    assert {label for _n, _o, label in rows} == set(GRADES)


def test_strong_and_exact_are_precise():
    rows = graded()
    said_strong = [r for r in rows if r[3] in ("strong", "exact")]
    right = [r for r in said_strong if r[2] in ("strong", "exact")]
    assert len(said_strong) >= 15  # the grader does call things strong
    assert len(right) / len(said_strong) >= 0.9, json.dumps([r for r in said_strong if r not in right], indent=1)
    said_exact = [r for r in rows if r[3] == "exact"]
    assert sum(r[2] in ("strong", "exact") for r in said_exact) == len(said_exact)


def test_unrelated_pairs_are_never_matched_and_a_lone_common_word_is_weak_at_best():
    rows = graded()
    assert all(r[3] == "none" for r in rows if r[2] == "none")
    grades = {(n, o): g for n, o, _label, g in rows}
    assert grades[("design partners", "brand identity design")] == "weak"
    assert grades[("a new job in robotics", "seed investment in robotics")] == "weak"
    assert grades[("hiring a designer", "design reviews")] == "weak"


def test_a_shared_specific_word_outranks_a_shared_common_one():
    rows = labelled()
    people = [Person(path=f"People/N{i}.md", name=f"N{i}", needs=(r[0],), offers=(r[1],)) for i, r in enumerate(rows)]
    cat = Catalogue(people)
    firmware = cat.strength(terms("senior firmware engineers"), terms("embedded firmware development"))
    design = cat.strength(terms("design partners"), terms("brand identity design"))
    two_words = cat.strength(terms("senior firmware engineers"), terms("embedded firmware engineers"))
    assert two_words > firmware > design
    assert grade(two_words) in ("good", "strong") and grade(design) == "weak"


def test_stop_words_are_checked_before_stemming():
    assert terms("news") == {"new"} and terms("goods") == {"good"}
    assert terms("new") == frozenset() and terms("good") == frozenset()


def test_a_need_s_date_takes_no_part():
    assert item_terms("2026-11-20 a fractional CFO") == terms("a fractional CFO")
    assert "2026" not in item_terms("2026-11-20 a fractional CFO")


def test_in_a_network_that_repeats_its_words_the_issue_s_pairs_grade_as_a_person_would():
    # 2,000 people whose needs and offers reuse a few roles, services and domains, as a real
    # network does: "senior", "engineers", "design", "robotics" are common, "firmware" is not.
    import random

    rng = random.Random(1)
    domains = ["robotics", "fintech", "climate", "healthcare", "edtech", "logistics", "biotech", "saas", "retail", "energy"]
    roles = ["senior backend engineers", "senior frontend engineers", "data engineers", "a product designer",
             "sales leads", "design partners", "seed investors", "a new job", "pilot customers", "a CTO"]
    services = ["product development", "software development", "brand identity design", "seed investment",
                "hiring advice", "go-to-market advice", "UX design", "investor intros", "data engineering"]

    def items(pool):
        return tuple(f"{rng.choice(pool)} in {rng.choice(domains)}" if rng.random() < 0.5 else rng.choice(pool)
                     for _ in range(rng.randint(0, 2)))

    people = [Person(path=f"People/P{i}.md", name=f"P{i}", needs=items(roles), offers=items(services)) for i in range(2000)]
    people += [Person(path="People/F1.md", name="F1", needs=("senior firmware engineers",)),
               Person(path="People/F2.md", name="F2", offers=("embedded firmware development",))]
    cat = Catalogue(people)

    def graded(need, offer):
        return grade(cat.strength(terms(need), terms(offer)))

    assert graded("senior firmware engineers", "embedded firmware development") == "good"
    assert graded("design partners", "brand identity design") == "weak"
    assert graded("a new job in robotics", "seed investment in robotics") == "weak"
    assert graded("seed investors in robotics", "seed investment in robotics and fintech") == "strong"
