"""``vaultnet merge-driver``: what git runs to merge a person note (``vaultnet init`` sets it up).

git calls it as ``merge-driver %O %A %B %P``: the common ancestor, the local version
(where the result goes), the other version, and the note's path. It needs no vault and
no config, so it works from whatever folder git runs it in. Exit 0 means merged; 1 means
conflicts were left in the note with markers, for the user to resolve (git stops there).
"""

from __future__ import annotations

from pathlib import Path

import click

from ..edit.gitsetup import GitError
from ..edit.merge import merge_note
from ..load.files import MAX_NOTE_BYTES, NoteFileError, read_note_bytes, replace_file
from ..model.errors import VaultnetError
from .output import printable


@click.command(name="merge-driver")
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False))
@click.argument("theirs", type=click.Path(dir_okay=False))
@click.argument("path", required=False, default="")
@click.option("--marker-size", type=click.IntRange(7, 100), default=7, help="Conflict marker length (git's %L).")
def merge_driver(base: str, ours: str, theirs: str, path: str, marker_size: int) -> None:
    """Merge three versions of a person note, as git's merge driver (run by git, set up by `vaultnet init`).

    BASE is the common ancestor, OURS the local version (the result is written there),
    THEIRS the other side, PATH the note's path. Keys changed on one side take that side;
    last_contact and follow_up the later date; lists and the Log keep what both added.
    Exit 0 when merged, 1 when conflicts are left with markers.
    """
    name = path or ours
    try:
        # Only regular files, within the note size limit: a named pipe would block, and a
        # huge file is no person note (git then leaves the local version in place).
        data = [read_note_bytes(file, MAX_NOTE_BYTES)[0] for file in (base, ours, theirs)]
    except NoteFileError as exc:
        click.echo(f"vaultnet merge-driver: {printable(name)}: {exc}; the note is left as it was here", err=True)
        raise SystemExit(1) from None
    except OSError as exc:
        click.echo(f"vaultnet merge-driver: {printable(name)}: cannot read {exc.filename}: {exc.strerror}", err=True)
        raise SystemExit(1) from None
    try:
        merged = merge_note(*data, path=name, marker_size=marker_size)
    except GitError as exc:
        click.echo(f"vaultnet merge-driver: {printable(name)}: {exc}; the note is left as it was here", err=True)
        raise SystemExit(1) from None
    try:
        # Replaced, never written through: a link standing where git's file should be is refused.
        replace_file(Path(ours), merged.data)
    except VaultnetError as exc:
        click.echo(f"vaultnet merge-driver: {printable(name)}: cannot write the result: {exc}", err=True)
        raise SystemExit(1) from None
    if merged.how != "fields":
        click.echo(f"vaultnet merge-driver: {printable(name)}: {merged.how}", err=True)
    if merged.conflict:
        click.echo(f"vaultnet merge-driver: {printable(name)}: conflicts left with markers; resolve them, "
                   "then `vaultnet check`", err=True)
        raise SystemExit(1)
