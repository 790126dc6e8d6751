"""The connector's views: match and stats.

Thin: each parses its arguments, calls ``vaultnet.derive.matching`` or
``vaultnet.derive.ledger``, and prints. (``intro``, which writes, is in ``record``.)
"""

from __future__ import annotations

import click

from ..derive.ledger import NO_CIRCLE, network_stats, stats_dict
from ..derive.network import network
from ..derive.matching import MIN_STRENGTH, PER_PERSON, suggest
from ..derive.schedule import due_of
from ..derive.views import archived_text
from ..model.errors import UsageProblem
from .context import App
from .complete import complete_person
from .output import bar_chart, printable, table, to_json

pass_app = click.make_pass_decorator(App)


@click.command()
@click.argument("person", required=False, shell_complete=complete_person)
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True, help="At most this many pairs (0: all).")
@click.option("--all", "include_introduced", is_flag=True, help="Also show pairs you already introduced, marked.")
@click.option(
    "--min-strength",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=None,
    help="Leave out matches weaker than this (0-1; default 0.2).",
)
@click.option(
    "--per-person",
    type=click.IntRange(min=0),
    default=PER_PERSON,
    show_default=True,
    help="In the overall list, at most this many pairs with the same person (0: no limit).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def match(
    app: App, person: str | None, limit: int, include_introduced: bool, min_strength: float | None, per_person: int, as_json: bool
) -> None:
    """Introductions worth making: one person's need met by another's offer.

    Needs and offers are compared word by word, whatever the spelling: case, punctuation,
    plurals, small words and word order do not matter, and a word many people
    offer counts for little. Strongest first; pairs you already introduced (a
    `helped` item linking one to the other) are left out unless --all. With
    PERSON, only pairs where that person needs or offers; without, nobody takes more
    than --per-person places, so one well-connected person does not fill the list.
    """
    vault = app.vault()
    focus = app.person(person) if person else None
    if focus is not None and focus.archived:
        raise UsageProblem(f"{focus.name} is left out of matching: {archived_text(focus, app.config)}")
    found = suggest(
        vault.people,
        focus=focus,
        limit=limit or None,
        include_introduced=include_introduced,
        threshold=min_strength if min_strength is not None else MIN_STRENGTH,
        per_person=per_person if limit else None,
    )
    if as_json:
        click.echo(to_json([_suggestion_dict(s) for s in found]))
        return
    if not found:
        active = [p for p in vault.people if not p.archived]
        if not any(p.needs for p in active) or not any(p.offers for p in active):
            click.echo("No matches: add `needs:` and `offers:` to people's notes, and run `vaultnet match` again.")
        else:
            click.echo("No need meets an offer" + (f" for {focus.name}" if focus else "") + " yet.")
        return
    for number, s in enumerate(found, 1):
        mark = "  [already introduced]" if s.introduced else ""
        click.echo(f"{number:>2}. {s.first.name} ↔ {s.second.name}  {s.grade} ({s.strength:.2f}){mark}")
        for m in s.matches:
            click.echo(f"    {m.needer.name} needs “{m.need}”")
            click.echo(f"      ← {m.offerer.name} offers “{m.offer}”  [{', '.join(m.shared)}; {m.grade} {m.strength:.2f}]")
    if limit and len(found) == limit:
        click.echo(f"The strongest {limit} shown; --limit 0 shows every match.")
    if not include_introduced:
        click.echo("Pairs already introduced are left out (--all shows them). To introduce: vaultnet intro A B --why …")


def _suggestion_dict(s) -> dict:
    return {
        "first": s.first.name,
        "first_path": s.first.path,
        "second": s.second.name,
        "second_path": s.second.path,
        "strength": round(s.strength, 4),
        "grade": s.grade,
        "introduced": s.introduced,
        "matches": [
            {
                "needer": m.needer.name,
                "need": m.need,
                "offerer": m.offerer.name,
                "offer": m.offer,
                "strength": round(m.strength, 4),
                "grade": m.grade,
                "shared": list(m.shared),
            }
            for m in s.matches
        ],
    }


