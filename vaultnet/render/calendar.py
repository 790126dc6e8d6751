"""The follow-up calendar: an iCalendar feed that calendar apps subscribe to.

One all-day event per person due within ``calendar_horizon`` (overdue people sit
on today and say how overdue they are), plus yearly birthday events when the
config's ``birthdays`` is true. Calendar apps keep a subscription in step by UID,
so everything here is a pure function of the notes and of "today":

- **UID** — ``followup-<hash>@vaultnet`` / ``birthday-<hash>@vaultnet``, where the
  hash is taken over the note's path *relative to the people folder*, Unicode-NFC
  normalised and case-folded. Editing anything in the note (even its ``name``)
  keeps the UID; a case-only rename or a macOS/Linux Unicode difference keeps it
  too. Renaming or moving the file gives a new UID: at their next refresh,
  subscribers see the old event disappear and the new one appear (the feed only
  ever holds current events, so nothing is duplicated).
- **DTSTAMP** — "when this item was last revised" (a feed has no METHOD), so it
  comes from the person's data, never from the clock: 00:00 UTC of the newest date
  the note carries (last contact or log line, meeting, follow-up date, giving
  ledger) that is not after today (a note holding only a future follow-up date
  uses that date). An overdue or never-contacted event moves to today each
  day, so its DTSTAMP is today. A birthday's DTSTAMP is its first occurrence.
- **DTSTART/DTEND** — DATE values without a time zone, DTEND the exclusive next
  day (a date start with a date-time end makes khal refuse the file).
- **PRODID** is fixed (no version number), so upgrading vaultnet does not rewrite
  every subscriber's feed.

**icalendar's bytes.** The feed is what icalendar writes for an icalendar
``Calendar`` holding one ``Event`` per decided event (``calendar_component``,
``vevent``): escaping (no property injection from a note: a newline is ``\\n``, a
comma ``\\,``), UTF-8 encoding and 75-octet folding are the library's, not ours.
Two of its conveniences are avoided on purpose: ``Event.new`` invents a random UID
and a DTSTAMP from the clock for anything not passed, and ``Calendar.new`` writes
NAME unescaped, REFRESH-INTERVAL without VALUE=DURATION, a random UID and a PRODID
with icalendar's version. Properties icalendar does not know (NAME, X-WR-CALNAME,
X-WR-CALDESC, X-PUBLISHED-TTL) are given their value types explicitly: as a bare
string they are written unescaped, and a bare timedelta in X-PUBLISHED-TTL as
``12:00:00`` instead of ``PT12H``. What icalendar does not do is made sure of when
the event is decided (``Event``): control characters, which TEXT does not allow and
icalendar passes through, become spaces.

**Written fast.** icalendar costs about 0.4 ms an event (a property object with a
parameters dictionary per line, then folding one character at a time in Python):
5 s for the 12,526 events of a 10,000-person vault. ``event_bytes`` (and
``head_bytes`` for the header) writes the same bytes for our events' fixed shape in
about 8 µs: icalendar's escaping, its property order and its folding, done on whole
strings (see its docstring). That they are the same is not assumed: tests compare
them with icalendar's own output on hostile text (hypothesis: multi-octet
characters, backslashes and carets at every fold point, BOMs, CR/LF, control
characters), and ``writer`` compares them on hostile canaries with the installed
icalendar before using them; if icalendar writes anything differently (another
version), icalendar writes the feed. Importing icalendar for that check costs more
CPU than writing 10,000 people's feed, so a passed check is remembered per vault
(``.vaultnet/cache/calendar-writer.json``, keyed by the size and time of the
sources of this module and of the icalendar that would be imported). This replaced
a memo of serialised events (``.vaultnet/cache/calendar-events.json``, now unused and
safe to delete): writing every event is cheaper than reading, checking and
rewriting that memo, holds less memory, and leaves no event text on disk to trust.

**Streamed.** ``build_calendar`` puts the feed in order by what the order is made of
(dates, titles, UIDs), then decides, writes and drops one event at a time into one
buffer: no icalendar component, no list of every event and no list of every
event's bytes is held (at 100,000 people those cost about 100 MB at the peak).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from ..model.config import Config
from ..model.errors import VaultnetError
from ..model.person import Person, link_target
from ..derive.schedule import NEVER_CONTACTED, Due, cadence_of, due_of

PRODID = "-//vaultnet//Follow-ups//EN"
UID_DOMAIN = "vaultnet"
REFRESH = "PT12H"  # how often subscribers should refetch (REFRESH-INTERVAL, X-PUBLISHED-TTL)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINKS = re.compile(r"\[\[([^\[\]|]+)(?:\|([^\[\]]*))?\]\]|\[([^\[\]]*)\]\([^()\s]*\)")


def plain(text: str) -> str:
    """Note text for a calendar app, which shows Markdown literally: links become their text."""
    if "[" not in text:
        return text
    return _LINKS.sub(lambda m: (m.group(2) or m.group(1) or m.group(3) or "").strip(), text)


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


def uid_for(person: Person, config: Config, kind: str) -> str:
    """The stable UID of one of a person's events (see the module docstring)."""
    return f"{kind}-{_uid_hash(person.path, config.people_dir)}@{UID_DOMAIN}"


