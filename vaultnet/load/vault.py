"""Loading: find the person notes, read them, parse them into Person records.

Loading knows nothing of rendering. ``parse_note`` is pure (bytes in, record and
problems out), so the store (``store``) can wrap it and tests can call it without files.
The notes are found by ``discover.walk``.
A note that cannot be read at all yields a fatal Problem and no record; every
other note is still loaded.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from dataclasses import dataclass, field
from functools import partial

from ..model.config import Config
from ..model.errors import Problem
from .files import MAX_NOTE_BYTES
from .notefile import SplitError, split_note
from ..model.person import NOT_A_PERSON, Person, not_a_person, person_from_fields, why_not_a_person, with_mentions

# The YAML reader (PyYAML, python-frontmatter and the checks against hostile YAML) lives in
# ``frontmatter`` and is imported only when a note is parsed: a warm run, which takes every
# record from the store, never needs it.


def load_fields(path: str, yaml_text: str, first_line: int) -> tuple[dict | None, Problem | None]:
    """Parse a front matter block safely; return its mapping or a fatal Problem
    (see ``frontmatter.load_fields``)."""
    from .frontmatter import load_fields as load

    return load(path, yaml_text, first_line)


# A top-level key of a front matter line: quoted, or a plain YAML scalar (which cannot start
# with an indicator character, nor with "-" followed by a space: that is a list item).
# Every repeat is possessive (it never gives characters back) and stops at a character the
# next part needs, so a line is read once whatever it holds; a lazy key followed by ``\s*``
# once made a long run of spaces cost the square of its length. The plain key keeps its
# trailing spaces (``top_key`` strips them).
TOP_KEY = re.compile(r"^(?:\"([^\"]++)\"\s*+|'([^']++)'\s*+|([^\s#'\"\-?:{}\[\],&*!|>%@`][^:#]*+|-[^\s:][^:#]*+)):(?:\s|$)")


@dataclass
class Vault:
    """Everyone the vault holds, in a stable order (name, then path), and what went wrong."""

    config: Config
    people: list[Person]
    problems: list[Problem] = field(default_factory=list)
    # Notes that cannot be read now, by path: the record last read well (see ``store``), which
    # the outputs keep meanwhile; the commands that show or edit a note do not use it.
    last_good: dict[str, Person] = field(default_factory=dict)
    # Notes of the people folder that say they are not a person (``vaultnet: ignore``,
    # ``type: template``): one finding each, which only ``check`` shows.
    skipped: list[Problem] = field(default_factory=list)

    def by_path(self, path: str) -> Person | None:
        return next((p for p in self.people if p.path == path), None)


def top_key(line: str) -> str | None:
    """The key a front matter line sets at the top level, or None (an indented line, a
    list item, a comment, a continuation)."""
    match = TOP_KEY.match(line)
    if match is None:
        return None
    return next(g for g in match.groups() if g is not None).strip()


def field_lines(yaml_lines: list[str], first_line: int) -> dict[str, int]:
    """Map each top-level key to its 1-based file line, for error messages."""
    found: dict[str, int] = {}
    for offset, line in enumerate(yaml_lines):
        key = top_key(line)
        if key is not None:
            found.setdefault(key, first_line + offset)
    return found


class _LinesOnDemand:
    """``field_lines`` of a front matter, worked out on the first lookup.

    Only a field with a problem needs its line number, and matching every front
    matter line against ``TOP_KEY`` costs a tenth of a clean note's parse.
    """

    __slots__ = ("_yaml_lines", "_first_line", "_found")

    def __init__(self, yaml_lines: list[str], first_line: int):
        self._yaml_lines, self._first_line, self._found = yaml_lines, first_line, None

    def get(self, key: str, default: int | None = None) -> int | None:
        if self._found is None:
            self._found = field_lines(self._yaml_lines, self._first_line)
        return self._found.get(key, default)


ARCHIVE_FOLDER = "Archive"  # the people folder's subfolder of archived people


def archive_folder(config: Config) -> str:
    """The vault-relative start of the paths of archived people's notes, case-folded:
    ``people/archive/`` (the people folder's ``Archive/``, in any letter case)."""
    people = config.people_dir.strip("/")
    return (f"{ARCHIVE_FOLDER}/" if people in ("", ".") else f"{people}/{ARCHIVE_FOLDER}/").casefold()


def _skipped(path: str, reason: str) -> tuple[None, list[Problem]]:
    return None, [Problem(path, f"{NOT_A_PERSON} ({reason}): left out of every command")]


def _marker_in_lines(yaml_lines: list[str]) -> str | None:
    """``why_not_a_person`` of a front matter YAML could not read (a template's ``{{date}}``
    placeholders): its top-level ``vaultnet:`` and ``type:`` lines, read as plain text."""
    found: dict[str, str] = {}
    for line in yaml_lines:
        key = top_key(line)
        if key in ("vaultnet", "type") and key not in found:
            value = line.split(":", 1)[1].split(" #", 1)[0].strip().strip("\"'")
            found[key] = value
    return why_not_a_person(found) if found else None


def parse_note(path: str, data: bytes, archive: str | None = None) -> tuple[Person | None, list[Problem]]:
    """Read one note's bytes into a Person; ``path`` is the vault-relative path with ``/``.

    A note whose front matter says it is not a person (``why_not_a_person``) gives no
    record and a single ``NOT_A_PERSON`` finding. ``archive`` is ``archive_folder``: a
    note under it is archived even without the ``archived`` field."""
    stem = path.rsplit("/", 1)[-1]
    stem = stem[:-3] if stem.lower().endswith(".md") else stem
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # os.walk hands back undecodable bytes as lone surrogates
        return None, [Problem(path, "the file name is not valid UTF-8, so it cannot be linked to or listed; rename the file", fatal=True)]
    if len(data) > MAX_NOTE_BYTES:
        return None, [Problem(path, f"the note is {len(data) // 1024} KiB, over the {MAX_NOTE_BYTES // 1048576} MiB limit for a person note; split it or move the bulk elsewhere", fatal=True)]
    if b"\x00" in data:
        return None, [Problem(path, "the file holds NUL bytes: it is not a text note; move it out of the people folder", fatal=True)]
    try:
        note = split_note(data)
    except SplitError as exc:
        return None, [Problem(path, str(exc), exc.line, fatal=True)]
    fields: dict = {}
    lines_of: dict[str, int] | _LinesOnDemand = {}
    if note.has_front_matter:
        first_line = note.fm_open + 2
        fields, problem = load_fields(path, note.yaml_text, first_line)
        if problem:
            reason = _marker_in_lines(note.lines[note.fm_open + 1 : note.fm_close])
            return _skipped(path, reason) if reason else (None, [problem])
        if "vaultnet" in fields or "type" in fields:
            reason = why_not_a_person(fields)
            if reason:
                return _skipped(path, reason)
        lines_of = _LinesOnDemand(note.lines[note.fm_open + 1 : note.fm_close], first_line)
    body = note.lines[note.body_start :]
    person = person_from_fields(path, stem, fields, body, note.body_start + 1, lines_of)
    if archive and person.archived is None and path.casefold().startswith(archive):
        person = dataclasses.replace(person, archived=True)
    problems = list(person.problems)
    conflicts = note.conflict_lines()
    if conflicts:
        problems.append(
            Problem(path, "git conflict markers found; resolve the merge, then vaultnet will write to this note again", conflicts[0])
        )
    return person, problems


def sort_people(people: list[Person]) -> list[Person]:
    return sorted(people, key=lambda p: (p.name.casefold(), p.path))


def load_vault(config: Config, today: date | None = None, progress=None, notes=None, elsewhere=None) -> Vault:
    """Load every person note of the vault; unchanged notes come from the store (see
    ``store``); each person with the mentions of them dated up to ``today`` (default: the
    real today), see ``mentions``. ``progress(done, total)`` and ``notes`` (a walk the
    caller made a moment ago): see ``load_notes``; ``elsewhere``: the walk of the notes
    that may mention people, made a moment ago (else they are walked here)."""
    vault = vault_of(config, load_notes(config, notes, progress=progress))
    return with_mentions_of(vault, today or date.today(), elsewhere)


def with_mentions_of(vault: Vault, today: date, elsewhere=None) -> Vault:
    """The vault's people given the mentions of them in other notes (``mentions``; the
    notes ``elsewhere`` when the caller walked them), whose problems join the vault's."""
    if not vault.config.mentions:
        return vault
    from .mentions import load_mentions

    people = [*vault.people, *vault.last_good.values()]
    # Every note a link can name, the unreadable ones too (as the roster resolves them).
    paths = dict.fromkeys([*(p.path for p in people), *(p.path for p in vault.problems if p.fatal)])
    found = load_mentions(vault.config, list(paths), today, elsewhere)
    for person in people:
        mentioned = found.by_person.get(person.path)
        if mentioned:
            with_mentions(person, mentioned)
    vault.problems.extend(found.problems)
    return vault


def load_notes(config: Config, notes=None, progress=None):
    """Every note as ``store.Loaded``: a record (or None) and problems per note;
    ``notes``, a fresh ``discover.walk`` when the caller has made one (raises when the
    people folder is a link leading out of the vault)."""
    from .store import load_notes as load

    return load(config, partial(parse_note, archive=archive_folder(config)), notes, progress=progress)


def vault_of(config: Config, loaded) -> Vault:
    """The Vault of loaded notes: the records in name order, the problems in file order."""
    people: list[Person] = []
    problems: list[Problem] = []
    skipped: list[Problem] = []
    for _rel, person, found in loaded.results:
        if person is not None:
            people.append(person)
        elif found and not_a_person(found[0]):
            skipped.extend(found)
            continue
        problems.extend(found)
    return Vault(config=config, people=sort_people(people), problems=problems, last_good=loaded.last_good, skipped=skipped)
