"""The plan command: the next days of planned follow-ups, with reasons to reach out.

Thin: it reads the vault (the wide roster when it can), asks ``vaultnet.derive.plan`` for the days, and prints.
"""

from __future__ import annotations

import click

from ..derive.plan import make_plan
from ..model.links import link_target
from .context import App
from .output import printable, to_json

pass_app = click.make_pass_decorator(App)


@click.command()
@click.option("--days", type=click.IntRange(1, 366), default=7, show_default=True, help="How many days ahead, today first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: each day's people with their reasons as data.")
@pass_app
def plan(app: App, days: int, as_json: bool) -> None:
    """The next DAYS days of follow-ups, each person with reasons to reach out, best first.

    People are planned as `due` shows them (at most follow_ups_per_day a day, in
    line). The reasons give rather than ask: an introduction to make, help to
    return, a new job, a birthday, an introduction to check on, a need to
    re-confirm or meet, a new contact to thank.
    """
    today = app.today
    # Everyone's schedule and needs and offers come from the store's roster; whole records
    # only for the people planned (``wideroster``). When the store cannot give them, the
    # vault is loaded in full.
    vault = app.wide(("aliases", "needs", "offers", "helped"))
    found = make_plan(vault.people, vault.config, today, days, getattr(vault, "records", None))
    if found is None:
        vault = app.vault(report=False)
        found = make_plan(vault.people, vault.config, today, days)
    if as_json:
        click.echo(to_json([
            {
                "date": day,
                "people": [
                    {
                        "name": p.due.person.name,
                        "path": p.due.person.path,
                        "due": p.due.date,
                        "days_overdue": p.due.days_overdue(today),
                        "org": link_target(p.due.person.org) if p.due.person.org else None,
                        "emails": list(p.person.emails),
                        "reasons": [r.as_dict() for r in p.reasons],
                    }
                    for p in people
                ],
            }
            for day, people in found
        ]))
        return
    if not any(people for _day, people in found):
        click.echo(f"Nobody is planned in the next {days} days. A good time to help someone anyway: try `vaultnet match`.")
        return
    for number, (day, people) in enumerate(found):
        label = "today" if number == 0 else ("tomorrow" if number == 1 else day.strftime("%A"))
        click.echo(click.style(f"{day.isoformat()} ({label})", bold=True) + ("" if people else "  nobody planned"))
        for p in people:
            overdue = p.due.days_overdue(today)
            when = f"{overdue}d overdue" if overdue > 0 else ("due today" if overdue == 0 else f"due {p.due.date.isoformat()}")
            if p.due.reason == "never contacted":
                when = "never contacted"
            click.echo(f"  {printable(p.due.person.name)}  ({when})")
            for reason in p.reasons:
                click.echo(f"    - {printable(reason.text)}")
