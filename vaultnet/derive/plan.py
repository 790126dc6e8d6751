"""The plan: the next days of planned follow-ups, each person with reasons to reach out.

A reason gives rather than asks ("think what you can do for this person"), and the
reasons of a person are listed best first:

1. ``introduce``: a strong match (``matching.STRONG`` or better) between their needs
   and someone's offers, or their offers and someone's needs: the other person and
   the words that matched;
2. ``reciprocity``: they helped you (``received``) in the last ``RECENT_HELP`` and you
   have not helped them (``helped``) since;
3. ``job-change``: a Log line starting ``job change: `` in the last ``RECENT_NEWS``
   (imports write those);
4. ``birthday``: a birthday within ``BIRTHDAY_DAYS`` of the planned day;
5. ``intro-check``: an introduction you made ``INTRO_CHECK`` ago or more (a ``helped``
   item ``introduced to [[B]]``, what ``vaultnet intro`` writes) whose outcome is not
   recorded yet (``vaultnet intro A B --outcome TEXT`` writes a Log line
   ``intro outcome: [[B]]: TEXT`` on both notes, after which it is not asked again);
6. ``reconfirm``: a need confirmed longer ago than ``needs_confirm_after``
   (``2026-05-01 a fractional CFO``): "still looking for a fractional CFO?";
7. ``need``: what they need now (undated needs, or confirmed recently);
8. ``thank``: met in the last ``NEW_CONTACT``, never contacted since: thank them;
9. ``catch-up``: only when there is no other reason: ask what they are working on.

The match-based reasons come from one index built per run (``Introductions``): the
strong need/offer key pairs, found once by the matcher's inverted index (everyone's for
a build; for ``plan``, those of the planned people's needs and offers); a person's
introductions are then a few dictionary lookups.

People with ``archived`` set are left out of the plan (``is_archived``: the field may
not exist on ``Person`` yet, so it is read with ``getattr``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable, Iterable, Mapping, Sequence

from ..model.config import Config
from ..model.durations import Duration
from ..model.links import link_targets, plain_text
from ..model.names import normalise
from ..model.person import JOB_CHANGE, Person, dated_need, is_job_change
from .matching import Catalogue, grade, item_terms, shared_words, terms
from .schedule import Due, contacted_on, due_by, plan_days

MATCH_THRESHOLD = 0.6  # a strong match: the grade "strong" starts here
RECENT_HELP = timedelta(days=180)
RECENT_NEWS = timedelta(days=90)
NEW_CONTACT = timedelta(days=30)
INTRO_CHECK = timedelta(days=30)
INTRO_CHECK_UNTIL = timedelta(days=365)  # an introduction older than a year is history, not a check-in
BIRTHDAY_DAYS = 7
INTRO_OUTCOME = "intro outcome: "
INTRODUCED = "introduced to "
MAX_INTRODUCTIONS = 2  # introductions suggested per person

KINDS = ("introduce", "reciprocity", "job-change", "birthday", "intro-check", "reconfirm", "need", "thank", "catch-up")


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason to reach out: its kind (``KINDS``), a sentence, and the other person if any."""

    kind: str
    text: str
    other: str | None = None  # the other person's name (introductions, check-ins)
    words: tuple[str, ...] = ()  # the words that matched (introductions)

    def as_dict(self) -> dict:
        found: dict = {"kind": self.kind, "text": self.text}
        if self.other is not None:
            found["other"] = self.other
        if self.words:
            found["words"] = list(self.words)
        return found


@dataclass(frozen=True, slots=True)
class PlannedPerson:
    due: Due
    reasons: tuple[Reason, ...]
    person: Person  # the whole record (``due.person`` may be a lighter one)


def is_archived(person) -> bool:
    """Whether the person is archived (``archived:`` set); False where records have no such field."""
    return bool(getattr(person, "archived", None))


