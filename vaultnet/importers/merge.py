"""Who in the file is already in the vault, and what their note gains: the merge rules.

Matching, for each contact in file order:

1. by email (case-insensitive) against every email in the vault;
2. else by name against every note's name, aliases and file name
   (``names.normalise``: Unicode NFC, case-folded, spaces collapsed);

both against the people already in the vault *and* the people this same import
is about to create (names include a contact's nicknames), so a file listing
someone twice yields one note. A contact matching two different people — two
notes sharing its email, or an email of one person and the name of another (a
family's or an office's shared address) — is not guessed at: it is reported and
skipped.
A contact without a name that matches nobody is skipped (there is nothing to
file it under).

What a note gains (the only changes an import makes):

- a single-valued field (``org``, ``role``, ``met``, ``met_at``, ``linkedin``,
  ``birthday``) only when the note does not have it or it is empty — a value
  the user wrote is never replaced, even when the file says otherwise;
  ``met_at`` (LinkedIn's) only goes with its own date: not into a note whose
  ``met`` is another day;
- list fields (``email``, ``phone``, ``tags``, ``aliases``) gain the values they
  lack (emails compared case-insensitively, phones by their digits); a single
  ``email: a@x`` becomes a list keeping its first spelling;
- the contact's name becomes an alias when it is none of the note's names
  (a contact matched by email under another spelling), so the next import
  matches by name as well;
- notes from the file go into a ``## Notes`` section of a *new* note only;
  an existing note's body is never changed.

Existing notes change only through ``atomic.edit_notes`` with ``NoteEditor``
(surgical, re-read under a lock, verified); new notes are rendered from the
``person.md`` template and created with ``load.files.write_new``. Because all of
this is decided from what the notes already hold, importing the same file
again changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from ..edit.atomic import edit_notes
from ..load.files import write_new
from ..model.config import Config
from ..model.errors import NoteError, VaultnetError
from ..load.vault import Vault, parse_note
from ..model.names import normalise, safe_stem
from ..edit.noteedit import NoteEditor
from ..model.person import find_log_section
from ..derive.duplicates import name_key
from ..model.links import plain_text
from ..model.person import JOB_CHANGE, parse_log_line
from .contact import Contact, ReadResult, Skipped, phone_key

# A code fence (``` or ~~~) counts too: left open, it would swallow the ## Log section that
# follows the notes, and every later `log` line would land inside it.
_HEADING_OR_MARKER = re.compile(r"^(\s{0,3}#|\s{0,3}```|\s{0,3}~~~|<{7}|={7}|>{7}|\|{7}|---\s*$|\.\.\.\s*$)")


@dataclass
class Target:
    """One person the import writes to: an existing note, or a note to create."""

    path: str
    name: str
    new: bool
    contacts: list[Contact] = field(default_factory=list)
    matched_by: list[str] = field(default_factory=list)  # per contact: "email", "name", "likely" (a name
    # equal once case, accents, punctuation, emoji, titles and degrees are folded away) or "new"
    fields: dict[str, Any] = field(default_factory=dict)  # a new note's front matter, in order
    notes: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        wheres = [c.where for c in self.contacts]
        if len(wheres) > 1 and all(w.startswith("line ") for w in wheres):
            return "lines " + ", ".join(w[5:] for w in wheres)
        return ", ".join(wheres)

    def front_matter(self) -> dict[str, Any]:
        """A new note's fields in the order people read them; one email or phone as plain text."""
        fields = {k: self.fields[k] for k in sorted(self.fields, key=_field_rank)}
        for key in ("email", "phone"):
            if isinstance(fields.get(key), list) and len(fields[key]) == 1:
                fields[key] = fields[key][0]
        return fields


_ORDER = ("name", "aliases", "tags", "org", "role", "email", "phone", "circle", "cadence", "met", "met_at", "introduced_by",
          "linkedin", "birthday")


