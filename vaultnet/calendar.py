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

Why not the icalendar library for writing? It was measured at 4.8 s to build and
serialise 10,000 events on the reference machine, above the whole cold-build
budget of 4 s, and 0.15 s just to import. The format needed here is small —
TEXT escaping, DATE values, 75-octet line folding — and is written by the few
functions below. The tests prove the output with icalendar, the strict ``ical``
parser, and real clients (khal, vdirsyncer).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta
from typing import Iterable

from .config import Config
from .person import Person, link_target
from .schedule import NEVER_CONTACTED, Due, cadence_of, due_of

PRODID = "-//vaultnet//Follow-ups//EN"
UID_DOMAIN = "vaultnet"
REFRESH = "PT12H"  # how often subscribers should refetch (REFRESH-INTERVAL, X-PUBLISHED-TTL)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TEXT_SPECIAL = re.compile(r"[\\;,\x00-\x1f\x7f]")
_LINKS = re.compile(r"\[\[([^\[\]|]+)(?:\|([^\[\]]*))?\]\]|\[([^\[\]]*)\]\([^()\s]*\)")


def plain(text: str) -> str:
    """Note text for a calendar app, which shows Markdown literally: links become their text."""
    if "[" not in text:
        return text
    return _LINKS.sub(lambda m: (m.group(2) or m.group(1) or m.group(3) or "").strip(), text)


# --- RFC 5545 primitives --------------------------------------------------------------------


