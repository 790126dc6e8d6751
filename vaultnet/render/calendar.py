"""The follow-up calendar: an iCalendar feed that calendar apps subscribe to.

One all-day event per person planned within ``calendar_horizon``, on the day the
plan puts them (``schedule.plan_days``: at most ``follow_ups_per_day`` a day;
overdue people from today on, saying how overdue they are), plus yearly birthday
events, which do not count against the cap, when the
config's ``birthdays`` is true. Calendar apps keep a subscription in step by UID,
so everything here is a pure function of the notes and of "today":

- **UID** — ``followup-<hash>@vaultnet`` / ``birthday-<hash>@vaultnet``, where the
  hash is taken over the note's path *relative to the people folder*, Unicode-NFC
  normalised and case-folded. Editing anything in the note (even its ``name``)
  keeps the UID; a case-only rename or a macOS/Linux Unicode difference keeps it
  too. Renaming or moving the file gives a new UID: at their next refresh,
  subscribers see the old event disappear and the new one appear (the feed only
  ever holds current events, so nothing is duplicated). Two notes whose paths
  differ only so (``amara okafor.md`` beside ``Amara Okafor.md``, an NFC and an
  NFD ``Café.md``) are twins: the first by exact path keeps that UID and each later
  one gets a hash of its exact path instead, so no event hides another in a
  client that keys events by UID.
- **DTSTAMP** — "when this item was last revised" (a feed has no METHOD), so it
  comes from the person's data, never from the clock: 00:00 UTC of the newest date
  the note carries (last contact or log line, meeting, follow-up date, giving
  ledger) that is not after today (a note holding only a future follow-up date
  uses that date). An event planned on today (an overdue or never-contacted
  person the daily cap leaves room for) is rewritten each day, so its DTSTAMP is
  today. A birthday's DTSTAMP is its first occurrence.
- **DTSTART/DTEND** — DATE values without a time zone, DTEND the exclusive next
  day (a date start with a date-time end makes khal refuse the file).
- **PRODID** is fixed (no version number), so upgrading vaultnet does not rewrite
  every subscriber's feed.

**Written with icalendar's values.** The feed is what icalendar writes for a
``Calendar`` holding one ``Event`` per decided event; the tests hold every byte to
that. icalendar encodes each value here too (``vText`` escapes TEXT, so a note
cannot inject a property: a newline is ``\\n``, a comma ``\\,``; ``vDate``,
``vDatetime``, ``vRecur``, ``vCategory``, ``vDuration``), while the lines are
assembled in icalendar's property order and folded by ``contentlines``, the way
icalendar folds them: icalendar's own per-property objects and its folding, one
character at a time, would cost most of a build. Two of icalendar's conveniences
are avoided on purpose: ``Event.new`` invents a random UID and a DTSTAMP from the
clock, and ``Calendar.new`` writes a random UID and a PRODID with icalendar's
version. What icalendar does not do is made sure of when the event is decided
(``Event``): control characters, which TEXT does not allow and icalendar passes
through, become spaces.

**Pure and streamed.** Each event is a pure function of the person, the config
and today (``follow_up_event``, ``birthday_event``), and its bytes a pure
function of the event (``event_bytes``). ``build_calendar`` puts the feed in
order by what the order is made of (dates, titles, UIDs), then decides, writes
and drops one event at a time into one buffer: no list of every event or of
every event's bytes is held.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import icalendar
from icalendar.prop import vDate, vDatetime, vDuration, vRecur, vText

from ..model.config import Config
from ..model.links import link_target, plain_text
from ..model.names import nfc_casefold
from ..model.person import Person
from ..derive.plan import Reasons
from ..derive.schedule import FIRST_FOLLOW_UP, HELP_ASK, NEVER_CONTACTED, Due, cadence_of, contacted_on, due_of, met_text, plan_days
from .contentlines import LIMIT, fold
from .words import plural

PRODID = "-//vaultnet//Follow-ups//EN"
UID_DOMAIN = "vaultnet"
REFRESH = "PT12H"  # how often subscribers should refetch (REFRESH-INTERVAL, X-PUBLISHED-TTL)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# --- text and UIDs ---------------------------------------------------------------------------


_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]|[^\S ]|  |^ | $")  # [^\S ]: any space but " "


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces: for SUMMARY and names."""
    # isprintable() is False for every control character and every space but " ": the
    # common case is settled without the regex.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    if not _NOT_ONE_LINE.search(text):
        return text
    return " ".join(_CONTROL.sub(" ", text).split())


