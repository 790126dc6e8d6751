"""The commands that change who a note is: rename (a person and every link to them) and merge
(two notes of one person made one).

Each parses its arguments, calls ``vaultnet.edit`` and prints what changed (or, with
``--dry-run``, what would).
"""

from __future__ import annotations

import click

from .context import App
from .output import printable

pass_app = click.make_pass_decorator(App)


def _links_report(changes, would: bool) -> None:
    if not changes.files:
        click.echo("  no links to change")
        return
    verb = "would change" if would else "changed"
    count = changes.links
    click.echo(f"  {verb} {count} link{'s' if count != 1 else ''} in {len(changes.files)} file{'s' if len(changes.files) != 1 else ''}:")
    for rel, n in changes.files:
        click.echo(f"    {printable(rel)}: {n} link{'s' if n != 1 else ''}")


@click.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--dry-run", is_flag=True, help="Show the files and links that would change; write nothing.")
@pass_app
def rename(app: App, old: str, new: str, dry_run: bool) -> None:
    """Rename the person OLD to NEW: the note's file and `name`, the old name kept as an
    alias, and every link to them in the vault (person notes, daily and meeting notes, both
    link styles; headings and labels kept; links in code left alone).

    All files change together or none does. Refused when NEW is taken (a person, an alias,
    or a file of that name in any letter case).
    """
    from ..edit.rename import rename_person

    person = app.person(old)
    outcome = rename_person(app.vault(report=False), person, new, dry_run=dry_run)
    if outcome.unchanged:
        click.echo(f"{printable(person.name)} is already called {printable(outcome.new_name)} ({printable(person.path)}); nothing changed")
        return
    head = "would rename" if dry_run else "renamed"
    click.echo(f"{head} {printable(person.name)} → {printable(outcome.new_name)} ({printable(outcome.old_path)} → {printable(outcome.new_path)})")
    for message in outcome.messages:
        click.echo(f"  {message}")
    _links_report(outcome.links, dry_run)


def _an_alias(person, query: str) -> bool:
    """Whether ``query`` names ``person`` by one of their aliases rather than by name."""
    from ..derive.resolve import fold

    wanted = fold(query)
    return wanted in {fold(a) for a in person.aliases} and wanted not in {fold(person.name), fold(person.stem)}


@click.command()
@click.argument("keep", metavar="KEEP")
@click.argument("other", metavar="OTHER")
@click.option("--prefer", type=click.Choice(["keep", "other"]), help="Whose value wins where the two notes disagree.")
@click.option("--dry-run", is_flag=True, help="Show what would move and which links would change; write nothing.")
@pass_app
def merge(app: App, keep: str, other: str, prefer: str | None, dry_run: bool) -> None:
    """Merge OTHER into KEEP (two notes of one person): lists united, the later
    last_contact and the earlier met, Log entries merged in order, OTHER's name and aliases
    become aliases, the rest of OTHER's body appended under a heading naming it; every
    link to OTHER then points at KEEP, and OTHER's note is removed.

    All files change together or none does. Where a field such as org, role, circle or
    cadence holds two different values, the merge is refused with the list, unless
    --prefer keep or --prefer other.
    """
    from ..edit.combine import merge_people

    a = app.person(keep)
    b = app.person(other)
    if a.path == b.path and _an_alias(a, other) and not _an_alias(a, keep):
        # run again after a merge: OTHER's name lives on as KEEP's alias
        click.echo(f"'{printable(other)}' is an alias of {printable(a.name)} ({printable(a.path)}): merged already; nothing changed")
        return
    outcome = merge_people(app.vault(report=False), a, b, app.today, prefer=prefer, dry_run=dry_run)
    head = "would merge" if dry_run else "merged"
    click.echo(f"{head} {printable(b.name)} ({printable(b.path)}) into {printable(a.name)} ({printable(a.path)})")
    for gain in outcome.gains:
        click.echo(f"  {printable(gain)}")
    for note in outcome.notes:
        click.echo(f"  {printable(note)}")
    if outcome.log_entries:
        click.echo(f"  Log: {outcome.log_entries} entr{'ies' if outcome.log_entries != 1 else 'y'} from {printable(b.name)}")
    if outcome.section:
        click.echo(f"  {printable(outcome.section.lstrip('# '))}: the rest of {printable(b.name)}'s note")
    click.echo(f"  {'would remove' if dry_run else 'removed'} {printable(b.path)}")
    _links_report(outcome.links, dry_run)