def escape_text(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped.

    Carriage returns and other control characters (which TEXT does not allow) are
    dropped or turned into spaces, so no note can end a line and start a property.
    """
    if not _TEXT_SPECIAL.search(text):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]|[^\S ]|  |^ | $")  # [^\S ]: any space but " "


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces: for SUMMARY and names."""
    if not _NOT_ONE_LINE.search(text):
        return text
    return " ".join(_CONTROL.sub(" ", text).split())


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 sequence."""
    if len(line) <= 75 and line.isascii():
        return line + "\r\n"
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + "\r\n"
    parts = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # do not cut a character
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines begin with one space
    return "\r\n ".join(parts) + "\r\n"


def ical_date(day: date) -> str:
    return day.isoformat().replace("-", "")


def ical_stamp(day: date) -> str:
    """00:00 UTC of ``day``, as a UTC DATE-TIME."""
    return ical_date(day) + "T000000Z"


def uid_for(person: Person, config: Config, kind: str) -> str:
    """The stable UID of one of a person's events (see the module docstring)."""
    return f"{kind}-{_uid_hash(person.path, config.people_dir)}@{UID_DOMAIN}"


@lru_cache(maxsize=1 << 16)
def _uid_hash(path: str, people_dir: str) -> str:
    prefix = people_dir.rstrip("/") + "/"
    if path.startswith(prefix):
        path = path[len(prefix) :]
    key = unicodedata.normalize("NFC", path).casefold()
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


# --- what an event says ---------------------------------------------------------------------


@dataclass(slots=True)
class Event:
    """One all-day event, already decided; ``lines`` renders it."""

    uid: str
    start: date
    stamp: date
    summary: str
    description: str
    categories: tuple[str, ...] = ()
    yearly: str | None = None  # an RRULE value for birthdays

    def lines(self) -> str:
        out = [
            "BEGIN:VEVENT\r\n",
            fold("UID:" + escape_text(self.uid)),
            f"DTSTAMP:{ical_stamp(self.stamp)}\r\n",
            f"DTSTART;VALUE=DATE:{ical_date(self.start)}\r\n",
            f"DTEND;VALUE=DATE:{ical_date(self.start + timedelta(days=1))}\r\n",
        ]
        if self.yearly:
            out.append(f"RRULE:{self.yearly}\r\n")
        out.append(fold("SUMMARY:" + escape_text(self.summary)))
        if self.description:
            out.append(fold("DESCRIPTION:" + escape_text(self.description)))
        if self.categories:
            out.append(fold("CATEGORIES:" + ",".join(escape_text(c) for c in self.categories)))
        out.append("TRANSP:TRANSPARENT\r\n")
        out.append("END:VEVENT\r\n")
        return "".join(out)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _newest_date(person: Person, seen: date | None, today: date) -> date | None:
    dates = [d for d in (seen, person.met, person.follow_up) if d]
    dates += [e.date for e in (*person.helped, *person.received) if e.date]
    past = [d for d in dates if d <= today]
    if past:
        return max(past)
    return min(dates) if dates else None  # only a future follow-up date: use it, not the clock


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
    person = due.person
    name = one_line(person.name) or person.stem
    overdue = due.days_overdue(today)
    lines = []
    if due.reason == NEVER_CONTACTED:
        title = f"Follow up: {name} (never contacted)"
        lines.append("Never contacted: no last_contact, log line or met date in the note.")
    elif overdue > 0:
        title = f"Follow up: {name} ({_plural(overdue, 'day')} overdue)"
        lines.append(f"Due {due.date.isoformat()}, {_plural(overdue, 'day')} overdue.")
    else:
        title = f"Follow up: {name}"
        lines.append(f"Due {due.date.isoformat()}.")
    cadence = due.cadence or cadence_of(person, config)
    why = "follow-up date set in the note" if due.reason == "follow_up" else None
    circle = f" (circle {one_line(person.circle)})" if person.circle else ""
    lines.append(f"Cadence: {'none' if cadence.never else 'every ' + str(cadence)}{circle}" + (f"; {why}" if why else ""))
    org = link_target(person.org)
    if org or person.role:
        lines.append("Works: " + ", ".join(one_line(x) for x in (person.role, org) if x))
    seen = person.last_seen
    if seen:
        # No "N days ago": it would change every event every day, and be stale on the day itself.
        text = f"Last contact: {seen.isoformat()}"
        last = person.last_log if person.log else None
        if last and last.date == seen and last.text:
            text += f" — {plain(last.text)}"
        lines.append(text)
    if person.needs:
        lines.append("Needs: " + "; ".join(plain(n) for n in person.needs))
    if person.offers:
        lines.append("Offers: " + "; ".join(plain(o) for o in person.offers))
    helped = [e for e in person.helped if e.date]
    if helped:
        last = max(reversed(helped), key=lambda e: e.date)
        lines.append(f"You last helped: {last.date.isoformat()} {plain(last.text)}".rstrip())
    elif person.helped:
        lines.append(f"You last helped: {plain(person.helped[-1].text)}")
    contact = [*person.emails, *person.phones]
    if contact:
        lines.append("Contact: " + ", ".join(contact))
    lines.append(f"Note: {person.path}")
    start = today if overdue > 0 or due.reason == NEVER_CONTACTED else due.date
    stamp = today if start == today else (_newest_date(person, seen, today) or today)
    return Event(uid_for(person, config, "followup"), start, stamp, title, "\n".join(lines), _categories(person))


def birthday_event(person: Person, config: Config) -> Event | None:
    """A yearly all-day event; 29 February falls on the last day of February."""
    birthday = person.birthday
    if birthday is None:
        return None
    # The year of birth when it is a usable first occurrence; else 2000, a leap year, so
    # --02-29 is real (a year like 9999 would leave no room for the exclusive DTEND).
    year = birthday.year if birthday.year and 1 <= birthday.year < 9999 else 2000
    start = date(year, birthday.month, birthday.day)
    rule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1" if (birthday.month, birthday.day) == (2, 29) else "FREQ=YEARLY"
    name = one_line(person.name) or person.stem
    born = f"Born {birthday}.\n" if birthday.year else ""
    return Event(
        uid_for(person, config, "birthday"),
        start,
        start,
        f"Birthday: {name}",
        f"{born}Note: {person.path}",
        _categories(person),
        rule,
    )


def calendar_events(
    people: Iterable[Person], config: Config, today: date, dues: Iterable[Due | None] | None = None
) -> list[Event]:
    """Every event of the feed, in a stable order: follow-ups by date then name, then birthdays.

    ``dues`` (each person's ``due_of``) may be passed when the caller computed them already.
    """
    horizon = config.calendar_horizon
    try:
        limit = None if horizon.never else horizon.after(today)  # "none": no limit
    except (OverflowError, ValueError):
        limit = None  # a horizon past the year 9999 is no limit either
    people = list(people)
    if dues is None:
        dues = (due_of(p, config, today) for p in people)
    # (date.max cannot start an all-day event: its exclusive end would be in year 10000.)
    dues = [d for d in dues if d is not None and (limit is None or d.date <= limit) and d.date < date.max]
    events = [follow_up_event(d, config, today) for d in dues]
    events.sort(key=lambda e: (e.start, e.summary.casefold(), e.uid))
    if config.birthdays:
        births = [e for e in (birthday_event(p, config) for p in people) if e is not None]
        births.sort(key=lambda e: ((e.start.month, e.start.day), e.summary.casefold(), e.uid))
        events.extend(births)
    return events


def render_calendar(events: Iterable[Event], config: Config) -> bytes:
    """The whole feed as bytes (UTF-8, CRLF line ends)."""
    name = escape_text(one_line(config.calendar_name))
    head = [
        "BEGIN:VCALENDAR\r\n",
        "VERSION:2.0\r\n",
        f"PRODID:{PRODID}\r\n",
        "CALSCALE:GREGORIAN\r\n",
        fold("NAME:" + name),
        fold("X-WR-CALNAME:" + name),
        fold("X-WR-CALDESC:" + escape_text("Follow-ups from vaultnet: who is due for a call, coffee or email.")),
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}\r\n",
        f"X-PUBLISHED-TTL:{REFRESH}\r\n",
    ]
    body = [event.lines() for event in events]
    return ("".join(head) + "".join(body) + "END:VCALENDAR\r\n").encode("utf-8")


def build_calendar(
    people: Iterable[Person], config: Config, today: date, dues: Iterable[Due | None] | None = None
) -> bytes:
    return render_calendar(calendar_events(people, config, today, dues), config)
