"""The follow-up feed written the long way: icalendar builds every component and writes the
whole feed itself, and the events are decided and sorted in plain loops. vaultnet encodes
each value with icalendar but folds and assembles the lines itself; the tests hold its
bytes to these.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta

import icalendar

from vaultnet.derive.plan import Reasons
from vaultnet.derive.schedule import due_of, plan_days
from vaultnet.model.config import Config
from vaultnet.render.calendar import CALDESC, PRODID, REFRESH, Event, birthday_event, feed_name, follow_up_event


class _Text(icalendar.vText):
    """icalendar's TEXT, but a literal backslash-N stays text: icalendar's escaping reads
    ``\\N`` as a line break, where RFC 5545 writes the backslash escaped (``\\\\N``)."""

    def to_ical(self) -> bytes:
        return b"\\\\N".join(icalendar.vText(part).to_ical() for part in str(self).split("\\N"))


class _Categories(icalendar.vCategory):
    def to_ical(self) -> bytes:
        return b",".join(_Text(str(c)).to_ical() for c in self.cats)


def vevent(event: Event) -> icalendar.Event:
    """The icalendar ``Event`` of a decided event. The plain constructor and ``add``:
    ``Event.new`` would invent a random UID and a DTSTAMP from the clock."""
    component = icalendar.Event()
    component.add("UID", event.uid)
    stamp = event.stamp
    component.add("DTSTAMP", datetime(stamp.year, stamp.month, stamp.day, tzinfo=UTC))
    component.add("DTSTART", event.start)  # a date: VALUE=DATE, no time zone
    component.add("DTEND", event.start + timedelta(days=1))  # exclusive
    if event.yearly:
        component.add("RRULE", icalendar.vRecur.from_ical(event.yearly))
    component.add("SUMMARY", _Text(event.summary))
    if event.description:
        component.add("DESCRIPTION", _Text(event.description))
    if event.categories:
        component.add("CATEGORIES", _Categories(list(event.categories)))
    component.add("TRANSP", "TRANSPARENT")
    return component


def calendar(name: str, events=()) -> icalendar.Calendar:
    """The feed as an icalendar ``Calendar``. Not ``Calendar.new``: it writes NAME unescaped,
    REFRESH-INTERVAL without VALUE=DURATION, a random UID and a PRODID with icalendar's
    version; properties icalendar does not know get their value types explicitly."""
    refresh = icalendar.vDuration.from_ical(REFRESH)
    cal = icalendar.Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", PRODID)
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("NAME", icalendar.vText(name))
    cal.add("X-WR-CALNAME", icalendar.vText(name))
    cal.add("X-WR-CALDESC", icalendar.vText(CALDESC))
    cal.add("REFRESH-INTERVAL", icalendar.vDuration(refresh), parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", icalendar.vDuration(refresh))
    for event in events:
        cal.add_component(vevent(event))
    return cal


def events(people, config: Config, today: date) -> list[Event]:
    """Every event of the feed, decided first and then sorted: follow-ups due within the
    horizon by date, title and UID, then birthdays by day of the year, title and UID."""
    try:
        limit = None if config.calendar_horizon.never else config.calendar_horizon.after(today)
    except (OverflowError, ValueError):
        limit = None
    dues = [d for d in (due_of(p, config, today) for p in people) if d is not None]
    dues = [d for d in dues if (limit is None or d.date <= limit) and d.date < date.max]
    # Each on the day the daily cap plans them; those planned past the horizon wait.
    dues = plan_days(dues, config, today, sum(p.last_seen == today for p in people))
    dues = [d for d in dues if (limit is None or d.planned <= limit) and d.planned < date.max]
    twins = twin_paths(people, config)
    reasons = Reasons(people, config, today)
    events = sorted((follow_up_event(d, config, today, twins, [r.text for r in reasons.of(d)]) for d in dues),
                    key=lambda e: (e.start, e.summary.casefold(), e.uid))
    if config.birthdays:
        births = [e for e in (birthday_event(p, config, twins) for p in people) if e is not None]
        events += sorted(births, key=lambda e: ((e.start.month, e.start.day), e.summary.casefold(), e.uid))
    return events


def twin_paths(people, config: Config) -> frozenset[str]:
    """The notes whose path, but for case and Unicode form, an earlier path (in sorted
    order) already has: worked out pair by pair."""
    paths = sorted(p.path for p in people)
    prefix = config.people_dir + "/"

    def folded(path: str) -> str:
        return unicodedata.normalize("NFC", path.removeprefix(prefix)).casefold()

    return frozenset(b for i, b in enumerate(paths) if any(folded(a) == folded(b) for a in paths[:i]))


def feed(people, config: Config, today: date) -> bytes:
    return calendar(feed_name(config), events(people, config, today)).to_ical()
