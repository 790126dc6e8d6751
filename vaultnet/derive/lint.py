"""The checks behind ``vaultnet check``: what is wrong with a vault, and how to fix it.

The checks are pure functions over the loaded vault and a scan of the people
folder's raw files (``scan``), so each can be tested on hand-made inputs. Each
returns ``Finding``s that name the file, the line or field, what is wrong and
what to do about it.

Severity: an *error* is something vaultnet cannot read, ignores, refuses to
write to, or gets ambiguous about (a note skipped, a field ignored, a duplicate
person, a link to nobody, conflict markers, names that collide on another file
system); a *warning* is something that works but is probably not what was meant
(an unknown circle, a contact date in the future, a file vaultnet does not read); *info*
says why a note is left out when nothing is wrong with it (a template, a map of content).

Decisions: notes outside the people folder are not person notes and are not
checked (a vault holds other notes too); a ``[[link]]`` counts as resolved when it
names a person (file name, name or alias) or any other note of the vault.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from typing import Iterable

from ..load import discover
from ..load.mentions import UNREADABLE_DATE
from ..load.files import TEMP_NAME, NoteFileError, read_note_bytes
from ..model.config import CONFIG_NAME, Config, layout_problems
from ..model.errors import Problem
from ..load.vault import MAX_NOTE_BYTES, Vault, top_key
from ..model.names import UNSAFE_CHARACTERS, nfc_casefold, normalise
from ..load.notefile import SplitError, conflict_lines, split_note
from ..model.links import link_targets
from ..model.person import CONTROL_MESSAGE, UNDATED_LOG_LINE, Person

ERROR, WARNING, INFO = "error", "warning", "info"

_CONFLICT_MESSAGE = "git conflict markers found"

# What to write instead, per field, when the loader could not read a field.
_FIELD_FIXES = {
    "last_contact": "write a date as YYYY-MM-DD",
    "follow_up": "write a date as YYYY-MM-DD",
    "met": "write a date as YYYY-MM-DD",
    "birthday": "write YYYY-MM-DD, or --MM-DD without the year",
    "cadence": "write a duration such as 14d, 2w, 3m, 1y, a number of days, or none",
    "helped": "write each item as '- YYYY-MM-DD what you did'",
    "received": "write each item as '- YYYY-MM-DD what they did'",
    "archived": "write the day you archived them as YYYY-MM-DD, or true (or remove the line to unarchive)",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with one file."""

    severity: str  # ERROR, WARNING or INFO (nothing wrong: why a note is left out)
    code: str  # a short stable name for the kind of finding (for --json and scripts)
    path: str  # vault-relative, with /
    message: str
    fix: str
    line: int | None = None
    field: str | None = None

    def sort_key(self) -> tuple:
        return (self.path, self.severity != ERROR, self.severity == INFO, self.line or 0, self.code, self.message)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class RawFile:
    """One entry of the people folder, as found on disk (not as the loader saw it).

    ``kind``: ``note`` (a ``.md`` file; ``data`` holds its bytes, or None when
    unreadable or too big), ``folder``, ``other`` (any other file), ``link-outside``
    (a symbolic link leading out of the vault), ``link-to-note`` (a link to another note of
    the folder; ``target`` is that note's path), ``link-broken``, ``stale-temp`` (a temporary
    file left by a vaultnet that was killed mid-write).
    """

    path: str
    kind: str
    data: bytes | None = None
    target: str | None = None


# --- gathering the raw files (the only I/O of this module) -------------------------------------------


def scan(config: Config) -> list[RawFile]:
    """Every entry of the people folder (``discover.walk``), each note with its bytes."""
    found: list[RawFile] = []
    for entry in discover.walk(config, everything=True):
        if entry.kind != discover.NOTE:
            found.append(RawFile(entry.rel, entry.kind, target=entry.target))
            continue
        try:
            data = read_note_bytes(entry.path, MAX_NOTE_BYTES)[0]
        except (OSError, NoteFileError):
            data = None
        found.append(RawFile(entry.rel, "note", data if data is not None and len(data) <= MAX_NOTE_BYTES else None))
    return found


