"""The plain record every reader produces, and the small cleaning rules they share.

A ``Contact`` is what one row or card says, already cleaned into the vault's
own vocabulary (``org``, ``role``, ``email``, ``met`` …), so the merge rules are
written once and do not care where a contact came from. Every record carries
``where`` (``line 7``, ``card 3``) so that anything said about it points the
user back to the spot in their file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from ..model.dates import parse_birthday
from ..model.errors import VaultnetError

# An address has one @, something on both sides, no spaces: loose on purpose
# (real exports hold odd but working addresses), strict enough to catch a
# phone number or a name typed into the email column.
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+$")
# Obsidian tags: letters, digits, '_', '-', '/'; no spaces, no '#'.
_TAG_DROP = re.compile(r"[^\w/\-]", re.UNICODE)


@dataclass(frozen=True)
class Contact:
    """One person as a source file describes them; empty values mean "not given"."""

    where: str
    name: str = ""
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    org: str | None = None
    role: str | None = None
    met: date | None = None
    met_at: str | None = None
    birthday: str | None = None  # "YYYY-MM-DD" or "--MM-DD", as the note stores it
    notes: str | None = None
    extra: tuple[tuple[str, str], ...] = ()  # other scalar fields, e.g. ("linkedin", url)
    warnings: tuple[str, ...] = ()  # values of this row that were dropped, and why

    def scalars(self) -> list[tuple[str, object]]:
        """The single-valued fields this contact gives, in the order a new note lists them."""
        pairs: list[tuple[str, object]] = [
            ("org", self.org),
            ("role", self.role),
            ("met", self.met),
            ("met_at", self.met_at),
            *self.extra,
            ("birthday", self.birthday),
        ]
        return [(k, v) for k, v in pairs if v not in (None, "")]

    def lists(self) -> list[tuple[str, tuple[str, ...]]]:
        """The list fields, in note order."""
        pairs = [("aliases", self.aliases), ("tags", self.tags), ("email", self.emails), ("phone", self.phones)]
        return [(k, v) for k, v in pairs if v]


@dataclass(frozen=True)
class Skipped:
    """A row or card that could not be used: where it is, and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class ReadResult:
    """What a reader got out of a file."""

    source: str
    contacts: list[Contact] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


# --- shared cleaning -----------------------------------------------------------------------------


def decode(data: bytes, source: str) -> str:
    """The file as text: UTF-8 with or without a byte-order mark (every source writes UTF-8).

    Any other encoding is refused with the place of the first bad byte, rather than
    guessed at and turned into mojibake names in the vault.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise VaultnetError(
            f"{source}: line {line}: not UTF-8 text (byte {exc.start}); export the file again as UTF-8, "
            "or re-save it as UTF-8 in a text editor"
        ) from None


def text(value: str | None) -> str:
    """One line of text: NFC, control characters gone, runs of spaces collapsed."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value)
    value = "".join(" " if unicodedata.category(c) == "Cc" else c for c in value)
    return " ".join(value.split())


def multiline(value: str | None) -> str:
    """A multi-line text (notes): line ends unified, trailing spaces and blank edges dropped."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    lines = ["".join(c for c in line if c == "\t" or unicodedata.category(c) != "Cc").rstrip() for line in value.split("\n")]
    return "\n".join(lines).strip("\n")


def emails(values, warnings: list[str]) -> tuple[str, ...]:
    """Valid addresses, first spelling kept, duplicates (in any letter case) dropped."""
    seen: dict[str, str] = {}
    for raw in values:
        value = text(raw)
        if value.lower().startswith("mailto:"):
            value = value[7:]
        if not value:
            continue
        if not _EMAIL.match(value):
            warnings.append(f"{value!r} is not an email address; left out")
            continue
        seen.setdefault(value.casefold(), value)
    return tuple(seen.values())


def phone_key(value: str) -> str:
    """What two spellings of one number share: its digits (and a leading +)."""
    value = value.strip()
    return ("+" if value.startswith("+") else "") + "".join(c for c in value if c.isdigit())


def phones(values) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for raw in values:
        value = text(raw)
        if value.lower().startswith("tel:"):
            value = value[4:]
        if value and phone_key(value).lstrip("+"):
            seen.setdefault(phone_key(value), value)
    return tuple(seen.values())


def tag(label: str) -> str:
    """A label as an Obsidian tag: spaces become '-', characters tags cannot hold are dropped."""
    value = "-".join(text(label).lstrip("#").split())
    value = _TAG_DROP.sub("", value).strip("-/")
    return value


def tags(labels) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for label in labels:
        value = tag(label)
        if value and not value.isdigit():  # Obsidian does not take all-digit tags
            seen.setdefault(value.casefold(), value)
    return tuple(seen.values())


def unique(values) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        value = text(value)
        if value:
            seen.setdefault(value.casefold(), value)
    return tuple(seen.values())


_BASIC_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_BASIC_YEARLESS = re.compile(r"^--(\d{2})-?(\d{2})$")


def birthday(value: str | None, column: str, warnings: list[str]) -> str | None:
    """A birthday as the note stores it: ``YYYY-MM-DD``, or ``--MM-DD`` when the year is unknown.

    Accepts ISO dates, date-times, vCard's basic forms (``19850412``, ``--0412``)
    and ``--MM-DD``. Google writes a yearless birthday as ``--MM-DD``; vCard 4.0
    as ``--MMDD``; Apple's vCard 3.0 uses the year 1604 for "no year".
    """
    value = text(value)
    if not value:
        return None
    candidate = value.split("T", 1)[0] if not value.startswith("--") else value
    match = _BASIC_DATE.match(candidate)
    if match:
        candidate = "-".join(match.groups())
    match = _BASIC_YEARLESS.match(candidate)
    if match:
        candidate = f"--{match.group(1)}-{match.group(2)}"
    try:
        parsed = parse_birthday(candidate)
    except ValueError:
        warnings.append(f"{column} {value!r} is not a date (YYYY-MM-DD or --MM-DD); left out")
        return None
    if parsed.year == 1604:
        return f"--{parsed.month:02d}-{parsed.day:02d}"
    return str(parsed)


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[ \-]([A-Za-z]{3,9})\.?[ \-,]+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$")


def day_month_year(value: str) -> date:
    """``14 Mar 2024`` (LinkedIn), ``14-Mar-2024``, ``Mar 14, 2024`` or ISO; ValueError otherwise.

    Month names are matched in English by their first three letters, so the
    result does not depend on the machine's locale (``strptime('%b')`` would).
    """
    from ..model.dates import parse_date

    value = value.strip()
    for pattern, order in ((_DAY_MONTH_YEAR, (1, 2, 3)), (_MONTH_DAY_YEAR, (2, 1, 3))):
        match = pattern.match(value)
        if match:
            day, month, year = (match.group(i) for i in order)
            number = _MONTHS.get(month[:3].lower())
            if number is None:
                break
            try:
                return date(int(year), number, int(day))
            except ValueError:
                break
    try:
        return parse_date(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date like '14 Mar 2024'") from None
