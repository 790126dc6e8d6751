"""Needs meet offers: which people could help each other, and how well.

A need ("climate tech deal flow") and an offer ("deal flow in climate tech")
rarely use the same words in the same order, so both are reduced to *terms*:
case-folded words, stop words dropped, a light stemmer applied ("investors",
"investor"; "hiring", "hire"), order ignored; small words are recognised before
the stemmer runs, so "news" and "goods" keep their meaning. Two items are then
compared as term vectors weighted by inverse document frequency over every need
and offer, with the cosine as their strength: the same terms give 1.0, sharing
only a word that half the network uses ("advice") gives little. One shared word
alone is at best "good", and at best "weak" when many items use it ("design
partners" and "brand identity design" share a word, not a purpose): two shared
words beat one. Capping never raises a strength above its cosine, so the index's
bounds below stay true. ``suggest``'s ``per_person`` keeps one well-connected
person from filling the overall list. ``tests/derive/match_labels.txt`` holds a
hand-labelled set of pairs the grades are checked against.

Why not a library stemmer (Porter, Snowball)? Needs and offers are short noun
phrases; a few suffix rules cover plurals and -ing/-ed forms, keep the result
predictable for a user reading ``vaultnet match``, and need no dependency.

It must scale to a large network without an all-pairs loop:

- items with the same terms are grouped under one *key* (a network repeats its
  phrases: "seed funding" appears hundreds of times in a big vault), so the
  scoring works on distinct keys;
- an inverted index maps each term to the offer keys holding it, and each need
  key visits only the offer keys that share a term with it;
- when only the strongest N suggestions are wanted (the default), a running
  cut, the strength of the weakest of the best N found so far, prunes the rest:
  exact matches are looked up first (a dictionary hit), then pairs sharing two
  terms or more come from an index of term pairs (few candidates, the strong
  ones); a need whose single shared term could not reach the cut is then done;
- a need's terms are probed rarest first, and probing stops when the terms left
  could not lift any new candidate above the cut on their own (the "prefix
  filter" of similarity joins: a candidate sharing only those terms has a
  cosine of at most their share of the need's weight); a candidate whose
  length differs too much is skipped (the cosine is at most the ratio);
- person pairs are expanded from the scored keys strongest first, lazily, and
  only until the requested number of suggestions is found.

The cost follows how much a network repeats itself: phrases that recur (as in a
real network) collapse into few keys; phrases that almost never repeat, each
sharing words with hundreds of offers, are the worst case (bench/bench_match.py
measures all three kinds). ``tests/derive/test_match.py`` checks the result against the
plain all-pairs computation on random vaults.

Everything here is pure: Person records in, suggestions out.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Iterable, Sequence

from ..model.names import normalise
from ..model.links import link_targets
from ..model.person import Person, dated_need

PAIR_INDEX_MAX_TERMS = 12  # longer offers (rare) are checked directly rather than by their many term pairs
MIN_STRENGTH = 0.2  # below this a shared word is a coincidence, not a reason to introduce
PER_PERSON = 3  # suggestions one person may take in the overall top list: room for everyone else
# One shared word alone is a lead, not a strong match: at best "good". When that word is one many
# items use ("design", "advice"), it is at best "weak".
ONE_WORD_BEST = 0.59
COMMON_WORD_BEST = 0.34
COMMON_MIN_ITEMS = 5  # a word in at least this many items (and 1 in COMMON_SHARE of them) is common
COMMON_SHARE = 200
EXACT, STRONG, GOOD, WEAK = "exact", "strong", "good", "weak"

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be been before being below between both but by
    can could did do does doing down during each etc few for from further had has have having he her here hers
    him his how i if in into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours out over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very via was we were what when where which while who whom why
    will with would you your yours
    someone somebody anyone anybody something anything people person looking look seeking seek want wants wanted
    need needs needed find finds finding get gets getting help helps helping good great new
    """.split()
)

_WORD = re.compile(r"[^\W_]+(?:[+#]+(?![^\W_]))?")  # letters/digits; keeps c++ and c#


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer for short phrases: plurals, -ing, -ed, a final -e.

    Only the reduction matters, not a dictionary form: "hire", "hires", "hired"
    and "hiring" all become "hir", so they match each other.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)] + replacement
            break
    else:
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    for suffix, shortest in (("ing", 6), ("ed", 5)):
        if word.endswith(suffix) and len(word) >= shortest:
            word = word[: -len(suffix)]
            if len(word) >= 3 and word[-1] == word[-2] and word[-1] not in "lsfz":
                word = word[:-1]  # running -> run, planned -> plan; staffing stays staff
            break
    for suffix in ("ment", "or", "er"):  # investor, investment -> invest; designer -> design
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


