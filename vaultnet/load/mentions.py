"""Mentions: links to people in the vault's dated notes, read as contacts.

Most people never type a command after a coffee: they write "Coffee with [[Jane Doe]]"
in the day's daily note, or list the attendees of a meeting note. So a Markdown note
outside the people, index, templates and ignored folders (``discover.walk(config,
elsewhere=True)``) that has a date and links to a person records a contact with that
person on that date:

- the date is a readable ``date:`` field of the note's front matter (a meeting note; a
  date-time is fine), else ``YYYY-MM-DD`` in its file name (``2026-11-20.md``,
  ``2026-11-20 Standup.md``); a note with neither gives no contact, and a ``date:``
  field that cannot be read is a warning (``check`` lists it);
- the links that count are those of ``model.links.mention_links`` in the body (not in
  an open task, a quote, an embed, code or a comment), and every link in the front
  matter (an ``attendees:`` list of ``[[links]]``);
- a link names a person as Obsidian resolves it: by file name, case-insensitively, or
  by path (``[[People/Jane Doe]]``, a Markdown link relative to the note or the root).

Notes are read once and kept in the store (``store.load_mentions``) by stat key, so a
note is read again only when it changes. A note dated after today is kept too: the
date filter is applied when the mentions are used, as "today" can be pinned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from ..model.config import Config
from ..model.errors import Problem
from ..model.names import nfc_casefold
from ..model.person import Mention
from .discover import Found, stat_key, walk
from .files import MAX_NOTE_BYTES, NoteFileError, read_note_bytes

# Reading a note (the link grammar, the note's layout, dates) is imported by ``parse_mentions``:
# a warm ``due`` reads no note and needs none of it.

# The start of the warning for a ``date:`` field that cannot be read (``check`` knows it by it).
UNREADABLE_DATE = "the note's date: field cannot be read"
_NAME_DATE = re.compile(r"(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])")
_DATE_KEY = re.compile(r"date[ \t]*+:(?:\s|$)")  # the top-level key ``date`` (YAML reads the value)
MAX_LINE_TEXT = 300  # characters of a mentioning line kept for ``show``


class Link(NamedTuple):
    """One counted link of a note: its 1-based line, the line's text, the forms it names a note by."""

    line: int
    text: str
    keys: tuple[str, ...]


@dataclass
class NoteMentions:
    """What one note says about contacts: its date (None when it has none) and its links."""

    day: date | None
    links: list[Link] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def name_date(rel: str) -> date | None:
    """The first real ``YYYY-MM-DD`` in a note's file name, else None."""
    stem = rel.rsplit("/", 1)[-1]
    for match in _NAME_DATE.finditer(stem):
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
    return None


def _shown(line: str) -> str:
    text = " ".join(line.split())
    return text if len(text) <= MAX_LINE_TEXT else text[: MAX_LINE_TEXT - 1] + "…"


def parse_mentions(rel: str, data: bytes) -> NoteMentions:
    """Read one note's bytes (``rel`` is its vault-relative path); pure."""
    from ..model.dates import parse_date
    from ..model.links import front_matter_links, mention_links
    from .notefile import SplitError, split_note

    if len(data) > MAX_NOTE_BYTES or b"\x00" in data:
        return NoteMentions(None)  # not a text note: it mentions nobody
    try:
        note = split_note(data)
    except SplitError:
        return NoteMentions(None)
    day = name_date(rel)
    problems: list[Problem] = []
    fm_lines: list[str] = []
    if note.has_front_matter:
        first = note.fm_open + 1
        fm_lines = note.lines[first : note.fm_close]
        date_line = next((first + 1 + i for i, line in enumerate(fm_lines) if line[:4] == "date" and _DATE_KEY.match(line)), None)
        if date_line is not None:
            from .frontmatter import load_fields

            fields, problem = load_fields(rel, note.yaml_text, first + 1)
            if problem is not None:
                problems.append(Problem(rel, f"{UNREADABLE_DATE}: {problem.message}", date_line, "date"))
            else:
                try:
                    day = parse_date(fields.get("date"))
                except ValueError as exc:
                    where = " (the file name's date is used)" if day else " (the note counts as undated)"
                    problems.append(Problem(rel, f"{UNREADABLE_DATE}: {exc}{where}", date_line, "date"))
    if day is None:
        return NoteMentions(None, problems=problems)
    links: list[Link] = []
    for offset, line in enumerate(fm_lines):
        keys = _keys(front_matter_links(line), rel)
        if keys:
            links.append(Link(note.fm_open + 2 + offset, _shown(line), keys))
    start = note.body_start
    for index, found in mention_links(note.lines[start:]):
        keys = _keys(found, rel)
        if keys:
            links.append(Link(start + index + 1, _shown(note.lines[start + index]), keys))
    return NoteMentions(day, links, problems)