def missing_people_folder(config: Config) -> list[Finding]:
    """A vault without its people folder is most likely the wrong folder: say so, do not pass."""
    if config.people_path.is_dir():
        return []
    return [Finding(
        ERROR, "no-people-folder", config.people_dir,
        f"the people folder does not exist in {config.root}; is this the vault?",
        "pass --vault PATH (or set $VAULTNET_VAULT), or make a vault here with `vaultnet init`",
    )]


def config_layout(config: Config) -> list[Finding]:
    """Config paths that would make ``build`` write over notes, templates or the config, or
    folders that overlap (``model.config.layout_problems``): ``build`` refuses them."""
    where = config.source.name if config.source else CONFIG_NAME
    return [Finding(ERROR, "config-overlap", where, message, fix) for message, fix in layout_problems(config)]


def vault_note_stems(config: Config) -> set[str]:
    """The normalised file names (without ``.md``) of every note in the vault, for link checks."""
    return {normalise(found.rel.rsplit("/", 1)[-1][:-3]) for found in discover.walk(config, whole_vault=True)}


# --- the checks ----------------------------------------------------------------------------------------


def from_problems(problems: Iterable[Problem]) -> list[Finding]:
    """The loader's problems (unreadable notes, unreadable fields, bad log lines) as findings."""
    ignored = "; the field is ignored until it is fixed"
    out = []
    for problem in problems:
        if problem.message.startswith(_CONFLICT_MESSAGE):
            continue  # reported by conflict_markers, which also sees notes the loader could not read
        if problem.field == "date" and problem.message.startswith(UNREADABLE_DATE):
            # A note elsewhere in the vault: its links are not counted as contacts on that date.
            out.append(Finding(
                WARNING, "unreadable-note-date", problem.path, problem.message,
                "write the date as YYYY-MM-DD (date: 2026-11-20), or remove the field", problem.line, problem.field,
            ))
            continue
        if problem.field and problem.message == CONTROL_MESSAGE:
            out.append(Finding(
                WARNING, "control-characters", problem.path, problem.message,
                "remove them: a field is plain text (use a list for several values)", problem.line, problem.field,
            ))
            continue
        if problem.field:
            code = "bad-field"
            message = problem.message.removesuffix(ignored) + " (the field is ignored until it is fixed)"
            fix = _FIELD_FIXES.get(problem.field, "correct the value")
        elif problem.fatal:
            code = "unreadable-note"
            message, _, fix = problem.message.partition("; ")
            if "tab" in message:
                fix = "indent with spaces instead of the tab"
            message += " (the note is skipped)"
            fix = fix or "fix the file by hand"
        elif problem.message.startswith(UNDATED_LOG_LINE):
            # Not counted as a contact, but nothing is wrong with the note: a warning.
            out.append(Finding(
                WARNING, "undated-log-line", problem.path, problem.message,
                "start it with its date ('- YYYY-MM-DD what happened') to count it as a contact", problem.line,
            ))
            continue
        else:
            code = "bad-log-line"
            message, fix = problem.message, "write the log line as '- YYYY-MM-DD what happened'"
        out.append(Finding(ERROR, code, problem.path, message, fix, problem.line, problem.field))
    return out


def _text(raw: RawFile) -> str | None:
    if raw.data is None:
        return None
    try:
        return raw.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def not_people(skipped: Iterable[Problem]) -> list[Finding]:
    """Notes of the people folder that say they are not a person (``vaultnet: ignore``,
    ``type: template``): nothing is wrong, but a user should know why they are left out."""
    return [
        Finding(
            INFO, "not-a-person", problem.path, problem.message,
            "nothing to do; if this is a person, remove `vaultnet: ignore` or set `type: person`",
        )
        for problem in skipped
    ]


def conflict_markers(files: Iterable[RawFile]) -> list[Finding]:
    out = []
    for raw in files:
        text = _text(raw) if raw.kind == "note" else None
        if text is None:
            continue
        lines = conflict_lines(text.split("\n"))
        if lines:
            out.append(Finding(
                ERROR, "conflict", raw.path,
                f"git conflict markers (<<<<<<<, =======, >>>>>>>) on line{'s' if len(lines) > 1 else ''} "
                f"{', '.join(map(str, lines[:6]))}{'…' if len(lines) > 6 else ''}; vaultnet will not write to this note",
                "resolve the merge: keep the right lines, delete the markers, then commit", lines[0],
            ))
    return out