def words(text: str) -> list[tuple[str, str]]:
    """``(term, surface word)`` pairs of a text, in order, stop words left out, each term once."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)  # full-width letters, ligatures, composed accents
    seen: set[str] = set()
    out = []
    for surface in _WORD.findall(text):
        term = _term(surface)
        if term is None or term in seen:
            continue
        seen.add(term)
        out.append((term, surface))
    return out


@lru_cache(maxsize=65536)
def _term(surface: str) -> str | None:
    """The term of one word, or None for a stop word."""
    lowered = surface.casefold()
    # Checked before stemming: "news" and "goods" are words of their own, not "new" and "good".
    return None if lowered in STOP_WORDS else stem(lowered)


@lru_cache(maxsize=65536)
def terms(text: str) -> frozenset[str]:
    """The terms an item is compared by: its meaning, whatever the wording and order."""
    return frozenset(term for term, _surface in words(text))


def item_terms(need: str) -> frozenset[str]:
    """The terms of a ``needs`` item: the date it was last confirmed takes no part."""
    return terms(dated_need(need)[1])


# --- records ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemMatch:
    """One need of ``needer`` that an offer of ``offerer`` answers."""

    needer: Person
    need: str
    offerer: Person
    offer: str
    strength: float
    shared: tuple[str, ...]  # the shared words, as the need spells them

    @property
    def grade(self) -> str:
        return grade(self.strength)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An introduction worth making: two people and every need-offer match between them."""

    first: Person
    second: Person
    strength: float
    matches: tuple[ItemMatch, ...]
    introduced: bool = False  # already introduced (a helped item links one to the other)

    @property
    def grade(self) -> str:
        return grade(self.strength)


def grade(strength: float) -> str:
    """A word for a strength: exact (same terms), strong, good, or weak."""
    if strength >= 0.9999:
        return EXACT
    if strength >= 0.6:
        return STRONG
    if strength >= 0.35:
        return GOOD
    return WEAK


# --- the index ----------------------------------------------------------------------------------


