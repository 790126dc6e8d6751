"""The Person record: what one note says, read tolerantly into plain values.

``person_from_fields`` is the only place that knows the field table of the
design notes. A field it cannot understand becomes a Problem naming the file,
the field and the value, and is left out of the record; the rest of the note is
still used. Records are immutable and hold no file handles, so they can be
cached and compared.
"""

from __future__ import annotations

import operator
import re
from array import array
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, NamedTuple, Sequence

from .dates import Birthday, day_of, parse_birthday, parse_date, split_dated_text
from .durations import Duration, parse_duration
from .errors import Problem

# A heading named Log at any level; its section runs to the next heading of that level or above.
LOG_HEADING = re.compile(r"^(#{1,6})\s+log\s*#*\s*$", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_DATE = r"\d{4}-\d{2}-\d{2}"
# A log line as people write it: a bullet (-, *, +) or a number (1. or 1)), an optional task box,
# then the date plain, as a link to the daily note ([[2026-11-20]]) or bold (**2026-11-20**),
# optionally followed by a colon. Groups: task box, the date in each form, the text.
_LOG_ITEM = re.compile(
    r"^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[(.)\]\s+)?"
    rf"(?:\[\[({_DATE})(?:\|[^\]]*)?\]\]|\*\*({_DATE})\*\*|({_DATE})\b):?(.*)$"
)
# Any list item at the start of a line, with its task box if it has one: in a Log section, one
# without a readable date is reported, as its contact would silently be lost.
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:\s+(\[.\]))?(?:\s|$)")
# How a log line is written, to write a new one the same way: indent, bullet or number and its
# dot, the space after it, task box, the opening and closing of the date, colon.
_LOG_STYLE = re.compile(
    rf"^(\s*)(?:([-*+])|(\d{{1,9}})([.)]))(\s+)(\[.\]\s+)?(\[\[|\*\*)?{_DATE}(?:\|[^\]]*)?(\]\]|\*\*)?(:?)"
)
# Characters that must never reach a terminal, a table cell or a calendar line from a note:
# C0/C1 controls (line breaks, escape sequences), DEL, Unicode line separators, bidi overrides.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
UNDATED_LOG_LINE = "log line: no date that can be read in"
# The message of the one finding about a note of the people folder that says it is not a
# person (``vaultnet: ignore``, ``type: template``): no record, and shown only by ``check``.
NOT_A_PERSON = "not a person note"
# The ``type`` values of a person's note; any other ``type`` marks a note that is not a person.
PERSON_TYPES = frozenset(("person", "people", "contact", "contacts"))
# The kinds of note that share a people folder without being a person. A ``type`` outside
# this list (``client``, ``investor``) keeps the note a person: a person silently left out
# of the follow-ups is worse than a stray note shown as "never contacted", which is seen
# and fixed with ``vaultnet: ignore``.
NOT_PERSON_TYPES = frozenset((
    "template", "templates", "moc", "map", "maps", "index", "hub", "overview", "dashboard", "list",
    "meeting", "meetings", "note", "notes", "daily", "journal", "project", "projects", "event", "events",
    "company", "companies", "organisation", "organization", "org", "orgs", "team", "group", "place",
    "topic", "area", "resource", "base",
))
CONTROL_MESSAGE = "holds control characters (line breaks, escape codes, direction overrides); they are shown as spaces"


@dataclass(frozen=True, slots=True)
class Entry:
    """A dated item of the giving ledger (``helped``/``received``) or of the log."""

    date: date | None
    text: str

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.text}".rstrip() if self.date else self.text


class _Derived:
    """A slot for what is derived from a Person's fields and asked for often (see
    ``Person._newest``): a base class's slot is not a dataclass field, so it stays out of
    ``__init__``, comparisons, ``repr``, ``dataclasses.replace`` and the cache's record.
    ``_mentions`` holds what other notes say (``with_mentions``), not the note itself;
    ``_dated`` what the record's lists say (``Person.dated``), which the store keeps
    beside the record."""

    __slots__ = ("_newest_memo", "_mentions", "_dated")