def _uid_hash(path: str, people_dir: str) -> str:
    prefix = people_dir.rstrip("/") + "/"
    path = path.removeprefix(prefix)
    key = unicodedata.normalize("NFC", path).casefold()
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:24]  # a non-UTF-8 name: its bytes


# --- what an event says ---------------------------------------------------------------------


@dataclass(slots=True)
class Event:
    """One all-day event, already decided: everything the feed says about it.

    These fields are the whole input of the event's serialisation (``vevent``,
    ``event_bytes``). Text is made fit for a TEXT value
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


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


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


def follow_up_event(due: Due, config: Config, today: date) -> Event:
    """The event for one due person: on its date, or on today when overdue."""
    start, title = _headline(due, today)
    return _follow_up_event(due, config, today, start, title, uid_for(due.person, config, "followup"))


def _headline(due: Due, today: date) -> tuple[date, str]:
    """A follow-up's start and title (its SUMMARY): what the feed is sorted by."""
    person = due.person
    name = one_line(person.name) or person.stem
    if due.reason == NEVER_CONTACTED:
        return today, f"Follow up: {name} (never contacted)"
    overdue = (today - due.date).days
    if overdue > 0:
        return today, f"Follow up: {name} ({_plural(overdue, 'day')} overdue)"
    return due.date, f"Follow up: {name}"


def _follow_up_event(due: Due, config: Config, today: date, start: date, title: str, uid: str) -> Event:
    person = due.person
    overdue = (today - due.date).days
    if due.reason == NEVER_CONTACTED:
        lines = ["Never contacted: no last_contact, log line or met date in the note."]
    elif overdue > 0:
        lines = [f"Due {due.date.isoformat()}, {_plural(overdue, 'day')} overdue."]
    else:
        lines = [f"Due {due.date.isoformat()}."]
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
        if last and last.date == seen and last.text:
            text += f" — {plain(last.text)}"
        lines.append(text)
    if person.needs:
        lines.append("Needs: " + "; ".join([plain(n) for n in person.needs]))
    if person.offers:
        lines.append("Offers: " + "; ".join([plain(o) for o in person.offers]))
    if person.helped:
        last = None  # the newest dated entry (the later one of equal dates)
        for entry in person.helped:
            if entry.date and (last is None or entry.date >= last.date):
                last = entry
        if last is not None:
            lines.append(f"You last helped: {last.date.isoformat()} {plain(last.text)}".rstrip())
        else:
            lines.append(f"You last helped: {plain(person.helped[-1].text)}")
    if person.emails or person.phones:
        lines.append("Contact: " + ", ".join((*person.emails, *person.phones)))
    lines.append(f"Note: {person.path}")
    stamp = today if start == today else (_newest_date(person, seen, today) or today)
    return Event(uid, start, stamp, title, "\n".join(lines), _categories(person))


def birthday_event(person: Person, config: Config) -> Event | None:
    """A yearly all-day event; 29 February falls on the last day of February."""
    if person.birthday is None:
        return None
    return _birthday_event(person, uid_for(person, config, "birthday"))