def _field_rank(key: str) -> tuple[int, str]:
    return (_ORDER.index(key) if key in _ORDER else len(_ORDER), key)


@dataclass
class Plan:
    source: str
    contacts: int
    targets: list[Target]
    skipped: list[Skipped]
    warnings: list[Skipped]


# --- matching ------------------------------------------------------------------------------------


def _key(field_name: str, value: str) -> str:
    if field_name == "phone":
        return phone_key(value)
    if field_name == "tags":
        return normalise(value.lstrip("#"))
    return normalise(value)


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def plan(vault: Vault, result: ReadResult, new_fields: dict[str, Any] | None = None) -> Plan:
    """Decide, without writing, which contacts create notes and which merge into whom.

    ``new_fields`` go into every note the import creates (``--cadence``), and
    into no existing note.
    """
    config = vault.config
    emails: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    likely: dict[str, set[str]] = {}  # by ``duplicates.name_key``: the same name spelled otherwise
    targets: dict[str, Target] = {}
    order: list[str] = []

    def index(key: str, contact_emails, contact_names, stem: str | None = None) -> None:
        for email in contact_emails:
            emails.setdefault(email.casefold(), set()).add(key)
        for name in contact_names:
            if name:
                names.setdefault(normalise(name), set()).add(key)
                if folded := name_key(name):  # names and aliases, not a file name made safe
                    likely.setdefault(folded, set()).add(key)
        if stem:
            names.setdefault(normalise(stem), set()).add(key)

    people = {p.path: p for p in vault.people}
    for person in vault.people:
        index(person.path, person.emails, (person.name, *person.aliases), person.stem)
    broken = {normalise(p.path.rsplit("/", 1)[-1][:-3]): p for p in vault.problems if p.fatal and p.path.lower().endswith(".md")}
    taken = _taken_file_names(config)
    skipped = list(result.skipped)
    warnings = [Skipped(c.where, f"{w} (the rest of it is imported)") for c in result.contacts for w in c.warnings]

    for contact in result.contacts:
        found: set[str] = set()
        how = "email"
        for email in contact.emails:
            found |= emails.get(email.casefold(), set())
        by_name = set(names.get(normalise(contact.name), set())) if contact.name else set()
        if not found:
            how, found = "name", by_name
        if not found and contact.name:
            how, found = "likely", set(likely.get(name_key(contact.name), set()))
        elif len(found) == 1 and by_name and not by_name & found:
            # A shared address (a family's, an office's): the email says one person, the name
            # another. Guessing would file one person's details, and name, in the other's note.
            listed = ", ".join(sorted(_path(targets, k) for k in found | by_name))
            skipped.append(Skipped(contact.where, f"its email belongs to one person and its name to another ({listed}); add it by hand"))
            continue
        if len(found) > 1:
            listed = ", ".join(sorted(_path(targets, k) for k in found))
            by = "name (spelled otherwise)" if how == "likely" else how
            skipped.append(Skipped(contact.where, f"matches several people by {by} ({listed}); add it by hand or merge those notes"))
            continue
        if found:
            key = found.pop()
            target = targets.get(key)
            if target is None:
                person = people[key]
                target = targets[key] = Target(path=key, name=person.name, new=False)
                order.append(key)
        else:
            if not contact.name:
                skipped.append(Skipped(contact.where, "no name, and no email of anyone in the vault; skipped"))
                continue
            stem = safe_stem(contact.name)
            if normalise(stem) in broken:
                problem = broken[normalise(stem)]
                skipped.append(Skipped(contact.where, f"{problem.path} exists but cannot be read ({problem.message}); fix it and import again"))
                continue
            stem = _free_stem(stem, taken)
            taken.add(f"{stem}.md".casefold())
            folder = config.people_path.relative_to(config.root).as_posix()
            key = f"{folder}/{stem}.md" if folder not in ("", ".") else f"{stem}.md"
            target = targets[key] = Target(path=key, name=contact.name, new=True)
            if contact.name != stem:
                target.fields["name"] = contact.name
            target.fields.update(new_fields or {})
            order.append(key)
            how = "new"
        target.contacts.append(contact)
        target.matched_by.append(how)
        if target.new:
            _fold(target, contact)
        index(key, contact.emails, (contact.name, *contact.aliases))
    return Plan(result.source, len(result.contacts), [targets[k] for k in order], skipped, warnings)


