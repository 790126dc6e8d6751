"""What the commands do, as a library: open a vault, add a person, record things.

The CLI is a thin layer over these functions, and other features (introductions,
imports) are built from them. Every change to an existing note goes through
``atomic.edit_notes`` with a ``NoteEditor``; every new note through
``load.files.write_new``. Each function returns a short account of what it did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..load.files import write_new
from .atomic import edit_notes
from ..model.config import Config
from ..model.errors import NoteError, VaultnetError
from ..load.vault import Vault, parse_note
from ..model.names import normalise, safe_stem
from .noteedit import NoteEditor
from ..model.person import Person, read_archived, visible_text
from ..model.yamltext import check_text


@dataclass
class Outcome:
    """What a write did, for the CLI to report."""

    path: str
    changed: bool
    messages: list[str] = field(default_factory=list)


# --- the edits, as functions of a NoteEditor (they read fresh values under the lock) -------------


def contact_edit(day: date, text: str | None, messages: list[str]):
    """A contact on ``day``: a log line, ``last_contact`` moved forward (never back), and a
    ``follow_up`` cleared when the contact is on or after it."""

    def apply(editor: NoteEditor) -> None:
        if text is not None:
            editor.add_log(day, text)
        current = _date_field(editor, "last_contact")
        if current is None or day > current:
            editor.set("last_contact", day)
        elif day < current:
            messages.append(f"last_contact stays {current.isoformat()} (newer than {day.isoformat()})")
        follow_up = _date_field(editor, "follow_up")
        if follow_up is not None and day >= follow_up:
            editor.remove("follow_up")
            messages.append(f"follow-up of {follow_up.isoformat()} done and cleared")

    return apply


def item_edit(key: str, value: str):
    def apply(editor: NoteEditor) -> None:
        editor.append(key, value)

    return apply


def _date_field(editor: NoteEditor, key: str) -> date | None:
    from ..model.dates import parse_date

    raw = editor.fields.get(key)
    if raw in (None, ""):
        return None
    try:
        return parse_date(raw)
    except ValueError:
        raise NoteError(editor.path, f"field '{key}' holds {raw!r}, which is not a date; fix it (YYYY-MM-DD) and try again") from None


def clean_text(text: str, what: str, fix: str = "say what happened", error: type[VaultnetError] = VaultnetError) -> str:
    """``text`` as a command may write it: valid UTF-8, control characters made visible, not
    empty; else ``error`` (a ``UsageProblem`` where the text is an option's value) naming
    ``what`` and the ``fix``. The one rule for what text a command writes."""
    try:
        text = check_text(text, what)
    except ValueError as exc:
        raise error(str(exc)) from None
    text = visible_text(text)
    if not text:
        raise error(f"the {what} is empty; {fix}")
    return text


# --- commands ------------------------------------------------------------------------------------


def log_contact(config: Config, person: Person, text: str, day: date) -> Outcome:
    messages: list[str] = []
    changed = edit_notes(config.root, [(person.path, contact_edit(day, clean_text(text, "log text"), messages))], config)
    return Outcome(person.path, bool(changed), messages)


def add_ledger_item(config: Config, person: Person, key: str, text: str, day: date) -> Outcome:
    """Append a dated item to ``helped`` or ``received``."""
    if key not in ("helped", "received"):
        raise ValueError(key)
    item = f"{day.isoformat()} {clean_text(text, key + ' text')}"
    changed = edit_notes(config.root, [(person.path, item_edit(key, item))], config)
    return Outcome(person.path, bool(changed))


def snooze(config: Config, person: Person, until: date) -> Outcome:
    def apply(editor: NoteEditor) -> None:
        editor.set("follow_up", until)

    changed = edit_notes(config.root, [(person.path, apply)], config)
    return Outcome(person.path, bool(changed))


def archive(config: Config, person: Person, day: date) -> Outcome:
    """Write ``archived: DAY``: the person leaves due, the calendar, matching and stats; the note
    stays where it is, so every link to it keeps working. Already archived: nothing is written
    (``changed`` False, a message saying since when)."""
    messages: list[str] = []

    def apply(editor: NoteEditor) -> None:
        raw = editor.fields.get("archived")
        since = _archived_value(raw)
        if since is not None:
            messages.append("already archived" + (f" since {since.isoformat()}" if since is not True else "") + "; nothing changed")
            return
        if raw not in (None, "", False) and not _plain_no(raw):
            messages.append(f"replaced the value archived could not be read as ({raw!r})")
        editor.set("archived", day)

    changed = edit_notes(config.root, [(person.path, apply)], config)
    return Outcome(person.path, bool(changed), messages)


def unarchive(config: Config, person: Person) -> Outcome:
    """Remove the ``archived`` line. Not archived: nothing is written (a message says so)."""
    messages: list[str] = []

    def apply(editor: NoteEditor) -> None:
        if "archived" not in editor.fields:
            messages.append("not archived; nothing changed")
            return
        raw = editor.fields.get("archived")
        if raw in (None, "", False) or _plain_no(raw):
            messages.append(f"not archived (the note says archived: {'false' if raw is False else raw or 'nothing'}); nothing changed")
            return
        editor.remove("archived")

    changed = edit_notes(config.root, [(person.path, apply)], config)
    return Outcome(person.path, bool(changed), messages)


def _plain_no(raw: Any) -> bool:
    return isinstance(raw, str) and raw.strip().lower() in ("false", "no")


def _archived_value(raw: Any) -> date | bool | None:
    """What the ``archived`` field says as the loader reads it; None also for a value it cannot read."""
    if raw in (None, "", []):
        return None
    try:
        return read_archived(raw)
    except ValueError:
        return None


def clear_follow_up(config: Config, person: Person) -> Outcome:
    """Remove ``follow_up``; the message says the date removed (none: nothing changed)."""
    removed: list[str] = []

    def apply(editor: NoteEditor) -> None:
        if "follow_up" in editor.fields:
            current = editor.fields["follow_up"]
            removed.append(current.isoformat() if isinstance(current, date) else str(current))
            editor.remove("follow_up")

    changed = edit_notes(config.root, [(person.path, apply)], config)
    return Outcome(person.path, bool(changed), removed)


def note_path_for(config: Config, name: str) -> tuple[Path, str]:
    stem = safe_stem(name)
    path = config.people_path / f"{stem}.md"
    return path, path.relative_to(config.root).as_posix()


def add_person(vault: Vault, name: str, fields: dict[str, Any], today: date) -> Outcome:
    """Create a person's note from the ``person.md`` template.

    Refuses when someone of that name (or alias) exists, or when a file of that
    name exists in any letter case (it would collide on macOS and Windows).
    """
    new = prepare_person(vault, name, fields, today)
    write_new(new.path, new.data, new.rel)
    return Outcome(new.rel, True, new.messages)


@dataclass
class NewNote:
    """A person's note ready to be written: where, its bytes, and what to tell the user."""

    path: Path
    rel: str
    data: bytes
    messages: list[str]


def prepare_person(vault: Vault, name: str, fields: dict[str, Any], today: date) -> NewNote:
    """The note ``add_person`` would write, checked but not yet written (see ``add_person``)."""
    from ..render.templating import render_template

    config = vault.config
    name = clean_text(name, "name")
    wanted = normalise(name)
    for person in vault.people:
        if wanted in {normalise(k) for k in (person.name, *person.aliases, person.stem)}:
            raise VaultnetError(f"{person.path}: {person.name} is already in the vault; use `vaultnet show` or edit that note")
    path, rel = note_path_for(config, name)
    if path.parent.is_dir():
        # The entries of that one folder, not ``discover.walk``'s notes: any entry of this
        # name in another case (a folder or a non-note file too) is one file on macOS and
        # Windows, and the walker lists notes only, and those of subfolders too.
        lowered = path.name.casefold()
        clash = next((p for p in path.parent.iterdir() if p.name.casefold() == lowered), None)
        if clash is not None:
            raise VaultnetError(f"{clash.relative_to(config.root).as_posix()} already exists; nothing was written")
    stem = path.stem
    ordered = {"name": name} if name != stem else {}
    ordered.update(fields)
    text = render_template(config, "person.md", name=name, stem=stem, fields=ordered, today=today)
    data = text.encode("utf-8")
    person, problems = parse_note(rel, data)
    fatal = [p for p in problems if p.fatal or p.field]
    if person is None and problems and not fatal:  # the template marks its notes as no person
        raise VaultnetError(
            f"the person.md template makes notes that are not people ({problems[0].message}); "
            "remove its `vaultnet: ignore` or `type:` line. Nothing was written."
        )
    if person is None or fatal:
        raise VaultnetError(f"the person.md template produced a note that does not read back: {fatal[0]}")
    if person.name != name:
        raise VaultnetError(f"the person.md template produced a note named {person.name!r}, not {name!r}")
    messages = [] if name == stem else [f"file name made safe: {path.name} (the full name is kept in `name`)"]
    return NewNote(path, rel, data, messages)


