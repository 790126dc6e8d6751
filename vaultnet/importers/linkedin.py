"""LinkedIn's ``Connections.csv`` (Settings → Data privacy → Get a copy of your data).

The file is awkward in known ways, all handled here:

- it starts with a preamble whose shape has varied: a ``Notes:`` line (sometimes
  behind a byte-order mark), often a quoted disclaimer about missing email
  addresses, and a blank line. The header row is *found* (the first line naming
  ``First Name``, ``Last Name`` and ``Connected On``), never assumed to be line 4;
- lines end in CRLF; emails are mostly empty (people opt out of sharing them);
- some rows have no name at all (deactivated or restricted accounts);
- fields with commas are quoted, names are full Unicode;
- ``Connected On`` reads like ``14 Mar 2024``.

Field mapping: ``Connected On`` → ``met``, ``URL`` → ``linkedin``, ``Company`` →
``org``, ``Position`` → ``role``, ``Email Address`` → ``email``, and
``met_at: LinkedIn`` (the merge only adds it where the note has no ``met_at``).

LinkedIn's fields never hold line breaks, so each physical line is one row: a
stray quote or an unquoted comma spoils only its own line, which is reported
with its number and skipped.
"""

from __future__ import annotations

import csv

from ..model.errors import VaultnetError
from . import contact as clean
from .contact import Contact, ReadResult, Skipped
from .csvfile import Row, error_text, header_index, parse_line, physical_lines

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"


def read(data: bytes, source: str) -> ReadResult:
    lines = physical_lines(clean.decode(data, source))
    result = ReadResult(source)
    header_at = None
    for number, line in enumerate(lines):
        try:
            cells = {c.strip().lstrip("\ufeff").casefold() for c in parse_line(line)} if "," in line else set()
        except csv.Error:
            cells = set()  # not the header; the rows below say what is wrong with such a line
        if {"first name", "last name", "connected on"} <= cells:  # Google's header has the first two too
            header_at = number
            break
    if header_at is None:
        raise VaultnetError(
            f"{source}: no header row like '{HEADER}' found; is this LinkedIn's Connections.csv? "
            "(for Google Contacts use `vaultnet import google`)"
        )
    header_cells = parse_line(lines[header_at])
    header = header_index(header_cells)
    for number in range(header_at + 1, len(lines)):
        line = lines[number]
        where = f"line {number + 1}"
        if not line.strip():
            continue
        try:
            cells = parse_line(line)
        except csv.Error as exc:
            result.skipped.append(Skipped(where, f"{error_text(exc)}; row skipped"))
            continue
        if len(cells) != len(header_cells):
            hint = " (a comma in an unquoted field?)" if len(cells) > len(header_cells) else ""
            if line.count('"') % 2:
                hint = " (an unbalanced quote)"
            result.skipped.append(Skipped(where, f"{len(cells)} fields where the header has {len(header_cells)}{hint}; row skipped"))
            continue
        result.contacts.append(_contact(Row(header, cells), where))
    return result


def _contact(row: Row, where: str) -> Contact:
    warnings: list[str] = []
    name = clean.text(f"{row.get('First Name')} {row.get('Last Name')}")
    met = None
    connected = clean.text(row.get("Connected On"))
    if connected:
        try:
            met = clean.day_month_year(connected)
        except ValueError as exc:
            warnings.append(f"Connected On: {exc}; left out")
    url = clean.text(row.get("URL", "Profile URL"))
    return Contact(
        where=where,
        name=name,
        emails=clean.emails([row.get("Email Address", "E-mail Address", "Email")], warnings),
        org=clean.text(row.get("Company")) or None,
        role=clean.text(row.get("Position")) or None,
        met=met,
        met_at="LinkedIn",
        extra=(("linkedin", url),) if url else (),
        warnings=tuple(warnings),
    )
