"""``vaultnet import linkedin|google|vcard FILE`` and ``vaultnet export vcard``.

Thin: read the file, hand it to ``vaultnet.importers`` (readers, then the merge
rules), print what happened. Exit status of an import: 0 when the file could be
read (rows or cards that could not are reported on stderr with their line or
card number, and the rest is imported); 1 when nothing in it could be read
(not the right kind of file, not UTF-8, every row broken) or when a note could
not be written (the others are still written).
"""

from __future__ import annotations

import re
import sys
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import click

from ..model.errors import VaultnetError
from ..load.files import replace_file
from ..render import vcard as vcard_export
from ..render.words import plural
from ..importers import contact as clean, merge, read_file
from .context import DURATION, App
from .output import printable

pass_app = click.make_pass_decorator(App)

PROGRESS_FROM = 100  # contacts: below this an import is over before a bar would be read


@click.group(name="import")
def import_group() -> None:
    """Bring contacts in from LinkedIn, Google Contacts or a vCard file.

    Safe to repeat: people are matched by email, then by name or alias, and an
    existing note only gains the fields it lacks (new emails are added to its
    list). Nothing you wrote is overwritten. Try --dry-run first.
    """


@click.group(name="export")
def export_group() -> None:
    """Take your network out: everyone as vCard, for a phone or an address book."""


def _read_bytes(file: str) -> tuple[bytes, str]:
    if file == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        return Path(file).read_bytes(), file
    except OSError as exc:
        raise VaultnetError(f"{file}: cannot read: {exc.strerror or exc}") from None


def _import(app: App, kind: str, file: str, dry_run: bool, tags: tuple[str, ...], cadence) -> None:
    extra_tags = clean.tags(tags)
    if len(extra_tags) != len(tags):
        raise click.BadParameter(f"{', '.join(tags)}: a tag needs a letter (Obsidian tags are letters, digits, - _ /)", param_hint="--tag")
    data, source = _read_bytes(file)
    result = read_file(kind, data, source)
    if extra_tags:
        result.contacts = [replace(c, tags=clean.tags([*c.tags, *extra_tags])) for c in result.contacts]
    if not result.contacts:
        for skipped in result.skipped:
            click.echo(f"{source}: {skipped}", err=True)
        if result.skipped:
            raise VaultnetError(f"{source}: no contact could be read ({len(result.skipped)} skipped, see above); nothing was written")
        click.echo(f"{source}: no contacts in the file; nothing to do")
        return
    vault = app.vault()
    planned = merge.plan(vault, result, {"cadence": str(cadence)} if cadence is not None else None)
    for problem in sorted(planned.skipped + planned.warnings, key=_position):
        click.echo(f"{source}: {problem}", err=True)
    show_bar = not dry_run and len(planned.targets) >= PROGRESS_FROM and sys.stdout.isatty()
    bar = click.progressbar(length=len(planned.targets), label=f"Importing {Path(source).name}", file=sys.stdout) if show_bar else nullcontext()
    with bar as progress:
        outcomes = merge.execute(app.config, planned, app.today, dry_run, step=progress.update if progress else None, origin=_ORIGINS.get(kind, "import"))
    _report(source, planned, outcomes, dry_run)


_ORIGINS = {"linkedin": "LinkedIn import", "google": "Google Contacts import", "vcard": "vCard import"}


def _position(problem) -> int:
    """Where in the file a problem is, to list them in file order."""
    match = re.search(r"line (\d+)", problem.where)
    return int(match.group(1)) if match else 0


