"""The commands that read: due, show, list.

Each one reads the vault (``due`` and a plain ``list`` only the roster), works out
what to show with ``vaultnet.derive`` and prints; none of them writes a note.
"""

from __future__ import annotations

from datetime import date

import click

from ..model.links import link_target
from ..derive.intros import show_dict, show_lines
from ..derive.resolve import people_matching
from ..derive.schedule import NEVER_CONTACTED, cadence_of, days_since, due_by, due_of, next_date
from ..derive.views import person_dict
from .context import DURATION, App
from .output import printable, table, to_json

pass_app = click.make_pass_decorator(App)


def _ago(day: date | None, today: date) -> str:
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


@click.command()
@click.argument("person")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def show(app: App, person: str, as_json: bool) -> None:
    """Everything about PERSON: facts, follow-up, needs and offers, the giving ledger, the log."""
    target = app.person(person)
    config, today = app.config, app.today
    if as_json:
        click.echo(to_json({
            **person_dict(target, config, today), **show_dict(app.vault(report=False).people, target),
            "mentions": [{"date": m.date, "note": m.note, "line": m.line, "text": m.text} for m in target.mentions],
        }))
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
    for line in show_lines(app.vault(report=False).people, target):
        click.echo(f"  {line}")
    if target.birthday:
        click.echo(f"  birthday: {target.birthday}")
    last = target.last_log
    mention = target.last_mention
    if mention is not None:
        click.echo(f"  last contact: {_ago(target.last_seen, today)} — mentioned in {printable(mention.note)}")
    else:
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
    if target.mentions:
        mentions = target.mentions
        click.echo(f"  mentioned ({len(mentions)}{', latest 10' if len(mentions) > 10 else ''}):")
        for m in mentions[:10]:
            click.echo(printable(f"    - {m.date.isoformat()} {m.note}:{m.line}: {m.text}"))


@click.command(name="list")
@click.argument("query", required=False)
@click.option("--tag", help="Only people with this tag.")
@click.option("--org", help="Only people whose org contains this.")
@click.option("--circle", help="Only people in this circle.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_people(app: App, query: str | None, tag: str | None, org: str | None, circle: str | None, as_json: bool) -> None:
    """Everyone, or those matching QUERY (words in the name, org, role, tags, needs, offers)."""
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
