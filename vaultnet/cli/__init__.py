"""The ``vaultnet`` command: global options, and the table of commands.

``COMMANDS`` names each command's module and object and carries its one-line help,
so ``vaultnet --help`` lists every command without importing any of them; a command's
module is imported when that command runs (or shows its own help). To add a command,
add one line to ``COMMANDS``.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import click

from ..model.errors import VaultnetError
from .context import DATE, App


class Entry(NamedTuple):
    target: str  # "module:object"
    short_help: str


COMMANDS = {
    "init": Entry("vaultnet.cli.record:init", "Make a folder a vault: config, people folder, .gitignore."),
    "add": Entry("vaultnet.cli.record:add", "Add a person: a new note from the person.md template."),
    "log": Entry("vaultnet.cli.record:log", "Record a contact: a log line, last_contact moved forward."),
    "helped": Entry("vaultnet.cli.record:helped", "Record how you helped PERSON (the giving ledger)."),
    "received": Entry("vaultnet.cli.record:received", "Record how PERSON helped you."),
    "snooze": Entry("vaultnet.cli.record:snooze", "Set a person's next follow-up: a date or a time from today."),
    "due": Entry("vaultnet.cli.view:due", "Who is due for a follow-up, most overdue first."),
    "plan": Entry("vaultnet.cli.plan:plan", "The next days' follow-ups, each with reasons to reach out."),
    "show": Entry("vaultnet.cli.view:show", "Everything about one person, before you reach out."),
    "list": Entry("vaultnet.cli.view:list_people", "Everyone, or those matching a query, tag, org or circle."),
    "build": Entry("vaultnet.cli.build:build", "Write the index notes and the follow-up calendar."),
    "serve": Entry("vaultnet.cli.build:serve", "Serve the calendar and index notes over HTTP, for subscribing."),
    "import": Entry("vaultnet.cli.transfer:import_group", "Bring contacts in from LinkedIn, Google Contacts or vCard."),
    "export": Entry("vaultnet.cli.transfer:export_group", "Take everyone out as vCard 4.0."),
    "check": Entry("vaultnet.cli.check:check", "Lint the vault: each problem with its file, line and fix."),
    "intro": Entry("vaultnet.cli.record:intro", "Record that you introduced A and B, on both notes."),
    "match": Entry("vaultnet.cli.connect:match", "Suggest introductions: one person's need, another's offer."),
    "stats": Entry("vaultnet.cli.connect:stats", "Network health: circles, overdue, giving balance, gone cold."),
    "merge-driver": Entry("vaultnet.cli.mergedriver:merge_driver", "Git's merge driver for person notes (set up by init)."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when used; VaultnetErrors become clean exits."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        module, attr = entry.target.split(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from the table: no command module is imported."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry.short_help) for name, entry in COMMANDS.items()])

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except VaultnetError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--vault",
    envvar="VAULTNET_VAULT",
    type=click.Path(file_okay=False),
    help="The vault folder. Default: $VAULTNET_VAULT, else the nearest folder upwards with a vaultnet.toml, else here.",
)
@click.option("--today", type=DATE, help="Pin today's date (YYYY-MM-DD), for reproducible output.")
@click.version_option(package_name="vaultnet")
@click.pass_context
def main(ctx: click.Context, vault: str | None, today) -> None:
    """Keep your relationships alive, in plain Markdown.

    One note per person with the facts in YAML front matter: when you last
    spoke, how often you mean to, what they need and offer, how you helped.
    vaultnet records contacts and introductions, says who is due for a
    follow-up, and builds index notes and a calendar feed.
    """
    ctx.obj = App(vault_option=vault, today_option=today)
