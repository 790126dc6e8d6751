"""Bringing contacts in from other address books, without ever clobbering a note.

Each source has its own reader module (``linkedin``, ``google``, ``vcard``)
that turns a file's bytes into plain :class:`~vaultnet.importers.contact.Contact`
records, each remembering where in the file it came from (a line or card
number), plus the rows it had to skip and why. Readers know nothing of the
vault; ``merge`` alone decides who is new and what an existing note gains, and
writes through the same narrow paths as every other command
(``load.files.write_new`` for new notes, ``atomic.edit_notes`` + ``NoteEditor`` for
existing ones).
"""

from __future__ import annotations

from importlib import import_module

from .contact import Contact, ReadResult, Skipped

SOURCES = ("linkedin", "google", "vcard")


def read_file(kind: str, data: bytes, source: str) -> ReadResult:
    """Read ``data`` (the bytes of a file named ``source``) with the reader for ``kind``."""
    if kind not in SOURCES:
        raise ValueError(kind)
    return import_module(f"{__name__}.{kind}").read(data, source)


__all__ = ["Contact", "ReadResult", "Skipped", "SOURCES", "read_file"]
