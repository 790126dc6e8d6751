"""The commands that write notes: init, add, log, helped, received, snooze, intro.

Each one parses its arguments, calls ``vaultnet.edit.actions`` and prints; none of them
touches a file directly.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..model.dates import parse_birthday, parse_date
from ..model.durations import parse_duration
from ..model.errors import UsageProblem
from ..model.links import field_link
from ..derive.resolve import find_people
from ..edit import actions
from ..edit.introduce import record_intro_outcome, record_introduction
from ..edit.vaultsetup import init_vault
from .context import DATE, DURATION, App
from .complete import complete_person
from .gitsync import register_git
from .output import printable

pass_app = click.make_pass_decorator(App)


def _words(text: tuple[str, ...]) -> str:
    return " ".join(text)


def _when(app: App, day: date | None) -> date:
    """The date of something that happened: --date or today, never the future.

    A future contact would push last_contact ahead and silence follow-ups until then;
    a planned meeting is a follow-up date (`snooze`), not a contact.
    """
    if day is not None and day > app.today:
        raise click.BadParameter(
            f"{day.isoformat()} is in the future; record things once they happened, or plan with `vaultnet snooze`",
            param_hint="--date",
        )
    return day or app.today


when_happened = _when  # shared with the other writing commands (cli/curate.py)


def no_vault_here(app: App) -> None:
    """Refuse to make notes where no vault is: no --vault or $VAULTNET_VAULT, no vaultnet.toml
    here or upwards, and no people folder here (a command would make one in a random folder)."""
    from ..model.config import CONFIG_NAME

    config = app.config
    if app.vault_option or (config.root / CONFIG_NAME).is_file() or config.people_path.is_dir():
        return
    raise UsageProblem(
        f"no vault here: no {CONFIG_NAME} in {config.root} or any folder above it, and no "
        f"{config.people_dir}/ folder. Make this folder a vault with `vaultnet init`, or name one "
        "with --vault PATH (or $VAULTNET_VAULT)."
    )


@click.command()
@click.argument("path", required=False, type=click.Path(file_okay=False))
@click.option("--no-git", is_flag=True, help="Do not register the merge driver in the git clone (see docs/git.md).")
@pass_app
def init(app: App, path: str | None, no_git: bool) -> None:
    """Make PATH (default: the vault, else here) a vault: a config, a people folder, a .gitignore entry.

    In a git work tree, also register vaultnet's merge driver (.gitattributes lines, and
    merge.vaultnet.* in this clone's config): run init once in every clone.
    Nothing that exists is overwritten.
    """
    root = Path(path or app.vault_option or ".").expanduser()
    init_vault(root, click.echo)
    if not no_git:
        register_git(root, click.echo)


@click.command()
@click.argument("name")
@click.option("--org", help="Where they work (a [[link]] is fine).")
@click.option("--role", help="What they do.")
@click.option("--email", multiple=True, help="An email address (repeatable).")
@click.option("--phone", multiple=True, help="A phone number (repeatable).")
@click.option("--alias", "aliases", multiple=True, help="Another name to find them by (repeatable).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--circle", help="inner, close, network, or a circle of your own.")
@click.option("--cadence", type=DURATION, help="How often to be in touch: 14d, 2w, 3m, 1y, or none.")
@click.option("--met", type=DATE, help="When you met (YYYY-MM-DD).")
@click.option("--met-at", help="Where you met.")
@click.option("--introduced-by", metavar="PERSON", help="Who introduced you (linked when they are in the vault).")
@click.option("--needs", multiple=True, help="Something they are looking for (repeatable).")
@click.option("--offers", multiple=True, help="Something they are good at or can give (repeatable).")
@click.option("--birthday", help="YYYY-MM-DD, or --MM-DD without the year.")
@click.option("--new-circle", is_flag=True, help="Accept a --circle no one is in yet and the config does not name.")
@click.option("--shared-email", is_flag=True, help="Accept an --email another person already has.")
@click.option("--force", is_flag=True, help="Add even when the vault holds a likely duplicate (see `vaultnet check`).")
@pass_app
def add(app: App, name: str, **options) -> None:
    """Add a person: a new note NAME.md in the people folder, from the person.md template.

    A likely duplicate (the same name ignoring case, accents, punctuation, emoji, titles
    and degrees; the same email; a name that is someone's alias) is refused, naming the
    note, unless --force.

    A NAME starting with '-' goes after `--`: vaultnet add -- "-Jane".
    """
    from ..edit.curate import check_circle, email_owners

    if not name.strip():
        raise click.BadParameter("the name is empty (only spaces); give the person's name, e.g. vaultnet add \"Jane Doe\"", param_hint="NAME")
    if options["met"] is not None and options["met"] > app.today:
        raise click.BadParameter(
            f"{options['met'].isoformat()} is in the future; record a meeting once it happened, or plan with `vaultnet snooze`",
            param_hint="--met",
        )
    no_vault_here(app)
    vault = app.vault(report=False)
    if options["circle"]:
        options["circle"] = check_circle(vault, options["circle"], options["new_circle"])
    if not (options["shared_email"] or options["force"]):
        for address in options["email"]:
            owners = email_owners(vault.people, address)
            if owners:
                who = ", ".join(f"{p.name} ({p.path})" for p in owners)
                raise UsageProblem(
                    f"{address} is already the email of {who}; the same person? "
                    "Use `vaultnet show` or edit that note; if both really share it, add --shared-email (or --force)"
                )
    if not options.pop("force"):  # an email accepted as shared is no sign of a duplicate
        _refuse_duplicate(vault.people, name, () if options["shared_email"] else options["email"], options["aliases"])
    fields: dict = {}
    if options["aliases"]:
        fields["aliases"] = list(options["aliases"])
    # A tag is written as Obsidian's front matter holds it: without the '#' of the tag in text.
    tags = [tag.strip().lstrip("#").strip() for tag in options["tags"]]
    if not all(tags):
        raise click.BadParameter("a tag needs a name after the '#', e.g. --tag vip", param_hint="--tag")
    if tags:
        fields["tags"] = tags
    for key in ("org", "role"):
        if options[key]:
            fields[key] = options[key]
    for key, option in (("email", "email"), ("phone", "phone")):
        values = list(options[option])
        if values:
            fields[key] = values[0] if len(values) == 1 else values
    if options["circle"]:
        fields["circle"] = options["circle"]
    if options["cadence"] is not None:
        fields["cadence"] = str(options["cadence"])
    if options["met"]:
        fields["met"] = options["met"]
    if options["met_at"]:
        fields["met_at"] = options["met_at"]
    introducer = options["introduced_by"]
    note = None
    if introducer:
        found = find_people(vault.people, introducer)
        if len(found) > 1:
            raise UsageProblem(f"--introduced-by '{introducer}' matches {', '.join(p.name for p in found)}; say which")
        if found:
            fields["introduced_by"] = field_link(vault.config, found[0])
        else:
            fields["introduced_by"] = introducer
            note = f"'{introducer}' is not in the vault; kept as plain text"
    if options["birthday"]:
        try:
            fields["birthday"] = str(parse_birthday(options["birthday"]))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--birthday") from None
    fields["needs"] = list(options["needs"]) or None
    fields["offers"] = list(options["offers"]) or None
    outcome = actions.add_person(vault, name, fields, app.today)
    click.echo(f"added {printable(outcome.path)}")
    for message in outcome.messages + ([note] if note else []):
        click.echo(f"  {message}")


def _refuse_duplicate(people, name: str, emails, aliases) -> None:
    from ..derive.duplicates import matches_for
    from ..model.names import normalise

    wanted = normalise(name)
    if any(wanted in {normalise(k) for k in (p.name, *p.aliases, p.stem)} for p in people):
        return  # the very same name: add_person refuses it, with or without --force
    found = matches_for(people, name, emails, aliases)
    if found:
        listed = "; ".join(f"{printable(p.name)} ({printable(p.path)}): {why}" for p, why in found[:5])
        raise UsageProblem(
            f"'{printable(name)}' is likely already in the vault: {listed}. "
            "Record on that note instead, or pass --force to add a second person"
        )


@click.command()
@click.argument("person", shell_complete=complete_person)
@click.argument("text", nargs=-1)
@click.option("--date", "day", type=DATE, help="When it happened (default: today).")
@click.option("--text", "shared_text", metavar="TEXT", help="What happened; then every argument is a person (one contact with several people).")
@pass_app
def log(app: App, person: str, text: tuple[str, ...], day: date | None, shared_text: str | None) -> None:
    """Record a contact with PERSON: a log line, and last_contact moved forward.

    TEXT is what happened, e.g. `coffee: talked about their fundraise`.
    A follow-up date on or before the contact is cleared.

    With --text, every argument is a person: `vaultnet log anna jose --text "robotics
    roundtable"` records the one contact on each note, all of them or none.
    """
    if shared_text is not None:
        from ..edit.curate import log_many

        day = _when(app, day)
        people = [(query, app.person(query)) for query in (person, *text)]
        outcome = log_many(app.config, people, shared_text, day)
        for _query, target in people:
            state = "" if target.path in outcome.changed else " (unchanged)"
            click.echo(f"logged {day.isoformat()} for {target.name} ({printable(target.path)}){state}")
        for message in outcome.messages:
            click.echo(f"  {message}")
        for _query, target in people:
            _archived_note(target)
        return
    if not text:
        raise click.UsageError(
            "Missing argument 'TEXT...': say what happened (or, for several people, name them and give --text TEXT)."
        )
    day = _when(app, day)
    target = app.person(person)
    outcome = actions.log_contact(app.config, target, _words(text), day)
    click.echo(f"logged {day.isoformat()} for {target.name} ({printable(outcome.path)})")
    for message in outcome.messages:
        click.echo(f"  {message}")
    _archived_note(target)


def _ledger_command(key: str, summary: str):
    @click.command(name=key, help=summary)
    @click.argument("person", shell_complete=complete_person)
    @click.argument("text", nargs=-1, required=True)
    @click.option("--date", "day", type=DATE, help="When (default: today).")
    @pass_app
    def command(app: App, person: str, text: tuple[str, ...], day: date | None) -> None:
        day = _when(app, day)
        target = app.person(person)
        outcome = actions.add_ledger_item(app.config, target, key, _words(text), day)
        click.echo(f"{key}: {target.name} ({printable(outcome.path)})")

    return command


helped = _ledger_command(
    "helped", "Record how you helped PERSON (the giving ledger): TEXT, dated --date or today."
)
received = _ledger_command("received", "Record how PERSON helped you: TEXT, dated --date or today.")


@click.command()
@click.argument("person", shell_complete=complete_person)
@click.argument("when", metavar="DATE|DURATION")
@pass_app
def snooze(app: App, person: str, when: str) -> None:
    """Set PERSON's next follow-up: a date (2026-12-24) or a time from today (2w, 3m).

    `clear` removes the follow-up date (the cadence applies again). A date in the past
    is refused: a contact that happened is recorded with `vaultnet log`.
    """
    if when.strip().lower() == "clear":
        target = app.person(person)
        outcome = actions.clear_follow_up(app.config, target)
        if outcome.changed:
            click.echo(f"{target.name}: follow-up {outcome.messages[0]} cleared; the cadence applies ({printable(outcome.path)})")
        else:
            click.echo(f"{target.name} has no follow-up date; nothing changed")
        return
    try:
        until = parse_date(when)
        if until < app.today:
            raise click.BadParameter(
                f"{until.isoformat()} is in the past; a follow-up is today or later. To record a contact "
                f"that happened then: vaultnet log {person} --date {until.isoformat()} TEXT",
                param_hint="DATE|DURATION",
            )
    except ValueError:
        try:
            duration = parse_duration(when)
        except ValueError:
            raise click.BadParameter(f"{when!r} is neither a date (YYYY-MM-DD) nor a duration (like 2w, 3m)", param_hint="DATE|DURATION") from None
        if duration.never:
            raise click.BadParameter(
                f"'{when}' is not a follow-up date. To stop following up with this person at all: "
                f"vaultnet set {person} cadence none; to drop a snoozed date: vaultnet snooze {person} clear",
                param_hint="DATE|DURATION",
            )
        until = duration.after(app.today)
    target = app.person(person)
    outcome = actions.snooze(app.config, target, until)
    if not outcome.changed:
        click.echo(f"{target.name}: next follow-up is already {until.isoformat()}; nothing changed")
    else:
        click.echo(f"{target.name}: next follow-up {until.isoformat()} ({printable(outcome.path)})")
    _archived_note(target)


def _unknown_introduction(app: App, a, b) -> None:
    """An outcome is of an introduction: when the notes record none between A and B, say so
    (it may predate the notes) and how to record it."""
    import shlex

    from ..derive.intros import build_graph

    pair = {a.path, b.path}
    for made in build_graph(app.vault(report=False).people).made:
        second = made.second.path if not isinstance(made.second, str) else None
        if {made.first.path, second} == pair:
            return
    click.echo(
        f"  note: the notes record no introduction of {a.name} and {b.name}; "
        f"to record it: vaultnet intro {shlex.quote(printable(a.name))} {shlex.quote(printable(b.name))} --date YYYY-MM-DD"
    )


def _archived_note(person) -> None:
    """A contact or a follow-up date does not bring an archived person back: say so."""
    if person.archived:
        click.echo(f"  {person.name} is archived, so never due; `vaultnet unarchive` to follow up again")


@click.command()
@click.argument("first", metavar="A", shell_complete=complete_person)
@click.argument("second", metavar="B", shell_complete=complete_person)
@click.option("--why", help="Why they should meet (kept in both notes).")
@click.option("--date", "day", type=DATE, help="When you introduced them (default: today).")
@click.option("--outcome", help="How an earlier introduction turned out (a Log line on both notes; no new helped item).")
@pass_app
def intro(app: App, first: str, second: str, why: str | None, day: date | None, outcome: str | None) -> None:
    """Record that you introduced A and B, on both notes.

    Each note gets a `helped` item (`DATE introduced to [[B]]: WHY`), a log line,
    and last_contact moved forward. Both notes are checked before either is
    written, and if the second cannot be written the first is put back.

    With --outcome, record instead how the introduction turned out: a Log line
    `intro outcome: [[B]]: OUTCOME` on both notes (`vaultnet plan` then stops
    asking whether it helped).
    """
    a = app.person(first)
    b = app.person(second)
    day = day or app.today
    if outcome is not None:
        if why is not None:
            raise UsageProblem("--why describes a new introduction and --outcome an earlier one: give one of them")
        done = record_intro_outcome(app.config, a, b, day, outcome)
        what = f"the outcome of introducing {a.name} and {b.name} on {day.isoformat()}"
        _report_pair(done, a, b, f"recorded {what}", what)
        if not done.already:
            _unknown_introduction(app, a, b)
        return
    done = record_introduction(app.config, a, b, day, why)
    _report_pair(done, a, b, f"introduced {a.name} and {b.name} on {day.isoformat()}", f"{a.name} and {b.name} introduced on {day.isoformat()}")


def _report_pair(done, a, b, headline: str, already: str) -> None:
    """What an edit of two notes (an introduction, its outcome) did to each."""
    if done.already:
        click.echo(f"already recorded: {already}; nothing changed")
        return
    click.echo(headline)
    for person in (a, b):
        state = "updated" if person.path in done.changed else "already recorded, unchanged"
        click.echo(f"  {person.path}: {state}")
    for message in done.messages:
        click.echo(f"  {message}")
