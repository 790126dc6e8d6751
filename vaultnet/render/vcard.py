"""Everyone in the vault as vCard 4.0 (RFC 6350), for a phone's or a desktop's address book.

Written by hand rather than through vobject so that the bytes are exactly what
RFC 6350 asks and do not depend on the library's version: CRLF line ends,
lines folded at 75 octets without splitting a UTF-8 character, ``\\`` ``,``
``;`` and line breaks escaped (``contentlines``, which the calendar shares),
dates in the basic form (``19850412``, yearless ``--0412``). Nothing depends on the clock (no ``REV``), people come in the
vault's stable order, and each card's ``UID`` is derived from the note's path,
so exporting twice gives the same bytes and an address book that syncs the
file updates its cards instead of duplicating them. (Renaming a note gives
its person a new UID.)

Fields: FN, N (the last word as family name, the first as given name — a
guess, as the vault stores one name), NICKNAME (aliases), ORG, TITLE (role),
EMAIL (the first one PREF=1), TEL (as text, so your spelling of the number is
kept), BDAY, CATEGORIES (tags), URL (a ``linkedin`` field), NOTE (what they
need and offer).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Iterable

from ..load.files import replace_file
from ..model.config import CONFIG_NAME, Config
from ..model.errors import VaultnetError
from ..model.links import link_target
from ..model.person import Person
from .contentlines import escape_text as escape
from .contentlines import fold

PRODID = "-//vaultnet//vaultnet//EN"
_NAMESPACE = uuid.UUID("6f1d6b0e-3c1a-5d7e-9a43-7661756c746e")  # fixed: UIDs must never change


def uid(person: Person) -> str:
    """A stable UID for a person: a name-based UUID of the note's vault-relative path."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, person.path)}"


def _n(name: str) -> str:
    words = name.split()
    if len(words) <= 1:
        return f";{escape(name)};;;"
    family, given, middle = words[-1], words[0], " ".join(words[1:-1])
    return f"{escape(family)};{escape(given)};{escape(middle)};;"


def _bday(person: Person) -> str | None:
    b = person.birthday
    if b is None:
        return None
    return f"{b.year:04d}{b.month:02d}{b.day:02d}" if b.year else f"--{b.month:02d}{b.day:02d}"


def _url(value: str | None) -> str | None:
    """A URI for URL (its value type is a URI, not text): a scheme added when missing;
    something with spaces or control characters in it is no URI and is left out."""
    value = (value or "").strip()
    if not value or any(c.isspace() or ord(c) < 32 for c in value):
        return None
    return value if "://" in value else "https://" + value


def _note(person: Person) -> str:
    parts = []
    if person.needs:
        parts.append("Needs: " + "; ".join(person.needs))
    if person.offers:
        parts.append("Offers: " + "; ".join(person.offers))
    return "\n".join(parts)


def card(person: Person) -> bytes:
    """One person's vCard 4.0: UTF-8, CRLF line ends."""
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"PRODID:{PRODID}", f"UID:{uid(person)}", "KIND:individual",
             f"FN:{escape(person.name)}", f"N:{_n(person.name)}"]
    if person.aliases:
        lines.append("NICKNAME:" + ",".join(escape(a) for a in person.aliases))
    org = link_target(person.org)
    if org:
        lines.append(f"ORG:{escape(org)}")
    role = link_target(person.role) if person.role and person.role.startswith("[") else person.role
    if role:
        lines.append(f"TITLE:{escape(role)}")
    for index, email in enumerate(person.emails):
        lines.append(("EMAIL;PREF=1:" if index == 0 and len(person.emails) > 1 else "EMAIL:") + escape(email))
    for phone in person.phones:
        lines.append(f"TEL;VALUE=text:{escape(phone)}")
    bday = _bday(person)
    if bday:
        lines.append(f"BDAY:{bday}")
    if person.tags:
        lines.append("CATEGORIES:" + ",".join(escape(t) for t in person.tags))
    url = _url(dict(person.extra).get("linkedin"))
    if url:
        lines.append(f"URL:{url}")
    note = _note(person)
    if note:
        lines.append(f"NOTE:{escape(note)}")
    lines.append("END:VCARD")
    return b"".join([fold(line.encode("utf-8")) + b"\r\n" for line in lines])