def _birthday_event(person: Person, uid: str) -> Event:
    birthday = person.birthday
    # The year of birth when it is a usable first occurrence; else 2000, a leap year, so
    # --02-29 is real (a year like 9999 would leave no room for the exclusive DTEND).
    year = birthday.year if birthday.year and 1 <= birthday.year < 9999 else 2000
    start = date(year, birthday.month, birthday.day)
    rule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1" if (birthday.month, birthday.day) == (2, 29) else "FREQ=YEARLY"
    born = f"Born {birthday}.\n" if birthday.year else ""
    return Event(
        uid,
        start,
        start,
        _birthday_title(person),
        f"{born}Note: {person.path}",
        _categories(person),
        rule,
    )


def _birthday_title(person: Person) -> str:
    return f"Birthday: {one_line(person.name) or person.stem}"


def calendar_events(
    people: Iterable[Person], config: Config, today: date, dues: Iterable[Due | None] | None = None
) -> list[Event]:
    """Every event of the feed, in a stable order: follow-ups by date then name, then birthdays.

    ``dues`` (each person's ``due_of``) may be passed when the caller computed them already.
    """
    people = list(people)
    events = [follow_up_event(d, config, today) for d in _due_within_horizon(people, config, today, dues)]
    events.sort(key=lambda e: (e.start, e.summary.casefold(), e.uid))
    if config.birthdays:
        births = [e for e in (birthday_event(p, config) for p in people) if e is not None]
        births.sort(key=lambda e: ((e.start.month, e.start.day), e.summary.casefold(), e.uid))
        events.extend(births)
    return events


def _due_within_horizon(
    people: list[Person], config: Config, today: date, dues: Iterable[Due | None] | None
) -> list[Due]:
    horizon = config.calendar_horizon
    try:
        limit = None if horizon.never else horizon.after(today)  # "none": no limit
    except (OverflowError, ValueError):
        limit = None  # a horizon past the year 9999 is no limit either
    if dues is None:
        dues = (due_of(p, config, today) for p in people)
    # (date.max cannot start an all-day event: its exclusive end would be in year 10000.)
    return [d for d in dues if d is not None and (limit is None or d.date <= limit) and d.date < date.max]


# --- serialisation: icalendar's output, written without icalendar's per-character work ---------

CALDESC = "Follow-ups from vaultnet: who is due for a call, coffee or email."
_END = b"END:VCALENDAR\r\n"
_DAY = timedelta(days=1)


def vevent(event: Event):
    """The icalendar ``Event`` component of one decided event: the reference writer.

    Built with the plain constructor and ``add``: ``Event.new`` would invent a
    random UID and a DTSTAMP from the clock for anything not passed.
    """
    from icalendar import Event as VEvent
    from icalendar import vRecur

    component = VEvent()
    component.add("UID", event.uid)
    stamp = event.stamp
    component.add("DTSTAMP", datetime(stamp.year, stamp.month, stamp.day, tzinfo=UTC))
    component.add("DTSTART", event.start)  # a date: VALUE=DATE, no time zone
    component.add("DTEND", event.start + _DAY)  # exclusive
    if event.yearly:
        component.add("RRULE", vRecur.from_ical(event.yearly))
    component.add("SUMMARY", event.summary)
    if event.description:
        component.add("DESCRIPTION", event.description)
    if event.categories:
        component.add("CATEGORIES", list(event.categories))
    component.add("TRANSP", "TRANSPARENT")
    return component


def calendar_component(config: Config, events: Iterable[Event] = ()):
    """The icalendar ``Calendar`` of the feed, holding ``events`` (none: just its header).

    Not ``Calendar.new``: it writes NAME and X-WR-CALNAME without escaping, a
    REFRESH-INTERVAL without VALUE=DURATION, a random UID and a PRODID carrying
    icalendar's version. Properties that icalendar does not know (NAME, the X-
    ones) are given their value types explicitly, for the same reasons: a bare
    string is written unescaped, and a bare timedelta in X-PUBLISHED-TTL as
    ``12:00:00``.
    """
    return _calendar(_calendar_name(config), events)


def _calendar_name(config: Config) -> str:
    return one_line(_text(config.calendar_name))


def _calendar(name: str, events: Iterable[Event] = ()):
    from icalendar import Calendar, vDuration, vText

    refresh = vDuration.from_ical(REFRESH)
    cal = Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", PRODID)
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("NAME", vText(name))
    cal.add("X-WR-CALNAME", vText(name))
    cal.add("X-WR-CALDESC", vText(CALDESC))
    cal.add("REFRESH-INTERVAL", vDuration(refresh), parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(refresh))
    for event in events:
        cal.add_component(vevent(event))
    return cal