class Introductions:
    """The strong need/offer pairs of a vault, found once, looked up per person.

    With ``focus``, only the pairs of those people's needs and offers are found (the rest on
    demand, when another person is asked about): a plan of a week asks about a few dozen
    people, and finding every pair of a network whose phrases rarely repeat takes seconds.
    A pair is found the same either way: whether it is strong depends on the two items and
    the weights over everyone's, never on which other items were looked at (the strength is
    symmetric, so a person's offers are looked up as the "needs" of the index of everyone's
    needs)."""

    def __init__(self, people: Sequence[Person], focus: Iterable[Person] | None = None):
        # In name order, so each need's and offer's holders are listed by name as they are found.
        kept = sorted((p for p in people if not is_archived(p)), key=lambda p: (p.name.casefold(), p.path))
        self.cat = Catalogue(kept)
        self.by_need: dict[frozenset[str], list[tuple[float, frozenset[str]]]] = {}
        self.by_offer: dict[frozenset[str], list[tuple[float, frozenset[str]]]] = {}
        self._done_needs: set[frozenset[str]] = set()
        self._done_offers: set[frozenset[str]] = set()
        if focus is None:
            for value, need, offer in self.cat.key_matches(self.cat.needs, self.cat.offers, MATCH_THRESHOLD):
                self.by_need.setdefault(need, []).append((value, offer))
                self.by_offer.setdefault(offer, []).append((value, need))
            self._done_needs, self._done_offers = set(self.cat.needs), set(self.cat.offers)
            self._sort(self.by_need, self._done_needs)
            self._sort(self.by_offer, self._done_offers)
        else:
            self.prepare(focus)
        self.index = {p.path: i for i, p in enumerate(self.cat.people)}

    @staticmethod
    def _sort(table: dict, keys: Iterable[frozenset[str]]) -> None:
        for key in keys:
            found = table.get(key)
            if found:
                found.sort(key=lambda pair: (-pair[0], sorted(pair[1])))

    def prepare(self, people: Iterable[Person]) -> None:
        """Find the strong pairs of these people's needs and offers not found yet."""
        needs: set[frozenset[str]] = set()
        offers: set[frozenset[str]] = set()
        for person in people:
            needs.update(key for key in map(item_terms, person.needs) if key and key not in self._done_needs)
            offers.update(key for key in map(terms, person.offers) if key and key not in self._done_offers)
        if needs:
            for value, need, offer in self.cat.key_matches(sorted(needs, key=sorted), self.cat.offers, MATCH_THRESHOLD):
                self.by_need.setdefault(need, []).append((value, offer))
            self._done_needs |= needs
            self._sort(self.by_need, needs)
        if offers:
            for value, offer, need in self.cat.key_matches(sorted(offers, key=sorted), self.cat.needs, MATCH_THRESHOLD):
                self.by_offer.setdefault(offer, []).append((value, need))
            self._done_offers |= offers
            self._sort(self.by_offer, offers)

    def _holders(self, kind: dict, key: frozenset[str], me: int) -> Iterable[tuple[int, str]]:
        """Those who hold ``key`` (a need or offer), by name, except ``me`` and those ``me`` was introduced to."""
        for index, text in kind[key]:
            if index != me and not self.cat.introduced(me, index):
                yield index, text

    def reasons(self, person: Person) -> list[Reason]:
        """The strongest introductions for ``person``: at most ``MAX_INTRODUCTIONS``, one per other person."""
        me = self.index.get(person.path)
        if me is None:
            return []
        self.prepare([person])
        found: list[tuple[float, str, Reason]] = []
        for need in person.needs:
            key = item_terms(need)
            for value, offer_key in self.by_need.get(key, ()):
                for index, offer in self._holders(self.cat.offers, offer_key, me):
                    other = self.cat.people[index]
                    words = shared_words(dated_need(need)[1], offer)
                    text = (f"Introduce them to {other.name}, who offers “{offer}”: they need “{dated_need(need)[1]}” "
                            f"({grade(value)}: {', '.join(words)})")
                    found.append((value, other.path, Reason("introduce", text, other.name, words)))
                    break
        for offer in person.offers:
            key = terms(offer)
            for value, need_key in self.by_offer.get(key, ()):
                for index, need in self._holders(self.cat.needs, need_key, me):
                    other = self.cat.people[index]
                    what = dated_need(need)[1]
                    words = shared_words(what, offer)
                    text = (f"Introduce them to {other.name}, who needs “{what}”: they offer “{offer}” "
                            f"({grade(value)}: {', '.join(words)})")
                    found.append((value, other.path, Reason("introduce", text, other.name, words)))
                    break
        found.sort(key=lambda f: (-f[0], f[2].text))
        out: list[Reason] = []
        seen: set[str] = set()
        for _value, other, reason in found:
            if other not in seen:
                seen.add(other)
                out.append(reason)
            if len(out) == MAX_INTRODUCTIONS:
                break
        return out


