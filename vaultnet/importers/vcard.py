"""vCard files (``.vcf``), versions 3.0 and 4.0, as phones and address books export them.

The file is first cut into cards by their ``BEGIN:VCARD``/``END:VCARD`` lines
(keeping each card's number and first line), and each card is then parsed on
its own with vobject: one broken card is reported and skipped instead of
ending the whole import, which is what parsing the file as one stream would do.

Mapping: ``FN`` (else ``N``, else ``NICKNAME``) → the name; ``NICKNAME`` →
aliases; ``ORG`` (its first component, the organisation; the unit is dropped) →
``org``; ``TITLE`` (else ``ROLE``) → ``role``; every ``EMAIL`` and ``TEL``;
``BDAY`` → ``birthday`` (``--MMDD``/``--MM-DD`` give a yearless ``--MM-DD``,
Apple's year 1604 too); ``CATEGORIES`` → tags; ``NOTE`` → the new note's
``## Notes`` section; a LinkedIn ``URL`` → ``linkedin``. Folded lines and
escaped commas/semicolons are vobject's business.
"""

from __future__ import annotations

import re

from ..model.errors import VaultnetError
from . import contact as clean
from .contact import Contact, ReadResult, Skipped
from .csvfile import physical_lines

_BEGIN = re.compile(r"^begin\s*:\s*vcard\s*$", re.IGNORECASE)
_END = re.compile(r"^end\s*:\s*vcard\s*$", re.IGNORECASE)


def cards(lines: list[str]) -> tuple[list[tuple[int, int, list[str]]], list[Skipped]]:
    """``(card number, first line, lines)`` for each card, and the stretches that are not cards."""
    found: list[tuple[int, int, list[str]]] = []
    problems: list[Skipped] = []
    current: list[str] | None = None
    start = count = 0
    stray = False
    for number, line in enumerate(lines, 1):
        if _BEGIN.match(line.rstrip()):  # not lstrip: an indented line continues a folded one
            if current is not None:
                problems.append(Skipped(f"card {count} at line {start}", "no END:VCARD before the next BEGIN:VCARD; card skipped"))
            count += 1
            current, start = [line], number
        elif current is not None:
            current.append(line)
            if _END.match(line.rstrip()):
                found.append((count, start, current))
                current = None
        elif line.strip() and not stray:
            stray = True  # said once: a whole file of junk is one message, not thousands
            problems.append(Skipped(f"line {number}", "text outside any BEGIN:VCARD … END:VCARD; ignored"))
    if current is not None:
        problems.append(Skipped(f"card {count} at line {start}", "the file ends before END:VCARD; card skipped"))
    return found, problems


def read(data: bytes, source: str) -> ReadResult:
    import vobject  # heavy: only when a vCard is read

    lines = physical_lines(clean.decode(data, source))
    found, problems = cards(lines)
    result = ReadResult(source, skipped=problems)
    if not found and not any(p.where.startswith("card") for p in problems):
        raise VaultnetError(f"{source}: no BEGIN:VCARD in the file; is it a vCard (.vcf) file?")
    for number, line, card_lines in found:
        where = f"card {number} at line {line}"
        try:
            card = vobject.readOne("\r\n".join(card_lines) + "\r\n", ignoreUnreadable=False)
        except Exception as exc:  # vobject raises several kinds; any of them means this card is unreadable
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            message = re.sub(r"^At line \d+:\s*", "", message)  # vobject counts lines its own way
            result.skipped.append(Skipped(where, f"not a valid vCard ({message}); card skipped"))
            continue
        try:
            result.contacts.append(_contact(card, where))
        except ValueError as exc:
            result.skipped.append(Skipped(where, f"{exc}; card skipped"))
    return result


def _values(card, key: str) -> list:
    return [item.value for item in card.contents.get(key, [])]


def _texts(card, key: str) -> list[str]:
    """Every value of a property as text (list values, such as CATEGORIES, flattened)."""
    out: list[str] = []
    for value in _values(card, key):
        if isinstance(value, (list, tuple)):
            out.extend(str(v) for v in value)
        elif value is not None:
            out.append(str(value))
    return out


def _name_from_n(card) -> str:
    for value in _values(card, "n"):
        parts = []
        for attr in ("prefix", "given", "additional", "family", "suffix"):
            part = getattr(value, attr, "")
            if isinstance(part, (list, tuple)):
                part = " ".join(str(p) for p in part)
            if attr in ("prefix", "suffix"):
                continue  # "Dr." and "Jr." are not part of the name a note is filed under
            parts.append(str(part or ""))
        name = clean.text(" ".join(parts))
        if name:
            return name
    return ""


def _contact(card, where: str) -> Contact:
    warnings: list[str] = []
    name = clean.text(next(iter(_texts(card, "fn")), "")) or _name_from_n(card)
    nicknames = clean.unique(part for value in _texts(card, "nickname") for part in value.split(","))
    if not name and nicknames:
        name, nicknames = nicknames[0], nicknames[1:]
    org = ""
    for value in _values(card, "org"):
        parts = value if isinstance(value, (list, tuple)) else [value]
        org = clean.text(str(parts[0])) if parts else ""
        if org:
            break
    role = clean.text(next(iter(_texts(card, "title") + _texts(card, "role")), ""))
    bdays = _texts(card, "bday")
    notes = "\n\n".join(n for n in (clean.multiline(v) for v in _texts(card, "note")) if n)
    urls = _texts(card, "url")
    linkedin = next((clean.text(u) for u in urls if "linkedin.com/" in u.lower()), "")
    return Contact(
        where=where,
        name=name,
        aliases=tuple(a for a in nicknames if a.casefold() != name.casefold()),
        emails=clean.emails(_texts(card, "email"), warnings),
        phones=clean.phones(_texts(card, "tel")),
        tags=clean.tags(_texts(card, "categories")),
        org=org or None,
        role=role or None,
        birthday=clean.birthday(bdays[0], "BDAY", warnings) if bdays else None,
        notes=notes or None,
        extra=(("linkedin", linkedin),) if linkedin else (),
        warnings=tuple(warnings),
    )