def event_bytes(event: Event) -> bytes:
    """One VEVENT exactly as ``vevent(event).to_ical()`` writes it, about 40 times faster.

    icalendar spends its time building a property object (with a parameters
    dictionary) per line and then folding each line one character at a time in
    Python. For the fixed shape of our events, its output is: the properties in
    icalendar's canonical order (SUMMARY, DTSTART, DTEND, DTSTAMP, UID, RRULE, then
    alphabetically), each value escaped as TEXT, one leading U+FEFF dropped from a
    value (icalendar decodes each value as ``utf-8-sig``), and lines folded before
    the octet that would make them 75 long, never right after a ``\\`` or ``^``
    (that character moves to the next line). ``_fold`` does that on the encoded
    bytes, where a UTF-8 sequence's start is found without walking the text.
    Tests hold this to icalendar's own output on hostile text (hypothesis), and
    it is checked against the installed icalendar before it is used (``writer``).
    """
    start = event.start
    lines = [
        b"BEGIN:VEVENT",
        _line("SUMMARY:", _escape(event.summary)),
        _dates(start, event.stamp),
        _line("UID:", _escape(event.uid)),
    ]
    if event.yearly:
        lines.append(_line("RRULE:", _rrule(event.yearly)))
    if event.categories:
        lines.append(_categories_line(event.categories))
    if event.description:
        lines.append(_line("DESCRIPTION:", _escape(event.description)))
    lines.append(b"TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n")
    return b"\r\n".join(lines)


def _escape(text: str) -> str:
    """TEXT escaping as icalendar does it, in its order (``\\N`` is read as a newline first).

    Without a backslash or a CR, its seven replacements come down to the three below.
    """
    if "\\" in text or "\r" in text:
        return (
            text.replace("\\N", "\n").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
        )
    if ";" in text:
        text = text.replace(";", "\\;")
    if "," in text:
        text = text.replace(",", "\\,")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    return text


def _line(name: str, value: str) -> bytes:
    """One content line, UTF-8, folded as icalendar folds it."""
    if value[:1] == "\ufeff":  # icalendar decodes the escaped value as utf-8-sig: one BOM goes
        value = value[1:]
    data = (name + value).encode("utf-8")
    return data if len(data) < 75 else _fold(data)


def _fold(data: bytes) -> bytes:
    """icalendar's ``_foldline`` on encoded bytes.

    It ends a line before the character that would bring it to 75 octets, so a
    piece ends at the start of the character holding the piece's 75th octet (a
    UTF-8 continuation byte is 0b10xxxxxx); a piece ending in ``\\`` or ``^`` gives
    that byte to the next piece (both are ASCII, never inside a sequence).
    """
    pieces = []
    size = len(data)
    i = 0
    while size - i > 74:
        j = i + 74
        while data[j] & 0xC0 == 0x80:
            j -= 1
        if data[j - 1] in b"\\^":
            j -= 1
        pieces.append(data[i:j])
        i = j
    pieces.append(data[i:])
    return b"\r\n ".join(pieces)


@lru_cache(maxsize=4096)
def _categories_line(categories: tuple[str, ...]) -> bytes:
    """The CATEGORIES line (people share a few sets of tags: remembered)."""
    return _line("CATEGORIES:", ",".join([_escape(c) for c in categories]))


_DATES: dict[tuple[date, date], bytes] = {}


def _dates(start: date, stamp: date) -> bytes:
    """The DTSTART, DTEND and DTSTAMP lines (few distinct pairs: remembered)."""
    found = _DATES.get((start, stamp))
    if found is None:
        end = start + _DAY
        found = (
            f"DTSTART;VALUE=DATE:{start.year:04}{start.month:02}{start.day:02}\r\n"
            f"DTEND;VALUE=DATE:{end.year:04}{end.month:02}{end.day:02}\r\n"
            f"DTSTAMP:{stamp.year:04}{stamp.month:02}{stamp.day:02}T000000Z"
        ).encode("ascii")
        if len(_DATES) < 1 << 16:
            _DATES[(start, stamp)] = found
    return found


