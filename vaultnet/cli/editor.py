"""``vaultnet edit PERSON``: open a person's note in your editor, and links into Obsidian.

The editor is ``$VISUAL``, else ``$EDITOR``, split as a shell would split it, so
``code -w`` or ``"/Applications/Sublime Text.app/…/subl" -w`` work; the note's path is
added as one more argument (never through a shell, so no file name can run a command).
Without either variable, or with ``--path``, the path is printed instead, for
``$(vaultnet edit amara --path)``.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from urllib.parse import quote

import click

from ..model.errors import VaultnetError
from .complete import complete_person
from .context import App
from .output import printable

pass_app = click.make_pass_decorator(App)


def editor_command() -> list[str] | None:
    """``$VISUAL`` or ``$EDITOR`` as a command line; None when neither is set."""
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            try:
                words = shlex.split(value)
            except ValueError as exc:
                raise VaultnetError(f"${variable} cannot be read as a command ({exc}): {value!r}") from None
            if words:
                return words
    return None


def obsidian_url(root: Path, rel: str) -> str | None:
    """``obsidian://open?vault=…&file=…`` for a note, when the vault is an Obsidian vault
    (it has a ``.obsidian`` folder); Obsidian knows a vault by its folder's name."""
    if not (root / ".obsidian").is_dir():
        return None
    return f"obsidian://open?vault={quote(root.name, safe='')}&file={quote(rel, safe='')}"


@click.command()
@click.argument("person", shell_complete=complete_person)
@click.option("--path", "path_only", is_flag=True, help="Print the note's path instead of opening it.")
@pass_app
def edit(app: App, person: str, path_only: bool) -> None:
    """Open PERSON's note in $VISUAL or $EDITOR (e.g. EDITOR="code -w").

    Without either, or with --path, print the note's path instead. An editor that
    fails makes the command exit 1.
    """
    target = app.person(person)
    path = app.config.root / target.path
    command = None if path_only else editor_command()
    if command is None:
        click.echo(printable(str(path)))
        return
    try:
        status = subprocess.call([*command, str(path)])
    except OSError as exc:
        raise VaultnetError(
            f"cannot start the editor {command[0]!r}: {exc.strerror or exc}; set $VISUAL or $EDITOR to a program on your PATH"
        ) from None
    if status:
        raise VaultnetError(f"the editor {command[0]!r} exited with status {status}")
