"""The everyday commands: init, add, log, helped, received, snooze, due, show, list.

Each one parses its arguments, calls ``vaultnet.actions`` or the derived views,
and prints; none of them touches a file directly.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from .context import DATE, DURATION, App, printable, table, to_json
from ..model.dates import parse_date
from ..model.durations import parse_duration

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


@click.command(short_help="Make a folder a vault: config, people folder, .gitignore.")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@pass_app
def init(app: App, path: str | None) -> None:
    """Make PATH (default: the vault, else here) a vault: a config, a people folder, a .gitignore entry.

    Nothing that exists is overwritten.
    """
    from ..model.config import CONFIG_NAME, config_template, load_config

    root = Path(path or app.vault_option or ".").expanduser()
    root.mkdir(parents=True, exist_ok=True)
    config_file = root / CONFIG_NAME
    if config_file.exists():
        click.echo(f"{config_file}: exists, left as it is")
    else:
        config_file.write_text(config_template(), encoding="utf-8")
        click.echo(f"{config_file}: created")
    config = load_config(root.resolve())
    for folder in (config.people_path,):
        if folder.is_dir():
            click.echo(f"{folder}: exists")
        else:
            folder.mkdir(parents=True)
            click.echo(f"{folder}: created")
    ignore = root / ".gitignore"
    lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
    wanted = [".vaultnet/cache/", ".*.vaultnet-tmp"]
    missing = [w for w in wanted if w not in lines]
    if missing:
        with ignore.open("a", encoding="utf-8") as handle:
            if lines and lines[-1].strip():
                handle.write("\n")
            handle.write("# vaultnet's cache and in-flight temporary files\n" + "\n".join(missing) + "\n")
        click.echo(f"{ignore}: ignores {', '.join(missing)}")


@click.command(short_help="Add a person: a new note from the person.md template.")
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
@pass_app
def add(app: App, name: str, **options) -> None:
    """Add a person: a new note NAME.md in the people folder, from the person.md template."""
    from ..model.dates import parse_birthday
    from ..model.errors import UsageProblem
    from ..model.links import field_link
    from ..derive.resolve import find_people

    vault = app.vault(report=False)
    fields: dict = {}
    for key in ("aliases", "tags"):
        if options[key]:
            fields[key] = list(options[key])
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
    from ..edit import actions  # here, not at the top: --help must not import the YAML editor
    outcome = actions.add_person(vault, name, fields, app.today)
    click.echo(f"added {printable(outcome.path)}")
    for message in outcome.messages + ([note] if note else []):
        click.echo(f"  {message}")


@click.command(short_help="Record a contact: a log line, last_contact moved forward.")
@click.argument("person")
@click.argument("text", nargs=-1, required=True)
@click.option("--date", "day", type=DATE, help="When it happened (default: today).")
@pass_app
def log(app: App, person: str, text: tuple[str, ...], day: date | None) -> None:
    """Record a contact with PERSON: a log line, and last_contact moved forward.

    TEXT is what happened, e.g. `coffee: talked about their fundraise`.
    A follow-up date on or before the contact is cleared.
    """
    day = _when(app, day)
    target = app.person(person)
    from ..edit import actions  # here, not at the top: --help must not import the YAML editor
    outcome = actions.log_contact(app.config, target, _words(text), day)
    click.echo(f"logged {day.isoformat()} for {target.name} ({printable(outcome.path)})")
    for message in outcome.messages:
        click.echo(f"  {message}")


def _ledger_command(key: str, summary: str):
    @click.command(name=key, help=summary, short_help=summary.split(":")[0] + ".")
    @click.argument("person")
    @click.argument("text", nargs=-1, required=True)
    @click.option("--date", "day", type=DATE, help="When (default: today).")
    @pass_app
    def command(app: App, person: str, text: tuple[str, ...], day: date | None) -> None:
        day = _when(app, day)
        target = app.person(person)
        from ..edit import actions  # here, not at the top: --help must not import the YAML editor
        outcome = actions.add_ledger_item(app.config, target, key, _words(text), day)
        click.echo(f"{key}: {target.name} ({printable(outcome.path)})")

    return command


helped = _ledger_command(
    "helped", "Record how you helped PERSON (the giving ledger): TEXT, dated --date or today."
)
received = _ledger_command("received", "Record how PERSON helped you: TEXT, dated --date or today.")


@click.command(short_help="Set a person's next follow-up: a date or a time from today.")
@click.argument("person")
@click.argument("when", metavar="DATE|DURATION")
@pass_app
def snooze(app: App, person: str, when: str) -> None:
    """Set PERSON's next follow-up: a date (2026-12-24) or a time from today (2w, 3m)."""
    try:
        until = parse_date(when)
    except ValueError:
        try:
            duration = parse_duration(when)
        except ValueError:
            raise click.BadParameter(f"{when!r} is neither a date (YYYY-MM-DD) nor a duration (like 2w, 3m)", param_hint="DATE|DURATION") from None
        if duration.never:
            raise click.BadParameter("to stop following up, set `cadence: none` in the note", param_hint="DATE|DURATION")
        until = duration.after(app.today)
    target = app.person(person)
    from ..edit import actions  # here, not at the top: --help must not import the YAML editor
    outcome = actions.snooze(app.config, target, until)
    click.echo(f"{target.name}: next follow-up {until.isoformat()} ({printable(outcome.path)})")


