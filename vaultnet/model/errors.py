"""Errors and problems, each naming the file, the line or field, and what to do.

``VaultnetError`` stops a command (the CLI prints it and exits non-zero).
``Problem`` is a finding about one note that does not stop the others: read
commands print problems on stderr and go on with every other note.
"""

from __future__ import annotations

from dataclasses import dataclass


class VaultnetError(Exception):
    """A failure the user can act on; the message says what to do."""

    exit_code = 1


class UsageProblem(VaultnetError):
    """The command line named something that does not exist or is ambiguous."""

    exit_code = 2


class NoteError(VaultnetError):
    """A note cannot be read or written; carries the note's vault-relative path."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.line = line
        self.detail = message
        where = f"{path}: line {line}: " if line else f"{path}: "
        super().__init__(where + message)


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about one note.

    ``fatal`` problems mean the note could not be read at all (it is skipped by
    read commands and refused by writes); the others concern one field, which is
    left out of the record while the rest of the note is used.
    """

    path: str
    message: str
    line: int | None = None
    field: str | None = None
    fatal: bool = False

    def __str__(self) -> str:
        parts = [self.path]
        if self.line:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ": ".join(parts) + ": " + self.message
