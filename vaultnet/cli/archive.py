"""The commands that archive and unarchive a person: one ``archived`` line in the note.

An archived person leaves ``due``, the calendar, ``match``, ``stats`` and the follow-ups
note, and stays in ``show``, ``list --all``, links and the introduction graph. The note is
not moved, so every link to it keeps working; a note in the people folder's ``Archive/``
is archived by where it is, which only moving it changes.
"""

from __future__ import annotations

from datetime import date

import click

from ..derive.views import in_archive_folder
from ..edit import actions
from ..model.errors import VaultnetError
from .context import DATE, App
from .output import printable

pass_app = click.make_pass_decorator(App)


@click.command()
@click.argument("person")
@click.option("--date", "day", type=DATE, help="The day they were archived (default: today).")
@pass_app
def archive(app: App, person: str, day: date | None) -> None:
    """Archive PERSON: write `archived: DATE` in their note.

    They leave `due`, `plan`, the calendar, `match`, `stats` and Follow-ups.md, and stay in
    `show`, `list --all`, links and introductions. The note stays where it is.
    `vaultnet unarchive PERSON` brings them back.
    """
    if day is not None and day > app.today:
        raise click.BadParameter(f"{day.isoformat()} is in the future; archive someone from today or an earlier day", param_hint="--date")
    target = app.person(person)
    if target.archived is True and in_archive_folder(target, app.config):
        folder = target.path.rsplit("/", 1)[0]
        click.echo(f"{target.name} is already archived: the note is in {printable(folder)}/; nothing changed")
        return
    outcome = actions.archive(app.config, target, day or app.today)
    if outcome.changed:
        click.echo(f"archived {target.name} since {(day or app.today).isoformat()} ({printable(outcome.path)})")
    else:
        click.echo(f"{target.name}: " + "; ".join(outcome.messages))
        return
    for message in outcome.messages:
        click.echo(f"  {message}")


@click.command()
@click.argument("person")
@pass_app
def unarchive(app: App, person: str) -> None:
    """Bring PERSON back from the archive: remove `archived` from their note.

    A note in the people folder's Archive/ is archived by that folder: move it back
    to unarchive the person (links by name keep working).
    """
    config = app.config
    target = app.person(person)
    if in_archive_folder(target, config):
        folder = target.path.rsplit("/", 1)[0]
        raise VaultnetError(
            f"{printable(target.path)}: the note is in {printable(folder)}/, and every note there is archived; "
            f"to bring {target.name} back, move the note to {printable(config.people_dir)}/ "
            "(links by name keep working). Nothing was written."
        )
    outcome = actions.unarchive(config, target)
    if outcome.changed:
        click.echo(f"unarchived {target.name} ({printable(outcome.path)})")
    else:
        click.echo(f"{target.name}: " + "; ".join(outcome.messages))
