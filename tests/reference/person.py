"""A record's fields read the plain way (``vaultnet.model.person`` reads them with short cuts)."""

from __future__ import annotations

import re

from vaultnet.model.errors import Problem
from vaultnet.model.person import Entry, find_log_section, parse_log_line

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(value):
    """Control characters (and runs of whitespace around them) become single spaces."""
    if isinstance(value, str):
        return " ".join(CONTROL.sub(" ", value).split()) if CONTROL.search(value) else value
    if isinstance(value, tuple):
        return tuple(visible(item) for item in value)
    return value


def texts(items: list) -> tuple[str, ...]:
    """A list field: each item as stripped text, empty and missing items left out."""
    return tuple(str(item).strip() for item in items if item is not None and str(item).strip())


def undated_item(line: str) -> bool:
    """A top-level list item with no readable date, that is not an open task nor a rule."""
    stripped = line.rstrip("\r\n")
    match = re.match(r"([-*+]|[0-9]+[.)])(\s|$)", stripped)
    if not match or len(match.group(1)) > 10:
        return False
    rest = stripped[len(match.group(1)):].lstrip()
    return not re.match(r"\[ \](\s|$)", rest) and bool(stripped.strip().strip("-*_ \t"))



def read_log(path: str, body: list[str], body_line: int):
    """The ``## Log`` section's entries, each line read by ``parse_log_line``, and the problems."""
    section = find_log_section(body)
    if section is None:
        return (), []
    entries, problems = [], []
    for index in range(section[0] + 1, section[1]):
        try:
            entry = parse_log_line(body[index])
        except ValueError as exc:
            problems.append(Problem(path, f"log line: {exc}", body_line + index))
            continue
        if entry:
            entries.append(Entry(entry.date, visible(entry.text)))
        elif undated_item(body[index]):
            problems.append(Problem(path, f"log line: no date that can be read in {visible(body[index].strip())!r}", body_line + index))
    return tuple(entries), problems