def _path(targets: dict[str, Target], key: str) -> str:
    return targets[key].path if key in targets else key


def _taken_file_names(config: Config) -> set[str]:
    # Every entry of the one folder new notes go into, not ``discover.walk``'s notes: any
    # entry there (a folder, a non-note file, a link) blocks its name, while notes in
    # subfolders or hidden ones, which the walker lists or skips, block nothing.
    try:
        return {p.name.casefold() for p in config.people_path.iterdir()}
    except OSError:
        return set()


def _free_stem(stem: str, taken: set[str]) -> str:
    """The stem itself, or ``stem 2``, ``stem 3`` … when a file of that name (in any case) exists."""
    if f"{stem}.md".casefold() not in taken:
        return stem
    number = 2
    while f"{stem} {number}.md".casefold() in taken:
        number += 1
    return f"{stem} {number}"


# --- what a note gains ---------------------------------------------------------------------------


def _value(key: str, value: Any) -> Any:
    """A field value as the note stores it: full birthdays as dates (so YAML writes them plain)."""
    if key == "birthday" and isinstance(value, str) and not value.startswith("--"):
        return date.fromisoformat(value)
    return value


def _as_date(value: Any) -> date | None:
    from ..model.dates import parse_date

    try:
        return parse_date(value)
    except ValueError:
        return None


def _gains(fields: dict[str, Any], names: set[str], contact: Contact) -> list[tuple[str, str, Any]]:
    """What ``contact`` adds to a note holding ``fields``: ``("set"|"append", key, value)`` steps.

    ``fields`` is updated as if the steps were done, so a second contact for the
    same person sees the first one's additions. ``names`` are the note's
    normalised names (name, aliases, file name), updated likewise.
    """
    steps: list[tuple[str, str, Any]] = []
    # `met` and `met_at` say when and where, together: a note that knows another `met`
    # date did not meet them at this file's place (LinkedIn's connection is not the meeting).
    other_meeting = fields.get("met") not in (None, "") and _as_date(fields.get("met")) != contact.met
    if contact.name and normalise(contact.name) not in names:
        steps.append(("append", "aliases", contact.name))
        names.add(normalise(contact.name))
        fields["aliases"] = _as_list(fields.get("aliases")) + [contact.name]
    for key, value in contact.scalars():
        if key == "met_at" and other_meeting:
            continue
        if fields.get(key) in (None, "", []):
            value = _value(key, value)
            steps.append(("set", key, value))
            fields[key] = value
    for key, values in contact.lists():
        have = _as_list(fields.get(key))
        known = {_key(key, v) for v in have}
        if key == "aliases":
            known |= names
        for value in values:
            if _key(key, value) in known:
                continue
            steps.append(("append", key, value))
            known.add(_key(key, value))
            have.append(value)
            if key == "aliases":
                names.add(normalise(value))
        fields[key] = have if have else fields.get(key)
    return steps


def _fold(target: Target, contact: Contact) -> None:
    """Merge a contact into a note that is yet to be created."""
    names = {normalise(target.name), normalise(target.path.rsplit("/", 1)[-1][:-3])}
    names |= {normalise(a) for a in target.fields.get("aliases", [])}
    current = {k: (list(v) if isinstance(v, list) else v) for k, v in target.fields.items()}
    for op, key, value in _gains(current, names, contact):
        if op == "set":
            target.fields[key] = value
        else:
            target.fields.setdefault(key, []).append(value)
    if contact.notes and contact.notes not in target.notes:
        target.notes.append(contact.notes)


