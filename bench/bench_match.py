"""Time the needs/offers matcher alone: 10,000 people with two needs and two offers each.

    /work/venv/bin/python bench/bench_match.py [--people N] [--repeat R]

Three seeded phrase mixes, from kind to hostile: the benchmark vault's fifteen
topics (phrases repeat, as in a real network); phrases from a 2,000-word
vocabulary with a Zipf distribution; and random 4-6 word phrases from 800
words (almost no two alike: the worst case for the index). Prints the best of
R runs for building the catalogue and for ``suggest`` (top 20), and for
``suggest`` with a person (on the same catalogue). Timing only; the tests check correctness.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import TOPICS  # noqa: E402

from vaultnet.derive.matching import Catalogue, _term, stem, suggest, terms  # noqa: E402
from vaultnet.model.person import Person  # noqa: E402

VOCAB = [f"word{i}" for i in range(2000)]
ZIPF = [1 / (i + 1) for i in range(len(VOCAB))]
MIXES = {
    "topics": lambda rng: rng.choice(TOPICS),
    "zipf": lambda rng: " ".join(rng.choices(VOCAB, ZIPF, k=rng.randint(2, 5))),
    "random": lambda rng: " ".join(rng.sample(VOCAB[:800], rng.randint(4, 6))),
}


def people(count: int, phrase, seed: int = 7) -> list[Person]:
    rng = random.Random(seed)
    return [
        Person(
            path=f"People/P{i:06d}.md",
            name=f"P{i:06d}",
            needs=(phrase(rng), phrase(rng)),
            offers=(phrase(rng), phrase(rng)),
        )
        for i in range(count)
    ]


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.people} people, two needs and two offers each; best of {args.repeat}")
    print(f"{'mix':<8} {'catalogue':>10} {'suggest':>9} {'total':>7} {'with PERSON':>12}  top strength")
    for name, phrase in MIXES.items():
        group = people(args.people, phrase)
        def fresh_catalogue():
            terms.cache_clear()  # time the term extraction too, not a warm memo
            stem.cache_clear()
            _term.cache_clear()
            return Catalogue(group)

        build, catalogue = best(fresh_catalogue, args.repeat)
        match, found = best(lambda: suggest(group, limit=20, catalogue=catalogue), args.repeat)
        focus, _ = best(lambda: suggest(group, focus=group[len(group) // 2], limit=20, catalogue=catalogue), args.repeat)
        top = f"{found[0].strength:.2f}" if found else "-"
        print(f"{name:<8} {build:>9.3f}s {match:>8.3f}s {build + match:>6.3f}s {focus:>11.3f}s  {top}")


if __name__ == "__main__":
    main()
