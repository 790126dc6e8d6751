"""Three-way merge of one person note, as git's merge driver for the people folder.

Two clones that each log, snooze or add items for the same person change the same few
lines (``last_contact``, the end of a list, the end of the Log), so git's line merge
stops on every such pull although the answer is obvious. This module merges by meaning,
from the common ancestor (``base``):

- a front-matter key changed on one side takes that side; the same change on both is
  kept once;
- ``last_contact`` changed on both sides takes the later date; so does ``follow_up``;
  ``follow_up`` removed on one side (a contact cleared it) and untouched on the other
  stays removed; removed on one side and moved on the other keeps the new date unless
  the merged ``last_contact`` is on or after it (the contact would have cleared it);
- list fields keep every item either side added and drop every item either side
  removed, base order first, then ours' additions, then theirs';
- the Log section keeps the entries of both sides, each new one placed by its date in
  the section's own order (oldest- or newest-first), without duplicates;
- the rest of the body merges as text with ``git merge-file``.

Anything else changed on both sides (``org`` set to two values, the same body lines
edited apart) is a genuine conflict: the result holds git's conflict markers around it
and ``conflict`` is True. The result starts from the local side (``ours``) and changes
only what the other side brings, in the note's own style: a new list item through
``NoteEditor.append``, a key the other side changed copied as its lines. It is split and
read again, and must say what the merge decided; if it does not, or a side cannot be
read as a note, the whole note merges as text instead.
"""

from __future__ import annotations

import difflib
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..load.frontmatter import load_fields
from ..load.notefile import NoteText, SplitError, split_note
from ..model.errors import NoteError
from ..model.person import find_log_section, log_item_date
from ..model.yamltext import render
from .gitsetup import GitError, run_git
from .noteedit import NoteEditor

LIST_KEYS = frozenset({"needs", "offers", "helped", "received", "tags", "aliases", "email", "phone"})
_MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CannotMerge(Exception):
    """This note cannot be merged by meaning; it is merged as text instead."""


@dataclass
class Merged:
    data: bytes
    conflict: bool
    how: str  # "fields", or why the note was merged as plain text


def merge_note(base: bytes, ours: bytes, theirs: bytes, path: str = "note", marker_size: int = 7) -> Merged:
    """Merge three versions of a note; never raises for bad input (it falls back to text)."""
    try:
        return _merge(base, ours, theirs, path, marker_size)
    except (CannotMerge, NoteError, SplitError, yaml.YAMLError, TypeError, ValueError) as exc:
        data, conflict = merge_text(ours, base, theirs, marker_size)
        return Merged(data, conflict, f"merged as text: {exc}")


def merge_text(ours: bytes, base: bytes, theirs: bytes, marker_size: int = 7) -> tuple[bytes, bool]:
    """``git merge-file``: the merged bytes and whether conflicts were left in them."""
    if ours == theirs or base == theirs:
        return ours, False
    if base == ours:
        return theirs, False
    with tempfile.TemporaryDirectory(prefix="vaultnet-merge-") as folder:
        names = []
        for label, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            file = Path(folder) / label
            file.write_bytes(data)
            names.append(str(file))
        done = run_git(["merge-file", "-p", f"--marker-size={marker_size}",
                        "-L", "ours", "-L", "base", "-L", "theirs", *names], check=False)
    if done.returncode < 0 or done.returncode > 127:
        raise GitError("git merge-file failed: " + done.stderr.decode("utf-8", "replace").strip())
    return done.stdout, done.returncode != 0


# --- reading -------------------------------------------------------------------------------------


@dataclass
class _Side:
    note: NoteText
    fields: dict[str, Any]


def _read(data: bytes, path: str, what: str) -> _Side:
    if b"\x00" in data:
        raise CannotMerge(f"{what} holds NUL bytes")
    note = split_note(data)
    if note.conflict_lines():
        raise CannotMerge(f"{what} already holds conflict markers")
    if not note.has_front_matter:
        return _Side(note, {})
    fields, problem = load_fields(path, note.yaml_text, note.fm_open + 2)
    if problem:
        raise CannotMerge(f"{what}: {problem.message}")
    return _Side(note, fields)


