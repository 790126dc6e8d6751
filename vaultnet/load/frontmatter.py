"""Reading a note's YAML front matter safely: PyYAML's C loader, guarded against hostile YAML.

Split from ``loader`` so that PyYAML and python-frontmatter are imported only when
a note is actually parsed (``loader`` imports this module on first use): a warm
run takes every record from the cache and never needs them.

Most front matter is read by ``fast_fields``, a line reader for the plain corner of
YAML that notes are written in (Obsidian's Properties write nothing else); it is
about four times cheaper than the C loader, whose node, resolver and constructor calls
run in Python, and it answers None for anything outside that corner, which then
takes the C loader with every check against hostile YAML. See the fast path's
own comment below for what it reads and why its answers are the loader's.
"""

from __future__ import annotations

import re

import frontmatter
import yaml

from ..model.errors import Problem

_YAML = frontmatter.YAMLHandler()  # python-frontmatter's handler: yaml.load with a safe loader


ALIAS_BUDGET = 10_000  # extra values that aliases (``*name``) may add when expanded


class AliasBomb(yaml.YAMLError):
    """Front matter whose aliases expand far beyond its size (a "billion laughs"), or refer to themselves."""


def _check_aliases(root: yaml.Node) -> None:
    """Refuse a node graph whose expansion is much larger than the text, or that is cyclic.

    PyYAML shares aliased values instead of copying them, so loading a bomb is cheap,
    but anything that walks the values afterwards (a message quoting the value, a
    comparison, a copy) takes exponential time; a cycle makes it recurse forever.
    Sizes are memoised per node, so this check is linear in the number of nodes.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise AliasBomb("an alias refers to the value that contains it")
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        sizes[key] = total
        return total

    if size(root) > len(sizes) + ALIAS_BUDGET:
        raise AliasBomb("its aliases (*name) expand to far more values than it holds (a YAML bomb?)")


MAX_DEPTH = 100  # nesting of lists and mappings; a person note needs 3 or 4
MAX_VALUES = 50_000  # values in one front matter; a person note holds tens or hundreds


class TooDeep(yaml.YAMLError):
    """Front matter nested beyond ``MAX_DEPTH`` or holding more than ``MAX_VALUES`` values."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.fix = fix