def _describe(op: str, key: str, value: Any) -> str:
    shown = value.isoformat() if isinstance(value, date) else value
    return f"{key} + {shown}" if op == "append" else f"{key}: {shown}"


def _job(role: str | None, org: str | None) -> str:
    return " at ".join(part for part in (role, org) if part)


def _scalar_text(value: Any) -> str | None:
    return " ".join(plain_text(value).split()) or None if isinstance(value, str) else None


def job_change(fields: dict[str, Any], contact: Contact) -> tuple[str, str] | None:
    """(what the note says, what the file says) when the file's ``org`` or ``role`` differs
    from the note's, else None. A field the note leaves empty is filled, not a change."""
    org, role = _scalar_text(fields.get("org")), _scalar_text(fields.get("role"))
    new_org, new_role = contact.org, contact.role
    differs = lambda old, new: bool(old and new and normalise(old) != normalise(new))  # noqa: E731
    if not (differs(org, new_org) or differs(role, new_role)):
        return None
    return _job(role, org), _job(new_role or role, new_org or org)



def _logged(editor: NoteEditor, text: str) -> bool:
    """Whether the note's Log already holds a line with ``text`` (any date)."""
    section = find_log_section(editor.note.lines, editor.note.body_start)
    if section is None:
        return False
    wanted = normalise(text)
    for line in editor.note.lines[section[0] + 1 : section[1]]:
        try:
            entry = parse_log_line(line)
        except ValueError:
            continue
        if entry is not None and normalise(entry.text).startswith(wanted):
            return True
    return False


def edit_for(target: Target, messages: list[str], today: date | None = None, origin: str = "import") -> Callable[[NoteEditor], None]:
    """The edit that merges a target's contacts into its existing note (run under the lock).

    A contact whose ``org`` or ``role`` differs from the note's is a job change: the note's
    values stay (the user wrote them), a Log line dated ``today`` records it (``job change:
    OLD → NEW (ORIGIN)``, once, however often the same file is imported), and the report
    says it."""

    def apply(editor: NoteEditor) -> None:
        if today is not None:
            for contact in target.contacts:
                change = job_change(editor.fields, contact)
                if change is None:
                    continue
                text = f"{JOB_CHANGE}{change[0]} → {change[1]}"
                if not _logged(editor, text):
                    editor.add_log(today, f"{text} ({origin})")
                    done = "logged"
                else:
                    done = "already in the Log"
                messages.append(f"{target.name}: {change[0]} → {change[1]} (job change, {done}; org and role kept as the note has them)")
        fields = {k: (list(v) if isinstance(v, list) else v) for k, v in editor.fields.items()}
        stem = target.path.rsplit("/", 1)[-1][:-3]
        names = {normalise(str(fields.get("name") or stem)), normalise(stem)}
        names |= {normalise(a) for a in _as_list(fields.get("aliases")) + _as_list(fields.get("alias"))}
        for contact in target.contacts:
            for op, key, value in _gains(fields, names, contact):
                if op == "append" and key == "tags" and isinstance(editor.fields.get("tags"), str) and re.search(r"[,\s]", editor.fields["tags"].strip()):
                    messages.append(f"tags: {value} not added (the note writes its tags as one text; add it by hand)")
                    continue
                if op == "append" and key == "aliases" and "aliases" not in editor.fields and "alias" in editor.fields:
                    key = "alias"
                if op == "set":
                    editor.set(key, value)
                else:
                    editor.append(key, value)
                messages.append(_describe(op, key, value))
        body = "".join(editor.note.lines[editor.note.body_start:])
        missing = [n for n in (c.notes for c in target.contacts) if n and _escape(n) not in body]
        if missing:
            messages.append("notes from the file not added (an existing note's body is never changed)")

    return apply


# --- new notes -----------------------------------------------------------------------------------