class Catalogue:
    """Every need and offer of a set of people, grouped by term key, with IDF weights.

    Built once per run; ``suggest`` queries it.
    """

    def __init__(self, people: Sequence[Person]):
        self.people = [p for p in people if not p.archived]  # archived people are not matched
        self.needs: dict[frozenset[str], list[tuple[int, str]]] = {}
        self.offers: dict[frozenset[str], list[tuple[int, str]]] = {}
        for index, person in enumerate(self.people):
            for kind, items in ((self.needs, person.needs), (self.offers, person.offers)):
                done: set[frozenset[str]] = set()
                for text in items:
                    key = item_terms(text) if kind is self.needs else terms(text)
                    if key and key not in done:  # the same person saying it twice is one item
                        done.add(key)
                        kind.setdefault(key, []).append((index, text))
        # Document frequency over every need and offer item (not keys): a word many people
        # use, on either side, says little. (Over offers alone, a word only needs use, such as
        # "senior", looked as rare as the word that mattered.)
        df: dict[str, int] = {}
        total = 0
        for kind in (self.needs, self.offers):
            for key, holders in kind.items():
                total += len(holders)
                for term in key:
                    df[term] = df.get(term, 0) + len(holders)
        self._df = df
        self._offer_count = total
        self._common = max(COMMON_MIN_ITEMS, total / COMMON_SHARE)
        self._idf_cache: dict[str, float] = {}
        self._norms: dict[frozenset[str], float] = {}
        self._squares: dict[str, float] = {}
        self._links: dict[int, set[str]] = {}
        self._names: dict[int, set[str]] = {}
        self.last_cut = 0.0

    def idf(self, term: str) -> float:
        value = self._idf_cache.get(term)
        if value is None:
            value = math.log((self._offer_count + 1) / (self._df.get(term, 0) + 1)) + 1.0
            self._idf_cache[term] = value
            self._squares[term] = value * value
        return value

    def square(self, term: str) -> float:
        """idf², the weight a shared term adds to the dot product."""
        value = self._squares.get(term)
        if value is None:
            self.idf(term)
            value = self._squares[term]
        return value

    def norm(self, key: frozenset[str]) -> float:
        value = self._norms.get(key)
        if value is None:
            square = self.square
            value = math.sqrt(math.fsum(square(t) for t in key))  # fsum: the same in any set order
            self._norms[key] = value
        return value

    def strength(self, need: frozenset[str], offer: frozenset[str]) -> float:
        """The IDF-weighted cosine of two term keys: 1.0 for the same terms, 0 for none shared."""
        shared = need & offer
        if not shared:
            return 0.0
        if need == offer:
            return 1.0
        # fsum rounds exactly, so the sum does not depend on the order a set iterates in
        # (which changes with the hash seed): equal pairs get equal strengths on every run.
        square = self.square
        dot = math.fsum(square(t) for t in shared)
        norms = self._norms
        value = dot / ((norms.get(need) or self.norm(need)) * (norms.get(offer) or self.norm(offer)))
        if len(shared) == 1:
            # Never above the cosine, so the index's bounds (which use the cosine) stay true.
            (word,) = shared
            if self._df.get(word, 0) >= self._common:
                return min(value, COMMON_WORD_BEST)
            return min(value, ONE_WORD_BEST)
        return value

    def key_matches(
        self,
        need_keys: Iterable[frozenset[str]],
        offer_keys: Iterable[frozenset[str]],
        threshold: float,
        enough: int | None = None,
        weight=None,
    ) -> list[tuple[float, frozenset[str], frozenset[str]]]:
        """(strength, need key, offer key) for every key pair at or above the cut, via an inverted index.

        Without ``enough`` the cut is ``threshold``. With it, the caller only wants
        the strongest pairs that add up to ``enough`` person pairs (``weight(need,
        offer)`` says how many one key pair can give): the cut rises to the strength
        of the weakest pair still needed as pairs are found, which lets the prefix
        filter and the length filter skip almost everything. Exact matches are
        looked up first, so the cut is high from the start in a typical vault.
        Returns every key pair at or above the final cut (ties included), so the
        result does not depend on the order of the scan.
        """
        import heapq

        offer_keys = list(offer_keys)
        offer_set = set(offer_keys)
        index: dict[str, list[frozenset[str]]] = {}
        for key in offer_keys:
            for term in key:
                index.setdefault(term, []).append(key)
        squares = {t: self.square(t) for t in index}
        cut = threshold
        heap: list[tuple[float, int]] = []  # (strength, weight) of pairs that decide the cut
        total = 0
        found: list[tuple[float, frozenset[str], frozenset[str]]] = []

        def keep(value: float, need: frozenset[str], offer: frozenset[str]) -> None:
            nonlocal cut, total
            if value < cut - 1e-12:
                return  # a lone shared word counted down below the cut
            found.append((value, need, offer))
            if enough is None:
                return
            w = weight(need, offer) if weight else 1
            if w <= 0:
                return
            heapq.heappush(heap, (value, w))
            total += w
            while heap and total - heap[0][1] >= enough:
                total -= heapq.heappop(heap)[1]
            if total >= enough and heap[0][0] > cut:
                cut = heap[0][0]

        needs = list(need_keys)
        for need in needs:  # exact matches first: they raise the cut at once
            if need in offer_set:
                keep(1.0, need, need)
        # Then the pairs that share two terms or more, through an index of term pairs: few
        # candidates each, and they are the strong ones, so the cut rises fast. A need
        # whose every match above the cut must share two terms is then done.
        paired: set[tuple[frozenset[str], frozenset[str]]] = set()
        by_pairs = enough is not None and cut < 1.0 - 1e-12
        if by_pairs:
            pair_index: dict[tuple[str, str], list[frozenset[str]]] = {}
            for key in offer_keys:
                if 2 <= len(key) <= PAIR_INDEX_MAX_TERMS:
                    for pair in combinations(sorted(key), 2):
                        pair_index.setdefault(pair, []).append(key)
            long_offers = [k for k in offer_keys if len(k) > PAIR_INDEX_MAX_TERMS]
            for need in needs:
                if len(need) < 2:
                    continue
                candidates: set[frozenset[str]] = {k for k in long_offers if len(k & need) >= 2}
                for pair in combinations(sorted(need), 2):
                    candidates.update(pair_index.get(pair, ()))
                candidates.discard(need)
                norm = self.norm(need)
                norms = self._norms
                for offer in candidates:
                    paired.add((need, offer))
                    other = norms.get(offer) or self.norm(offer)
                    low = cut - 1e-12
                    if other < low * norm or norm < low * other:
                        continue  # cosine <= ratio of the norms: cannot reach the cut
                    value = self.strength(need, offer)
                    if value >= low:
                        keep(value, need, offer)
        for need in needs:
            if cut >= 1.0 - 1e-12:
                break  # only exact matches are wanted, and they are all found
            norm = self.norm(need)
            ordered = sorted(need, key=lambda t: (-self.idf(t), t))  # rarest first
            if by_pairs and self.idf(ordered[0]) / norm < cut - 1e-12:
                # Sharing one term t gives at most idf(t)/norm: below the cut, so every
                # match of this need shares two terms and was found above.
                continue
            remaining = norm * norm
            scores: dict[frozenset[str], float] = {}
            get = scores.get
            probed = 0
            for term in ordered:
                # A candidate found only through the terms left has a cosine of at most
                # sqrt(remaining)/norm: stop probing when that cannot reach the cut.
                if math.sqrt(max(remaining, 0.0)) / norm < cut - 1e-12:
                    break
                square = squares.get(term, 0.0)
                for offer in index.get(term, ()):
                    scores[offer] = get(offer, 0.0) + square
                remaining -= square or self.idf(term) ** 2
                probed += 1
            if not scores:
                continue
            rest = [(t, squares.get(t, 0.0)) for t in ordered[probed:]]
            low = cut - 1e-12
            low_dot = low * norm
            norms = self._norms
            for offer, dot in scores.items():
                other = norms.get(offer) or self.norm(offer)
                if other < low * norm or norm < low * other or offer == need or (need, offer) in paired:
                    continue  # cosine <= ratio of the norms; or already counted (exact, or by pairs)
                for term, square in rest:
                    if term in offer:
                        dot += square
                if dot >= low_dot * other:
                    keep(self.strength(need, offer), need, offer)  # the one rounding every path shares
        final = cut - 1e-12
        self.last_cut = cut
        return [f for f in found if f[0] >= final]

    def sort_key(self, index: int) -> tuple[str, str]:
        person = self.people[index]
        return (person.name.casefold(), person.path)

    def introduced(self, a: int, b: int) -> bool:
        """Whether a helped item of either person links to the other (worked out on demand)."""
        return bool(self._helped(a) & self._known_as(b)) or bool(self._helped(b) & self._known_as(a))

    def _helped(self, index: int) -> set[str]:
        if index not in self._links:
            self._links[index] = _helped_links(self.people[index])
        return self._links[index]

    def _known_as(self, index: int) -> set[str]:
        if index not in self._names:
            p = self.people[index]
            self._names[index] = {normalise(k) for k in (p.stem, p.name, *p.aliases)}
        return self._names[index]

    def item_matches(self, needer: int, offerer: int, threshold: float) -> list[ItemMatch]:
        """Every need of ``needer`` answered by an offer of ``offerer``, strongest first."""
        out = []
        a, b = self.people[needer], self.people[offerer]
        for need in a.needs:
            need_key = item_terms(need)
            for offer in b.offers:
                value = self.strength(need_key, terms(offer))
                if value >= threshold - 1e-12 and value > 0:
                    out.append(ItemMatch(a, need, b, offer, value, shared_words(dated_need(need)[1], offer)))
        out.sort(key=lambda m: (-m.strength, m.need, m.offer))
        # One line per (need, offer) wording: a need written twice is shown once.
        unique: dict[tuple[str, str], ItemMatch] = {}
        for m in out:
            unique.setdefault((normalise(m.need), normalise(m.offer)), m)
        return list(unique.values())


