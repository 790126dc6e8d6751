"""Surgical edits to one note's text: the only code that changes a user's note.

A vault is edited in other editors and merged by git, so an edit touches only
the lines it must: one key's line, one new list item, one new log line. Key
order, comments, quoting, flow or block list style, blank lines, line endings
and the BOM stay as they were, and the body outside the inserted line is never
touched.

How: the YAML is composed (not re-serialised) to learn where each key's value
starts and ends, and the new text is spliced in at those positions. Every
result is parsed again and compared with the fields the edit meant to produce;
a mismatch raises instead of writing (the design notes ask for exactly that
check). Writing the bytes to disk is ``atomic``'s job, not this module's.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import yaml

from ..model.errors import NoteError
from ..model.names import normalise
from ..load.frontmatter import load_fields
from ..load.vault import MAX_NOTE_BYTES
from ..load.notefile import SplitError, split_note
from ..model.person import find_log_section, log_item_date, log_item_number, parse_log_line, write_log_line
from ..model.yamltext import render

_COMPOSE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The note format's list fields: the ones whose style is the note's style for lists.
_LIST_FIELDS = frozenset({"aliases", "alias", "tags", "email", "phone", "needs", "offers", "helped", "received"})

# How text put inside a quoted YAML scalar is escaped, by the scalar's quote.
_YAML_ESCAPES = {
    "'": lambda text: text.replace("'", "''"),
    '"': lambda text: text.replace("\\", "\\\\").replace('"', '\\"'),
}


def _retargeted(value: Any, retarget, path: str) -> Any:
    """A parsed front-matter value with its links retargeted: what the edited text must read as."""
    if isinstance(value, str):
        return retarget.rewrite(value, path, skip_code=False)[0]
    if isinstance(value, list):
        return [_retargeted(item, retarget, path) for item in value]
    if isinstance(value, dict):
        return {_retargeted(key, retarget, path): _retargeted(item, retarget, path) for key, item in value.items()}
    return value


class NoteEditor:
    """Pending edits to one note. Build it from the note's bytes, call the edit
    methods, then take ``result()``; ``changed`` says whether anything differs."""

    def __init__(self, path: str, data: bytes):
        self.path = path
        self.original = data
        if len(data) > MAX_NOTE_BYTES or b"\x00" in data:  # what the loader refuses to read, the editor refuses to write
            what = "holds NUL bytes" if b"\x00" in data else f"is over the {MAX_NOTE_BYTES // 1048576} MiB limit for a note"
            raise NoteError(path, f"{what}, so it is not read as a person note; vaultnet will not write to it")
        try:
            self.note = split_note(data)
        except SplitError as exc:
            raise NoteError(path, f"{exc}; vaultnet will not write to it until that is fixed", exc.line) from None
        conflicts = self.note.conflict_lines()
        if conflicts:
            raise NoteError(
                path, "holds git conflict markers; resolve the merge first (nothing was written)", conflicts[0]
            )
        self.fields = self._parse()
        self._expected = copy.deepcopy(self.fields)
        self._log_lines: list[str] = []
        self._body_rewritten = False

    # --- reading ---------------------------------------------------------------------------

    def _parse(self) -> dict[str, Any]:
        if not self.note.has_front_matter:
            return {}
        fields, problem = load_fields(self.path, self.note.yaml_text, self.note.fm_open + 2)
        if problem:
            raise NoteError(self.path, problem.message.replace("run the command again", "try again"), problem.line)
        return fields

    def _nodes(self) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Top-level keys and their (key, value) nodes, positioned in the YAML block.

        Front matter with anchors (``&a``) or aliases (``*a``) is refused: an aliased
        value's position is that of its anchor, on another key's line, so a splice
        there would change the other field (and dropping an anchor breaks its aliases).
        """
        if not self.note.has_front_matter or not self.note.yaml_text.strip():
            return {}
        for event in yaml.parse(self.note.yaml_text, Loader=_COMPOSE_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = self.note.fm_open + 2 + event.start_mark.line
                raise NoteError(
                    self.path,
                    "the front matter uses YAML anchors or aliases (&name, *name); vaultnet does not edit such "
                    "front matter, as a change could alter other fields: write the values out, then try again",
                    line,
                )
        root = yaml.compose(self.note.yaml_text, Loader=_COMPOSE_LOADER)
        if root is None:  # only comments
            return {}
        if not isinstance(root, yaml.MappingNode) or root.flow_style:
            shape = "a {…} mapping on one line" if isinstance(root, yaml.MappingNode) else "a single value"
            raise NoteError(
                self.path,
                f"the front matter is {shape}, not one `key: value` line per field; vaultnet edits only "
                "the latter (as Obsidian writes it): rewrite it that way, then try again",
                self.note.fm_open + 2 + root.start_mark.line,
            )
        nodes: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        self._twice: dict[str, list[int]] = {}
        for k, v in root.value:
            key = str(k.value)
            if key in nodes:
                first = self._line(nodes[key][0].start_mark.line) + 1
                self._twice.setdefault(key, [first]).append(self._line(k.start_mark.line) + 1)
            nodes[key] = (k, v)
        self._indent = 0
        if root.value:  # the first key's indentation (an explicit `? key` starts after its `?`)
            first = root.value[0][0].start_mark
            before = self._text_of(self._line(first.line))[: first.column]
            self._indent = len(before) - len(before.lstrip(" "))
        return nodes

    def _single(self, nodes: dict, key: str) -> None:
        """Refuse to edit a field written more than once: the reader takes the last one, other
        editors may take the first, so changing either would leave the note saying two things."""
        lines = getattr(self, "_twice", {}).get(key)
        if lines:
            raise NoteError(
                self.path,
                f"field '{key}' is written {len(lines)} times (lines {', '.join(map(str, lines))}); "
                "keep one of them, then try again",
                lines[0],
            )

    # --- positions -------------------------------------------------------------------------

    def _line(self, yaml_line: int) -> int:
        """Index in ``note.lines`` of a line of the YAML block."""
        return self.note.fm_open + 1 + yaml_line

    def _text_of(self, index: int) -> str:
        return self.note.lines[index].rstrip("\r\n")

    def _ending(self, index: int) -> str:
        line = self.note.lines[index]
        return line[len(line.rstrip("\r\n")) :] or self.note.newline

    @staticmethod
    def _end(node: yaml.Node) -> tuple[int, int | None]:
        """(yaml line, column) just past the value; column None means the end of the line."""
        if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and not node.flow_style and node.value:
            last = node.value[-1]
            return NoteEditor._end(last[1] if isinstance(node, yaml.MappingNode) else last)
        line, column = node.end_mark.line, node.end_mark.column
        if column == 0 and line > node.start_mark.line:
            return line - 1, None
        return line, column

    def _colon(self, line: str, key_node: yaml.Node) -> int:
        """Column of the ``:`` after a key on its line; an explicit key (``? key``) has none there."""
        colon = line.find(":", key_node.end_mark.column)
        if colon < 0:
            raise NoteError(
                self.path,
                f"field '{key_node.value}' is written in a YAML form vaultnet does not edit (an explicit '? key'); "
                "write it as 'key: value', then try again",
                self._line(key_node.start_mark.line) + 1,
            )
        return colon

    def _splice(self, start: tuple[int, int], end: tuple[int, int | None], text: str) -> None:
        """Replace the YAML text between two positions (yaml line, column) with ``text``."""
        first, last = self._line(start[0]), self._line(end[0])
        head = self._text_of(first)[: start[1]]
        tail_text = self._text_of(last)
        tail = "" if end[1] is None else tail_text[end[1] :]
        ending = self._ending(last)
        self.note.lines[first : last + 1] = [head + text + tail + ending]

    def _insert_lines(self, index: int, texts: list[str]) -> None:
        newline = self.note.newline
        if index > 0 and not self.note.lines[index - 1].endswith("\n"):
            self.note.lines[index - 1] += newline
        self.note.lines[index:index] = [t + newline for t in texts]

    def _ensure_front_matter(self) -> None:
        if not self.note.has_front_matter:
            newline = self.note.newline
            self.note.lines[0:0] = ["---" + newline, "---" + newline]
            self.note.fm_open, self.note.fm_close = 0, 1

    def _add_key_lines(self, texts: list[str]) -> None:
        """New lines at the end of the front matter (where Obsidian adds properties), indented
        as the note's keys are (a block indented as a whole is still one mapping)."""
        self._ensure_front_matter()
        indent = " " * getattr(self, "_indent", 0)
        self._insert_lines(self.note.fm_close, [indent + text for text in texts])

    def _refresh_close(self) -> None:
        """Find the closing delimiter again after lines were added or removed above it.

        No edit writes a line that is a bare ``---`` or ``...``, so the first one after
        the opening line is still the closing one.
        """
        for index in range(self.note.fm_open + 1, len(self.note.lines)):
            if self.note.lines[index].rstrip("\r\n").rstrip(" \t") in ("---", "..."):
                self.note.fm_close = index
                return
        raise AssertionError("front matter lost its closing line")  # pragma: no cover

    def _item_prefix(self, nodes: dict) -> str:
        """The indentation and dash the note already uses for block lists (default ``  - ``)."""
        for _key, value in nodes.values():
            if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
                item = value.value[0]
                prefix = self._text_of(self._line(item.start_mark.line))[: item.start_mark.column]
                if prefix.strip() == "-":
                    # an empty first item (`-` alone) starts right after its dash
                    return prefix if prefix.endswith((" ", "\t")) else prefix + " "
        return "  - "

    @staticmethod
    def _flow_note(nodes: dict) -> bool:
        """Whether the note writes its lists (the list fields of the note format) in flow style
        only (``[a, b]``): a field that turns into a list is then written that way too;
        otherwise as a block list."""
        lists = [
            v for k, v in nodes.values()
            if k.value in _LIST_FIELDS and isinstance(v, yaml.SequenceNode) and v.value
        ]
        return bool(lists) and all(v.flow_style for v in lists)

    @staticmethod
    def _reads_in_flow(source: str, expected: object) -> bool:
        try:
            loaded = yaml.load(f"k: [{source}]", Loader=_COMPOSE_LOADER)
        except (yaml.YAMLError, ValueError):
            return False
        return isinstance(loaded, dict) and loaded.get("k") == [expected]

    # --- edits -----------------------------------------------------------------------------

    def set(self, key: str, value: date | str | int) -> None:
        """Set a top-level scalar field, in place when present, else as a new last line."""
        rendered = render(value)
        nodes = self._nodes()
        self._single(nodes, key)
        if key not in nodes:
            self._add_key_lines([f"{key}: {rendered}"])
        else:
            key_node, value_node = nodes[key]
            if isinstance(value_node, yaml.ScalarNode) and value_node.start_mark.line == key_node.start_mark.line:
                start = (value_node.start_mark.line, value_node.start_mark.column)
                empty = value_node.start_mark.index == value_node.end_mark.index
                line = self._text_of(self._line(start[0]))
                if empty:
                    # `key:` or `key:   # comment`: write right after the colon.
                    colon = self._colon(line, key_node)
                    start = (start[0], colon + 1)
                    rendered = " " + rendered
                    end: tuple[int, int | None] = start
                else:
                    end = self._end(value_node)
            else:
                line = self._text_of(self._line(key_node.start_mark.line))
                colon = self._colon(line, key_node)
                start = (key_node.start_mark.line, colon + 1)
                end = self._end(value_node)
                rendered = " " + rendered
            self._splice(start, end, rendered)
        self._refresh_close()
        self._expected[key] = value

    def remove(self, key: str) -> None:
        """Delete a top-level field: its line and any lines its value spans."""
        nodes = self._nodes()
        self._single(nodes, key)
        if key not in nodes:
            return
        key_node, value_node = nodes[key]
        end_line, end_column = self._end(value_node)
        rest = "" if end_column is None else self._text_of(self._line(end_line))[end_column:]
        if key_node.start_mark.column != 0 or rest.strip() and not rest.strip().startswith("#"):
            raise NoteError(self.path, f"cannot remove '{key}': its line holds more than the field; edit it by hand")
        del self.note.lines[self._line(key_node.start_mark.line) : self._line(end_line) + 1]
        self._refresh_close()
        self._expected.pop(key, None)

    def append(self, key: str, value: str) -> None:
        """Add an item to a top-level list field, keeping its block or flow style."""
        nodes = self._nodes()
        self._single(nodes, key)
        if key not in nodes:
            self._add_key_lines([f"{key}:", self._item_prefix(nodes) + render(value)])
            self._refresh_close()
            self._expected[key] = [value]
            return
        key_node, value_node = nodes[key]
        if isinstance(value_node, yaml.SequenceNode) and value_node.flow_style:
            if value_node.value:  # right after the last item: `[ a, b ]` becomes `[ a, b, c ]`
                last_item = value_node.value[-1]
                at = (last_item.end_mark.line, last_item.end_mark.column)
                self._splice(at, at, ", " + render(value, flow=True))
            else:
                closing = (value_node.end_mark.line, value_node.end_mark.column - 1)
                self._splice(closing, closing, render(value, flow=True))
        elif isinstance(value_node, yaml.SequenceNode):
            last = value_node.value[-1]
            prefix = self._item_prefix({key: (key_node, value_node)})
            self._insert_lines(self._line(self._end(last)[0]) + 1, [prefix + render(value)])
        elif (
            isinstance(value_node, yaml.ScalarNode)
            and value_node.start_mark.index != value_node.end_mark.index
            and value_node.start_mark.line == value_node.end_mark.line
            and self._expected.get(key) in (None, "")
        ):
            # `key: null`, `key: ~`, `key: ""`: no item yet, so the value gives way to the list
            # (rather than becoming an empty first item), in the note's list style.
            line = self._text_of(self._line(value_node.start_mark.line))
            colon = self._colon(line, key_node)
            if self._flow_note(nodes):
                self._splice((value_node.start_mark.line, value_node.start_mark.column), self._end(value_node), "[" + render(value, flow=True) + "]")
            else:
                self._splice((value_node.start_mark.line, colon + 1), self._end(value_node), "")
                self._insert_lines(self._line(key_node.start_mark.line) + 1, [self._item_prefix(nodes) + render(value)])
            self._refresh_close()
            self._expected[key] = [value]
            return
        elif (
            isinstance(value_node, yaml.ScalarNode)
            and value_node.start_mark.index != value_node.end_mark.index
            and value_node.start_mark.line == value_node.end_mark.line
            and isinstance(self._expected.get(key), (str, int))
            and not isinstance(self._expected.get(key), bool)
            and self._flow_note(nodes)
        ):
            # One text where a list belongs, in a note whose lists are all `[a, b]`: `key: a`
            # becomes `key: [a, value]`, the old text in its own spelling where that reads the same.
            line = self._text_of(self._line(value_node.start_mark.line))
            old = line[value_node.start_mark.column : value_node.end_mark.column]
            before = self._expected.get(key)
            if not self._reads_in_flow(old, before):
                old = render(before, flow=True)
            self._splice(
                (value_node.start_mark.line, value_node.start_mark.column),
                self._end(value_node),
                "[" + old + ", " + render(value, flow=True) + "]",
            )
            self._refresh_close()
            self._expected[key] = [before, value]
            return
        elif isinstance(value_node, yaml.ScalarNode) and value_node.start_mark.index == value_node.end_mark.index:
            self._insert_lines(self._line(key_node.start_mark.line) + 1, [self._item_prefix(nodes) + render(value)])
        elif isinstance(value_node, yaml.ScalarNode) and value_node.start_mark.line == value_node.end_mark.line:
            # One text where a list belongs: make it the first item, in its own spelling.
            line = self._text_of(self._line(value_node.start_mark.line))
            old = line[value_node.start_mark.column : value_node.end_mark.column]
            prefix = self._item_prefix(nodes)
            colon = self._colon(line, key_node)
            self._splice((value_node.start_mark.line, colon + 1), self._end(value_node), "")
            self._insert_lines(self._line(key_node.start_mark.line) + 1, [prefix + old, prefix + render(value)])
            self._refresh_close()
            self._expected[key] = [self._expected.get(key), value]
            return
        else:
            raise NoteError(self.path, f"field '{key}' is not a list; make it a list to add items to it")
        self._refresh_close()
        items = self._expected.get(key)
        self._expected[key] = (items if isinstance(items, list) else []) + [value]

    def _list_items(self, key: str) -> tuple[yaml.Node, yaml.Node, list[yaml.Node]]:
        """A list field's nodes; a field holding one text counts as a list of that one item."""
        nodes = self._nodes()
        self._single(nodes, key)
        if key not in nodes:
            raise NoteError(self.path, f"has no field '{key}'")
        key_node, value_node = nodes[key]
        if isinstance(value_node, yaml.SequenceNode):
            return key_node, value_node, list(value_node.value)
        if isinstance(value_node, yaml.ScalarNode):
            return key_node, value_node, [value_node]
        raise NoteError(self.path, f"field '{key}' is not a list; edit it by hand", self._line(key_node.start_mark.line) + 1)

    def remove_item(self, key: str, index: int) -> None:
        """Delete the item at ``index`` of a list field, in the list's own style (its line of a
        block list; the item and one comma of a flow list). The last item of a list leaves the key,
        empty (``key: []``, or ``key:`` over a block list), where a new item goes in the same style;
        a field holding one text is removed."""
        key_node, value_node, items = self._list_items(key)
        if not isinstance(value_node, yaml.SequenceNode):
            self.remove(key)
            return
        item = items[index]
        if not isinstance(item, yaml.ScalarNode):
            raise NoteError(self.path, f"item {index + 1} of '{key}' is not a single text; edit it by hand")
        if value_node.flow_style:
            if len(items) == 1:  # `[a]` becomes `[]`
                self._splice((item.start_mark.line, item.start_mark.column), (item.end_mark.line, item.end_mark.column), "")
            elif index + 1 < len(items):  # `[a, b, c]` less a: from a to b
                following = items[index + 1]
                self._splice(
                    (item.start_mark.line, item.start_mark.column),
                    (following.start_mark.line, following.start_mark.column),
                    "",
                )
            else:  # less the last: from the end of the one before to the end of this one
                before = items[index - 1]
                self._splice((before.end_mark.line, before.end_mark.column), (item.end_mark.line, item.end_mark.column), "")
        else:
            first = self._line(item.start_mark.line)
            prefix = self._text_of(first)[: item.start_mark.column]
            end_line, end_column = self._end(item)
            rest = "" if end_column is None else self._text_of(self._line(end_line))[end_column:]
            if prefix.strip() != "-" or rest.strip() and not rest.strip().startswith("#"):
                raise NoteError(
                    self.path, f"item {index + 1} of '{key}' shares its line with more than the item; edit it by hand", first + 1
                )
            del self.note.lines[first : self._line(end_line) + 1]
        self._refresh_close()
        expected = list(self._expected.get(key) or [])
        del expected[index]
        self._expected[key] = expected if expected or value_node.flow_style else None

    def replace_item(self, key: str, index: int, value: str) -> None:
        """Rewrite the item at ``index`` of a list field (or a field holding one text) in place."""
        _key_node, value_node, items = self._list_items(key)
        if not isinstance(value_node, yaml.SequenceNode):
            self.set(key, value)
            return
        item = items[index]
        if not isinstance(item, yaml.ScalarNode):
            raise NoteError(self.path, f"item {index + 1} of '{key}' is not a single text; edit it by hand")
        self._splice((item.start_mark.line, item.start_mark.column), self._end(item), render(value, flow=bool(value_node.flow_style)))
        self._refresh_close()
        expected = list(self._expected.get(key) or [])
        expected[index] = value
        self._expected[key] = expected

    def add_log(self, day: date, text: str) -> None:
        """Add a line for DAY under the Log heading (``## Log`` made when missing), written in the
        section's own style (bullet or number, task box, date form) and keeping its date order."""
        text = " ".join(text.split())
        lines = self.note.lines
        section = find_log_section(lines, self.note.body_start)
        if section is None:
            # A new section at the end of the body, after one blank line.
            line = write_log_line(None, day, text)
            has_text = len(lines) > self.note.body_start and lines[-1].strip()
            texts = ([""] if has_text else []) + ["## Log", "", line]
            self._insert_lines(len(lines), texts)
            self._log_lines.append(line)
            return
        heading, end = section
        index, model, number = self._log_position(heading, end, day)
        line = write_log_line(model, day, text, number)
        self._insert_lines(index, [line])
        self._log_lines.append(line)

    def insert_log_entry(self, day: date, lines: list[str]) -> None:
        """Put a Log entry written elsewhere (its lines as they are: bullet, task box,
        continuation) under the Log heading, at the place its date takes in the section's
        order; ``## Log`` is made when missing. Line endings become the note's own."""
        texts = [line.rstrip("\r\n") for line in lines]
        section = find_log_section(self.note.lines, self.note.body_start)
        if section is None:
            has_text = len(self.note.lines) > self.note.body_start and self.note.lines[-1].strip()
            self._insert_lines(len(self.note.lines), ([""] if has_text else []) + ["## Log", "", *texts])
        else:
            heading, end = section
            index, _model, _number = self._log_position(heading, end, day)
            self._insert_lines(index, texts)
        self._log_lines.extend(texts[:1])

    def retitle(self, old_names: tuple[str, ...], new_name: str) -> None:
        """Make the note's title (``# Name``, its first non-blank body line) the new name, when it
        is one of ``old_names`` (ignoring case and spacing): a title of its own is left alone."""
        for index in range(self.note.body_start, len(self.note.lines)):
            line = self.note.lines[index]
            if not line.strip():
                continue
            text = line.rstrip("\r\n")
            if text.startswith("# ") and normalise(text[2:]) in {normalise(n) for n in old_names}:
                self.note.lines[index] = "# " + new_name + line[len(text):]
                self._body_rewritten = True
            return

    def append_section(self, heading: str, lines: list[str]) -> None:
        """Add a section (a heading line, a blank line, then ``lines`` as they are) at the end
        of the body, after one blank line."""
        texts = [heading, "", *(line.rstrip("\r\n") for line in lines)]
        has_text = len(self.note.lines) > self.note.body_start and self.note.lines[-1].strip()
        self._insert_lines(len(self.note.lines), ([""] if has_text else []) + texts)
        self._body_rewritten = True

    def _log_position(self, heading: int, end: int, day: date) -> tuple[int, str | None, int | None]:
        """Where a new dated line goes so the section keeps its order (oldest- or newest-first),
        the line whose style it copies (the newest, first of its day), and its number when the
        list is numbered (the number of the item it goes before, else the last one's plus one)."""
        lines = self.note.lines
        items: list[tuple[int, int, date]] = []  # (first line, line after its continuation, date)
        for index in range(heading + 1, end):
            try:
                when = log_item_date(lines[index])
            except ValueError:
                when = None
            if when is not None and not lines[index][:1].isspace():
                stop = index + 1
                while stop < end and lines[stop][:1] in (" ", "\t") and lines[stop].strip():
                    stop += 1
                items.append((index, stop, when))
        if not items:
            last = max((i for i in range(heading + 1, end) if lines[i].strip()), default=heading)
            return last + 1, None, None
        # The style of the newest contact (an open task's box is not copied; see write_log_line).
        contacts = [item for item in items if parse_log_line(lines[item[0]]) is not None]
        newest = max(contacts or items, key=lambda item: item[2])
        model = lines[newest[0]].rstrip("\r\n")
        position = self._place(items, day)
        before = next((first for first, _stop, _when in items if first >= position), None)
        if before is not None:
            number = log_item_number(lines[before])
        else:
            last = log_item_number(lines[items[-1][0]])
            number = last + 1 if last is not None else None
        return position, model, number

    def _place(self, items: list[tuple[int, int, date]], day: date) -> int:
        newest_first = len(items) > 1 and items[0][2] > items[-1][2]
        if newest_first:
            for first, _stop, when in items:
                if when <= day:
                    return first
            return items[-1][1]
        position = items[0][0]
        for _first, stop, when in items:
            if when <= day:
                position = stop
        return position

    def retarget_links(self, retarget) -> int:
        """Point every link to one note at another (a ``links.LinkRetarget``), in the front
        matter's values and the body (not in code); return how many links changed.

        Only the text of each link changes. In a quoted YAML value the new link is escaped
        as that quoting needs; the result is read back and must equal the old fields with
        the same links retargeted, or nothing is written.
        """
        count = 0
        if self.note.has_front_matter and "[" in self.note.yaml_text:
            yaml_text = self.note.yaml_text
            self._nodes()  # refuses anchors and a front matter that is not one key per line
            root = yaml.compose(yaml_text, Loader=_COMPOSE_LOADER)
            scalars: list[tuple[yaml.ScalarNode, bool]] = []  # with whether it sits in a [..] or {..}
            stack = [(value, False) for _key, value in root.value]
            while stack:
                node, in_flow = stack.pop()
                if isinstance(node, yaml.ScalarNode):
                    scalars.append((node, in_flow))
                elif isinstance(node, yaml.SequenceNode):
                    stack.extend((item, in_flow or bool(node.flow_style)) for item in node.value)
                elif isinstance(node, yaml.MappingNode):  # ``- 2026-01-02 met [[Old]]: why`` is one
                    stack.extend((part, in_flow or bool(node.flow_style)) for pair in node.value for part in pair)
            pieces: list[str] = []
            last = 0
            for node, in_flow in sorted(scalars, key=lambda n: n[0].start_mark.index):
                start, end = node.start_mark.index, node.end_mark.index
                new, changed = retarget.rewrite(yaml_text[start:end], self.path, skip_code=False, escape=_YAML_ESCAPES.get(node.style))
                if changed and not node.style:  # plain (the C loader says "", the Python one None)
                    # A plain scalar reads the new link as written only when it holds no ': ' or
                    # ' #' (a new name may bring them): else the whole value is quoted.
                    value = retarget.rewrite(node.value, self.path, skip_code=False)[0]
                    if render(value, flow=in_flow) != value:
                        new = render(value, flow=in_flow)
                if changed:
                    pieces += [yaml_text[last:start], new]
                    last = end
                    count += changed
            if count:
                pieces.append(yaml_text[last:])
                lines = self.note.lines
                lines[self.note.fm_open + 1 : self.note.fm_close] = "".join(pieces).splitlines(keepends=True)
                self._refresh_close()
                self._expected = _retargeted(self._expected, retarget, self.path)
        body_start = self.note.body_start
        body = "".join(self.note.lines[body_start:])
        new_body, changed = retarget.rewrite(body, self.path)
        if changed:
            from ..load.notefile import split_lines

            self.note.lines[body_start:] = split_lines(new_body)
            self._body_rewritten = True
            count += changed
        return count

    # --- result ----------------------------------------------------------------------------

    @property
    def changed(self) -> bool:
        return self.note.to_bytes() != self.original

    def result(self) -> bytes:
        """The edited bytes, after checking that they say exactly what was meant."""
        data = self.note.to_bytes()
        if data == self.original:
            return data
        try:
            check = split_note(data)
        except SplitError as exc:  # pragma: no cover - a bug in this module
            raise NoteError(self.path, f"internal error: the edit would break the note ({exc}); nothing was written") from None
        fields, problem = load_fields(self.path, check.yaml_text, 2) if check.has_front_matter else ({}, None)
        if problem or fields != self._expected:
            raise NoteError(
                self.path,
                "internal error: the edit did not read back as intended, so nothing was written; "
                "please report this with the note's front matter",
            )
        before = split_note(self.original)
        body_before = "".join(before.lines[before.body_start :])
        body_after = "".join(check.lines[check.body_start :])
        for line in self._log_lines:
            if line not in body_after:  # pragma: no cover - a bug in this module
                raise NoteError(self.path, "internal error: the log line was not written; nothing was written")
        if not self._log_lines and not self._body_rewritten and body_before != body_after:  # pragma: no cover
            raise NoteError(self.path, "internal error: the edit touched the body; nothing was written")
        return data