def _escape(notes: str) -> str:
    """Notes as body text that cannot start a heading (or a log section), open or close a
    code fence, close front matter, or look like a git conflict: such lines get a
    leading backslash."""
    return "\n".join("\\" + line if _HEADING_OR_MARKER.match(line) else line for line in notes.split("\n"))


class NoteRenderer:
    """Renders new notes with the vault's ``person.md`` template (loaded once per import)."""

    def __init__(self, config: Config, today: date):
        from ..render.templating import environment

        self.config = config
        self.today = today
        try:
            self.template = environment(config).get_template("person.md")
        except Exception as exc:  # jinja2's errors: a broken vault template must not half-import
            raise VaultnetError(f"template person.md: {exc}") from None

    def render(self, target: Target) -> bytes:
        from jinja2 import TemplateError

        stem = target.path.rsplit("/", 1)[-1][:-3]
        try:
            text = self.template.render(name=target.name, stem=stem, fields=target.front_matter(), today=self.today)
        except TemplateError as exc:
            raise VaultnetError(f"template person.md: {exc}") from None
        if target.notes:
            text = _with_notes(text, "\n\n".join(_escape(n) for n in target.notes))
        data = text.encode("utf-8")
        person, problems = parse_note(target.path, data)
        bad = [p for p in problems if p.fatal or p.field]
        if person is None or bad:
            raise VaultnetError(f"the person.md template produced a note for {target.name!r} that does not read back: {bad[0] if bad else ''}")
        if person.name != target.name:
            raise VaultnetError(f"the person.md template produced a note named {person.name!r}, not {target.name!r}")
        return data


def _with_notes(text: str, notes: str) -> str:
    """The rendered note with a ``## Notes`` section before its ``## Log`` (else at the end)."""
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
    section = ["## Notes", "", *notes.split("\n"), ""]
    found = find_log_section(lines, start)
    if found is not None:
        lines[found[0]:found[0]] = section
        return "\n".join(lines)
    return text.rstrip("\n") + "\n\n" + "\n".join(section).rstrip("\n") + "\n"


# --- doing it ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    target: Target
    messages: list[str]
    status: str  # "created", "changed", "unchanged", "failed"


def execute(
    config: Config, planned: Plan, today: date, dry_run: bool, step: Callable[[int], None] | None = None, origin: str = "import"
) -> list[Outcome]:
    """Create and change the notes of a plan (or, with ``dry_run``, only work out what
    would happen: the same edits run on the notes' bytes in memory). One note that
    cannot be written is reported and the others go on."""
    renderer = NoteRenderer(config, today) if any(t.new for t in planned.targets) else None
    outcomes: list[Outcome] = []
    for target in planned.targets:
        messages: list[str] = []
        try:
            if target.new:
                assert renderer is not None
                data = renderer.render(target)
                if not dry_run:
                    write_new(config.root / target.path, data, target.path)
                messages = [_describe("set", k, v if not isinstance(v, list) else ", ".join(map(str, v))) for k, v in target.front_matter().items()]
                if target.notes:
                    messages.append("## Notes section from the file")
                outcomes.append(Outcome(target, messages, "created"))
            else:
                # First in memory: a dry run stops here, and a note with nothing to gain
                # (most of them, when a file is imported again) is not even locked.
                editor = NoteEditor(target.path, (config.root / target.path).read_bytes())
                edit_for(target, messages, today, origin)(editor)
                editor.result()  # the same verification a real write does
                if editor.changed and not dry_run:
                    messages = []  # decided again under the lock, on the note as it is then
                    changed = edit_notes(config.root, [(target.path, edit_for(target, messages, today, origin))], config)
                else:
                    changed = editor.changed
                outcomes.append(Outcome(target, messages, "changed" if changed else "unchanged"))
        except (NoteError, VaultnetError) as exc:
            outcomes.append(Outcome(target, [str(exc)], "failed"))
        except OSError as exc:
            outcomes.append(Outcome(target, [f"{target.path}: {exc.strerror or exc}"], "failed"))
        if step is not None:
            step(1)
    return outcomes
