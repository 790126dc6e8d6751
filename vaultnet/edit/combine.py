"""Merging two notes of one person into one (``vaultnet merge KEEP OTHER``).

Everything of OTHER moves into KEEP, and OTHER's note is removed, as one all-or-nothing
change (``atomic.edit_notes``) together with every link to OTHER in the vault, which now
points at KEEP (``links.LinkRetarget``, as ``rename`` does):

- list fields (``needs``, ``offers``, ``helped``, ``received``, ``tags``, ``email``,
  ``phone``, ``aliases``): KEEP gains OTHER's items it lacks (compared ignoring case and
  spacing), after its own, in the list's own style;
- OTHER's name, file name and aliases become KEEP's aliases;
- dates: ``last_contact`` the later (the most recent contact with either); ``met`` the
  earlier (when you first met the person), with its ``met_at``; ``follow_up`` the earlier
  (the sooner plan is the one to keep);
- ``archived``: kept only as KEEP has it (a note in use is not archived by a merge);
- ``introduced_by`` naming KEEP or OTHER is dropped (merged, it would be a self-introduction);
- any other field (``org``, ``role``, ``circle``, ``cadence``, ``birthday``, fields of
  your own): taken from OTHER when KEEP lacks it; when both hold different values the
  merge is refused with the list of disagreements, unless ``prefer`` says whose wins;
- OTHER's Log entries join KEEP's Log in the section's date order, a one-line contact in
  the section's own style (bullet, date form), as ``log`` writes it; open tasks and entries
  with lines below them as written; entries KEEP already has are not repeated;
- the rest of OTHER's body goes to a new section at the end of KEEP's body,
  ``## From OTHER (merged DATE)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..load.vault import Vault
from ..model.dates import parse_date
from ..model.errors import NoteError, UsageProblem, VaultnetError
from ..model.links import LinkRetarget, link_target, plain_text, rebase_links
from ..model.names import normalise
from ..model.person import Person, field_keys, parse_log_line
from ..model.yamltext import render
from .atomic import edit_notes
from .merge import LIST_KEYS, CannotMerge, body_parts, list_items, log_blocks
from .noteedit import NoteEditor
from .rename import LinkChanges, linking_notes, retarget_edit

EARLIER, LATER = "earlier", "later"
DATE_RULES = {"last_contact": LATER, "met": EARLIER, "follow_up": EARLIER}
_OWN = frozenset({"name", "aliases", "alias", "archived", "met_at"})  # handled by their own rules


@dataclass
class Decision:
    """What KEEP's front matter gains: ``("set"|"append", key, value)`` steps, in order;
    the disagreements (refused unless a side is preferred), and what to tell the user."""

    steps: list[tuple[str, str, Any]] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _shown(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return normalise(plain_text(a)) == normalise(plain_text(b))
    return a == b


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _item_text(item: Any) -> str:
    """A list item as text: YAML reads ``- 2026-01-02 met X: why`` as a mapping."""
    if isinstance(item, dict) and len(item) == 1:
        ((key, value),) = item.items()
        return f"{_shown(key)}: {_shown(value)}" if value is not None else f"{_shown(key)}:"
    if isinstance(item, (dict, list)):
        raise VaultnetError(f"a list item holds {type(item).__name__} data vaultnet cannot move; move it by hand, then merge")
    return _shown(item)


def _date(value: Any) -> date | None:
    try:
        return parse_date(value)
    except (ValueError, TypeError):
        return None


class Unmovable(VaultnetError):
    """A field of one side holds a value vaultnet cannot move or compare (``side`` is KEEP or OTHER)."""

    def __init__(self, side: str, key: str, value: Any):
        self.side, self.key, self.value = side, key, value
        super().__init__(f"{side}'s field '{key}' holds {_kind(value)}")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{value!r}"


def _writable(value: Any) -> bool:
    """Whether the note editor can write ``value`` as one field or list item."""
    try:
        render(value)
    except (TypeError, ValueError):
        return False
    return True


def _list_of(fields: dict[str, Any], key: str, side: str) -> list:
    try:
        return list_items(fields.get(key))
    except CannotMerge:
        raise Unmovable(side, key, fields.get(key)) from None


def decide(keep: dict[str, Any], other: dict[str, Any], other_names: list[str], keep_names: list[str], prefer: str | None) -> Decision:
    """KEEP's gains from OTHER's front matter (pure: parsed fields in, steps out); Unmovable
    where a field holds what cannot be moved (a mapping in a list field, a nested list)."""
    decision = Decision()
    alias_key = "alias" if "aliases" not in keep and "alias" in keep else "aliases"
    known = {normalise(n) for n in keep_names} | {normalise(_item_text(a)) for a in _list_of(keep, alias_key, "KEEP")}
    for name in [*other_names, *map(_item_text, _list_of(other, "aliases", "OTHER")), *map(_item_text, _list_of(other, "alias", "OTHER"))]:
        if name and normalise(name) not in known:
            decision.steps.append(("append", alias_key, name))
            known.add(normalise(name))
    met_from_other = False
    for key, value in other.items():
        if key in _OWN or _empty(value):
            continue
        mine = keep.get(key)
        if key in LIST_KEYS and not (_empty(mine) and not isinstance(value, list)):  # one value stays one
            have = {normalise(_item_text(x)) for x in _list_of(keep, key, "KEEP")}
            for item in _list_of(other, key, "OTHER"):
                try:
                    text = _item_text(item)
                except VaultnetError:
                    raise Unmovable("OTHER", key, item) from None
                if normalise(text) not in have:
                    decision.steps.append(("append", key, item if isinstance(item, (date, int)) and not isinstance(item, bool) else text))
                    have.add(normalise(text))
            continue
        if not _writable(value):
            # a list or mapping where the format has one value, or a field of your own: moved
            # only as items of a list KEEP lacks, else only when both notes agree
            if _same(mine, value):
                continue
            if prefer == "keep" and not _empty(mine):
                decision.notes.append(f"{key}: KEEP's kept (OTHER's {_kind(value)} dropped)")
                continue
            own_field = key not in field_keys()  # the format's other fields hold one value
            if own_field and _empty(mine) and isinstance(value, list) and value and all(map(_writable, value)):
                decision.steps.extend(("append", key, item) for item in value)
                continue
            raise Unmovable("OTHER", key, value)
        if _empty(mine):
            decision.steps.append(("set", key, value))
            met_from_other |= key == "met"
            continue
        if _same(mine, value):
            continue
        if not _writable(mine) and prefer != "keep":
            raise Unmovable("KEEP", key, mine)
        if key in DATE_RULES and _date(mine) and _date(value):
            a, b = _date(mine), _date(value)
            pick = max(a, b) if DATE_RULES[key] == LATER else min(a, b)
            if pick != a:
                decision.steps.append(("set", key, pick))
                met_from_other |= key == "met"
            continue
        if prefer == "other":
            decision.steps.append(("set", key, value))
            decision.notes.append(f"{key}: {_shown(value)} (OTHER's, preferred over {_shown(mine)})")
        elif prefer == "keep":
            decision.notes.append(f"{key}: {_shown(mine)} kept (OTHER's {_shown(value)} dropped)")
        else:
            decision.disagreements.append(f"{key}: {_shown(mine)!r} (KEEP) vs {_shown(value)!r} (OTHER)")
    met_at = other.get("met_at")
    if not _empty(met_at):
        if _empty(keep.get("met_at")):
            if met_from_other or _empty(keep.get("met")) or _same(keep.get("met"), other.get("met")):
                decision.steps.append(("set", "met_at", met_at))
        elif not _same(keep.get("met_at"), met_at):
            if met_from_other:  # where goes with when: the earlier meeting's place
                decision.steps.append(("set", "met_at", met_at))
            elif prefer == "other":
                decision.steps.append(("set", "met_at", met_at))
            elif prefer != "keep" and _same(keep.get("met"), other.get("met")):
                decision.disagreements.append(f"met_at: {_shown(keep['met_at'])!r} (KEEP) vs {_shown(met_at)!r} (OTHER)")
    if not _empty(other.get("archived")) and _empty(keep.get("archived")):
        decision.notes.append("archived: not taken from OTHER (the merged note stays in use)")
    return decision


def _log_entries(note) -> tuple[list[tuple[str, date, list[str]]], list[str]]:
    """A note's Log entries (identity, date, lines) and the section's other non-blank lines."""
    _pre, section, _post = body_parts(note)
    if section is None:
        return [], []
    dated, undated = [], []
    for identity, day, lines in log_blocks(section[1:]):
        if day is not None:
            try:
                entry = parse_log_line(lines[0])
            except ValueError:
                entry = None
            # a contact is the same whatever its bullet or date style; an open task by its text
            dated.append((normalise(entry.text) if entry is not None else normalise(identity), day, lines))
        elif identity.strip():
            undated.extend(lines)
    return dated, undated


def _rest_of_body(note, other: Person) -> list[str]:
    """OTHER's body outside its Log, without surrounding blank lines or a title naming them."""
    pre, section, post = body_parts(note)
    lines = [line.rstrip("\r\n") for line in pre + post]
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and lines[0].startswith("# ") and normalise(lines[0][2:]) in {normalise(other.name), normalise(other.stem)}:
        lines.pop(0)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


