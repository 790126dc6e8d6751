"""The commands that read: due, show, list.

Each one reads the vault (``due`` and a plain ``list`` only the roster), works out
what to show with ``vaultnet.derive`` and prints; none of them writes a note.
"""

from __future__ import annotations

from datetime import date

import click

from ..derive.schedule import FIRST_FOLLOW_UP, HELP_ASK, NEVER_CONTACTED, cadence_of, days_since, due_of, met_text, next_date, planned_by
from .context import DURATION, App
from .output import due_style, printable, styles_kept, table, to_json

# ``due`` and ``list`` run many times a day: what only ``show``, a JSON listing or a link in
# a field needs (the link grammar, the introduction graph, the plan) is imported there.

pass_app = click.make_pass_decorator(App)


def _complete_person(ctx, param, incomplete):
    from .complete import complete_person

    return complete_person(ctx, param, incomplete)


def _link_target(text: str | None) -> str | None:
    """``links.link_target``, whose grammar is imported only for a text that can hold a link."""
    if text and "[" not in text:
        return text.strip() or None
    from ..model.links import link_target

    return link_target(text)


def _ago(day: date | None, today: date) -> str:
    days = days_since(day, today)
    if day is None:
        return "never"
    return f"{day.isoformat()} ({days}d ago)" if days >= 0 else f"{day.isoformat()} (in {-days}d)"


def people_matching(*args):
    """``resolve.people_matching``, imported when a filter asks for it."""
    from ..derive.resolve import people_matching

    return people_matching(*args)