class Dated(NamedTuple):
    """The dated facts of a record: what its log and giving ledger say that every build asks
    of everyone, worked out once per record (``dated_of``): the store keeps them with the
    record, so a warm load does not walk each log again. Days are day numbers
    (``date.toordinal``) in ascending order, packed as unsigned 32-bit integers (``days``,
    ``pack_days``): a few bytes per day, for a vault of 100,000 people held in memory at once."""

    last_log: int  # index in ``log`` of the newest line that is a contact (a tie: the last written); -1: none
    contact_days: bytes  # the distinct days of the log's contacts (job changes are not contacts)
    helped_days: bytes  # the day of each dated ``helped`` item
    received_days: bytes  # the day of each dated ``received`` item


DAY_TYPE = "I"  # how a packed day number is held (``array``'s and ``memoryview.cast``'s code)


def pack_days(days: Iterable[int]) -> bytes:
    """Day numbers, ascending, packed as ``Dated`` holds them."""
    return array(DAY_TYPE, sorted(days)).tobytes()


def days(packed: bytes) -> Sequence[int]:
    """The day numbers of a ``Dated`` list (a view: indexing, slicing and ``bisect`` work)."""
    return memoryview(packed).cast(DAY_TYPE)


def dated_of(person: "Person") -> Dated:
    """``Dated`` worked out from the record's fields: the one definition of each."""
    last, newest = -1, None
    found = set()
    for index, entry in enumerate(person.log):
        day = entry.date
        if day is None or is_job_change(entry.text):
            continue  # news about them that an import noticed, not a conversation with them
        found.add(day)
        if newest is None or day >= newest:  # the newest date; on a tie, the last line written
            last, newest = index, day
    return Dated(
        last,
        pack_days(d.toordinal() for d in found),
        pack_days(e.date.toordinal() for e in person.helped if e.date is not None),
        pack_days(e.date.toordinal() for e in person.received if e.date is not None),
    )


def with_dated(person: "Person", dated: Dated) -> "Person":
    """``person`` given the ``Dated`` the store kept for it (checked by the store)."""
    object.__setattr__(person, "_dated", dated)
    return person


class Mention(NamedTuple):
    """A link to a person in a dated note elsewhere in the vault: a contact on ``date``
    (see ``load/mentions``); ``note`` is the note's vault-relative path, ``line`` 1-based."""

    date: date
    note: str
    line: int
    text: str


def with_mentions(person: "Person", mentions: tuple[Mention, ...]) -> "Person":
    """``person`` with the mentions found of them (newest first); the last contact counts them."""
    object.__setattr__(person, "_mentions", mentions)
    try:
        object.__delattr__(person, "_newest_memo")
    except AttributeError:
        pass
    return person