@dataclass
class CombineOutcome:
    keep: Person
    other: Person
    gains: list[str]
    log_entries: int
    section: str | None
    links: LinkChanges
    notes: list[str] = field(default_factory=list)


def _describe(op: str, key: str, value: Any) -> str:
    return f"{key} + {_shown(value)}" if op == "append" else f"{key}: {_shown(value)}"


def merge_people(vault: Vault, keep: Person, other: Person, today: date, prefer: str | None = None, dry_run: bool = False) -> CombineOutcome:
    """Move everything of ``other`` into ``keep`` and remove ``other``'s note (see the module)."""
    if keep.path == other.path:
        raise UsageProblem(f"both names mean {keep.name} ({keep.path}); a merge needs two different notes")
    config = vault.config
    other_data = (config.root / other.path).read_bytes()
    other_editor = NoteEditor(other.path, other_data)  # refuses conflict markers, unreadable front matter
    other_names = [other.name] + ([other.stem] if normalise(other.stem) != normalise(other.name) else [])
    heading = f"## From {other.name} (merged {today.isoformat()})"
    retarget = LinkRetarget(other.path, other.name, keep.path, keep.name)
    outcome = CombineOutcome(keep, other, [], 0, None, LinkChanges())

    both = {normalise(n) for n in (keep.name, keep.stem, other.name, other.stem)}

    def names_them(value: Any) -> bool:
        """Whether an ``introduced_by`` names the merged person (KEEP or OTHER): merged, it
        would say the person introduced themselves."""
        return isinstance(value, str) and normalise(link_target(value) or "") in both

    def plan(editor: NoteEditor) -> tuple[Decision, list, list[str]]:
        keep_names = [keep.name, keep.stem]
        mine = {k: v for k, v in editor.fields.items() if not (k == "introduced_by" and names_them(v))}
        theirs = {k: v for k, v in other_editor.fields.items() if not (k == "introduced_by" and names_them(v))}
        try:
            decision = decide(mine, theirs, other_names, keep_names, prefer)
        except Unmovable as exc:
            where = keep if exc.side == "KEEP" else other
            raise VaultnetError(
                f"{where.path}: field '{exc.key}' holds {_kind(exc.value)}, which vaultnet cannot merge; "
                f"write it as {'a list of texts' if exc.key in LIST_KEYS else 'one value'} (or make both notes agree), "
                "then merge again; nothing was written"
            ) from None
        if decision.disagreements:
            listed = "\n".join(f"  {d}" for d in decision.disagreements)
            raise VaultnetError(
                f"{keep.name} ({keep.path}) and {other.name} ({other.path}) disagree:\n{listed}\n"
                "Make them agree in the notes, or pass --prefer keep (KEEP's values win) or --prefer other (OTHER's win)."
            )
        have, _undated = _log_entries(editor.note)
        known = {(identity, day) for identity, day, _lines in have}
        entries, undated = _log_entries(other_editor.note)
        moving = [(day, lines) for identity, day, lines in entries if (identity, day) not in known]
        rest = _rest_of_body(other_editor.note, other) + ([""] if undated else []) + [line.rstrip("\r\n") for line in undated]
        while rest and not rest[0].strip():
            rest.pop(0)
        return decision, moving, rest

    def apply(editor: NoteEditor) -> None:
        if editor.path == keep.path and (config.root / other.path).read_bytes() != other_data:
            raise NoteError(other.path, "changed on disk while vaultnet was merging; nothing was written — run the command again")
        decision, moving, rest = plan(editor)
        dropped = [(side, fields["introduced_by"]) for side, fields in (("KEEP", editor.fields), ("OTHER", other_editor.fields))
                   if names_them(fields.get("introduced_by"))]
        if dropped and names_them(editor.fields.get("introduced_by")):
            editor.remove("introduced_by")
        for side, value in dropped:
            decision.notes.append(f"introduced_by: {side}'s {_shown(value)} dropped (it names the person themselves)")
        editor.retarget_links(retarget)
        # What comes from OTHER is retargeted as it moves (its links to itself now mean KEEP),
        # read where it was written, and its relative Markdown links lead from KEEP's folder.
        def moved(text: str, skip_code: bool = True) -> str:
            return rebase_links(retarget.rewrite(text, other.path, skip_code=skip_code)[0], other.path, keep.path)

        gains = []
        for op, key, value in decision.steps:
            value = moved(value, skip_code=False) if isinstance(value, str) else value
            gains.append(_describe(op, key, value))
            if op == "set":
                editor.set(key, value)
            else:
                editor.append(key, value)
        for day, lines in moving:
            entry = parse_log_line(lines[0]) if len(lines) == 1 else None
            if entry is not None:  # a one-line contact, written as KEEP's section writes its lines
                editor.add_log(day, moved(entry.text))
            else:  # an open task, or an entry with lines of its own below it: as written
                editor.insert_log_entry(day, moved("".join(lines)).splitlines())
        if rest:
            editor.append_section(heading, moved("\n".join(rest)).split("\n"))
        outcome.gains = gains
        outcome.notes = decision.notes
        outcome.log_entries = len(moving)
        outcome.section = heading if rest else None

    # What would change, worked out on the notes in memory (a dry run stops here).
    preview = NoteEditor(keep.path, (config.root / keep.path).read_bytes())
    apply(preview)
    preview.result()
    links = linking_notes(config, retarget)
    outcome.links = LinkChanges([(rel, n) for rel, n in links.files if rel not in (keep.path, other.path)])
    if dry_run:
        return outcome
    counts: dict[str, int] = {}
    edits = [(rel, retarget_edit(retarget, counts)) for rel, _ in outcome.links.files]
    edits.append((keep.path, apply))
    edit_notes(config.root, edits, config, removals=[other.path])
    outcome.links = LinkChanges([(rel, n) for rel, n in sorted(counts.items()) if n])
    return outcome