def _helped_links(person: Person) -> set[str]:
    found: set[str] = set()
    for entry in person.helped:
        found.update(normalise(t) for t in link_targets(entry.text))
    return found


def shared_words(need: str, offer: str) -> tuple[str, ...]:
    """The words a need and an offer have in common, as the need spells them."""
    offer_terms = terms(offer)
    return tuple(surface for term, surface in words(need) if term in offer_terms)


def suggest(
    people: Sequence[Person],
    focus: Person | None = None,
    limit: int | None = 20,
    include_introduced: bool = False,
    threshold: float = MIN_STRENGTH,
    catalogue: Catalogue | None = None,
    per_person: int | None = None,
) -> list[Suggestion]:
    """Introductions to make, strongest first.

    A suggestion is a pair of people where a need of one matches an offer of the
    other (either way round); its strength is that of its best match. Nobody is
    matched with themselves. Pairs already introduced are left out, or, with
    ``include_introduced``, kept and marked. With ``focus``, only pairs that
    include that person. ``limit`` None or 0 means every pair. ``per_person``
    (without ``focus``) lets nobody take more than that many places in the list,
    so one well-connected person does not fill it: the strongest of theirs stay.

    Ties are broken by the wording of the items, then by the people's names, so
    the output is the same on every run.
    """
    cat = catalogue or Catalogue(people)
    index: int | None = None
    if focus is not None:
        index = next((i for i, p in enumerate(cat.people) if p.path == focus.path), None)
        if index is None:
            return []
    wanted = limit if limit else None
    enough = wanted
    while True:
        scored, cut = _scored(cat, index, threshold, enough)
        pairs = _expand(cat, scored, index, wanted, include_introduced, per_person if index is None else None)
        # Fewer pairs than asked for may mean the cut rose too far (self-pairs, pairs
        # already introduced and repeated pairs count as "found" but give nothing):
        # look further down, until the cut is the threshold itself.
        if wanted is None or len(pairs) >= wanted or cut <= threshold + 1e-12:
            break
        enough = enough * 4 + 16
    out = []
    for value, needer, offerer in pairs.values():
        # The focus person first; otherwise the one whose need the best match answers.
        first, second = (offerer, needer) if index is not None and offerer == index else (needer, offerer)
        matches = cat.item_matches(first, second, threshold) + cat.item_matches(second, first, threshold)
        matches.sort(key=lambda m: -m.strength)
        out.append(
            Suggestion(cat.people[first], cat.people[second], value, tuple(matches), cat.introduced(first, second))
        )
    return out