# icalendar's text of our two recurrence rules (it reorders the parts): the check holds
# them to the installed icalendar's, like everything else ``event_bytes`` writes.
_RRULES = {
    "FREQ=YEARLY": "FREQ=YEARLY",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1": "FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2",
}


def _rrule(value: str) -> str:
    found = _RRULES.get(value)
    return found if found is not None else _icalendar_rrule(value)


@lru_cache(maxsize=64)
def _icalendar_rrule(value: str) -> str:
    from icalendar import vRecur

    return vRecur.from_ical(value).to_ical().decode("utf-8")


def head_bytes(name: str) -> bytes:
    """The feed's header, as icalendar writes it for ``_calendar(name)`` before the events."""
    return b"\r\n".join([
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        _line("PRODID:", _escape(PRODID)),
        b"CALSCALE:GREGORIAN",
        _line("X-WR-CALDESC:", _escape(CALDESC)),
        _line("NAME:", _escape(name)),
        _line("X-WR-CALNAME:", _escape(name)),
        b"REFRESH-INTERVAL;VALUE=DURATION:" + REFRESH.encode("ascii"),
        b"X-PUBLISHED-TTL:" + REFRESH.encode("ascii"),
        b"",
    ])


def _icalendar_head(name: str) -> bytes:
    head = _calendar(name).to_ical()
    if not head.endswith(_END):  # icalendar closes every component it writes
        raise VaultnetError("icalendar wrote a calendar without END:VCALENDAR")
    return head[: -len(_END)]


def _icalendar_bytes(event: Event) -> bytes:
    return vevent(event).to_ical()


class Writer(NamedTuple):
    """What writes the feed: the header (given the calendar's name) and each VEVENT."""

    head: Callable[[str], bytes]
    event: Callable[[Event], bytes]


FAST = Writer(head_bytes, event_bytes)
ICALENDAR = Writer(_icalendar_head, _icalendar_bytes)


# Events and names that take the fast writer through every case where it could part from
# icalendar: a backslash, a caret and 2-, 3- and 4-octet characters at fold points (the long
# lines cycle through every alignment), ``\\N``, CR, LF, a leading BOM (in a value, in the
# first category), empty and escaped categories, both rules, years before 1000, a long UID.
_ODD = "a\\b^cé€😀d,e;f\\Ng\r\nh\ri\nj"
_CANARY_NAMES = ("", "Follow-ups", "\ufeffKeep in touch; weekly, really — ✓ " + "é\\^😀," * 12, _ODD.replace("\n", " ") * 5)


def _canaries() -> tuple[Event, ...]:
    return (
        Event("followup-canary@vaultnet", date(1, 1, 1), date(1, 1, 1), "", ""),
        Event(
            "birthday-" + "u" * 80 + "@vaultnet", date(999, 12, 31), date(2026, 2, 28),
            "\ufeffS: a,b;c\\d\\N" + "x" * 57 + "\\\\" + "é" * 40,
            "\ufeff" + "d" * 61 + "\\" + "^" * 30 + "\r\n\n\r" + "€" * 30 + "😀" * 30 + ",;" * 40,
            ("\ufeffa,b", "", "c;d\\", "ü" * 50), "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1",
        ),
        Event(f"followup-{_ODD}@vaultnet", date(9998, 12, 31), date(2026, 11, 23), _ODD * 7, "x" + _ODD * 40, (_ODD * 6,), "FREQ=YEARLY"),
        Event("followup-odd@vaultnet", date(2026, 11, 23), date(2026, 11, 1), "é" + _ODD * 9, "😀" * 19 + _ODD * 33, ("é" * 40, "€" * 40)),
    )


def fast_writer_agrees() -> bool:
    """Whether the fast writer writes what the installed icalendar writes, for every one of
    the canaries (imports icalendar: about 0.1 s of CPU)."""
    return all(event_bytes(e) == _icalendar_bytes(e) for e in _canaries()) and all(
        head_bytes(n) == _icalendar_head(n) for n in _CANARY_NAMES
    )


WRITER_FILE = "calendar-writer.json"
WRITER_FORMAT = 1  # bump when the fast writer changes what it writes


