"""Renaming a person, and pointing every link to one note at another (rename and merge share it).

A rename changes the note's file name (``People/Old.md`` to ``People/New.md``, a safe
name), its ``name`` field, keeps the old name as an alias, and retargets every link to
the person in the whole vault: person notes (``introduced_by``, ``helped``, the body)
and every other Markdown note (daily notes, meeting notes), in both link styles (see
``links.LinkRetarget``). Only the links' text changes in those files. Generated notes
(the index folder) and templates are not touched: the next build rewrites the former.
All files change together or none does (``atomic.edit_notes``, which also renames).
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from urllib.parse import quote

from ..load import discover
from ..load.files import MAX_NOTE_BYTES
from ..load.vault import Vault
from ..model.config import Config
from ..model.errors import VaultnetError
from ..model.links import LinkRetarget
from ..model.names import nfc_casefold, normalise, safe_stem
from ..model.person import Person
from .actions import clean_text
from .atomic import edit_notes
from .noteedit import NoteEditor


@dataclass
class LinkChanges:
    """The files whose links to a note would change, each with the number of links."""

    files: list[tuple[str, int]] = field(default_factory=list)

    @property
    def links(self) -> int:
        return sum(count for _, count in self.files)


@dataclass
class RenameOutcome:
    old_path: str
    new_path: str
    new_name: str
    links: LinkChanges
    messages: list[str] = field(default_factory=list)
    unchanged: bool = False  # already so called: nothing to do


def linking_notes(config: Config, retarget: LinkRetarget) -> LinkChanges:
    """Every note of the vault holding a link the retarget changes, with the count, in path
    order. Each candidate is read through the note editor, so a note it would refuse to
    write (conflict markers, unreadable front matter) stops the change here, before
    anything is written."""
    skip = [_folder(config, config.index_path), _folder(config, config.templates_path)]
    probes = {nfc_casefold(retarget.old_stem), nfc_casefold(quote(retarget.old_stem)), nfc_casefold(retarget.old_stem.replace(" ", "%20"))}
    changes = LinkChanges()
    for found in discover.walk(config, whole_vault=True):
        if found.kind != discover.NOTE or found.target is not None or os.path.islink(found.path):
            continue  # a link to a note is edited under the note's own name
        if any(folder and (found.rel + "/").startswith(folder) for folder in skip):
            continue
        try:
            if os.path.getsize(found.path) > MAX_NOTE_BYTES:
                continue
            with open(found.path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        text = data.decode("utf-8", "replace")
        folded = nfc_casefold(text)
        if not any(probe in folded for probe in probes):
            continue
        if not retarget.rewrite(text, found.rel, skip_code=False)[1]:
            continue  # the name, but no link to the person: a note mid-conflict there is no concern
        count = NoteEditor(found.rel, data).retarget_links(retarget)
        if count:
            changes.files.append((found.rel, count))
    return changes


def _folder(config: Config, path) -> str | None:
    """A folder as a vault-relative prefix ending in ``/``, or None when it is outside the vault."""
    try:
        rel = path.relative_to(config.root).as_posix()
    except ValueError:
        return None
    return None if rel in ("", ".") else rel + "/"


def retarget_edit(retarget: LinkRetarget, counts: dict[str, int]):
    def apply(editor: NoteEditor) -> None:
        counts[editor.path] = editor.retarget_links(retarget)

    return apply


def clean_name(text: str) -> str:
    return clean_text(text, "new name", "say what the person is called")


def rename_person(vault: Vault, person: Person, new_name: str, dry_run: bool = False) -> RenameOutcome:
    """Rename ``person`` to ``new_name`` everywhere, as one change (nothing when ``dry_run``).

    Refused when someone else already has that name or alias, or a file of the new name
    exists in any letter case.
    """
    config = vault.config
    new_name = clean_name(new_name)
    wanted = normalise(new_name)
    for other in vault.people:
        if other.path != person.path and wanted in {normalise(k) for k in (other.name, *other.aliases, other.stem)}:
            raise VaultnetError(f"{other.path}: {other.name} is already called that; to make them one note, use `vaultnet merge`")
    stem = safe_stem(new_name)
    new_path = posixpath.join(posixpath.dirname(person.path), stem + ".md")
    if new_path == person.path and new_name == person.name:
        return RenameOutcome(person.path, person.path, new_name, LinkChanges(), ["already so called; nothing changed"], unchanged=True)
    if new_path != person.path:
        folder = config.root / posixpath.dirname(new_path)
        lowered = nfc_casefold(stem + ".md")
        clash = next((p for p in folder.iterdir() if nfc_casefold(p.name) == lowered and p.name != posixpath.basename(person.path)), None)
        if clash is not None:
            raise VaultnetError(
                f"{clash.relative_to(config.root).as_posix()} already exists (file names are compared ignoring letter case, as on macOS); "
                "nothing was written"
            )
    retarget = LinkRetarget(person.path, person.name, new_path, new_name)
    changes = linking_notes(config, retarget)
    messages = []
    if stem != new_name:
        messages.append(f"file name made safe: {stem}.md (the full name is kept in `name`)")
    outcome = RenameOutcome(person.path, new_path, new_name, changes, messages)
    if dry_run:
        return outcome
    counts: dict[str, int] = {}
    old_name = person.name

    def rename(editor: NoteEditor) -> None:
        counts[editor.path] = editor.retarget_links(retarget)
        editor.retitle((old_name, person.stem), new_name)
        if "name" in editor.fields or new_name != stem:
            editor.set("name", new_name)
        aliases = editor.fields.get("aliases")
        known = aliases if isinstance(aliases, list) else [aliases] if isinstance(aliases, str) else []
        same = [i for i, a in enumerate(known) if isinstance(a, str) and normalise(a) == wanted]
        for index in reversed(same):  # an alias that is now the name is no other name any more
            editor.remove_item("aliases", index)
            messages.append(f"alias {known[index]!r} is the name now; removed from aliases")
        known = [a for i, a in enumerate(known) if i not in same]
        if normalise(old_name) != wanted and normalise(old_name) not in {normalise(a) for a in known if isinstance(a, str)}:
            editor.append("aliases", old_name)

    edits = [(rel, retarget_edit(retarget, counts)) for rel, _ in changes.files if rel != person.path]
    edits.append((person.path, rename))
    edit_notes(config.root, edits, config, moves={person.path: new_path} if new_path != person.path else None)
    outcome.links = LinkChanges([(new_path if rel == person.path else rel, n) for rel, n in sorted(counts.items()) if n])
    return outcome


def link_files_summary(changes: LinkChanges) -> list[str]:
    return [f"{rel}: {count} link{'s' if count != 1 else ''}" for rel, count in changes.files]