def _report(source: str, planned, outcomes, dry_run: bool) -> None:
    would = "would " if dry_run else ""
    counts = {"created": 0, "changed": 0, "unchanged": 0, "failed": 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
        target = outcome.target
        # A match by name is the one worth checking (two people can share a name); say so.
        where = f" ({target.where}; matched by name)" if not target.new and "name" in target.matched_by else f" ({target.where})"
        if not target.new and "likely" in target.matched_by:
            # A name spelled otherwise (an apostrophe, an emoji, ", PhD"): matched, not added twice.
            where = f" ({target.where}; {'would match' if dry_run else 'matched'} {printable(target.name)} ({printable(target.path)}), likely the same person)"
        if outcome.status == "created":
            click.echo(f"{would}create {target.path}{where}" if dry_run else f"created {target.path}{where}")
            if dry_run:
                for message in outcome.messages:
                    click.echo(f"    {message}")
        elif outcome.status == "changed":
            click.echo(f"{would}change {target.path}{where}" if dry_run else f"changed {target.path}{where}")
            for message in outcome.messages:
                click.echo(f"    {message}")
        elif outcome.status == "unchanged" and outcome.messages:
            click.echo(f"unchanged {target.path}{where}")
            for message in outcome.messages:
                click.echo(f"    {message}")
        elif outcome.status == "failed":
            click.echo(f"{source}: not written: {outcome.messages[0]}", err=True)
    repeats = sum(len(t.contacts) - 1 for t in planned.targets if t.new)
    skipped = len(planned.skipped)
    read = f"{source}: {plural(planned.contacts, 'contact')} read"
    if counts["created"] == counts["changed"] == counts["failed"] == 0:
        summary = f"{read}; nothing to change — the vault already has everything in this file"
    else:
        if dry_run:
            parts = [f"{counts['created']} to create", f"{counts['changed']} to change"]
        else:
            parts = [f"{counts['created']} created", f"{counts['changed']} changed"]
        parts.append(f"{counts['unchanged']} already up to date")
        if counts["failed"]:
            parts.append(f"{counts['failed']} could not be written")
        summary = f"{read}; " + ", ".join(parts)
    if repeats:
        summary += f"; {plural(repeats, 'more row')} for people listed earlier in the file"
    if skipped:
        summary += f"; {skipped} skipped (see above)"
    click.echo(summary + ".")
    if dry_run:
        click.echo("Dry run: nothing was written.")
    if counts["failed"]:
        raise VaultnetError(f"{plural(counts['failed'], 'note')} could not be written (see above); the rest was imported")


def _import_command(kind: str, summary: str):
    @click.command(name=kind, help=summary)
    @click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
    @click.option("--dry-run", "-n", is_flag=True, help="Print what would be created or changed; write nothing.")
    @click.option("--tag", "tags", multiple=True, help="Tag everyone in the file with this too, e.g. --tag linkedin (repeatable).")
    @click.option("--cadence", type=DURATION, help="Cadence for the notes this import creates, e.g. 1y or none "
                  "(else they fall due by met + the default cadence).")
    @pass_app
    def command(app: App, file: str, dry_run: bool, tags: tuple[str, ...], cadence) -> None:
        _import(app, kind, file, dry_run, tags, cadence)

    return command


import_group.add_command(_import_command("linkedin", """Import LinkedIn's Connections.csv (Settings → Data privacy → Get a copy of your data).

\b
Connected On → met, URL → linkedin, Company → org, Position → role,
Email Address → email, and met_at: LinkedIn unless the note has a met_at.
"""))
import_group.add_command(_import_command("google", """Import a Google Contacts CSV export ("Google CSV"; the older column names work too).

\b
First/Last Name (or Given/Family Name), E-mail N - Value, Phone N - Value,
Organization Name/Title (or Organization 1 - Name/Title), Birthday, Nickname
(→ aliases), Labels (→ tags; system labels like * myContacts dropped), Notes
(→ a ## Notes section in a new note).
"""))
import_group.add_command(_import_command("vcard", """Import a vCard file (.vcf, version 3.0 or 4.0; several cards per file).

\b
FN/N, NICKNAME (→ aliases), ORG, TITLE (→ role), EMAIL, TEL, BDAY (yearless
--MMDD too), CATEGORIES (→ tags), NOTE (→ a ## Notes section in a new note).
"""))


@export_group.command(name="vcard")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), help="Write to FILE (default: standard output). An unchanged file is not rewritten.")
@click.option("--vdir", type=click.Path(file_okay=False), help="Instead, write one .vcf per person into this folder (a vdir, for khard or vdirsyncer).")
@pass_app
def export_vcard(app: App, output: str | None, vdir: str | None) -> None:
    """Everyone as vCard 4.0: names, emails, phones, org, role, birthday, tags, needs and offers.

    The output is deterministic and each card's UID is stable, so a synced
    address book updates cards instead of duplicating them.
    """
    if output and vdir:
        raise click.UsageError("give -o or --vdir, not both")
    people = app.vault().people
    if vdir:
        written, removed = vcard_export.write_vdir(Path(vdir), people, app.config.root)
        click.echo(f"{vdir}: {len(people)} cards; {written} written, {len(people) - written} unchanged, {removed} removed")
        return
    data = vcard_export.export(people)
    if not output or output == "-":
        click.echo(data, nl=False)  # bytes: written as they are, CRLF included
        return
    changed = replace_file(Path(output), data)
    click.echo(f"{output}: {plural(len(people), 'card')} {'written' if changed else 'unchanged, not rewritten'}")