def _name_of(link_text: str) -> str:
    targets = link_targets(link_text)
    if targets:
        return targets[0].rsplit("/", 1)[-1]
    return plain_text(link_text).strip()


def _next_birthday(person: Person, day: date) -> date | None:
    b = person.birthday
    if b is None:
        return None
    for year in (day.year, day.year + 1):
        if year > date.max.year:
            break
        try:
            found = date(year, b.month, b.day)
        except ValueError:  # 29 February in a common year: the last day of February
            found = date(year, 2, 28)
        if found >= day:
            return found
    return None


def _before(day: date, span: timedelta) -> date:
    """``day - span``, or the first day there is."""
    try:
        return day - span
    except OverflowError:
        return date.min


def stale_needs(person: Person, config: Config, today: date) -> list[tuple[date, str]]:
    """The needs confirmed longer ago than ``needs_confirm_after``: ``(date, what)``."""
    after = config.needs_confirm_after
    if after.never:
        return []
    out = []
    for need in person.needs:
        day, what = dated_need(need)
        if day is not None:
            try:
                stale = after.after(day) < today
            except (OverflowError, ValueError):
                stale = False
            if stale:
                out.append((day, what))
    return out


def person_reasons(
    person: Person, config: Config, today: date, day: date, intros: Introductions | None, last_seen: date | None = None
) -> list[Reason]:
    """Every reason to reach out to ``person`` on the planned ``day``, best first; ``last_seen``,
    when given, is their last contact counting the mentions (a record read alone has none)."""
    if last_seen is None:
        last_seen = person.last_seen
    reasons: list[Reason] = list(intros.reasons(person)) if intros is not None else []
    # Reciprocity: the newest help received recently, not answered by help given since.
    received = [e for e in person.received if e.date is not None and _before(today, RECENT_HELP) < e.date <= today]
    if received:
        last = max(received, key=lambda e: e.date)
        given = [e.date for e in person.helped if e.date is not None]
        if not given or max(given) < last.date:
            reasons.append(Reason("reciprocity", f"They helped you on {last.date.isoformat()} ({plain_text(last.text)}) "
                                                 "and you have not helped them since: find a way to give back"))
    for entry in person.log:
        if entry.date is not None and is_job_change(entry.text) and _before(today, RECENT_NEWS) < entry.date <= today:
            news = plain_text(entry.text[len(JOB_CHANGE):]).strip()
            reasons.append(Reason("job-change", f"New job ({entry.date.isoformat()}): {news}: congratulate them"))
    birthday = _next_birthday(person, day)
    if birthday is not None and (birthday - day).days <= BIRTHDAY_DAYS:
        when = "on the day" if birthday == day else f"on {birthday.isoformat()}"
        reasons.append(Reason("birthday", f"Birthday {when}: wish them well"))
    outcomes = {normalise(_name_of(e.text[len(INTRO_OUTCOME):])): e.date for e in person.log
                if e.text.casefold().startswith(INTRO_OUTCOME)}
    for entry in person.helped:
        if entry.date is None or not entry.text.casefold().startswith(INTRODUCED):
            continue
        age = day - entry.date
        other = _name_of(entry.text[len(INTRODUCED):])
        recorded = outcomes.get(normalise(other))
        if INTRO_CHECK <= age <= INTRO_CHECK_UNTIL and not (recorded and recorded >= entry.date):
            reasons.append(Reason("intro-check", f"Did the intro to {other} help? (introduced {entry.date.isoformat()}; "
                                                 f"record it: vaultnet intro \"{person.name}\" \"{other}\" --outcome …)", other))
    stale = stale_needs(person, config, today)
    for confirmed, what in stale:
        reasons.append(Reason("reconfirm", f"Still looking for {what}? (last confirmed {confirmed.isoformat()})"))
    stale_texts = {what for _d, what in stale}
    current = [dated_need(n)[1] for n in person.needs if dated_need(n)[1] not in stale_texts]
    if current:
        reasons.append(Reason("need", "They need: " + "; ".join(plain_text(n) for n in current) + ": can you help?"))
    if person.met is not None and last_seen is None and _before(today, NEW_CONTACT) <= person.met <= today:
        where = f" at {plain_text(person.met_at)}" if person.met_at else ""
        reasons.append(Reason("thank", f"New contact: met {person.met.isoformat()}{where}: thank them and ask how you can help"))
    if not reasons:
        reasons.append(Reason("catch-up", "Catch up: ask what they are working on and how you can help"))
    return reasons