def _check_depth(yaml_text: str) -> None:
    """Refuse deeply nested YAML before building nodes from it.

    libyaml's composer recurses once per level in C: ``x: [[[[…`` a hundred thousand
    deep overflows the C stack and kills the process (a segmentation fault, not an
    exception). The event parser is iterative, so counting depth from events is safe.
    """
    if sum(yaml_text.count(marker) for marker in "[{-:,") < MAX_DEPTH:
        return  # too few markers to nest that deep or to hold that many values
    try:
        _count_depth(yaml.parse(yaml_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except TooDeep:
        raise
    except yaml.YAMLError:
        # Newer libyaml releases refuse deep nesting themselves, in their own words and
        # before the events reach this count. PyYAML's pure-Python parser has no such
        # limit and is iterative too: it tells a refusal for depth from any other syntax
        # error, so the note gets vaultnet's finding whichever release is installed.
        # Only text that already failed pays for the slower parser.
        try:
            _count_depth(yaml.parse(yaml_text, Loader=yaml.SafeLoader))
        except TooDeep:
            raise
        except yaml.YAMLError:
            pass  # the same syntax error: the C loader's report of it stands
        raise


def _count_depth(events) -> None:
    """Raise TooDeep when the events nest beyond ``MAX_DEPTH`` or number beyond ``MAX_VALUES``."""
    depth = 0
    for count, event in enumerate(events):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise TooDeep(f"the front matter is nested more than {MAX_DEPTH} levels deep",
                              "a person note needs only a few levels: flatten it")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
        if count > MAX_VALUES:  # a million list items take a minute to load, on every command
            raise TooDeep(f"the front matter holds more than {MAX_VALUES} values",
                          "move the bulk into the note's body or another note")


class _AliasFreeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, except that a date-like value that is no real date (``2026-13-01``)
    stays text, so the field reader can name the field instead of the whole note failing.

    Used alone only for front matter without a ``*``: an alias (``*name``) is the only way
    YAML shares a value or loops back, and it cannot be written without that character,
    so such text can hold no bomb and no cycle, and the alias check has nothing to find.
    """


class NoteLoader(_AliasFreeLoader):
    """``_AliasFreeLoader``, and front matter whose aliases would explode or loop is refused
    (see ``_check_aliases``)."""

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None:
            _check_aliases(node)
        return node


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_AliasFreeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)  # NoteLoader inherits it


def yaml_error(path: str, exc: yaml.YAMLError, first_line: int) -> Problem:
    """A YAML error as a Problem on the file's own line numbers."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = first_line + mark.line if mark is not None else None
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"the front matter is not valid YAML: {what}" + (f" ({context})" if context else "")
    return Problem(path, message + "; fix that line and run the command again", line, fatal=True)


# --- the fast path ---------------------------------------------------------------------------
#
# PyYAML's C loader spends most of a note's parse in Python (a node object, a resolver call
# and a constructor call for every value). Almost every person note is written in a small
# corner of YAML: top-level ``key: value`` lines, block lists of single-line values, ``[]``,
# and folded or literal text. ``fast_fields`` reads exactly that corner, line by line, and
# answers None for anything else, which then takes the full (guarded) C loader; so every
# error message, every hostile-input check and every unusual construct stays the C loader's.
# Values are typed by PyYAML's own implicit resolvers and constructors, so ``2026-01-02``,
# ``14``, ``yes``, ``~`` and ``.5`` become what the loader makes of them.
# tests/test_fast_yaml.py checks that the fast answer equals the loader's on varied and
# hostile text.

# Characters the fast path accepts: what libyaml accepts, minus tabs, carriage returns and the
# YAML 1.1 line breaks (NEL, LS, PS) and BOMs, whose handling the full loader is left to.
_FAST_UNSAFE = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_FAST_BLOCK = re.compile(r"([|>])(-?) *")
_FAST_SINGLE = re.compile(r"'((?:[^']|'')*)' *")
_FAST_DOUBLE = re.compile(r'"([^"\\]*)" *')
_PLAIN_START_BAD = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_ITEM_BAD = re.compile(r"[\[\]{}#:,'\"&*!|>%@`?]")
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp"))
_RESOLVERS = {first: tuple(entries) for first, entries in _AliasFreeLoader.yaml_implicit_resolvers.items()}
_typed: dict[str, object] = {}  # plain scalar -> its typed value (days and numbers repeat across notes)
_MISSING = object()
_constructor = None


class _NotFast(Exception):
    """The text leaves the corner of YAML the fast path reads."""


def _plain(text: str, flow: bool = False) -> object:
    """A plain (unquoted) one-line scalar as the safe loader types it; _NotFast if unsure."""
    first = text[0]
    if first in _PLAIN_START_BAD and (flow or first != "-" or text[1:2] in ("", " ")):
        raise _NotFast
    if ": " in text or " #" in text or text[-1] == ":" or (flow and _FLOW_ITEM_BAD.search(text)):
        raise _NotFast
    resolvers = _RESOLVERS.get(first)
    if resolvers is None:
        return text  # no implicit type starts with this character: text
    value = _typed.get(text, _MISSING)
    if value is _MISSING:
        value = _typed_value(text, resolvers)
        # A date, number, boolean or null is remembered; text is not (ledger items start
        # with digits and are nearly all different).
        if value is not text:
            if len(_typed) > 20_000:
                _typed.clear()
            _typed[text] = value
    return value


def _typed_value(text: str, resolvers: tuple) -> object:
    """What PyYAML's resolver and safe constructor make of a plain scalar."""
    for tag, pattern in resolvers:
        if pattern.match(text):
            break
    else:
        return text
    if tag not in _PLAIN_TAGS:
        raise _NotFast  # ``<<`` (merge) and ``=`` (value): the loader's own business
    global _constructor
    if _constructor is None:
        _constructor = _AliasFreeLoader("")
    try:
        return _AliasFreeLoader.yaml_constructors[tag](_constructor, yaml.ScalarNode(tag, text))
    except Exception:  # noqa: BLE001 - whatever it is, the full loader reports it
        raise _NotFast from None


def _scalar(text: str) -> object:
    """A one-line value after ``key: `` or ``- `` (trailing spaces already gone)."""
    first = text[0]
    if first == "'":
        match = _FAST_SINGLE.fullmatch(text)
        if not match:
            raise _NotFast
        return match.group(1).replace("''", "'")
    if first == '"':
        match = _FAST_DOUBLE.fullmatch(text)
        if not match:
            raise _NotFast
        return match.group(1)
    if first == "[":
        if text == "[]":
            return []
        if text[-1] != "]":
            raise _NotFast
        return [_flow_item(item) for item in text[1:-1].split(",")]
    if text == "{}":
        return {}
    return _plain(text)


def _flow_item(text: str) -> object:
    text = text.strip(" ")
    if not text:
        raise _NotFast
    first = text[0]
    if first == "'" or first == '"':
        return _scalar(text)
    return _plain(text, flow=True)


def fast_fields(yaml_text: str) -> dict | None:
    """The front matter's mapping when the text stays in the simple corner of YAML, else None.

    None promises nothing about the text (it may be valid or not); a mapping is what
    ``yaml.load(yaml_text, Loader=_AliasFreeLoader)`` returns for the same text.
    """
    if "\r" in yaml_text:
        if yaml_text.count("\r") != yaml_text.count("\r\n"):
            return None
        yaml_text = yaml_text.replace("\r\n", "\n")
    if _FAST_UNSAFE.search(yaml_text):
        return None
    lines = yaml_text.split("\n")
    if 5 * len(lines) + yaml_text.count(",") + 10 >= MAX_VALUES:
        return None  # it might hold more values than the loader accepts: let it count them
    tokens = _FAST_LINES.findall(yaml_text)
    if len(tokens) != len(lines):  # one token a line, always; checked all the same
        return None
    try:
        return _fast_mapping(lines, tokens)
    except _NotFast:
        return None


# Each line of the text as (key, value) for ``key: value``, (dash, value) for a list item
# ``- value`` (the dash with its indent), or (other) for anything else, in one C-level pass.
_FAST_LINES = re.compile(r"^(?:([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +(.*))?|( *-)(?: +(.*))?|(.*))$", re.MULTILINE)
_keys: dict[str, object] = {}  # key text -> the key as the loader types it (``on`` is True)


def _fast_mapping(lines: list[str], tokens: list[tuple[str, str, str, str, str]]) -> dict:
    """Top-level ``key: value`` lines; a key with nothing after it takes the list items below."""
    fields: dict = {}
    scalar = _scalar
    open_key = _MISSING  # a key with nothing after it: its value is the items that follow, or null
    items = indent = None
    index, count = 0, len(tokens)
    while index < count:
        name, rest, dash, item, other = tokens[index]
        index += 1
        if dash:
            if open_key is _MISSING:
                raise _NotFast  # a list item where a key belongs
            if items is None:
                items, indent = [], dash
            elif dash != indent:
                raise _NotFast  # a nested or misaligned list
            if item and item[-1] == " ":
                item = item.rstrip(" ")
            items.append(scalar(item) if item else None)
            continue
        if not name:
            if other and other[0] != "#" and other.strip(" "):
                raise _NotFast  # an indented mapping, a continued text, an indented comment, ...
            continue  # blank line or comment
        if open_key is not _MISSING:
            fields[open_key] = items
            open_key, items = _MISSING, None
        key = _keys.get(name, _MISSING)
        if key is _MISSING:
            if len(_keys) > 10_000:  # a vault of made-up keys must not grow this without end
                _keys.clear()
            key = _keys[name] = _plain(name)
        if rest and rest[-1] == " ":
            rest = rest.rstrip(" ")
        if not rest:
            open_key = key
        elif rest[0] == "|" or rest[0] == ">":
            fields[key], index = _block_text(lines, index, rest)
        else:
            fields[key] = scalar(rest)
    if open_key is not _MISSING:
        fields[open_key] = items
    return fields


def _block_text(lines: list[str], index: int, header: str) -> tuple[str, int]:
    """A ``|``/``>`` block (with ``-`` or no chomping indicator) of evenly indented lines."""
    match = _FAST_BLOCK.fullmatch(header)
    if match is None or index == len(lines):
        raise _NotFast  # ``|+``, ``>2``, a comment after the indicator, ...
    first = lines[index]
    content = first.lstrip(" ")
    indent = len(first) - len(content)
    if not indent or not content:
        raise _NotFast
    parts = []
    count = len(lines)
    while index < count:
        line = lines[index]
        content = line.lstrip(" ")
        lead = len(line) - len(content)
        if not content:  # a blank line: the block ends here, unless it has spaces beyond the indent
            if lead > indent:
                raise _NotFast
            break
        if lead != indent:
            if lead > indent:
                raise _NotFast  # a more indented line is kept with its spaces and line break
            break  # less indented: the next key (or a line the caller refuses)
        if line[-1] == " ":
            raise _NotFast
        parts.append(content)
        index += 1
    else:
        raise _NotFast  # the last line has no line break: the loader would keep none
    text = (" " if match.group(1) == ">" else "\n").join(parts)
    return (text if match.group(2) else text + "\n"), index


def load_fields(path: str, yaml_text: str, first_line: int) -> tuple[dict | None, Problem | None]:
    """Parse a front matter block safely; return its mapping or a fatal Problem."""
    fast = fast_fields(yaml_text)
    if fast is not None:
        return fast, None
    if "\t" in yaml_text:
        for offset, line in enumerate(yaml_text.split("\n")):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t") and stripped.strip():
                return None, Problem(
                    path, "a tab indents this line; YAML allows only spaces for indentation", first_line + offset, fatal=True
                )
    try:
        _check_depth(yaml_text)
        # The alias walk costs a tenth of a note's parse: skip it where no alias can be.
        loader = NoteLoader if "*" in yaml_text else _AliasFreeLoader
        data = _YAML.load(yaml_text, Loader=loader) if yaml_text.strip() else {}
    except TooDeep as exc:
        return None, Problem(path, f"{exc}; {exc.fix}", first_line, fatal=True)
    except AliasBomb as exc:
        return None, Problem(path, f"the front matter is refused: {exc}; write the values out instead of using aliases", first_line, fatal=True)
    except yaml.YAMLError as exc:
        return None, yaml_error(path, exc, first_line)
    except RecursionError:
        return None, Problem(path, "the front matter is nested too deeply to read", first_line, fatal=True)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, Problem(
            path, "the front matter must be fields (key: value lines), not a single value or a list", first_line, fatal=True
        )
    return data, None