def _spans(note: NoteText) -> dict[str, tuple[int, int]]:
    """Each top-level key's first and last line, as indexes into ``note.lines``."""
    if not note.has_front_matter or not note.yaml_text.strip():
        return {}
    root = yaml.compose(note.yaml_text, Loader=_LOADER)
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise CannotMerge("the front matter is not one `key: value` line per field")
    out = {}
    offset = note.fm_open + 1
    for key, value in root.value:
        if key.start_mark.column != 0:
            raise CannotMerge(f"field {key.value!r} is not at the start of its line")
        out[str(key.value)] = (offset + key.start_mark.line, offset + _end_line(value))
    return out


def _end_line(node: yaml.Node) -> int:
    if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _end_line(last[1] if isinstance(node, yaml.MappingNode) else last)
    line, column = node.end_mark.line, node.end_mark.column
    return line - 1 if column == 0 and line > node.start_mark.line else line


def _value_node(note: NoteText, key: str) -> yaml.Node | None:
    root = yaml.compose(note.yaml_text, Loader=_LOADER)
    for k, v in root.value if isinstance(root, yaml.MappingNode) else ():
        if str(k.value) == key:
            return v
    return None


# --- deciding the fields -------------------------------------------------------------------------


def _as_date(value: Any) -> date | None:
    return value if isinstance(value, date) else None


def _items(value: Any) -> list:
    if value is _MISSING or value is None:
        return []
    if isinstance(value, list):
        return list(value)
    if isinstance(value, (str, int, date)) and not isinstance(value, bool):
        return [value]
    raise CannotMerge("a list field holds a mapping")


def merge_lists(base: Any, ours: Any, theirs: Any) -> list:
    """Every item either side added, none that either removed; base order first."""
    b, o, t = _items(base), _items(ours), _items(theirs)
    result = [x for x in b if x in o and x in t]
    for side in (o, t):
        for x in side:
            if x not in b and x not in result:
                result.append(x)
    return result


def merge_fields(base: dict, ours: dict, theirs: dict) -> tuple[dict, list[str]]:
    """The merged front matter and the keys in genuine conflict (those keep ours' value)."""
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    pending_follow_up = None
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        b, o, t = base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING)
        if o == t or t == b:
            value = o
        elif o == b:
            value = t
        elif key in LIST_KEYS and not isinstance(o, dict) and not isinstance(t, dict):
            value = merge_lists(b, o, t)
            if not value and (o is _MISSING or t is _MISSING):
                value = _MISSING
        elif key in ("last_contact", "follow_up") and _as_date(o) and _as_date(t):
            value = max(o, t)
        elif key == "follow_up" and (o is _MISSING or t is _MISSING) and _as_date(o if t is _MISSING else t):
            pending_follow_up = o if t is _MISSING else t
            continue
        else:
            conflicts.append(key)
            value = o
        if value is not _MISSING:
            merged[key] = value
    if pending_follow_up is not None:
        contact = _as_date(merged.get("last_contact"))
        if contact is None or contact < pending_follow_up:
            merged["follow_up"] = pending_follow_up
    return merged, conflicts


# --- writing the front matter --------------------------------------------------------------------


def _copy_key(target: NoteText, source: NoteText, key: str) -> NoteText:
    """``target`` with ``key``'s lines replaced by (or, when absent, given) those of ``source``;
    removed when ``source`` lacks the key."""
    newline = target.newline
    lines = list(target.lines)
    spans = _spans(target)
    source_spans = _spans(source)
    if key in source_spans:
        first, last = source_spans[key]
        new = [line.rstrip("\r\n") + newline for line in source.lines[first : last + 1]]
    else:
        new = []
    if key in spans:
        first, last = spans[key]
        lines[first : last + 1] = new
    elif new:
        if target.fm_open is None:
            lines[0:0] = ["---" + newline, "---" + newline]
            target = split_note(("\ufeff" if target.bom else "").encode() + "".join(lines).encode("utf-8"))
            lines, spans = list(target.lines), {}
        order = list(source_spans)
        before = [k for k in order[: order.index(key)] if k in spans]
        at = spans[before[-1]][1] + 1 if before else target.fm_open + 1
        lines[at:at] = new
    return _resplit(target, lines)