def _ago(day: date | None, today: date) -> str:
    from ..derive.schedule import days_since

    days = days_since(day, today)
    if day is None:
        return "never"
    return f"{day.isoformat()} ({days}d ago)" if days >= 0 else f"{day.isoformat()} (in {-days}d)"


@click.command()
@click.option("--within", type=DURATION, default="0d", show_default=True, help="Also list who falls due within this time.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def due(app: App, within, as_json: bool) -> None:
    """Who is due for a follow-up, most overdue first."""
    from ..derive.schedule import NEVER_CONTACTED, due_by  # here, not at the top: --help stays light

    vault = app.roster()
    today = app.today
    dues = due_by(vault.people, vault.config, today, within)
    if as_json:
        click.echo(to_json([
            {
                "name": d.person.name,
                "path": d.person.path,
                "due": d.date,
                "days_overdue": d.days_overdue(today),
                "reason": d.reason,
                "cadence": d.cadence,
                "last_contact": d.person.last_seen,
            }
            for d in dues
        ]))
        return
    if not dues:
        click.echo("Nobody is due. A good day to help someone anyway: try `vaultnet match`.")
        return
    rows = []
    for d in dues:
        days = d.days_overdue(today)
        when = "today" if days == 0 else (f"{days}d overdue" if days > 0 else f"in {-days}d")
        reason = {"follow_up": "follow-up date", "cadence": f"every {d.cadence}"}.get(d.reason, NEVER_CONTACTED)
        rows.append([d.person.name, when, _ago(d.person.last_seen, today) if d.person.last_seen else "never", reason])
    click.echo(table(rows, ["Name", "Due", "Last contact", "Why"]))


@click.command(short_help="Everything about one person, before you reach out.")
@click.argument("person")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def show(app: App, person: str, as_json: bool) -> None:
    """Everything about PERSON: facts, follow-up, needs and offers, the giving ledger, the log."""
    from ..derive.schedule import cadence_of, due_of  # here, not at the top: --help stays light
    from ..derive.views import person_dict

    target = app.person(person)
    config, today = app.config, app.today
    if as_json:
        from ..derive.intros import show_dict  # the introduction graph, as in the text below

        click.echo(to_json({**person_dict(target, config, today), **show_dict(app.vault(report=False).people, target)}))
        return
    click.echo(click.style(target.name, bold=True) + f"  ({printable(target.path)})")
    facts = [f"{label}: {value}" for label, value in (("org", target.org), ("role", target.role), ("circle", target.circle)) if value]
    if facts:
        click.echo("  " + " · ".join(facts))
    for label, values in (("aliases", target.aliases), ("tags", target.tags), ("email", target.emails), ("phone", target.phones)):
        if values:
            click.echo(f"  {label}: {', '.join(values)}")
    if target.met or target.met_at:
        click.echo(f"  met: {' at '.join(x for x in (target.met.isoformat() if target.met else None, target.met_at) if x)}")
    if target.introduced_by:
        click.echo(f"  introduced by: {target.introduced_by}")
    from ..derive.intros import show_lines  # the introduction graph: chain, whom they brought in, intros made

    for line in show_lines(app.vault(report=False).people, target):
        click.echo(f"  {line}")
    if target.birthday:
        click.echo(f"  birthday: {target.birthday}")
    last = target.last_log
    click.echo(f"  last contact: {_ago(target.last_seen, today)}" + (f" — {last.text}" if last and last.date == target.last_seen and last.text else ""))
    d = due_of(target, config, today)
    click.echo(f"  next follow-up: {d.date.isoformat()} — {d.describe(today)}" if d else f"  next follow-up: none (cadence {cadence_of(target, config)})")
    for label, values in (("needs", target.needs), ("offers", target.offers)):
        if values:
            click.echo(f"  {label}:")
            for value in values:
                click.echo(f"    - {value}")
    for label, entries in (("helped them", target.helped), ("they helped you", target.received)):
        if entries:
            click.echo(f"  {label} ({len(entries)}):")
            for entry in entries:
                click.echo(f"    - {entry}")
    for key, value in target.extra:
        click.echo(f"  {key}: {value}")
    if target.log:
        shown = target.log[-10:] if target.log[0].date <= target.log[-1].date else target.log[:10]
        click.echo(f"  log ({len(target.log)}{', latest 10' if len(target.log) > 10 else ''}):")
        for entry in shown:
            click.echo(f"    - {entry}")


@click.command(name="list", short_help="Everyone, or those matching a query, tag, org or circle.")
@click.argument("query", required=False)
@click.option("--tag", help="Only people with this tag.")
@click.option("--org", help="Only people whose org contains this.")
@click.option("--circle", help="Only people in this circle.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_people(app: App, query: str | None, tag: str | None, org: str | None, circle: str | None, as_json: bool) -> None:
    """Everyone, or those matching QUERY (words in the name, org, role, tags, needs, offers)."""
    from ..model.links import link_target
    from ..derive.resolve import people_matching  # not from actions, which imports the YAML editor
    from ..derive.schedule import next_date  # here, not at the top: --help stays light
    from ..derive.views import person_dict

    # The roster (names and follow-up facts) is all a plain listing shows; a filter looks at
    # tags, needs, offers and more, and --json prints everything: those read whole records.
    vault = app.vault() if (query or tag or org or circle or as_json) else app.roster()
    today = app.today
    people = people_matching(vault.people, tag, org, circle, query)
    if as_json:
        click.echo(to_json([person_dict(p, vault.config, today) for p in people]))
        return
    if not people:
        click.echo("No one matches." if (query or tag or org or circle) else "The vault has no people yet: `vaultnet add NAME`.")
        return
    rows = []
    orgs: dict[str | None, str] = {}  # many people share an org: read each link once
    for person in people:
        org = orgs.get(person.org)
        if org is None:
            org = orgs[person.org] = link_target(person.org) or ""
        due = next_date(person, vault.config, today)
        rows.append([
            person.name,
            org,
            person.circle or "",
            person.last_seen.isoformat() if person.last_seen else "never",
            due.isoformat() if due else "-",
        ])
    click.echo(table(rows, ["Name", "Org", "Circle", "Last contact", "Next"]))
    click.echo(f"{len(people)} {'person' if len(people) == 1 else 'people'}")