@dataclass(frozen=True, slots=True)
class Person(_Derived):
    """One person, as their note says. ``path`` is vault-relative, with ``/``."""

    path: str
    name: str
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    org: str | None = None
    role: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    circle: str | None = None
    cadence: Duration | None = None
    last_contact: date | None = None
    follow_up: date | None = None
    met: date | None = None
    met_at: str | None = None
    introduced_by: str | None = None
    needs: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    helped: tuple[Entry, ...] = ()
    received: tuple[Entry, ...] = ()
    birthday: Birthday | None = None
    # When the person was archived: a date, True (``archived: true``, or a note in the people
    # folder's ``Archive/``), or None. Archived people leave due, the calendar and matching.
    archived: date | bool | None = None
    log: tuple[Entry, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()  # unknown scalar fields, shown by `show`
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def stem(self) -> str:
        """The file name without folder and ``.md``: the target of a ``[[wikilink]]``."""
        base = self.path.rsplit("/", 1)[-1]
        return base[:-3] if base.lower().endswith(".md") else base

    @property
    def last_seen(self) -> date | None:
        """The latest contact: ``last_contact``, a newer dated ``## Log`` line, or a newer
        mention in a dated note (``mentions``).

        A log line typed by hand in another editor is a contact too, so it counts
        even when the ``last_contact`` field was not updated; so is a link in a daily note.
        """
        try:
            return self._newest_memo[0]  # asked for many times per person by a build
        except AttributeError:
            return self._newest()[0]

    @property
    def mentions(self) -> tuple[Mention, ...]:
        """Where other notes mention this person, newest first (``with_mentions``)."""
        # Most people have none (the slot is unset): getattr's default costs no raised exception.
        return getattr(self, "_mentions", ())

    @property
    def last_mention(self) -> Mention | None:
        """The newest mention when it is the newest contact (later than ``last_contact``
        and every log line), else None: what a "last contact" line should name."""
        mentions = self.mentions
        if not mentions:
            return None
        newest = mentions[0]
        if newest.date != self.last_seen:
            return None
        last_log = self.last_log
        if (self.last_contact is not None and self.last_contact >= newest.date) or (last_log is not None and last_log.date >= newest.date):
            return None
        return newest

    @property
    def last_log(self) -> Entry | None:
        """The newest log line (the last one written on the newest date)."""
        return self._newest()[1]

    @property
    def dated(self) -> Dated:
        """What the log and the giving ledger say (``Dated``): from the store when the
        record came from it, else worked out on first use and then kept (the record is
        immutable; ``dataclasses.replace`` makes a new record without them)."""
        try:
            return self._dated
        except AttributeError:
            pass
        dated = dated_of(self)
        object.__setattr__(self, "_dated", dated)  # frozen: the dataclass's own way to set a slot
        return dated

    def _newest(self) -> tuple[date | None, Entry | None]:
        """``(last_seen, last_log)``, worked out on first use and then kept.

        ``list``, ``due`` and the build ask for them several times per person; the
        record is immutable, so the first answer stays true.
        """
        try:
            return self._newest_memo
        except AttributeError:
            pass
        index = self.dated.last_log
        last_log = None if index < 0 else self.log[index]
        seen = self.last_contact
        if last_log is not None and (seen is None or last_log.date > seen):
            seen = last_log.date
        mentions = self.mentions
        if mentions and (seen is None or mentions[0].date > seen):
            seen = mentions[0].date
        memo = (seen, last_log)
        object.__setattr__(self, "_newest_memo", memo)  # frozen: the dataclass's own way to set a slot
        return memo


# A Log line an import writes when a person's org or role changed (``job change: Partner at
# Acme → General Partner at Northlight (LinkedIn import)``): a reason to get in touch, so it
# is not itself a contact (it neither counts as the last contact nor clears a follow-up).
JOB_CHANGE = "job change: "


def is_job_change(text: str) -> bool:
    """Whether a Log line's text is a job change an import recorded (``JOB_CHANGE``)."""
    return text[:len(JOB_CHANGE)].casefold() == JOB_CHANGE


def dated_need(text: str) -> tuple[date | None, str]:
    """A ``needs`` item as ``(date last confirmed, what is needed)``.

    ``2026-11-20 a fractional CFO`` says when the need was last confirmed; an item
    without a leading date, or with an impossible one, is all text, as before.
    """
    try:
        day, rest = split_dated_text(text)
    except ValueError:
        return None, text
    return (day, rest) if day is not None and rest else (None, text)


# --- field readers: each returns the value or raises ValueError with a message -------------


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float, date)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"expected text, found {_kind(value)}")


def _texts(value: Any) -> tuple[str, ...]:
    """A list of text; a single text is a list of one (people write ``tags: friend``)."""
    if value is None:
        return ()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return (str(value).strip(),) if str(value).strip() else ()
    if isinstance(value, list):
        out = []
        for index, item in enumerate(value, 1):
            if type(item) is str:  # nearly every item: text
                item = item.strip()
                if item:
                    out.append(item)
                continue
            if item is None:
                continue
            if isinstance(item, dict) and len(item) == 1:
                item = _joined(item)  # `- fundraising: seed round` is YAML for a one-key mapping
            if isinstance(item, (dict, list)) or isinstance(item, bool):
                raise ValueError(f"item {index} is {_kind(item)}, expected text")
            text = str(item).strip()
            if text:
                out.append(text)
        return tuple(out)
    raise ValueError(f"expected a list of text, found {_kind(value)}")


def _tags(value: Any) -> tuple[str, ...]:
    """Obsidian tags: a list, or one text of tags separated by commas or spaces; '#' dropped."""
    if isinstance(value, str):
        value = [t for t in re.split(r"[,\s]+", value) if t]
    return tuple(t.lstrip("#") for t in _texts(value) if t.lstrip("#"))