def _resplit(note: NoteText, lines: list[str]) -> NoteText:
    return split_note(("\ufeff" if note.bom else "").encode("utf-8") + "".join(lines).encode("utf-8"))


def _set_list(target: NoteText, key: str, items: list, sources: list[NoteText]) -> NoteText:
    """``target`` with ``key`` holding exactly ``items``, in its own list style, each item
    spelled as one of the sides wrote it where it was on one line, else as vaultnet writes it."""
    spelled: dict[Any, str] = {}
    for note in sources:
        node = _value_node(note, key) if note.has_front_matter else None
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                if isinstance(item, yaml.ScalarNode) and item.start_mark.line == item.end_mark.line:
                    line = note.lines[note.fm_open + 1 + item.start_mark.line]
                    value = yaml.safe_load(line[item.start_mark.column : item.end_mark.column] or "''")
                    spelled.setdefault(_hashable(value), line[item.start_mark.column : item.end_mark.column])
    newline = target.newline
    node = _value_node(target, key)
    spans = _spans(target)
    first, last = spans[key]
    key_line = target.lines[first].rstrip("\r\n")
    if isinstance(node, yaml.SequenceNode) and node.flow_style:
        if node.start_mark.line != node.end_mark.line:
            raise CannotMerge(f"the list {key!r} spans several lines")
        head, tail = key_line[: node.start_mark.column], key_line[node.end_mark.column :]
        pad = " " if key_line[node.start_mark.column + 1 : node.start_mark.column + 2] == " " and node.value else ""
        body = ", ".join(spelled.get(_hashable(v)) or render(v, flow=True) for v in items)
        new = [f"{head}[{pad}{body}{pad if body else ''}]{tail}"]
    else:
        prefix = "  - "
        if isinstance(node, yaml.SequenceNode) and node.value:
            item = node.value[0]
            prefix = target.lines[target.fm_open + 1 + item.start_mark.line][: item.start_mark.column]
        if isinstance(node, yaml.SequenceNode) or (isinstance(node, yaml.ScalarNode) and node.value == ""):
            head = key_line
        else:
            head = f"{key}:"
        if not items:
            new = [f"{key}: []"]
        else:
            new = [head] + [prefix + (spelled.get(_hashable(v)) or render(v)) for v in items]
    lines = list(target.lines)
    lines[first : last + 1] = [text + newline for text in new]
    return _resplit(target, lines)


def _hashable(value: Any) -> Any:
    return (type(value).__name__, value) if isinstance(value, (str, int, date)) else repr(value)


def _write_fields(ours: _Side, theirs: _Side, merged: dict, path: str) -> NoteText:
    note = ours.note
    appends: list[tuple[str, Any]] = []
    for key in [*ours.fields, *(k for k in merged if k not in ours.fields)]:
        want = merged.get(key, _MISSING)
        have = ours.fields.get(key, _MISSING)
        if want == have:
            continue
        if want is _MISSING or (key in theirs.fields and theirs.fields[key] == want):
            note = _copy_key(note, theirs.note, key)
        elif key in LIST_KEYS and isinstance(want, list):
            current = _items(have)
            if isinstance(have, list) and want[: len(current)] == current:
                appends += [(key, item) for item in want[len(current) :]]
            else:
                note = _set_list(note, key, want, [ours.note, theirs.note])
        else:  # a value neither side holds: cannot happen (dates are one side's), but stay safe
            raise CannotMerge(f"no side holds the merged value of {key!r}")
    if appends:
        editor = NoteEditor(path, note.to_bytes())
        for key, item in appends:
            if not isinstance(item, str):
                raise CannotMerge(f"an item of {key!r} is not text")
            editor.append(key, item)
        note = split_note(editor.result())
    return note