def writer(config: Config | None = None) -> Writer:
    """The fast writer when it agrees with the installed icalendar, else icalendar itself
    (another version, folding or escaping differently: about 0.3 ms an event).

    Checking needs icalendar imported, which alone costs more CPU than writing the
    feed of 10,000 people, so a positive check is remembered in the vault's
    ``.vaultnet/cache/calendar-writer.json``, keyed by the size and time of this
    module's source and of every source file of the icalendar that would be imported
    (found without importing it): any upgrade, downgrade or edit of either checks
    again. A stamp that is missing, unreadable or for other files is not trusted, and
    one that cannot be written (a read-only vault) only means checking each time.
    """
    return _writer(None if config is None else config.state_path / "cache" / WRITER_FILE)


@lru_cache(maxsize=16)
def _writer(stamp: Path | None) -> Writer:
    key = _sources_key()
    if stamp is not None and key is not None and _read_stamp(stamp) == key:
        return FAST
    if not fast_writer_agrees():
        return ICALENDAR
    if stamp is not None and key is not None:
        _save_stamp(stamp, key)
    return FAST


def _sources_key() -> dict | None:
    """Size and modification time of this module's source and of the importable
    icalendar's (its tests left out), without importing it; None when not found."""
    spec = importlib.util.find_spec("icalendar")
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        here = os.stat(__file__)
        return {
            "format": WRITER_FORMAT,
            "vaultnet": [__file__, here.st_size, here.st_mtime_ns],
            "icalendar": _tree_key(Path(next(iter(spec.submodule_search_locations)))),
        }
    except OSError:
        return None


def _tree_key(root: Path) -> list:
    """``[root, [relative path, size, mtime_ns], ...]`` of every ``.py`` file under ``root``."""
    files = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in ("__pycache__", "tests"))
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                st = os.stat(path)
                files.append([os.path.relpath(path, root), st.st_size, st.st_mtime_ns])
    return [str(root), *files]


def _read_stamp(path: Path) -> object:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _save_stamp(path: Path, key: dict) -> None:
    from ..load.files import replace_file
    from ..load.cache import ensure_cache_dir

    try:
        ensure_cache_dir(path.parent)
        replace_file(path, json.dumps(key, sort_keys=True).encode("utf-8"))
    except (OSError, VaultnetError):
        pass  # a vault where it cannot be written checks each time


def calendar_head(config: Config) -> bytes:
    """What icalendar writes for the feed's ``Calendar`` before its events."""
    return writer(config).head(_calendar_name(config))


def render_calendar(events: Iterable[Event], config: Config) -> bytes:
    """The whole feed as bytes: exactly what ``calendar_component(config, events).to_ical()``
    gives, the events written one at a time (no icalendar component is kept)."""
    head, write = writer(config)
    return head(_calendar_name(config)) + b"".join([write(e) for e in events]) + _END


def build_calendar(
    people: Iterable[Person], config: Config, today: date, dues: Iterable[Due | None] | None = None
) -> bytes:
    """The feed of ``people``: ``render_calendar(calendar_events(...))``, streamed.

    The events are put in the feed's order first, by what the order is made of (a
    follow-up's start and title, a birthday's day and name, the UIDs), and then each
    is decided, written and dropped: only the feed's own bytes grow (at 100,000
    people, holding every event, or every event's bytes before joining them, took
    about 100 MB more at the peak).
    """
    people = list(people)
    head, write = writer(config)
    out = io.BytesIO()
    out.write(head(_calendar_name(config)))
    heads = []
    for due in _due_within_horizon(people, config, today, dues):
        start, title = _headline(due, today)
        heads.append(((start, _text(title).casefold(), uid_for(due.person, config, "followup")), due, title))
    heads.sort(key=_first)
    for (start, _title, uid), due, title in heads:
        out.write(write(_follow_up_event(due, config, today, start, title, uid)))
    del heads
    if config.birthdays:
        births = [
            (((p.birthday.month, p.birthday.day), _text(_birthday_title(p)).casefold(), uid_for(p, config, "birthday")), p)
            for p in people
            if p.birthday is not None
        ]
        births.sort(key=_first)
        for (_day, _title, uid), person in births:
            out.write(write(_birthday_event(person, uid)))
    out.write(_END)
    return out.getvalue()  # the buffer itself, not a copy


def _first(pair: tuple) -> object:
    return pair[0]