def _entries(value: Any) -> tuple[Entry, ...]:
    """``YYYY-MM-DD text`` items; ``{date, what}`` mappings are understood too."""
    if value is None:
        return ()
    if not isinstance(value, list):
        value = [value]
    out = []
    for index, item in enumerate(value, 1):
        if item is None:
            continue
        if isinstance(item, dict) and len(item) == 1 and "date" not in {str(k).lower() for k in item}:
            item = _joined(item)  # `- 2026-01-02 intro: x` is YAML for a one-key mapping
        if isinstance(item, dict):
            lowered = {str(k).lower(): v for k, v in item.items()}
            when = lowered.get("date")
            what = next((lowered[k] for k in ("what", "text", "note", "how") if k in lowered), "")
            try:
                out.append(Entry(parse_date(when) if when is not None else None, _text(what) if what else ""))
            except ValueError as exc:
                raise ValueError(f"item {index}: {exc}") from None
        elif isinstance(item, date):
            out.append(Entry(parse_date(item), ""))
        elif isinstance(item, str):
            try:
                when, text = split_dated_text(item)
            except ValueError as exc:
                raise ValueError(f"item {index}: {exc}") from None
            out.append(Entry(when, text))
        else:
            raise ValueError(f"item {index} is {_kind(item)}; write 'YYYY-MM-DD what you did'")
    return tuple(out)


def _joined(item: dict) -> Any:
    """Undo YAML's reading of ``a: b`` inside a list item as a mapping, when the parts are plain."""
    ((key, value),) = item.items()
    if isinstance(value, (dict, list)):
        return item
    if isinstance(key, date):
        key = key.isoformat()
    if isinstance(value, date):
        value = value.isoformat()
    return f"{key}: {value}" if value is not None else f"{key}:"


def read_archived(value: Any) -> date | bool | None:
    """``archived: 2026-11-20`` (when), ``true`` (since an unknown day) or ``false`` (not archived)."""
    if isinstance(value, bool):
        return True if value else None
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
        return True if value.strip().lower() in ("true", "yes") else None
    return parse_date(value)


def _cadence(value: Any) -> Duration:
    duration = parse_duration(value)
    if not duration.never and duration.amount == 0:
        raise ValueError("a cadence of 0 days makes the person always due; use 1d, or none")
    return duration


def visible_text(text: str) -> str:
    """Typed text as the reader shows it: control characters as spaces, runs of space as
    one. What a command writes is this, so the reader never warns about its own writing."""
    return " ".join(_CONTROL.sub(" ", text).split())


def _visible(value: Any) -> Any:
    """A field's value with control characters replaced by spaces (text, lists of text, entries).

    The note keeps its bytes; only the record, which every view prints, is cleaned,
    so a name cannot break a terminal line, forge output with escape codes or
    start a new line in a table or a calendar.
    """
    if isinstance(value, str):
        # Every character _CONTROL matches is unprintable, so the C-level isprintable()
        # clears almost every text without running the regex.
        if value.isprintable() or not _CONTROL.search(value):
            return value
        return " ".join(_CONTROL.sub(" ", value).split())
    if isinstance(value, tuple):
        try:
            if "".join(value).isprintable():  # a tuple of clean text (most lists) in one C call
                return value
        except TypeError:  # entries, not text
            pass
        cleaned = tuple(_visible(item) for item in value)
        return value if all(map(operator.is_, cleaned, value)) else cleaned
    if isinstance(value, Entry):
        text = _visible(value.text)
        return value if text is value.text else Entry(value.date, text)
    return value


def _kind(value: Any) -> str:
    if isinstance(value, (set, frozenset)):
        return "a set"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return f"{value!r}"


_READERS = {
    "name": ("name", _text),
    "aliases": ("aliases", _texts),
    "alias": ("aliases", _texts),
    "tags": ("tags", _tags),
    "org": ("org", _text),
    "role": ("role", _text),
    "email": ("emails", _texts),
    "phone": ("phones", _texts),
    "circle": ("circle", _text),
    "cadence": ("cadence", _cadence),
    "last_contact": ("last_contact", parse_date),
    "follow_up": ("follow_up", parse_date),
    "met": ("met", parse_date),
    "met_at": ("met_at", _text),
    "introduced_by": ("introduced_by", _text),
    "needs": ("needs", _texts),
    "offers": ("offers", _texts),
    "helped": ("helped", _entries),
    "received": ("received", _entries),
    "birthday": ("birthday", parse_birthday),
    "archived": ("archived", read_archived),
}