def _keys(found: list[tuple[str, bool]], rel: str) -> tuple[str, ...]:
    from ..model.links import mention_keys

    keys: list[str] = []
    for target, markdown in found:
        for key in mention_keys(target, markdown, rel):
            if key not in keys:
                keys.append(key)
    return tuple(keys)


def read_mentions(note: Found) -> tuple[NoteMentions, bool]:
    """Read one note from disk; the flag says whether it stayed the same while read (only
    then may the store keep what it says). A file that cannot be read (a FIFO, a folder
    named ``.md``, one over the size limit) mentions nobody."""
    try:
        data, st = read_note_bytes(note.path, MAX_NOTE_BYTES)
    except (NoteFileError, OSError):
        return NoteMentions(None), False
    return parse_mentions(note.rel, data), stat_key(st) == note.key


# --- resolving: from the links' keys to the people -------------------------------------------


def people_by_key(paths) -> dict[str, str]:
    """Each form a link may name a person by: the file name and each longer tail of the
    path (``Jane Doe``, ``People/Jane Doe``), case-folded, NFC, without ``.md``; a
    file name two people share goes to the one nearer the vault's root (then the first
    path), as Obsidian picks."""
    paths = list(paths)
    if not paths:
        return {}
    # One normalisation of all the paths at once: ``due`` resolves every person's keys.
    folded = nfc_casefold("\n".join(paths)).split("\n")
    if len(folded) != len(paths):  # a path holding a line break: one at a time
        folded = [nfc_casefold(p) for p in paths]
    found: dict[str, str] = {}
    for path, low in zip(paths, folded):
        if low.endswith(".md"):
            low = low[:-3]
        parts = low.split("/")
        for i in range(len(parts) - 1, -1, -1):
            key = "/".join(parts[i:]) if i else low
            other = found.setdefault(key, path)
            if other is not path and (path.count("/"), path) < (other.count("/"), other):
                found[key] = path  # a name two people share: the one nearer the root
    return found


@dataclass
class Mentions:
    """The vault's mentions up to today: each person's, newest first, and the notes' problems."""

    by_person: dict[str, tuple[Mention, ...]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def other_notes(config: Config) -> list[Found]:
    """The notes that may mention people (none when mentions are off)."""
    return walk(config, elsewhere=True) if config.mentions else []


def load_mentions(config: Config, people_paths, today: date, others: list[Found] | None = None) -> Mentions:
    """Every person's mentions dated up to ``today``, newest first (then by note and line)."""
    from . import store

    if others is None:
        others = other_notes(config)
    if not others:
        return Mentions()
    rows, problems = store.load_mentions(config, others, read_mentions, today)
    keys = people_by_key(people_paths)
    seen: set[tuple[str, str, int]] = set()
    by_person: dict[str, list[Mention]] = {}
    for rel, day, key, line, text in rows:
        path = keys.get(key)
        if path is None or (path, rel, line) in seen:
            continue
        seen.add((path, rel, line))
        by_person.setdefault(path, []).append(Mention(day, rel, line, text))
    for mentions in by_person.values():
        mentions.sort(key=lambda m: (-m.date.toordinal(), m.note, m.line))
    return Mentions({path: tuple(m) for path, m in by_person.items()}, problems)


def latest_by_key(
    config: Config, today: date, others: list[Found] | None = None, digest: bytes | None = None
) -> tuple[list[tuple[str, date]], list[Problem]]:
    """The latest mention up to ``today`` of each form a link names a note by, and the
    other notes' problems (see ``store.latest_mentions``); ``digest``: ``others``'
    digest (``discover.digest``), when the caller has it."""
    from . import store

    if others is None:
        others = other_notes(config)
    if not others:
        return [], []
    return store.latest_mentions(config, others, read_mentions, today, digest)


def resolve_latest(latest: list[tuple[str, date]], people_paths) -> dict[str, date]:
    """Each mentioned person's latest mention, by path, from ``latest_by_key``."""
    if not latest:
        return {}
    keys = people_by_key(people_paths)
    out: dict[str, date] = {}
    for key, day in latest:
        path = keys.get(key)
        if path is not None and (path not in out or day > out[path]):
            out[path] = day
    return out