def _check_filters(people, config, tag: str | None, circle: str | None) -> None:
    """When a filter found no one, refuse a circle or tag no one has (a typo, most likely)
    with the closest ones, rather than answering "no one" to a question never meant."""
    import difflib

    from ..model.errors import UsageProblem
    from ..model.names import normalise

    people = list(people)
    if circle and not people_matching(people, None, None, circle, None) and normalise(circle) not in {
        normalise(c) for c in config.circles
    }:
        known = sorted({*config.circles, *(p.circle for p in people if p.circle)})
        close = difflib.get_close_matches(circle, known, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise UsageProblem(f"no one is in the circle '{circle}'.{hint} Circles: {', '.join(known) or 'none yet'}")
    if tag and not people_matching(people, tag, None, None, None):
        known = sorted({t for p in people for t in p.tags})
        close = difflib.get_close_matches(tag.lstrip("#"), known, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise UsageProblem(f"no one has the tag '{tag}'.{hint}")


def _relative(day: date, today: date) -> str:
    days = (day - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"{day.isoformat()} (in {days}d)" if days > 0 else f"{day.isoformat()} ({-days}d ago)"


@click.command()
@click.option("--within", type=DURATION, default="0d", show_default=True, help="Also list who falls due within this time.")
@click.option("--circle", help="Only people in this circle.")
@click.option("--tag", help="Only people with this tag (or a tag nested under it: people finds people/friend).")
@click.option("--limit", type=click.IntRange(min=0), default=0, help="At most this many people, first in line first (0: all).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with each person's emails, org and planned day).")
@pass_app
def due(app: App, within, circle: str | None, tag: str | None, limit: int, as_json: bool) -> None:
    """Who is due for a follow-up, in line: most overdue first, each on the day planned for them.

    With follow_ups_per_day (default 5) a backlog is spread over the days ahead, so
    each person shows the day the plan puts them on; everyone due is listed.
    """
    # The roster holds names and follow-up facts; a tag filter and the JSON also read tags
    # and emails, which the wide roster holds.
    vault = app.wide(("tags", "emails") if as_json else ("tags",)) if (tag or as_json) else app.roster()
    today = app.today
    dues = planned_by(vault.people, vault.config, today, within)
    if tag or circle:
        wanted = {p.path for p in people_matching([d.person for d in dues], tag, None, circle, None)}
        dues = [d for d in dues if d.person.path in wanted]
    if not dues and (tag or circle):
        _check_filters(vault.people, vault.config, tag, circle)
    total = len(dues)
    if limit:
        dues = dues[:limit]
    if as_json:
        click.echo(to_json([
            {
                "name": d.person.name,
                "path": d.person.path,
                "due": d.date,
                "planned": d.planned,
                "days_overdue": d.days_overdue(today),
                "reason": d.reason,
                "cadence": d.cadence,
                "last_contact": d.person.last_seen,
                "circle": d.person.circle,
                "org": _link_target(d.person.org) if d.person.org else None,
                "emails": list(d.person.emails),
                "tags": list(d.person.tags),
            }
            for d in dues
        ]))
        return
    if not dues:
        if tag or circle:
            click.echo("Nobody due matches.")
        else:
            click.echo("Nobody is due. A good day to help someone anyway: try `vaultnet match`.")
        return
    rows = []
    styles = {}
    styled = styles_kept()
    # Many people share a planned day, a day of last contact, a reason: each is spelled once.
    planned: dict = {}
    contacted: dict = {None: "never"}
    reasons: dict = {}
    whens: dict = {}
    for d in dues:
        days = (today - d.date).days  # Due.days_overdue
        when = whens.get(days)
        if when is None:
            when = whens[days] = "today" if days == 0 else (f"{days}d overdue" if days > 0 else f"in {-days}d")
        if d.reason == FIRST_FOLLOW_UP:
            reason = f"{met_text(d.person)}: {HELP_ASK}"
        else:
            # By the cadence's identity, not its value: a Duration hashes in Python, and the
            # people share a few cadence objects, each alive until the command ends.
            key = (d.reason, id(d.cadence))
            reason = reasons.get(key)
            if reason is None:
                reason = reasons[key] = {
                    "follow_up": "follow-up date", "cadence": f"every {d.cadence}"
                }.get(d.reason, NEVER_CONTACTED)
        if styled:
            styles[(len(rows), 1)] = due_style(days)
        day, seen = d.planned or d.date, d.person.last_seen  # Due.day
        on = planned.get(day)
        if on is None:
            on = planned[day] = _relative(day, today)
        last = contacted.get(seen)
        if last is None:
            last = contacted[seen] = _ago(seen, today)
        rows.append([d.person.name, when, on, last, reason])
    click.echo(table(rows, ["Name", "Due", "Planned", "Last contact", "Why"], styles))
    if limit and total > limit:
        click.echo(f"The first {limit} of {total} shown; --limit 0 shows everyone.")


@click.command()
@click.argument("person", shell_complete=_complete_person)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def show(app: App, person: str, as_json: bool) -> None:
    """Everything about PERSON: facts, follow-up, needs and offers, the giving ledger, the log."""
    from ..derive.intros import show_dict, show_lines
    from ..derive.plan import stale_needs
    from ..derive.views import archived_text, in_archive_folder, person_dict
    from ..model.person import dated_need

    target = app.person(person)
    config, today = app.config, app.today
    from .editor import obsidian_url

    url = obsidian_url(config.root, target.path)
    if as_json:
        found = {**person_dict(target, config, today), **show_dict(app.vault(report=False).people, target)}
        stale = stale_needs(target, config, today)
        if stale:  # only when there is something to re-confirm: the JSON of other notes stays as it was
            found["needs_to_confirm"] = [{"need": what, "confirmed": day} for day, what in stale]
        found["mentions"] = [{"date": m.date, "note": m.note, "line": m.line, "text": m.text} for m in target.mentions]
        if url:
            found["obsidian_url"] = url
        click.echo(to_json(found))
        return
    click.echo(click.style(target.name, bold=True) + f"  ({printable(target.path)})" + ("  [archived]" if target.archived else ""))
    if url:
        click.echo(f"  {url}")
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
    if target.archived:
        text = archived_text(target, config)
        folder = target.archived is True and in_archive_folder(target, config)
        back = "move the note out of it to bring them back" if folder else "`vaultnet unarchive` brings them back"
        click.echo(f"  next follow-up: none ({text}; {back})")
    elif d:
        click.echo("  next follow-up: " + click.style(f"{d.date.isoformat()} — {d.describe(today)}", **due_style(d.days_overdue(today))))
    else:
        click.echo(f"  next follow-up: none (cadence {cadence_of(target, config)})")
    stale = {what: day for day, what in stale_needs(target, config, today)}
    for label, values in (("needs", target.needs), ("offers", target.offers)):
        if values:
            click.echo(f"  {label}:")
            for value in values:
                day, what = dated_need(value) if label == "needs" else (None, value)
                if day is None:
                    click.echo(f"    - {value}")
                elif what in stale:
                    click.echo(f"    - {what}  (confirmed {day.isoformat()}: still needed? re-confirm)")
                else:
                    click.echo(f"    - {what}  (confirmed {day.isoformat()})")
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
@click.option("--all", "show_all", is_flag=True, help="Archived people too (hidden otherwise).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_people(
    app: App, query: str | None, tag: str | None, org: str | None, circle: str | None, show_all: bool, as_json: bool
) -> None:
    """Everyone, or those matching QUERY (words in the name, org, role, tags, needs, offers).

    Archived people are left out unless --all; the last line says how many.
    """
    # The roster (names and follow-up facts) is all a plain listing shows; a filter looks at
    # tags, needs, offers and more, and --json prints everything: those read whole records.
    vault = app.vault() if (query or tag or org or circle or as_json) else app.roster()
    today = app.today
    filtered = query or tag or org or circle
    people = people_matching(vault.people, tag, org, circle, query) if filtered else vault.people
    if not people and (tag or circle):
        _check_filters(vault.people, vault.config, tag, circle)
    hidden = 0
    if not show_all:
        shown = [p for p in people if not p.archived]
        hidden, people = len(people) - len(shown), shown
    if as_json:
        from ..derive.views import person_dict

        click.echo(to_json([person_dict(p, vault.config, today) for p in people]))
        return
    note = f"{hidden} archived not shown: `vaultnet list --all`" if hidden else ""
    if not people:
        if note:
            click.echo(f"No one to list ({note}).")
        else:
            click.echo("No one matches." if (query or tag or org or circle) else "The vault has no people yet: `vaultnet add NAME`.")
        return
    rows = []
    styles = {}
    styled = styles_kept()
    orgs: dict[str | None, str] = {}  # many people share an org: read each link once
    days: dict = {None: None}  # many people share a day: each is spelled once
    sums: dict = {}  # and a cadence from the same day: each due date is worked out once
    for person in people:
        org = orgs.get(person.org)
        if org is None:
            org = orgs[person.org] = _link_target(person.org) or ""
        due = next_date(person, vault.config, today, sums)
        if styled and due is not None and due <= today:
            styles[(len(rows), 4)] = due_style((today - due).days)
        seen, next_day = days.get(person.last_seen, days), days.get(due, days)
        if seen is days:
            seen = days[person.last_seen] = person.last_seen.isoformat()
        if next_day is days:
            next_day = days[due] = due.isoformat()
        rows.append([
            person.name,
            org,
            person.circle or "",
            seen or "never",
            next_day or ("archived" if person.archived else "-"),
        ])
    click.echo(table(rows, ["Name", "Org", "Circle", "Last contact", "Next"], styles))
    click.echo(f"{len(people)} {'person' if len(people) == 1 else 'people'}" + (f" ({note})" if note else ""))