def not_a_person(problem: Problem) -> bool:
    """Whether a loader's finding says its note is not a person (see ``NOT_A_PERSON``)."""
    return problem.message.startswith(NOT_A_PERSON) and not problem.fatal


def why_not_a_person(fields: dict) -> str | None:
    """Why a note's front matter says it is not a person (``vaultnet: ignore``, or a ``type``
    naming a kind of note that is not a person: ``type: template``, ``type: moc``), or None.

    A ``type`` is read as people write it: any case, as a ``[[link]]`` or ``#tag``, or a list
    (a person when one item says so)."""
    marker = fields.get("vaultnet")
    if isinstance(marker, str) and marker.strip().lower() == "ignore":
        return "vaultnet: ignore"
    kind = fields.get("type")
    if kind is None or kind == "" or kind == []:
        return None
    kinds = kind if isinstance(kind, list) else [kind]
    words = [_type_word(k) for k in kinds if k is not None]
    if not words or any(w in PERSON_TYPES or not w for w in words):
        return None
    if not any(w in NOT_PERSON_TYPES for w in words):
        return None
    shown = ", ".join(words) if isinstance(kind, list) else words[0]
    return f"type: {shown}" if shown.isprintable() else "type"


def _type_word(value: Any) -> str:
    """A ``type`` value as one lower-case word: ``[[People]]``, ``#person``, ``"Person"`` -> person."""
    text = value if isinstance(value, str) else str(value)
    text = text.strip().strip("[]").strip().lstrip("#").strip()
    return text.rsplit("/", 1)[-1].split("|", 1)[0].strip().lower()


def read_field(key: str, value: Any) -> Any:
    """``value`` read as the note's field ``key`` is read (ValueError if it cannot be); for
    commands that write a field and must write only what will read back."""
    return _READERS[key][1](value)


def field_keys() -> frozenset[str]:
    """The fields of the note format (those ``read_field`` knows)."""
    return frozenset(_READERS)


def person_from_fields(
    path: str, stem: str, fields: dict[str, Any], body: list[str], body_line: int, field_lines: dict[str, int]
) -> Person:
    """Build a Person from parsed front matter and the body's lines.

    ``body_line`` is the 1-based file line of ``body[0]``; ``field_lines`` maps a
    field to its 1-based line, for messages.
    """
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    extra: list[tuple[str, str]] = []
    for key, raw in fields.items():
        key_text = key if type(key) is str else str(key)
        target = _READERS.get(key_text)
        if target is None:
            if isinstance(raw, (str, int, float, date)) and not isinstance(raw, bool):
                text = raw if type(raw) is str else str(raw)
                extra.append((
                    key_text if key_text.isprintable() else _visible(key_text),
                    text if text.isprintable() else _visible(text),
                ))
            continue
        if raw is None or raw == "" or raw == []:
            continue
        attr, reader = target
        try:
            value = reader(raw)
            if type(value) is str and value.isprintable():  # most fields: clean text
                values[attr] = value
                continue
            cleaned = values[attr] = _visible(value)
            if cleaned is not value and cleaned != value:
                problems.append(Problem(path, CONTROL_MESSAGE, field_lines.get(key_text), key_text))
        except ValueError as exc:
            problems.append(
                Problem(path, f"{exc}; the field is ignored until it is fixed", field_lines.get(key_text), key_text)
            )
    values.setdefault("name", _visible(stem))
    if not values["name"]:
        values["name"] = _visible(stem)
    log, log_problems = _read_log(path, body, body_line)
    problems.extend(log_problems)
    return Person(path=path, log=log, extra=tuple(extra), problems=tuple(problems), **values)


def find_log_section(lines: list[str], start: int = 0) -> tuple[int, int] | None:
    """The Log heading's index (``## Log``, ``### Log``: any level) and the index just past its
    section, or None.

    The section ends at the next heading of the Log heading's level or above (for ``## Log``,
    level 1 or 2); headings inside fenced code blocks do not count.
    """
    # Each regex runs only on a line holding what it needs (a fence's ``` or ~~~, a heading's
    # leading #): the loader runs this over every note's body, most of it plain text.
    heading = None
    level = 0
    in_fence = False
    for index in range(start, len(lines)):
        line = lines[index].rstrip("\r\n")
        if ("```" in line or "~~~" in line) and _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or line[:1] != "#":
            continue
        if heading is None:
            found = LOG_HEADING.match(line)
            if found:
                heading, level = index, len(found.group(1))
        else:
            match = _HEADING.match(line)
            if match and len(match.group(1)) <= level:
                return heading, index
    return (heading, len(lines)) if heading is not None else None


