"""Reading a note's YAML front matter safely: PyYAML's C loader, guarded against hostile YAML.

Every front matter is read by the one loader, behind three guards: nesting and size
are counted before nodes are built (``_check_depth``), aliases that would explode or
loop are refused (``_check_aliases``), and a date-like value that is no real date stays
text so the field reader can name the field (``_timestamp``).

Kept apart from ``load.vault`` so that PyYAML and python-frontmatter are imported only
when a note is actually parsed (``load.vault`` imports this module on first use): a warm
run takes every record from the cache and never needs them.
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


MAX_NUMBER_CHARS = 4_000  # under Python's 4,300-digit limit for turning decimal text into an int
MAX_INT_BITS = 13_000  # about 3,900 decimal digits: an int this size can still be printed


class NumberTooLong(yaml.YAMLError):
    """A number too long to read or to print back (``role: 1`` and five thousand digits)."""

    def __init__(self, mark: yaml.Mark | None):
        super().__init__("a number on this line is thousands of digits long")
        self.problem_mark = mark


def _int(loader: yaml.SafeLoader, node: yaml.Node):
    # Python refuses to turn decimal text of more than 4,300 digits into an int (a guard
    # against quadratic conversion), a hexadecimal one that converts is refused wherever it
    # is printed, and a base-60 one (1:2:3:…) costs quadratic time to build: each would
    # break every command, or stall it, for one note.
    if len(node.value) > MAX_NUMBER_CHARS:
        raise NumberTooLong(node.start_mark)
    try:
        value = yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:
        raise NumberTooLong(node.start_mark) from None
    if value.bit_length() > MAX_INT_BITS:
        raise NumberTooLong(node.start_mark)
    return value


def _float(loader: yaml.SafeLoader, node: yaml.Node):
    # A long decimal float reads in linear time and at worst becomes inf; a base-60 one
    # (1:2:…:3.5) is summed through ints that grow with every part and overflow a float.
    if ":" in node.value and len(node.value) > MAX_NUMBER_CHARS:
        raise NumberTooLong(node.start_mark)
    try:
        return yaml.SafeLoader.construct_yaml_float(loader, node)
    except (ValueError, OverflowError):
        raise NumberTooLong(node.start_mark) from None


_AliasFreeLoader.add_constructor("tag:yaml.org,2002:int", _int)
_AliasFreeLoader.add_constructor("tag:yaml.org,2002:float", _float)


def yaml_error(path: str, exc: yaml.YAMLError, first_line: int) -> Problem:
    """A YAML error as a Problem on the file's own line numbers."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = first_line + mark.line if mark is not None else None
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"the front matter is not valid YAML: {what}" + (f" ({context})" if context else "")
    return Problem(path, message + "; fix that line and run the command again", line, fatal=True)


_YAML_ONLY_BREAKS = re.compile(r"[\x85\u2028\u2029]|\r(?!\n)")
_BREAK_NAMES = {
    "\x85": "a next-line character (U+0085)",
    "\u2028": "a Unicode line separator (U+2028)",
    "\u2029": "a Unicode paragraph separator (U+2029)",
    "\r": "a carriage return without a line feed",
}


def _yaml_only_break(path: str, yaml_text: str, first_line: int) -> Problem | None:
    """A Problem for the first character that YAML reads as a line break and a note does not.

    libyaml follows YAML 1.1, where NEL, U+2028, U+2029 and a lone CR end a line: the
    lines it reports (in errors, and to the editor, which patches them) would no longer
    be the note's lines, and a plain value holding one is cut in two.
    """
    match = _YAML_ONLY_BREAKS.search(yaml_text)
    if match is None:
        return None
    char = match.group()
    line = first_line + yaml_text.count("\n", 0, match.start())
    fix = ("end every line with a line feed (re-save the note with Unix or Windows line ends)" if char == "\r"
           else f"delete it, or in a double-quoted value write it as \\u{ord(char):04x}")
    return Problem(path, f"the front matter holds {_BREAK_NAMES[char]} on this line, which YAML reads as a line "
                         f"break though editors show none; {fix}", line, fatal=True)


def load_fields(path: str, yaml_text: str, first_line: int) -> tuple[dict | None, Problem | None]:
    """Parse a front matter block safely; return its mapping or a fatal Problem."""
    if "\r" in yaml_text or "\x85" in yaml_text or "\u2028" in yaml_text or "\u2029" in yaml_text:
        problem = _yaml_only_break(path, yaml_text, first_line)
        if problem:
            return None, problem
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
    except NumberTooLong as exc:
        mark = exc.problem_mark
        return None, Problem(
            path,
            f"{exc}; put it in quotes to keep it as text, or shorten it",
            first_line + mark.line if mark is not None else first_line,
            fatal=True,
        )
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