# --- the body ------------------------------------------------------------------------------------


def _parts(note: NoteText) -> tuple[list[str], list[str] | None, list[str]]:
    """The body before the Log section, the section (heading first) or None, and what follows."""
    body = note.lines[note.body_start :]
    section = find_log_section(body)
    if section is None:
        return body, None, []
    heading, end = section
    return body[:heading], body[heading:end], body[end:]


def _text(lines: list[str]) -> bytes:
    return "".join(lines).encode("utf-8")


def _blocks(lines: list[str]) -> list[tuple[str, date | None, list[str]]]:
    """A Log section's lines after the heading, as (identity, date or None, lines): a dated
    entry with its indented continuation lines, or any other single line."""
    out = []
    index = 0
    while index < len(lines):
        line = lines[index]
        try:
            day = log_item_date(line) if not line[:1].isspace() else None
        except ValueError:  # `- 2026-02-30 …`: no day the reader counts, so a line like any other
            day = None
        stop = index + 1
        if day is not None:
            while stop < len(lines) and lines[stop][:1] in (" ", "\t") and lines[stop].strip():
                stop += 1
        chunk = lines[index:stop]
        identity = "\n".join(part.rstrip() for part in chunk)
        out.append((identity, day, chunk))
        index = stop
    return out


def merge_log(ours: list[str], base: list[str] | None, theirs: list[str], newline: str) -> list[str]:
    """The Log section of both sides: ours as it is, less the entries theirs removed, plus
    theirs' new entries, each placed by date in the section's order, none twice."""
    o_blocks = _blocks(ours[1:])
    b_ids = [identity for identity, _d, _l in _blocks((base or [""])[1:])]
    t_blocks = _blocks(theirs[1:])
    t_ids = [identity for identity, _d, _l in t_blocks]
    removed = list(b_ids)
    for identity in t_ids:
        if identity in removed:
            removed.remove(identity)
    result = list(o_blocks)
    for identity in removed:  # in base, gone from theirs: gone
        for i, block in enumerate(result):
            if block[0] == identity and block[0].strip():
                del result[i]
                break
    unseen = list(b_ids)
    new = []
    for identity, day, chunk in t_blocks:
        if identity in unseen:
            unseen.remove(identity)
            continue
        if not identity.strip() or any(identity == r[0] for r in result):
            continue
        if day is None:
            raise CannotMerge("the other side changed the Log section's text between its dated lines")
        new.append((identity, day, [line.rstrip("\r\n") + newline for line in chunk]))
    dated = [d for _i, d, _c in result if d is not None]
    if len(dated) > 1 and dated[0] > dated[-1]:
        new.reverse()  # newest first: each entry goes before those of its day, so the last goes in first
    for block in new:
        result.insert(_position(result, block[1]), block)
    out = [ours[0]]
    for _identity, _day, chunk in result:
        out.extend(chunk)
    return [line if line.endswith("\n") else line + newline for line in out[:-1]] + out[-1:]


def _position(blocks: list, day: date) -> int:
    """Where an entry of ``day`` goes (as ``NoteEditor.add_log`` places one)."""
    dated = [(i, d) for i, (_identity, d, _chunk) in enumerate(blocks) if d is not None]
    if not dated:
        last = max((i for i, b in enumerate(blocks) if b[0].strip()), default=-1)
        return last + 1
    if len(dated) > 1 and dated[0][1] > dated[-1][1]:  # newest first
        for i, when in dated:
            if when <= day:
                return i
        return dated[-1][0] + 1
    position = dated[0][0]
    for i, when in dated:
        if when <= day:
            position = i + 1
    return position