def parse_log_line(line: str) -> Entry | None:
    """A dated list item (``- 2026-11-20 coffee: …``, ``* [[2026-11-20]] coffee``, ``1. **2026-11-20**
    call``, ``- [x] 2026-11-20: lunch``) as an Entry; None for other lines and for open tasks
    (``- [ ] 2026-12-01 send book`` is a plan, not a contact). A date that is no day raises ValueError."""
    match = _LOG_ITEM.match(line.rstrip("\r\n"))
    if not match or match.group(1) == " ":
        return None
    box, link, bold, plain, text = match.groups()
    return Entry(_log_day(link or bold or plain), text.strip())


def log_item_date(line: str) -> date | None:
    """The date of any dated log list item, open tasks included (for keeping a section's order);
    None for other lines. A date that is no day raises ValueError."""
    match = _LOG_ITEM.match(line.rstrip("\r\n"))
    if not match:
        return None
    return _log_day(match.group(2) or match.group(3) or match.group(4))


def unreadable_log_item(line: str) -> bool:
    """Whether a line of a Log section is a list item that should be a log line but has no
    readable date: top-level, not an open task, not a horizontal rule (``* * *``)."""
    item = _LIST_ITEM.match(line)
    if item is None or item.group(1) == "[ ]" or _LOG_ITEM.match(line.rstrip("\r\n")):
        return False
    return bool(line.strip().strip("-*_ \t"))


def write_log_line(model: str | None, day: date, text: str, number: int | None = None) -> str:
    """A new log line for DAY, written the way the log line MODEL is (bullet or number, task box,
    date plain, linked or bold, colon); ``- DATE TEXT`` when there is no model. NUMBER is the
    number a numbered list's new item gets (else the model's)."""
    style = _LOG_STYLE.match(model) if model else None
    if style is None:
        return f"- {day.isoformat()} {text}".rstrip()
    _indent, bullet, digits, dot, space, box, opening, closing, colon = style.groups()
    if box and box[1] == " ":  # a new contact is never written as an open task
        box = None
    marker = bullet or f"{number if number is not None else digits}{dot}"
    when = day.isoformat()
    if opening == "[[" and closing == "]]":
        when = f"[[{when}]]"
    elif opening == "**" and closing == "**":
        when = f"**{when}**"
    return f"{marker}{space}{box or ''}{when}{colon} {text}".rstrip()


def log_item_number(line: str) -> int | None:
    """A numbered log line's number, else None."""
    style = _LOG_STYLE.match(line)
    return int(style.group(3)) if style and style.group(3) else None


_log_day = day_of  # a log line's day, remembered (see ``dates.day_of``)
_ITEM_STARTS = frozenset("-*+0123456789")


def _read_log(path: str, body: list[str], body_line: int) -> tuple[tuple[Entry, ...], list[Problem]]:
    section = find_log_section(body)
    if section is None:
        return (), []
    # ``parse_log_line`` and ``_visible`` written out (a tenth of a note's parse in calls):
    # the line's ending is left on, as ``(.*)$`` stops before a final LF and strip() drops
    # a CR; tests/model/test_person.py holds this to ``parse_log_line``.
    entries, problems = [], []
    item = _LOG_ITEM.match
    for index in range(section[0] + 1, section[1]):
        line = body[index]
        match = item(line)
        if match is None:
            if line[:1] in _ITEM_STARTS and unreadable_log_item(line):
                problems.append(Problem(path, f"{UNDATED_LOG_LINE} {_visible(line.strip())!r}", body_line + index))
            continue
        box, link, bold, plain, text = match.groups()
        if box == " ":  # an open task: a plan, not a contact
            continue
        day = link or bold or plain
        try:
            when = _log_day(day)
        except ValueError as exc:
            problems.append(Problem(path, f"log line: {exc}", body_line + index))
            continue
        text = text.strip()
        if not text.isprintable():
            text = _visible(text)
        entries.append(Entry(when, text))
    return tuple(entries), problems