def _scored(cat: Catalogue, index: int | None, threshold: float, enough: int | None):
    """The key pairs worth expanding, strongest first (ties by wording)."""
    if index is None:
        def weight(need, offer):
            return len(cat.needs[need]) * len(cat.offers[offer])

        scored = cat.key_matches(cat.needs, cat.offers, threshold, enough, weight)
        cut = cat.last_cut
    else:
        # One person's few items against everyone's: a direct scan is linear and needs no index.
        person = cat.people[index]
        own_needs = [k for k in dict.fromkeys(item_terms(t) for t in person.needs) if k]
        own_offers = [k for k in dict.fromkeys(terms(t) for t in person.offers) if k]
        low = threshold - 1e-12
        scored = []
        for need in own_needs:
            for offer in cat.offers:
                value = cat.strength(need, offer)
                if value >= low and value > 0:
                    scored.append((value, need, offer))
        for offer in own_offers:
            for need in cat.needs:
                value = cat.strength(need, offer)
                if value >= low and value > 0:
                    scored.append((value, need, offer))
        scored = list(set(scored))  # a key pair met from both sides counts once
        cut = threshold
    scored.sort(key=lambda s: (-s[0], sorted(s[1]), sorted(s[2])))
    return scored, cut


def _expand(cat: Catalogue, scored, index: int | None, wanted: int | None, include_introduced: bool, per_person=None):
    """Person pairs from scored key pairs, strongest first, until ``wanted`` are found."""
    taken: dict[int, int] = {}
    orders: dict[tuple[int, frozenset[str]], list[int]] = {}

    def order(kind: int, key: frozenset[str]) -> list[int]:
        found = orders.get((kind, key))
        if found is None:
            holders = (cat.needs if kind == 0 else cat.offers)[key]
            found = sorted({i for i, _ in holders}, key=cat.sort_key)
            orders[(kind, key)] = found
        return found

    pairs: dict[tuple[int, int], tuple[float, int, int]] = {}
    for value, need_key, offer_key in scored:
        if wanted is not None and len(pairs) >= wanted:
            break
        needers, offerers = order(0, need_key), order(1, offer_key)
        if index is not None:  # only pairs with the focus person: one side is just them
            if index in needers and index in offerers:
                combos = [(index, o) for o in offerers] + [(n, index) for n in needers]
                combos.sort(key=lambda c: (cat.sort_key(c[0]), cat.sort_key(c[1])))
            elif index in needers:
                combos = [(index, o) for o in offerers]
            elif index in offerers:
                combos = [(n, index) for n in needers]
            else:
                combos = []
            rows = [(n, [o]) for n, o in combos]
        else:
            rows = [(n, offerers) for n in needers]
        for needer, candidates in rows:
            if wanted is not None and len(pairs) >= wanted:
                break
            for offerer in candidates:
                if needer == offerer:
                    continue
                pair = (min(needer, offerer), max(needer, offerer))
                if pair in pairs:
                    continue
                if not include_introduced and cat.introduced(needer, offerer):
                    continue
                if per_person and (taken.get(needer, 0) >= per_person or taken.get(offerer, 0) >= per_person):
                    continue
                taken[needer] = taken.get(needer, 0) + 1
                taken[offerer] = taken.get(offerer, 0) + 1
                pairs[pair] = (value, needer, offerer)
                if wanted is not None and len(pairs) >= wanted:
                    break
    return pairs