def uid_for(person: Person, config: Config, kind: str, twins: frozenset[str] = frozenset()) -> str:
    """The stable UID of one of a person's events (see the module docstring); ``twins``
    is ``later_twins`` of the people in the feed."""
    if twins and person.path in twins:
        return f"{kind}-{_exact_hash(person.path)}@{UID_DOMAIN}"
    return f"{kind}-{_uid_hash(person.path, config.people_dir)}@{UID_DOMAIN}"


def _uid_key(path: str, people_dir: str) -> str:
    """What a UID is made of: the path in the people folder, in one Unicode form and case."""
    prefix = people_dir.rstrip("/") + "/"
    return nfc_casefold(path.removeprefix(prefix))


def _uid_hash(path: str, people_dir: str) -> str:
    key = _uid_key(path, people_dir)
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:24]  # a non-UTF-8 name: its bytes


def _exact_hash(path: str) -> str:
    # Marked, so it can never equal the hash of another note's folded path (``café.md``
    # exactly is ``Café.md`` folded).
    return hashlib.sha256(b"exact\0" + path.encode("utf-8", "surrogateescape")).hexdigest()[:24]


def later_twins(people: Iterable[Person], config: Config) -> frozenset[str]:
    """Paths of the notes whose UID an earlier note (by exact path) already has: the same
    path but for case or Unicode form. Empty in almost every vault."""
    paths = [p.path for p in people]
    # The common case, settled without a key per path: ASCII paths (Unicode forms and full
    # case folding cannot make two of them one) that differ even when lowercased.
    if all(path.isascii() for path in paths) and len({path.lower() for path in paths}) == len(paths):
        return frozenset()
    seen: set[str] = set()
    later: list[str] = []
    for path in sorted(paths):
        key = _uid_key(path, config.people_dir)
        if key in seen:
            later.append(path)
        else:
            seen.add(key)
    return frozenset(later)


# --- what an event says ---------------------------------------------------------------------


@dataclass(slots=True)
class Event:
    """One all-day event, already decided: everything the feed says about it.

    These fields are the whole input of the event's bytes (``event_bytes``).
    Text is made fit for a TEXT value
    here, when the event is decided: carriage returns become newlines, other control
    characters (which TEXT does not allow, and icalendar passes through) become
    spaces, and lone surrogates (from a file name that is not UTF-8) become U+FFFD.
    """

    uid: str
    start: date
    stamp: date
    summary: str
    description: str
    categories: tuple[str, ...] = ()
    yearly: str | None = None  # an RRULE value for birthdays

    def __post_init__(self) -> None:
        self.summary = _text(self.summary)
        self.description = _text(self.description)
        if self.categories and not "".join(self.categories).isprintable() and any(_UNFIT.search(c) for c in self.categories):
            self.categories = tuple(_text(c) for c in self.categories)


_UNFIT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _text(text: str) -> str:
    """Text fit for a TEXT value: see ``Event``."""
    if text.isprintable() or not _UNFIT.search(text):  # isprintable(): no control character, no surrogate
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", text))


def _newest_date(person: Person, seen: date | None, today: date) -> date | None:
    """The newest date not after today, else the earliest (only future dates: use one, not the clock)."""
    past = future = None
    ledger = [entry.date for entries in (person.helped, person.received) for entry in entries]
    for day in (seen, person.met, person.follow_up, *ledger):
        if day:
            if day <= today:
                if past is None or day > past:
                    past = day
            elif future is None or day < future:
                future = day
    return past or future


def _categories(person: Person) -> tuple[str, ...]:
    return _categories_of(person.tags) if person.tags else ()