def _merge_body(base: NoteText, ours: NoteText, theirs: NoteText, marker_size: int) -> tuple[list[str], bool]:
    o_pre, o_log, o_post = _parts(ours)
    b_pre, b_log, b_post = _parts(base)
    t_pre, t_log, t_post = _parts(theirs)
    whole = [ours.lines[ours.body_start :], base.lines[base.body_start :], theirs.lines[theirs.body_start :]]

    def text(o, b, t) -> tuple[list[str], bool]:
        data, conflict = merge_text(_text(o), _text(b), _text(t), marker_size)
        return split_lines(data.decode("utf-8")), conflict

    try:
        if o_log is None and t_log is None:
            return text(*whole)
        if b_log is not None and (o_log is None or t_log is None):
            raise CannotMerge("one side removed the Log section")
        if o_log is None:  # theirs made the section
            pre, conflict = text(whole[0], whole[1], t_pre)
            return _joined(pre, t_log, t_post, ours.newline), conflict
        if t_log is None:  # ours made it
            pre, conflict = text(o_pre, whole[1], whole[2])
            return _joined(pre, o_log, o_post, ours.newline), conflict
        if b_log is None:
            b_pre, b_post = whole[1], []
        pre, c1 = text(o_pre, b_pre, t_pre)
        post, c2 = text(o_post, b_post, t_post)
        log = merge_log(o_log, b_log, t_log, ours.newline)
        return _joined(pre, log, post, ours.newline), c1 or c2
    except CannotMerge:
        return text(*whole)


def _joined(pre: list[str], log: list[str], post: list[str], newline: str) -> list[str]:
    parts = [*pre, *log, *post]
    return [line if line.endswith("\n") or i == len(parts) - 1 else line + newline for i, line in enumerate(parts)]


def split_lines(text: str) -> list[str]:
    from ..load.notefile import split_lines as split

    return split(text)


# --- the whole note ------------------------------------------------------------------------------


def _markers(ours: list[str], theirs: list[str], newline: str, size: int) -> list[str]:
    """Conflict markers around the lines where two versions of a note differ."""
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=ours, b=theirs, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(ours[i1:i2])
            continue
        out.append("<" * size + " ours" + newline)
        out.extend(ours[i1:i2])
        out.append("=" * size + newline)
        out.extend(theirs[j1:j2])
        out.append(">" * size + " theirs" + newline)
    return out


def _merge(base: bytes, ours: bytes, theirs: bytes, path: str, marker_size: int) -> Merged:
    if ours == theirs or base == theirs:
        return Merged(ours, False, "fields")
    if base == ours:
        return Merged(theirs, False, "fields")
    o = _read(ours, path, "the local version")
    t = _read(theirs, path, "the other version")
    b = _read(base, path, "the common ancestor") if base.strip() else _Side(split_note(b""), {})
    fields, conflicts = merge_fields(b.fields, o.fields, t.fields)
    note = _write_fields(o, t, fields, path)
    body, body_conflict = _merge_body(b.note, o.note, t.note, marker_size)
    lines = note.lines[: note.body_start] + body
    if body and note.body_start and not lines[note.body_start - 1].endswith("\n"):
        lines[note.body_start - 1] += note.newline
    merged = _resplit(note, lines)
    result = merged.to_bytes()
    check = split_note(result)
    found, problem = (load_fields(path, check.yaml_text, 2) if check.has_front_matter else ({}, None))
    if problem or found != fields:
        raise CannotMerge("the merged front matter did not read back as decided")
    if conflicts:
        other = merged
        for key in conflicts:
            other = _copy_key(other, t.note, key)
        marked = _markers(merged.lines, other.lines, merged.newline, marker_size)
        result = ("\ufeff" if merged.bom else "").encode("utf-8") + "".join(marked).encode("utf-8")
    return Merged(result, bool(conflicts) or body_conflict, "fields")


# Shared with ``combine`` (two notes of one person made one), which unites lists and Log
# entries by the same rules.
body_parts = _parts
log_blocks = _blocks
list_items = _items
