"""The commands that keep notes tidy: set, unset, the list commands (need, offer, tag, alias,
email, phone), and met (one event, several people).

Each parses its arguments, calls ``vaultnet.edit.curate`` and prints.
"""

from __future__ import annotations

from datetime import date

import click

from ..edit import curate
from ..model.errors import UsageProblem
from .context import DATE, App
from .output import printable
from .record import no_vault_here, pass_app, when_happened


def _report(target, outcome) -> None:
    for message in outcome.messages:
        click.echo(f"{target.name}: {message}")
    if outcome.changed:
        click.echo(f"  ({printable(outcome.path)})")


@click.command(name="set")
@click.argument("person")
@click.argument("field", metavar="FIELD")
@click.argument("value", nargs=-1, required=True)
@click.option("--new-circle", is_flag=True, help="Accept a circle no one is in yet and the config does not name.")
@pass_app
def set_field(app: App, person: str, field: str, value: tuple[str, ...], new_circle: bool) -> None:
    """Set one field of PERSON's note: circle, cadence, org, role, follow_up, last_contact,
    met, met_at, introduced_by or birthday.

    VALUE is checked as the note's reader reads it (a date YYYY-MM-DD, a cadence like 2w or
    none, a birthday YYYY-MM-DD or --MM-DD, a known circle); only that field's line changes.
    A value starting with '-' goes after `--`: vaultnet set jane birthday -- --03-14.
    Lists have their own commands: need, offer, tag, alias, email, phone.
    """
    key = curate.field_key(field)
    vault = app.vault(report=False)
    target = app.person(person)
    written, note = curate.field_value(vault, key, " ".join(value), app.today, new_circle, target)
    outcome = curate.set_field(app.config, target, key, written)
    _report(target, outcome)
    if note:
        click.echo(f"  {note}")


@click.command()
@click.argument("person")
@click.argument("field", metavar="FIELD")
@pass_app
def unset(app: App, person: str, field: str) -> None:
    """Remove a field from PERSON's note: one of the fields `set` sets, or a whole list
    (aliases, tags, email, phone, needs, offers). Only that field's lines change.

    Example: vaultnet unset jane follow_up
    """
    key = curate.field_key(field)
    target = app.person(person)
    outcome = curate.unset_field(app.config, target, key)
    _report(target, outcome)


def _list_command(kind: str, metavar: str, summary: str, example: str):
    extra = ""
    if kind == "email":
        extra = "\n\nAn address another person already has is refused (naming them) unless --shared."

    @click.command(name=kind, help=f"{summary}\n\nExample: {example}\n\nWith --remove, take it out again.{extra}")
    @click.argument("person")
    @click.argument("text", nargs=-1, required=True, metavar=metavar)
    @click.option("--remove", is_flag=True, help=f"Remove the {curate.LISTS[kind].word} instead of adding it.")
    @pass_app
    def command(app: App, person: str, text: tuple[str, ...], remove: bool, shared: bool = False) -> None:
        target = app.person(person)
        value = " ".join(text)
        if kind == "alias" and not remove:
            item = curate.clean_item(kind, value)
            owners = curate.name_owners(app.vault(report=False).people, item, exclude=target.path)
            if owners:
                who = ", ".join(f"{p.name} ({p.path})" for p in owners)
                raise UsageProblem(
                    f"{item!r} already names {who}: as an alias of {target.name} too, neither could be named by it. "
                    f"The same person twice? `vaultnet merge`"
                )
        if kind == "email" and not remove and not shared:
            item = curate.clean_item(kind, value)
            owners = curate.email_owners(app.vault(report=False).people, item, exclude=target.path)
            if owners:
                who = ", ".join(f"{p.name} ({p.path})" for p in owners)
                raise UsageProblem(f"{item} is already the email of {who}; a duplicate? If both really share it, add --shared")
        outcome = curate.edit_list(app.config, target, kind, value, remove, app.today)
        _report(target, outcome)

    if kind == "email":
        command = click.option("--shared", is_flag=True, help="Add the address even though another person has it.")(command)
    return command


need = _list_command(
    "need", "TEXT...", "Add something PERSON is looking for now (needs), dated today: the day it was last confirmed. "
    "A need already there is re-confirmed (its date becomes today).", "vaultnet need jane a fractional CFO",
)
offer = _list_command("offer", "TEXT...", "Add something PERSON is good at or can give (offers).", "vaultnet offer jane intros to climate VCs")
tag = _list_command("tag", "TAG", "Add a tag to PERSON (a leading # is dropped).", "vaultnet tag jane founder")
alias = _list_command("alias", "NAME...", "Add another name to find PERSON by (aliases).", "vaultnet alias jane JD")
email = _list_command("email", "ADDRESS", "Add an email address to PERSON.", "vaultnet email jane jane@northlight.vc")
phone = _list_command("phone", "NUMBER...", "Add a phone number to PERSON.", "vaultnet phone jane +44 20 7946 0000")


@click.command()
@click.argument("event")
@click.argument("names", nargs=-1, metavar="PERSON...")
@click.option("--new", "new_names", multiple=True, metavar="NAME", help="Someone new, even if the name looks like someone's (repeatable).")
@click.option("--date", "day", type=DATE, help="When (default: today).")
@click.option("--dry-run", is_flag=True, help="Say what would happen; write nothing.")
@pass_app
def met(app: App, event: str, names: tuple[str, ...], new_names: tuple[str, ...], day: date | None, dry_run: bool) -> None:
    """Record EVENT where you met several people.

    Each PERSON already in the vault gets a log line `met at EVENT` (and last_contact moved
    forward); each name no one has gets a new note (as `add` makes it) with `met` and
    `met_at`. A name that matches several people is refused with the candidates. All notes
    are written or none is. Run again for the same event and day, it changes nothing for
    the people it already records.
    """
    if not names and not new_names:
        raise click.UsageError("name at least one person you met")
    day = when_happened(app, day)
    no_vault_here(app)
    vault = app.vault(report=False)
    plan = curate.plan_event(vault, event, list(names), list(new_names), day, app.today)
    if not dry_run:
        outcome = curate.record_event(app.config, plan, event, day)
    shown = printable(" ".join(event.split()))
    for _query, person in plan.known:
        verb = "would log" if dry_run else "logged"
        click.echo(f"{verb} {day.isoformat()} met at {shown}: {person.name} ({printable(person.path)})")
    for _query, person in plan.already:
        click.echo(f"already recorded {day.isoformat()} met at {shown}: {person.name} ({printable(person.path)}); nothing changed")
    for note in plan.new:
        verb = "would add" if dry_run else "added"
        click.echo(f"{verb} {printable(note.rel)} (met {day.isoformat()} at {shown})")
        for message in note.messages:
            click.echo(f"  {message}")
    if dry_run:
        click.echo("nothing written (--dry-run)")
        return
    for message in outcome.messages:
        click.echo(f"  {message}")