def duplicate_keys(files: Iterable[RawFile]) -> list[Finding]:
    """A top-level key written twice: YAML keeps only the last, silently hiding the first."""
    out = []
    for raw in files:
        text = _text(raw) if raw.kind == "note" else None
        if text is None:
            continue
        try:
            note = split_note(text.encode("utf-8"))
        except SplitError:
            continue
        if not note.has_front_matter:
            continue
        seen: dict[str, list[int]] = {}
        for index in range(note.fm_open + 1, note.fm_close):
            key = top_key(note.lines[index])
            if key is not None:
                seen.setdefault(key, []).append(index)
        for key, indexes in seen.items():
            if len(indexes) < 2:
                continue
            numbers = [i + 1 for i in indexes]
            times = "twice" if len(numbers) == 2 else f"{len(numbers)} times"
            listed = ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
            value = note.lines[indexes[-1]].strip()
            value = value if len(value) <= 60 else value[:59] + "…"
            out.append(Finding(
                ERROR, "duplicate-key", raw.path,
                f"the key '{key}' appears {times} (lines {listed}); readers use the last one, line {numbers[-1]} "
                f"({value}), and ignore the other{'s' if len(numbers) > 2 else ''}",
                "keep the value you mean on one line (after a merge, usually the newer date) and delete the other lines",
                numbers[-1], key,
            ))
    return out