@lru_cache(maxsize=4096)
def _categories_of(tags: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for tag in tags:
        text = one_line(tag)
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return tuple(seen.values())


def _headline(due: Due, today: date) -> tuple[date, str]:
    """A follow-up's start and title (its SUMMARY): what the feed is sorted by. The start
    is the planned day (``plan_days``); how overdue is said as of that day."""
    person = due.person
    name = one_line(person.name) or person.stem
    start = due.planned or max(due.date, today)
    if due.reason == NEVER_CONTACTED:
        return start, f"Follow up: {name} (never contacted)"
    overdue = (start - due.date).days
    if overdue > 0:
        return start, f"Follow up: {name} ({plural(overdue, 'day')} overdue)"
    return start, f"Follow up: {name}"


def follow_up_event(
    due: Due, config: Config, today: date, twins: frozenset[str] = frozenset(), reasons: Sequence[str] = ()
) -> Event:
    """The event for one due person (``due`` is ``due_of(person, config, today)``, planned by
    ``plan_days``): on its planned day. A pure function of the person, the config and today
    (and ``twins``, see ``later_twins``, and ``reasons``, the plan's reasons to reach out)."""
    start, title = _headline(due, today)
    person = due.person
    overdue = (start - due.date).days
    if due.reason == NEVER_CONTACTED:
        lines = ["Never contacted: no last_contact, log line or met date in the note."]
    elif overdue > 0:
        lines = [f"Due {due.date.isoformat()}, {plural(overdue, 'day')} overdue."]
    else:
        lines = [f"Due {due.date.isoformat()}."]
    if due.reason == FIRST_FOLLOW_UP:
        lines.append(f"M{plain_text(met_text(person))[1:]}, not contacted since: {HELP_ASK}.")
    if start > max(due.date, today):
        lines.append(f"Planned for {start.isoformat()}: at most {config.follow_ups_per_day} follow-ups a day (follow_ups_per_day).")
    if reasons:
        lines.append("Reasons to reach out:")
        lines += [f"- {plain_text(reason)}" for reason in reasons]
    cadence = due.cadence or cadence_of(person, config)
    why = "follow-up date set in the note" if due.reason == "follow_up" else None
    circle = f" (circle {one_line(person.circle)})" if person.circle else ""
    lines.append(f"Cadence: {'none' if cadence.never else 'every ' + str(cadence)}{circle}" + (f"; {why}" if why else ""))
    org = link_target(person.org) if person.org else None
    if person.role:
        lines.append(f"Works: {one_line(person.role)}, {one_line(org)}" if org else f"Works: {one_line(person.role)}")
    elif org:
        lines.append(f"Works: {one_line(org)}")
    seen = person.last_seen
    if seen:
        # No "N days ago": it would change every event every day, and be stale on the day itself.
        text = f"Last contact: {seen.isoformat()}"
        last = person.last_log if person.log else None
        mention = person.last_mention if person.mentions else None
        if mention is not None:
            # Named by its note, not its line: the line is the note's business, often long.
            text += f" — mentioned in {one_line(mention.note)}"
        elif last and last.date == seen and last.text:
            text += f" — {plain_text(last.text)}"
        lines.append(text)
    if person.needs:
        lines.append("Needs: " + "; ".join([plain_text(n) for n in person.needs]))
    if person.offers:
        lines.append("Offers: " + "; ".join([plain_text(o) for o in person.offers]))
    if person.helped:
        last = None  # the newest dated entry (the later one of equal dates)
        for entry in person.helped:
            if entry.date and (last is None or entry.date >= last.date):
                last = entry
        if last is not None:
            lines.append(f"You last helped: {last.date.isoformat()} {plain_text(last.text)}".rstrip())
        else:
            lines.append(f"You last helped: {plain_text(person.helped[-1].text)}")
    if person.emails or person.phones:
        lines.append("Contact: " + ", ".join((*person.emails, *person.phones)))
    lines.append(f"Note: {person.path}")
    stamp = today if start == today else (_newest_date(person, seen, today) or today)
    return Event(uid_for(person, config, "followup", twins), start, stamp, title, "\n".join(lines), _categories(person))


def birthday_event(person: Person, config: Config, twins: frozenset[str] = frozenset()) -> Event | None:
    """A yearly all-day event; 29 February falls on the last day of February. A pure
    function of the person and the config (and ``twins``, see ``later_twins``)."""
    birthday = person.birthday
    if birthday is None:
        return None
    # The year of birth when it is a usable first occurrence; else 2000, a leap year, so
    # --02-29 is real (a year like 9999 would leave no room for the exclusive DTEND).
    year = birthday.year if birthday.year and 1 <= birthday.year < 9999 else 2000
    start = date(year, birthday.month, birthday.day)
    rule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1" if (birthday.month, birthday.day) == (2, 29) else "FREQ=YEARLY"
    born = f"Born {birthday}.\n" if birthday.year else ""
    return Event(
        uid_for(person, config, "birthday", twins),
        start,
        start,
        _birthday_title(person),
        f"{born}Note: {person.path}",
        _categories(person),
        rule,
    )


def _birthday_title(person: Person) -> str:
    return f"Birthday: {one_line(person.name) or person.stem}"


def _due_within_horizon(
    people: list[Person], config: Config, today: date, dues: Iterable[Due | None] | None,
    planned: Sequence[Due] | None = None,
) -> list[Due]:
    horizon = config.calendar_horizon
    try:
        limit = None if horizon.never else horizon.after(today)  # "none": no limit
    except (OverflowError, ValueError):
        limit = None  # a horizon past the year 9999 is no limit either
    if planned is not None:
        # The plan of everyone: in line by due date, so those due by the horizon come first
        # and are planned as they would be alone (``plan_days``).
        return [
            d for d in planned
            if (limit is None or (d.date <= limit and d.planned <= limit)) and d.date < date.max and d.planned < date.max
        ]
    if dues is None:
        dues = (due_of(p, config, today) for p in people)
    # (date.max cannot start an all-day event: its exclusive end would be in year 10000.)
    # Only those due by the horizon can be planned on it: the people due later come after
    # them in line. Someone planned past the horizon is in the feed when their day comes near.
    found = [d for d in dues if d is not None and (limit is None or d.date <= limit) and d.date < date.max]
    planned = plan_days(found, config, today, contacted_on(people, today))
    return [d for d in planned if (limit is None or d.planned <= limit) and d.planned < date.max]


# --- the feed's bytes: icalendar's values, shared folding ------------------------------------

CALDESC = "Follow-ups from vaultnet: who is due for a call, coffee or email."
_END = b"END:VCALENDAR\r\n"
_DAY = timedelta(days=1)
_BOM = "\ufeff".encode("utf-8")
_REFRESH = vDuration.from_ical(REFRESH)


def _line(name: bytes, value: bytes) -> bytes:
    """One content line (without its CRLF): ``name`` (with its parameters and colon) and
    a value icalendar encoded, folded as icalendar folds.

    icalendar reads each encoded value back as ``utf-8-sig`` when it assembles a line,
    which drops one leading U+FEFF of the value: dropped here too, so that the feed says
    what icalendar's own writer says. icalendar's folding ends the first line at 74
    octets and never right after an escape's ``\\`` or RFC 6868's ``^``.
    """
    if value[:3] == _BOM:
        value = value[3:]
    return fold(name + value, first=LIMIT - 1, keep_escapes=True)


def head_bytes(name: str) -> bytes:
    """The feed's header, up to its first event, for a calendar called ``name`` (one line of
    text, see ``feed_name``).

    Not ``Calendar.new``: it writes a random UID and a PRODID carrying icalendar's version.
    Properties icalendar does not know are given their value types: NAME and the X- ones
    as TEXT (escaped), REFRESH-INTERVAL and X-PUBLISHED-TTL as a DURATION (``PT12H``).
    """
    refresh = vDuration(_REFRESH).to_ical()
    return b"\r\n".join([
        b"BEGIN:VCALENDAR",
        _line(b"VERSION:", vText("2.0").to_ical()),
        _line(b"PRODID:", vText(PRODID).to_ical()),
        _line(b"CALSCALE:", vText("GREGORIAN").to_ical()),
        _line(b"X-WR-CALDESC:", vText(CALDESC).to_ical()),
        _line(b"NAME:", vText(name).to_ical()),
        _line(b"X-WR-CALNAME:", vText(name).to_ical()),
        _line(b"REFRESH-INTERVAL;VALUE=DURATION:", refresh),
        _line(b"X-PUBLISHED-TTL:", refresh),
        b"",
    ])


def feed_name(config: Config) -> str:
    """The calendar's name as the feed shows it: one line of text."""
    return one_line(_text(config.calendar_name))


def event_bytes(event: Event) -> bytes:
    """One VEVENT: a pure function of the decided event.

    Each value is encoded by icalendar's value type (``vText``, ``vDate``, ``vDatetime``,
    ``vRecur``, ``vCategory``), the properties come in icalendar's canonical order
    (SUMMARY, DTSTART, DTEND, DTSTAMP, UID, RRULE, then by name), and each line is folded
    by ``contentlines``: icalendar's own folding walks every line one character at a
    time, which costs several times more than encoding the values. The tests hold the
    whole feed to icalendar's own ``Calendar.to_ical()`` on hostile text.
    """
    lines = [
        b"BEGIN:VEVENT",
        _line(b"SUMMARY:", text_value(event.summary)),
        _dates(event.start, event.stamp),
        _line(b"UID:", vText(event.uid).to_ical()),
    ]
    if event.yearly:
        lines.append(_rrule(event.yearly))
    if event.categories:
        lines.append(_categories_line(event.categories))
    if event.description:
        lines.append(_line(b"DESCRIPTION:", text_value(event.description)))
    lines.append(_TAIL)
    return b"\r\n".join(lines)


_TAIL = _line(b"TRANSP:", vText("TRANSPARENT").to_ical()) + b"\r\nEND:VEVENT\r\n"


# Few distinct values repeat across a feed: a day, a set of tags, a rule. Their
# icalendar encoding is remembered (it is a pure function of the value).


def _dates(start: date, stamp: date) -> bytes:
    """The DTSTART and DTEND (exclusive) DATE lines and the DTSTAMP (00:00 UTC) line."""
    return _start_lines(start) + _stamp_line(stamp)


@lru_cache(maxsize=4096)
def _start_lines(start: date) -> bytes:
    return (
        _line(b"DTSTART;VALUE=DATE:", vDate(start).to_ical()) + b"\r\n"
        + _line(b"DTEND;VALUE=DATE:", vDate(start + _DAY).to_ical()) + b"\r\n"
    )


@lru_cache(maxsize=4096)
def _stamp_line(stamp: date) -> bytes:
    return _line(b"DTSTAMP:", vDatetime(datetime(stamp.year, stamp.month, stamp.day, tzinfo=UTC)).to_ical())


@lru_cache(maxsize=4096)
def text_value(text: str) -> bytes:
    """A TEXT value, encoded by icalendar's ``vText``. Its escaping first reads a literal
    backslash-N as a line break (``a\\Nb`` would come back as two lines), so the text is
    encoded around each ``\\N`` and the pair written escaped, as RFC 5545 says."""
    if "\\N" not in text:
        return vText(text).to_ical()
    return b"\\\\N".join(vText(part).to_ical() for part in text.split("\\N"))


def _categories_line(categories: tuple[str, ...]) -> bytes:
    return _line(b"CATEGORIES:", b",".join(text_value(c) for c in categories))  # as vCategory joins them


@lru_cache(maxsize=16)
def _rrule(rule: str) -> bytes:
    return _line(b"RRULE:", vRecur.from_ical(rule).to_ical())


class EncodedEvents:
    """Each event's bytes from an earlier build, kept by UID with a key; an event whose key
    is unchanged is not encoded again.

    The key is a digest of everything ``event_bytes`` reads (the ``Event``'s fields) and of
    icalendar's version, whose value types do the encoding; or, for a person with an
    identity (``pipeline.person_identities``: what their record is made of) when ``base``
    is given (a digest of the config, the day and the code, icalendar's included), a digest
    of ``base``, the identity and what else the event is made of (the planned day, the
    reasons, the UID: ``facts``), so that an unchanged event costs neither deciding nor
    encoding. ``kept`` maps a UID to its key and ``fetch`` reads the bytes kept under that
    UID (None when there are none): only the keys are held, the bytes stream through.
    After a build, ``fresh`` holds what was encoded anew (``{uid: (key, bytes)}``) and
    ``gone`` the UIDs no longer in the feed, for the caller to store.
    """

    def __init__(
        self, kept: Mapping[str, str] | None = None, fetch: Callable[[str], bytes | None] | None = None,
        base: str | None = None,
    ):
        self.kept = kept or {}
        self.fetch = fetch or (lambda uid: None)
        self.base = base
        self.fresh: dict[str, tuple[str, bytes]] = {}
        self._used: set[str] = set()

    def encode(self, event: Event) -> bytes:
        key = _event_key(event)
        self._used.add(event.uid)
        if self.kept.get(event.uid) == key:
            data = self.fetch(event.uid)
            if data is not None:
                return data
        data = event_bytes(event)
        self.fresh[event.uid] = (key, data)
        return data

    def encode_from(self, uid: str, facts: tuple | None, decide: Callable[[], Event]) -> bytes:
        """The bytes of the event ``decide()`` makes, whose UID is ``uid``: kept ones when
        ``facts`` (the person's identity and what else the event is made of; None when the
        person has no identity) are those they were kept under."""
        if facts is None or self.base is None:
            return self.encode(decide())
        key = "p" + hashlib.blake2b(
            repr((self.base, uid, facts)).encode("utf-8", "surrogatepass"), digest_size=16
        ).hexdigest()
        self._used.add(uid)
        if self.kept.get(uid) == key:
            data = self.fetch(uid)
            if data is not None:
                return data
        event = decide()
        data = event_bytes(event)
        self.fresh[uid] = (key, data)
        return data

    @property
    def gone(self) -> list[str]:
        return sorted(uid for uid in self.kept if uid not in self._used)


def _event_key(event: Event) -> str:
    fields = (icalendar.__version__, event.uid, event.start.toordinal(), event.stamp.toordinal(),
              event.summary, event.description, event.categories, event.yearly)
    return hashlib.blake2b(repr(fields).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def build_calendar(
    people: Iterable[Person],
    config: Config,
    today: date,
    dues: Iterable[Due | None] | None = None,
    encoded: EncodedEvents | None = None,
    reasons: Callable[[Due], Sequence] | None = None,
    planned: Sequence[Due] | None = None,
    identities: Mapping[str, str] | None = None,
) -> bytes:
    """The feed of ``people``: follow-ups by date, title and UID, then birthdays by day of
    the year, title and UID. ``dues`` (each person's ``due_of``) may be passed when the
    caller worked them out already; ``encoded`` holds the events of an earlier build, so
    that only events that changed are encoded; ``reasons`` gives a planned person's reasons
    to reach out (``plan.Reasons.of``; one is made here when not given); ``planned``, the
    plan of everyone due (``schedule.plan_days`` of every due person), when the caller has it;
    ``identities``, each person's identity by path, lets ``encoded`` reuse an unchanged
    person's event without deciding it (``EncodedEvents.encode_from``).

    The events are put in the feed's order first, by what the order is made of (a
    follow-up's start and title, a birthday's day and name, the UIDs), and then each
    is decided, written and dropped: only the feed's own bytes grow (at 100,000
    people, holding every event, or every event's bytes before joining them, took
    about 100 MB more at the peak).
    """
    people = list(people)
    encoded = encoded or EncodedEvents()
    twins = later_twins(people, config)
    out = io.BytesIO()
    out.write(head_bytes(feed_name(config)))
    follow_ups = _due_within_horizon(people, config, today, dues, planned)
    places = [_follow_up_place(due, config, today, twins) for due in follow_ups]
    order = sorted(range(len(follow_ups)), key=places.__getitem__)
    follow_ups = [(follow_ups[i], places[i][2]) for i in order]  # each with its UID
    del places, order
    if reasons is None:
        reasons = Reasons(people, config, today).of
    identities = identities or {}
    encode_from = encoded.encode_from
    for due, uid in follow_ups:
        texts = [r.text for r in reasons(due)]
        identity = identities.get(due.person.path)
        # Kept by UID, which two paths can share (a case-only rename of a linked note keeps
        # the stat key too): the path is part of what the event is made of.
        facts = None if identity is None else (identity, due.person.path, due.planned.toordinal() if due.planned else None, texts)
        out.write(encode_from(uid, facts, lambda: follow_up_event(due, config, today, twins, texts)))
    del follow_ups
    if config.birthdays:
        births = [p for p in people if p.birthday is not None and not p.archived]
        places = [_birthday_place(person, config, twins) for person in births]
        order = sorted(range(len(births)), key=places.__getitem__)
        births = [(births[i], places[i][2]) for i in order]  # each with its UID, worked out once
        del places, order
        for person, uid in births:
            identity = identities.get(person.path)
            out.write(encode_from(uid, None if identity is None else (identity, person.path), lambda: birthday_event(person, config, twins)))
    out.write(_END)
    return out.getvalue()  # the buffer itself, not a copy


def _follow_up_place(due: Due, config: Config, today: date, twins: frozenset[str]) -> tuple:
    """Where a follow-up goes: by start, title and UID, as its decided event says them."""
    start, title = _headline(due, today)
    return start, _text(title).casefold(), uid_for(due.person, config, "followup", twins)


def _birthday_place(person: Person, config: Config, twins: frozenset[str]) -> tuple:
    """Where a birthday goes: by day of the year, title and UID."""
    return (
        (person.birthday.month, person.birthday.day),
        _text(_birthday_title(person)).casefold(),
        uid_for(person, config, "birthday", twins),
    )