@click.command()
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help="How many people in each ranking.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def stats(app: App, top: int, as_json: bool) -> None:
    """Network health at a glance: circles, who is overdue, recent contact, the giving balance, who has gone cold."""
    vault = app.vault()
    today = app.today
    dues = [due_of(p, vault.config, today) for p in vault.people]  # each person scheduled once, for both
    figures = network_stats(vault.people, vault.config, today, top=top, dues=dues)
    shape = network(vault.people, vault.config, today, dues=dues)
    if as_json:
        click.echo(to_json({**stats_dict(figures), **_network_dict(shape)}))
        return
    if not figures.total:
        if figures.archived:
            click.echo(f"Everyone is archived ({figures.archived}); `vaultnet list --all` lists them.")
        else:
            click.echo("The vault has no people yet: `vaultnet add NAME`.")
        return
    click.echo(f"People: {figures.total}" + (f" (archived, left out of these figures: {figures.archived})" if figures.archived else ""))
    click.echo("  " + " · ".join(f"{name if name != NO_CIRCLE else 'no circle'} {count}" for name, count in figures.circles))
    click.echo(f"Due now: {figures.due_now} (overdue: {figures.overdue}) — `vaultnet due` lists them")
    click.echo(
        f"Contacted in the last {figures.window_days} days: {figures.contacted_recently} of {figures.total}"
        f" ({figures.recent_share:.0%})"
    )
    net = figures.helped_total - figures.received_total
    click.echo(
        f"Giving: you helped {figures.helped_total} times, received help {figures.received_total} times"
        f" (balance {net:+d})"
    )
    for title, rows in (("You gave more to", figures.gave_more), ("They gave more to you", figures.received_more)):
        if rows:
            click.echo(f"  {title}:")
            for b in rows:
                click.echo(f"    {b.person.name}: helped {b.helped}, received {b.received} ({b.net:+d})")
    if figures.cold:
        click.echo("Gone cold longest:")
        click.echo(
            "\n".join(
                "  " + line
                for line in table(
                    [[c.person.name, c.last.isoformat(), f"{c.days}d ago"] for c in figures.cold],
                    ["Name", "Last contact", "Since"],
                ).splitlines()
            )
        )
    if figures.never_contacted:
        names = ", ".join(p.name for p in figures.never_contacted[:top])
        more = f" and {len(figures.never_contacted) - top} more" if len(figures.never_contacted) > top else ""
        click.echo(f"No contact logged yet: {len(figures.never_contacted)} ({names}{more})")
    _print_charts(shape)


def _print_charts(shape) -> None:
    """The charts of Index/Network.md as text bars: the same figures, for a terminal."""
    from ..render.indexnotes import month_label, week_label

    months = [month_label(m) for m in shape.months]
    click.echo("")
    click.echo("Contacts per month (days in touch: log lines and mentions):")
    for line in bar_chart([(m, [c]) for m, c in zip(months, shape.contacts)]):
        click.echo("  " + line)
    click.echo("People per circle:")
    for line in bar_chart([(printable(name) if name != NO_CIRCLE else "no circle", [count]) for name, count in shape.circles]):
        click.echo("  " + line)
    click.echo("Follow-ups by week (due | planned, at most follow_ups_per_day a day):")
    weeks = [("overdue", [shape.overdue, 0])] + [(week_label(i, w.start), [w.due, w.planned]) for i, w in enumerate(shape.weeks)]
    for line in bar_chart(weeks, width=12):
        click.echo("  " + line)
    click.echo("Giving per month (you helped | they helped you):")
    for line in bar_chart([(m, [h, r]) for m, h, r in zip(months, shape.helped, shape.received)], width=12):
        click.echo("  " + line)


def _network_dict(shape) -> dict:
    return {
        "per_month": [
            {"month": m.isoformat()[:7], "contacts": c, "helped": h, "received": r}
            for m, c, h, r in zip(shape.months, shape.contacts, shape.helped, shape.received)
        ],
        "due_by_week": [{"from": w.start, "to": w.end, "due": w.due, "planned": w.planned} for w in shape.weeks],
    }