def collisions(files: Iterable[RawFile]) -> list[Finding]:
    """Names that are one file on macOS and Windows (letter case) or in another Unicode form (NFC/NFD)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for raw in files:
        folder, _, name = raw.path.rpartition("/")
        key = (nfc_casefold(folder), nfc_casefold(name))
        groups.setdefault(key, []).append(raw.path)
    out = []
    for paths in groups.values():
        if len(paths) < 2:
            continue
        paths = sorted(paths)
        nfc = {unicodedata.normalize("NFC", p) for p in paths}
        why = (
            "differ only in their Unicode form (NFC/NFD: the same letters, encoded differently)"
            if len(nfc) < len(paths) else "differ only in letter case"
        )
        for path in paths:
            others = ", ".join(p for p in paths if p != path)
            out.append(Finding(
                ERROR, "name-collision", path,
                f"this file and {others} {why}: on macOS and Windows they are one file, so a checkout there loses one",
                "merge the notes into one, or rename one of them",
            ))
    return out


def stray_files(files: Iterable[RawFile]) -> list[Finding]:
    """Files in the people folder that vaultnet does not read, and links it does not follow."""
    out = []
    for raw in files:
        lower = raw.path.lower()
        if raw.kind == "link-outside":
            out.append(Finding(
                WARNING, "link-outside-vault", raw.path,
                "a symbolic link to a file outside the vault; vaultnet never reads it",
                "copy the note into the vault, or delete the link",
            ))
        elif raw.kind == "stale-temp":
            out.append(Finding(
                WARNING, "leftover-temp-file", raw.path,
                "a temporary file left by an interrupted write (the note itself was not changed)",
                "delete it; vaultnet also removes it the next time it writes that note",
            ))
        elif raw.kind == "link-to-note":
            out.append(Finding(
                WARNING, "link-to-note", raw.path,
                f"a symbolic link to {raw.target}, which vaultnet reads under its own name; this name is not read",
                "delete the link; to find the person by another name, add it to `aliases:` in the note",
            ))
        elif raw.kind == "link-broken":
            out.append(Finding(WARNING, "broken-symlink", raw.path, "a symbolic link to nothing", "delete the link"))
        elif raw.kind == "other" and lower.endswith((".markdown", ".txt", ".mdown", ".mkd")):
            out.append(Finding(
                WARNING, "not-a-note", raw.path, "not a .md file, so vaultnet does not read it as a person",
                "rename it to end in .md if it is a person note",
            ))
        elif raw.kind == "note" and raw.data is None:
            pass  # unreadable or too big: the loader's problem says so
    return out


def unsafe_names(files: Iterable[RawFile]) -> list[Finding]:
    out = []
    for raw in files:
        if raw.kind != "note":
            continue
        stem = raw.path.rsplit("/", 1)[-1][:-3]
        if UNSAFE_CHARACTERS.search(stem) or stem.startswith(".") or stem != stem.strip():
            from ..model.names import safe_stem

            out.append(Finding(
                WARNING, "unsafe-file-name", raw.path,
                "the file name holds characters that break [[wikilinks]] or other file systems",
                f"rename it to '{safe_stem(stem)}.md' and keep the full name in the 'name' field",
            ))
    return out


def _shared(people: list[Person], keys_of) -> list[tuple[str, list[Person]]]:
    """Keys that more than one person has, with those people, in key order."""
    owners: dict[str, list[Person]] = {}
    for person in people:
        for key in keys_of(person):
            owners.setdefault(key, []).append(person)
    return [(key, group) for key, group in sorted(owners.items()) if len(group) > 1]


def duplicate_people(people: list[Person]) -> list[Finding]:
    """The same person twice: a shared email, or a name that is someone else's name or alias."""
    out = []

    def each(group, make):
        for person in group:
            out.append(make(person, ", ".join(p.path for p in group if p is not person)))

    for email, group in _shared(people, lambda p: {e.strip().casefold() for e in p.emails if e.strip()}):
        each(group, lambda person, others: Finding(
            ERROR, "duplicate-email", person.path,
            f"the email {email} is also in {others}: one person in two notes?",
            "merge the notes into one (keep the other as an alias), or correct the email",
            field="email",
        ))
    for _name, group in _shared(people, lambda p: {normalise(p.name)}):
        each(group, lambda person, others: Finding(
            ERROR, "duplicate-name", person.path,
            f"{others} has the same name ({person.name}); commands cannot tell them apart",
            "merge the notes, or give each a distinct name (the name field)",
            field="name",
        ))
    alias_owners: dict[str, list[Person]] = {}
    for person in people:
        for alias in {normalise(a) for a in person.aliases}:
            alias_owners.setdefault(alias, []).append(person)
    for person in people:
        for other in alias_owners.get(normalise(person.name), []):
            if other is not person:
                out.append(Finding(
                    ERROR, "name-is-alias", person.path,
                    f"the name {person.name} is also an alias of {other.name} ({other.path}): one person in two notes?",
                    f"merge the notes, or remove the alias from {other.path}",
                    field="name",
                ))
    for alias, group in _shared(people, lambda p: {normalise(a) for a in p.aliases}):
        each(group, lambda person, others: Finding(
            WARNING, "shared-alias", person.path,
            f"the alias '{alias}' is also an alias of {others}; looking it up will be ambiguous",
            "keep the alias on one person only", field="aliases",
        ))
    return out


def likely_duplicates(people: list[Person]) -> list[Finding]:
    """Two notes that are probably one person though not spelled the same (``duplicates``:
    case, accents, apostrophes, emoji, titles and degrees folded away). Pairs already
    reported as errors by ``duplicate_people`` (the very same name, email or alias) are not
    repeated; each pair is reported once, on the first note, naming both files and the fix."""
    from .duplicates import likely_pairs

    out = []
    for pair in likely_pairs(people):
        a, b = pair.first, pair.second
        if pair.reason == "same-email":
            continue
        if pair.reason == "same-name" and normalise(a.name) == normalise(b.name):
            continue
        if pair.reason == "name-is-alias" and (
            {normalise(a.name)} & {normalise(x) for x in b.aliases} or {normalise(b.name)} & {normalise(x) for x in a.aliases}
        ):
            continue
        out.append(Finding(
            WARNING, "likely-duplicate", a.path,
            f"likely the same person as {b.path}: {pair.detail}",
            f'merge them: vaultnet merge "{a.name}" "{b.name}" (keeps the first), or tell them apart',
            field="name",
        ))
    return out


