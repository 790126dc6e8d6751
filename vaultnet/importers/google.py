"""Google Contacts' CSV export ("Google CSV" in contacts.google.com → Export).

Two generations of column names exist and both are read:

=====================  =====================================
current export         older export
=====================  =====================================
First/Middle/Last Name  Given/Additional/Family Name (+ Name)
Organization Name       Organization 1 - Name
Organization Title      Organization 1 - Title
Labels                  Group Membership
E-mail N - Value        E-mail N - Value
Phone N - Value         Phone N - Value
=====================  =====================================

How many numbered groups there are (``E-mail 1``, ``E-mail 2`` …) depends on
the data exported, so columns are matched by pattern. One cell may hold several
values joined by `` ::: ``. Labels carry Google's system labels (``* myContacts``,
``* starred``), which are dropped; the rest become tags. A birthday without a
year is ``--MM-DD``. ``Nickname`` becomes an alias, a LinkedIn address among the
websites the ``linkedin`` field, and ``Notes`` the new note's ``## Notes``
section (an existing note's body is never touched).

Notes may span lines inside quotes, so records are read with the CSV module;
the line each record starts on is kept for messages.
"""

from __future__ import annotations

import re

from ..model.errors import VaultnetError
from . import contact as clean
from .contact import Contact, ReadResult, Skipped
from .csvfile import Row, header_index, records, split_multi

_EMAIL = re.compile(r"^e-mail (\d+) - value$")
_PHONE = re.compile(r"^phone (\d+) - value$")
_WEBSITE = re.compile(r"^website (\d+) - value$")
_NAME_COLUMNS = {"first name", "last name", "given name", "family name", "name"}


def read(data: bytes, source: str) -> ReadResult:
    result = ReadResult(source)
    rows = records(clean.decode(data, source))
    header_cells: list[str] | None = None
    header: dict[str, int] = {}
    for line, cells, error in rows:
        if error:
            if header_cells is None:
                raise VaultnetError(f"{source}: line {line}: {error}")
            result.skipped.append(Skipped(f"line {line}", error))
            break
        assert cells is not None
        if header_cells is None:
            if not any(c.strip() for c in cells):
                continue
            header = header_index(cells)
            if "connected on" in header or cells[0].strip().lstrip("\ufeff").casefold() == "notes:":
                raise VaultnetError(f"{source}: this is LinkedIn's Connections.csv; use `vaultnet import linkedin`")
            if not _NAME_COLUMNS & set(header):
                raise VaultnetError(
                    f"{source}: line {line}: this header does not look like a Google Contacts export "
                    "(no 'First Name'/'Given Name'/'Name' column); export again with 'Google CSV'"
                )
            header_cells = cells
            continue
        if not any(c.strip() for c in cells):
            continue
        where = f"line {line}"
        if len(cells) != len(header_cells):
            result.skipped.append(Skipped(where, f"{len(cells)} fields where the header has {len(header_cells)}; row skipped"))
            continue
        result.contacts.append(_contact(Row(header, cells), where))
    if header_cells is None:
        raise VaultnetError(f"{source}: the file is empty; export your contacts again with 'Google CSV'")
    return result


def _contact(row: Row, where: str) -> Contact:
    warnings: list[str] = []
    # Filed under first and last name (how other sources spell it, so they match);
    # the full name with a middle name becomes an alias.
    first, middle, last = (clean.text(row.get(*names)) for names in (
        ("First Name", "Given Name"), ("Middle Name", "Additional Name"), ("Last Name", "Family Name")))
    name = clean.text(f"{first} {last}")
    full = clean.text(f"{first} {middle} {last}") if middle else ""
    name = name or clean.text(row.get("Name", "File As"))
    aliases = clean.unique([full, *split_multi(row.get("Nickname"))])
    if not name and aliases:
        name, aliases = aliases[0], aliases[1:]
    emails = clean.emails([v for cell in row.numbered(_EMAIL) for v in split_multi(cell)], warnings)
    phones = clean.phones([v for cell in row.numbered(_PHONE) for v in split_multi(cell)])
    websites = [v for cell in row.numbered(_WEBSITE) for v in split_multi(cell)]
    linkedin = next((clean.text(w) for w in websites if "linkedin.com/" in w.lower()), "")
    labels = split_multi(row.get("Labels", "Group Membership"))
    notes = clean.multiline(row.get("Notes"))
    return Contact(
        where=where,
        name=name,
        aliases=tuple(a for a in aliases if a.casefold() != name.casefold()),
        emails=emails,
        phones=phones,
        tags=clean.tags(label for label in labels if not label.startswith("*")),
        org=clean.text(row.get("Organization Name", "Organization 1 - Name")) or None,
        role=clean.text(row.get("Organization Title", "Organization 1 - Title")) or None,
        birthday=clean.birthday(row.get("Birthday"), "Birthday", warnings),
        notes=notes or None,
        extra=(("linkedin", linkedin),) if linkedin else (),
        warnings=tuple(warnings),
    )