class Reasons:
    """Each planned person's reasons, worked out on demand and kept; the introductions
    index is built once, the first time a reason is asked for. One per build, shared by
    ``plan``, ``Follow-ups.md`` and the calendar, so all three say the same.

    ``people`` may be lighter records with a ``Person``'s names for what the introductions
    index reads (``load.wideroster.Wide``); then ``records`` holds the whole record of each
    person asked about, by path."""

    def __init__(
        self, people: Sequence[Person], config: Config, today: date, records: Mapping[str, Person] | None = None,
        focus: Sequence[Person] | None = None,
    ):
        self.people = [p for p in people if not is_archived(p)]
        self.config = config
        self.today = today
        self.records = records
        self.focus = focus  # the people who will be asked about (all when None)
        self._intros: Introductions | None = None
        self._found: dict[tuple[str, date], tuple[Reason, ...]] = {}

    def of(self, due: Due) -> tuple[Reason, ...]:
        day = due.planned or max(due.date, self.today)
        key = (due.person.path, day)
        found = self._found.get(key)
        if found is None:
            if self._intros is None:
                self._intros = Introductions(self.people, self.focus)
            person = due.person if self.records is None else self.records[due.person.path]
            found = self._found[key] = tuple(
                person_reasons(person, self.config, self.today, day, self._intros, due.person.last_seen)
            )
        return found


def make_plan(
    people: Sequence[Person], config: Config, today: date, days: int,
    records: Callable[[list[str]], Mapping[str, Person] | None] | None = None,
) -> list[tuple[date, list[PlannedPerson]]] | None:
    """The next ``days`` days (today first) of planned follow-ups, each person with their reasons.

    ``people`` may be lighter records (see ``Reasons``); then ``records(paths)`` reads the
    whole records of the people planned, and when it cannot (None), neither can this: None."""
    people = [p for p in people if not is_archived(p)]
    days = max(1, min(days, (date.max - today).days + 1))  # no day past 9999-12-31
    last = today + timedelta(days=days - 1)
    # Only those due by the last day can be planned before it (the line is by due date).
    dues = plan_days(due_by(people, config, today, Duration(days - 1, "d")), config, today,
                     contacted_on(people, today), until=last)
    found = None
    if records is not None:
        found = records([due.person.path for due in dues])
        if found is None:
            return None
    reasons = Reasons(people, config, today, found, [due.person for due in dues])
    by_day: dict[date, list[PlannedPerson]] = {today + timedelta(days=n): [] for n in range(days)}
    for due in dues:
        person = due.person if found is None else found[due.person.path]
        by_day[due.planned].append(PlannedPerson(due, reasons.of(due), person))
    return list(by_day.items())
