"""Loading: find the person notes, read them, parse them into Person records.

Loading knows nothing of rendering. ``parse_note`` is pure (bytes in, record and
problems out), so the cache can wrap it and tests can call it without files.
A note that cannot be read at all yields a fatal Problem and no record; every
other note is still loaded.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml

from .config import Config
from .errors import Problem
from .notefile import SplitError, split_note
from .person import Person, person_from_fields

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
    depth = 0
    for count, event in enumerate(yaml.parse(yaml_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))):
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


class NoteLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, except that a date-like value that is no real date (``2026-13-01``)
    stays text, so the field reader can name the field instead of the whole note failing;
    and front matter whose aliases would explode or loop is refused (see ``_check_aliases``)."""

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


NoteLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_TOP_KEY = re.compile(r"^(?:\"([^\"]+)\"|'([^']+)'|([^\s#'\"\-?:][^:#]*?|-[^\s:][^:#]*?))\s*:(?:\s|$)")
MAX_NOTE_BYTES = 4 * 1024 * 1024  # a person note is kilobytes; megabytes are an accident or an attack


@dataclass
class Vault:
    """Everyone the vault holds, in a stable order (name, then path), and what went wrong."""

    config: Config
    people: list[Person]
    problems: list[Problem] = field(default_factory=list)

    def by_path(self, path: str) -> Person | None:
        return next((p for p in self.people if p.path == path), None)


def field_lines(yaml_lines: list[str], first_line: int) -> dict[str, int]:
    """Map each top-level key to its 1-based file line, for error messages."""
    found: dict[str, int] = {}
    for offset, line in enumerate(yaml_lines):
        match = _TOP_KEY.match(line)
        if match:
            key = next(g for g in match.groups() if g is not None).strip()
            found.setdefault(key, first_line + offset)
    return found


def yaml_error(path: str, exc: yaml.YAMLError, first_line: int) -> Problem:
    """A YAML error as a Problem on the file's own line numbers."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = first_line + mark.line if mark is not None else None
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"the front matter is not valid YAML: {what}" + (f" ({context})" if context else "")
    return Problem(path, message + "; fix that line and run the command again", line, fatal=True)


def load_fields(path: str, yaml_text: str, first_line: int) -> tuple[dict | None, Problem | None]:
    """Parse a front matter block safely; return its mapping or a fatal Problem."""
    if "\t" in yaml_text:
        for offset, line in enumerate(yaml_text.split("\n")):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t") and stripped.strip():
                return None, Problem(
                    path, "a tab indents this line; YAML allows only spaces for indentation", first_line + offset, fatal=True
                )
    try:
        _check_depth(yaml_text)
        data = _YAML.load(yaml_text, Loader=NoteLoader) if yaml_text.strip() else {}
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


def parse_note(path: str, data: bytes) -> tuple[Person | None, list[Problem]]:
    """Read one note's bytes into a Person; ``path`` is the vault-relative path with ``/``."""
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
    lines_of: dict[str, int] = {}
    if note.has_front_matter:
        first_line = note.fm_open + 2
        fields, problem = load_fields(path, note.yaml_text, first_line)
        if problem:
            return None, [problem]
        lines_of = field_lines(note.lines[note.fm_open + 1 : note.fm_close], first_line)
    body = note.lines[note.body_start :]
    person = person_from_fields(path, stem, fields, body, note.body_start + 1, lines_of)
    problems = list(person.problems)
    conflicts = note.conflict_lines()
    if conflicts:
        problems.append(
            Problem(path, "git conflict markers found; resolve the merge, then vaultnet will write to this note again", conflicts[0])
        )
    return person, problems


def iter_note_paths(config: Config) -> list[Path]:
    """Every ``.md`` file under the people folder, sorted; hidden files and folders and
    links that lead outside the vault are skipped."""
    base = config.people_path
    if not base.is_dir():
        return []
    root = config.root.resolve()
    found = []
    for folder, dirs, files in os.walk(base, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.startswith(".") or not name.lower().endswith(".md"):
                continue
            path = Path(folder) / name
            if path.is_symlink():
                try:
                    path.resolve(strict=True).relative_to(root)
                except (OSError, ValueError):
                    continue
            found.append(path)
    return sorted(found)


def relative(config: Config, path: Path) -> str:
    return path.relative_to(config.root).as_posix()


def sort_people(people: list[Person]) -> list[Person]:
    return sorted(people, key=lambda p: (p.name.casefold(), p.path))


def load_vault(config: Config) -> Vault:
    """Load every person note of the vault; unchanged notes come from the cache (see ``cache``)."""
    from .cache import load_notes

    config.people_path  # raises when the people folder is a link leading out of the vault
    people: list[Person] = []
    problems: list[Problem] = []
    for _rel, person, found in load_notes(config.root, config.people_dir, parse_note).results:
        problems.extend(found)
        if person is not None:
            people.append(person)
    return Vault(config=config, people=sort_people(people), problems=problems)