def export(people: Iterable[Person]) -> bytes:
    """Every person's card, in the given (stable) order, as one UTF-8 file."""
    return b"".join([card(p) for p in people])


def vdir_name(person: Person) -> str:
    """The file a person's card gets in a vdir: its UID, which never holds unsafe characters."""
    return uid(person).rsplit(":", 1)[-1] + ".vcf"


MANIFEST_PREFIX = ".vaultnet-vdir-"


def write_vdir(folder: Path, people, root: Path) -> tuple[int, int]:
    """One ``.vcf`` per person in ``folder`` (the layout khard and vdirsyncer read).

    Unchanged cards are not rewritten. A card is removed only when this vault wrote
    it: each vault keeps the list of cards it wrote in a manifest in the folder
    (``.vaultnet-vdir-<id of the vault>``, which address books ignore: it is not a
    ``.vcf``), so two vaults exporting into one folder never delete each other's cards,
    nor a card another vault also lists, nor a file that no longer holds vaultnet's
    PRODID. A vault is known by its path, so a list whose vault is gone (moved, renamed,
    deleted: see ``_vault_gone``) protects nothing and is removed; when it shares a card
    with this vault it is this vault's own list from before a move, and this vault takes
    its cards over. Returns (written, removed).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VaultnetError(f"{folder}: cannot create the folder: {exc.strerror or exc}") from None
    if not folder.is_dir():
        raise VaultnetError(f"{folder}: is not a folder")
    manifest = folder / f"{MANIFEST_PREFIX}{_identity(root.resolve())}"
    wanted = {vdir_name(p): card(p) for p in people}
    previous = _manifest_names(manifest)
    others: set[str] = set()
    stale: list[Path] = []
    for path in sorted(folder.glob(f"{MANIFEST_PREFIX}*")):
        if path == manifest:
            continue
        names = _manifest_names(path)
        if not _vault_gone(path):
            others |= names
            continue
        stale.append(path)
        if names & wanted.keys():
            previous |= names
    # Listed before they are written and unlisted only once removed: after a crash at any
    # point, every card of this vault's is still in its manifest (taken-over lists included).
    _write_manifest(manifest, root, previous | set(wanted))
    for path in stale:
        try:
            path.unlink()
        except OSError:
            pass
    written = sum(1 for name, data in sorted(wanted.items()) if replace_file(folder / name, data))
    removed = 0
    stamp = f"PRODID:{PRODID}".encode()
    for name in sorted(previous - set(wanted) - others):
        path = folder / name
        if not name.endswith(".vcf") or "/" in name or path.is_symlink() or not path.is_file():
            continue
        try:
            head = path.read_bytes()[:200]
        except OSError:
            continue
        if stamp in head:
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
    _write_manifest(manifest, root, set(wanted))
    return written, removed


def _identity(root: Path) -> str:
    return hashlib.sha256(os.fsencode(root)).hexdigest()[:16]


_HEADER = ("# the cards vaultnet exported here from ", "; only these are ever removed by it")


def _vault_gone(manifest: Path) -> bool:
    """Whether the vault a manifest names no longer exists: no folder at its path, or a
    folder with neither a ``vaultnet.toml`` nor the default people folder (a vault
    without a config has that one). Only a header that names the very path the
    manifest's name was made from counts: an unreadable or altered one keeps protecting
    its cards."""
    try:
        with manifest.open(encoding="utf-8") as handle:
            first = handle.readline().rstrip("\n")
    except (OSError, UnicodeDecodeError):
        return False
    head, tail = _HEADER
    if not (first.startswith(head) and first.endswith(tail)):
        return False
    root = Path(first[len(head):-len(tail)])
    if not root.is_absolute() or manifest.name != f"{MANIFEST_PREFIX}{_identity(root)}":
        return False
    return not ((root / CONFIG_NAME).is_file() or (root / Config.people_dir).is_dir())


def _manifest_names(path: Path) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    return {line for line in text.splitlines() if line and not line.startswith("#")}


def _write_manifest(path: Path, root: Path, names: set[str]) -> None:
    where = str(root.resolve()).replace("\n", " ").replace("\r", " ")
    header = f"{_HEADER[0]}{where}{_HEADER[1]}\n"
    replace_file(path, (header + "".join(f"{name}\n" for name in sorted(names))).encode("utf-8", "backslashreplace"))