def broken_links(people: list[Person], other_note_stems: Iterable[str] = ()) -> list[Finding]:
    """``[[links]]`` in introduced_by, helped and received that lead to no person and no note."""
    known = set(other_note_stems)
    for person in people:
        known.update(normalise(k) for k in (person.stem, person.name, *person.aliases))
    out = []
    for person in people:
        texts = [("introduced_by", person.introduced_by or "")]
        texts += [("helped", str(entry)) for entry in person.helped]
        texts += [("received", str(entry)) for entry in person.received]
        for key, text in texts:
            for target in link_targets(text):
                if target and normalise(target) not in known:
                    close = difflib.get_close_matches(target, sorted({p.name for p in people}), n=1, cutoff=0.75)
                    hint = f"did you mean [[{close[0]}]]? " if close else ""
                    out.append(Finding(
                        ERROR, "broken-link", person.path,
                        f"{key} links to '{target}', who is not in the vault",
                        f"{hint}fix the link, or add them: vaultnet add \"{target}\"",
                        field=key,
                    ))
    return out


def unknown_circles(people: list[Person], config: Config) -> list[Finding]:
    out = []
    known = sorted(config.circles)
    for person in people:
        if person.circle and person.circle.strip().lower() not in config.circles:
            close = difflib.get_close_matches(person.circle.strip().lower(), known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            out.append(Finding(
                WARNING, "unknown-circle", person.path,
                f"circle '{person.circle}' is not in the config (known: {', '.join(known)}); the default cadence applies",
                f"{hint}use a known circle, or add it under [circles] in vaultnet.toml",
                field="circle",
            ))
    return out


def future_dates(people: list[Person], today: date) -> list[Finding]:
    out = []
    for person in people:
        archived = person.archived if person.archived is not True else None
        for key, value in (("last_contact", person.last_contact), ("met", person.met), ("archived", archived)):
            if value and value > today:
                out.append(Finding(
                    WARNING, "future-date", person.path,
                    f"{key} is {value.isoformat()}, after today ({today.isoformat()})",
                    "correct the date (a typo in the year?)", field=key,
                ))
    return out


def needs_to_confirm(people: list[Person], config: Config, today: date) -> list[Finding]:
    """Needs confirmed longer ago than ``needs_confirm_after``: nothing is wrong, but a need
    of last spring may be met by now, and matching still offers it."""
    from .plan import stale_needs

    out = []
    for person in people:
        if person.archived:
            continue
        for day, what in stale_needs(person, config, today):
            out.append(Finding(
                INFO, "need-to-confirm", person.path,
                f"need confirmed {day.isoformat()}, longer ago than needs_confirm_after ({config.needs_confirm_after}): {what}",
                f"ask whether it is still needed; `vaultnet need \"{person.name}\" \"{what}\"` re-confirms it, "
                "`--remove` drops it",
                field="needs",
            ))
    return out


def lint(vault: Vault, files: list[RawFile], today: date, other_note_stems: Iterable[str] = ()) -> list[Finding]:
    """Every finding about the vault, sorted by file, errors before warnings, then by line."""
    findings = [
        *from_problems(vault.problems),
        *not_people(vault.skipped),
        *conflict_markers(files),
        *duplicate_keys(files),
        *collisions(files),
        *stray_files(files),
        *unsafe_names(files),
        *duplicate_people(vault.people),
        *likely_duplicates(vault.people),
        *broken_links(vault.people, other_note_stems),
        *unknown_circles(vault.people, vault.config),
        *future_dates(vault.people, today),
        *needs_to_confirm(vault.people, vault.config, today),
    ]
    findings = _with_field_lines(findings, files)
    conflicted = {f.path for f in findings if f.code == "conflict"}
    findings = [f for f in findings if not (f.code == "duplicate-key" and f.path in conflicted)]
    return sorted(set(findings), key=Finding.sort_key)


def _with_field_lines(findings: list[Finding], files: list[RawFile]) -> list[Finding]:
    """Give findings about a field the line that field is on (records do not keep lines)."""
    from dataclasses import replace

    from ..load.vault import field_lines

    wanted = {f.path for f in findings if f.field and f.line is None}
    lines: dict[str, dict[str, int]] = {}
    for raw in files:
        if raw.path in wanted and raw.data is not None:
            try:
                note = split_note(raw.data)
            except SplitError:
                continue
            if note.has_front_matter:
                lines[raw.path] = field_lines(note.lines[note.fm_open + 1 : note.fm_close], note.fm_open + 2)
    out = []
    for finding in findings:
        if finding.field and finding.line is None:
            keys = ("email", "emails") if finding.field == "email" else ("aliases", "alias") if finding.field == "aliases" else (finding.field,)
            line = next((lines.get(finding.path, {}).get(k) for k in keys if lines.get(finding.path, {}).get(k)), None)
            if line:
                finding = replace(finding, line=line)
        out.append(finding)
    return out


# --- an introduction half recorded ---------------------------------------------------------------

def half_done_intros(vault: Vault, files: list[RawFile]) -> list[Finding]:
    """Introductions recorded on one note only because a write was interrupted.

    ``intro`` writes both notes' new texts to temporary files, then renames them in
    turn; a crash between the two renames leaves A updated, B as it was, and B's
    temporary file, which holds B's half. So for each leftover temporary file: an
    introduction its text adds to B that B lacks, while A holds the matching one
    (same date, naming B), is a half-done introduction. Only the leftover file is
    evidence: an introduction written by hand on one note alone is allowed. Reads the
    leftover files (the scan does not).
    """
    from shlex import quote

    from ..load.vault import parse_note
    from ..model.links import text_after_links
    from .intros import INTRO_TEXT, Directory

    temps = [raw for raw in files if raw.kind == "stale-temp"]
    if not temps:
        return []
    by_path = {person.path: person for person in vault.people}
    directory = Directory(vault.people)

    def intro_to(entry) -> Person | None:
        if entry.date is None or not INTRO_TEXT.match(entry.text):
            return None
        targets = link_targets(entry.text)
        return directory.find(f"[[{targets[0]}]]") if targets else None

    out: list[Finding] = []
    for raw in temps:
        folder, _, name = raw.path.rpartition("/")
        match = TEMP_NAME.fullmatch(name)
        person = by_path.get(f"{folder}/{match.group(1)}" if folder else match.group(1)) if match else None
        if person is None:
            continue
        try:
            with open(vault.config.root / raw.path, "rb") as handle:
                data = handle.read(MAX_NOTE_BYTES + 1)
        except OSError:
            continue
        planned, _problems = parse_note(person.path, data) if len(data) <= MAX_NOTE_BYTES else (None, [])
        if planned is None:
            continue
        have = {(e.date, " ".join(e.text.split())) for e in person.helped}
        for entry in planned.helped:
            if (entry.date, " ".join(entry.text.split())) in have:
                continue
            other = intro_to(entry)
            if other is None or other.path == person.path:
                continue
            if not any(e.date == entry.date and intro_to(e) is person for e in other.helped):
                continue
            why = text_after_links(entry.text).strip().removeprefix(":").strip()
            command = f"vaultnet intro {quote(other.name)} {quote(person.name)} --date {entry.date.isoformat()}"
            if why:
                command += f" --why {quote(why)}"
            out.append(Finding(
                ERROR, "half-done-intro", person.path,
                f"the introduction to {other.name} on {entry.date.isoformat()} is recorded on {other.path} but not here: "
                f"a write was interrupted between the two notes ({name} holds this note's half)",
                f"run `{command}` again: it adds the missing half here and leaves {other.path} as it is",
            ))
    return out


def with_half_done_intros(findings: list[Finding], vault: Vault, files: list[RawFile]) -> list[Finding]:
    """``findings`` plus any half-done introduction; its leftover temporary file is then
    not reported apart (that finding's "delete it" would throw away the missing half)."""
    extra = half_done_intros(vault, files)
    if not extra:
        return findings
    pending = {f.path for f in extra}

    def superseded(finding: Finding) -> bool:
        if finding.code != "leftover-temp-file":
            return False
        folder, _, name = finding.path.rpartition("/")
        match = TEMP_NAME.fullmatch(name)
        return bool(match) and (f"{folder}/{match.group(1)}" if folder else match.group(1)) in pending

    return sorted([f for f in findings if not superseded(f)] + extra, key=Finding.sort_key)
