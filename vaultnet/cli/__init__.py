"""The ``vaultnet`` command: global options, and the table of commands.

``COMMANDS`` names each command's module and object and carries its one-line help,
so ``vaultnet --help`` lists every command without importing any of them; a command's
module is imported when that command runs (or shows its own help). To add a command,
add one line to ``COMMANDS``.
"""

from __future__ import annotations

import importlib
import shlex
from typing import NamedTuple

import click

from ..model.errors import VaultnetError
from .context import DATE, App
from .output import ERROR_STYLE, colour_allowed


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
    "archive": Entry("vaultnet.cli.archive:archive", "Archive a person: out of due, the calendar, match and stats."),
    "unarchive": Entry("vaultnet.cli.archive:unarchive", "Bring an archived person back."),
    "set": Entry("vaultnet.cli.curate:set_field", "Set one field: circle, cadence, org, role, a date."),
    "unset": Entry("vaultnet.cli.curate:unset", "Remove one field from a person's note."),
    "need": Entry("vaultnet.cli.curate:need", "Add (or --remove) something a person is looking for now."),
    "offer": Entry("vaultnet.cli.curate:offer", "Add (or --remove) something a person can give."),
    "tag": Entry("vaultnet.cli.curate:tag", "Add (or --remove) a tag."),
    "alias": Entry("vaultnet.cli.curate:alias", "Add (or --remove) another name to find a person by."),
    "email": Entry("vaultnet.cli.curate:email", "Add (or --remove) an email address."),
    "phone": Entry("vaultnet.cli.curate:phone", "Add (or --remove) a phone number."),
    "met": Entry("vaultnet.cli.curate:met", "Record an event where you met several people."),
    "due": Entry("vaultnet.cli.view:due", "Who is due for a follow-up, most overdue first."),
    "plan": Entry("vaultnet.cli.plan:plan", "The next days' follow-ups, each with reasons to reach out."),
    "show": Entry("vaultnet.cli.view:show", "Everything about one person, before you reach out."),
    "edit": Entry("vaultnet.cli.editor:edit", "Open a person's note in $VISUAL or $EDITOR (or print its path)."),
    "list": Entry("vaultnet.cli.view:list_people", "Everyone, or those matching a query, tag, org or circle."),
    "build": Entry("vaultnet.cli.build:build", "Write the index notes and the follow-up calendar."),
    "serve": Entry("vaultnet.cli.build:serve", "Serve the calendar and index notes over HTTP, for subscribing."),
    "import": Entry("vaultnet.cli.transfer:import_group", "Bring contacts in from LinkedIn, Google Contacts or vCard."),
    "export": Entry("vaultnet.cli.transfer:export_group", "Take everyone out as vCard 4.0."),
    "check": Entry("vaultnet.cli.check:check", "Lint the vault: each problem with its file, line and fix."),
    "intro": Entry("vaultnet.cli.record:intro", "Record that you introduced A and B, on both notes."),
    "match": Entry("vaultnet.cli.connect:match", "Suggest introductions: one person's need, another's offer."),
    "stats": Entry("vaultnet.cli.connect:stats", "Network health: circles, overdue, giving balance, gone cold."),
    "rename": Entry("vaultnet.cli.identity:rename", "Rename a person: the note, its name, and every link to them."),
    "merge": Entry("vaultnet.cli.identity:merge", "Merge two notes of one person into one, links and all."),
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

    def shell_complete(self, ctx: click.Context, incomplete: str):
        """Command names from the table (no command module is imported), then the group's options."""
        from click.shell_completion import CompletionItem

        items = [CompletionItem(name, help=entry.short_help) for name, entry in COMMANDS.items() if name.startswith(incomplete)]
        return items + click.Command.shell_complete(self, ctx, incomplete)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from the table: no command module is imported."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry.short_help) for name, entry in COMMANDS.items()])

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except VaultnetError as exc:
            click.echo(click.style("Error", **ERROR_STYLE) + f": {exc}", err=True)
            ctx.exit(exc.exit_code)
        except click.NoSuchOption as exc:
            _dash_hint(exc, ctx.meta.get("vaultnet.argv", []))
            raise

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["vaultnet.argv"] = list(args)  # for the hint of _dash_hint, once Click has consumed them
        return super().parse_args(ctx, args)


def _dash_hint(exc: click.NoSuchOption, args: list[str]) -> None:
    """Add to "No such option" a hint for a value that starts with '-' (a name like "-Jane", a
    negative number): Click reads it as options, and `--` before it says it is not one."""
    value = next((a for a in args if a.startswith(exc.option_name) and a not in ("-h", "--help")), None)
    if value is None or exc.possibilities:
        return
    command = exc.ctx.info_name if exc.ctx is not None else None
    if command not in args:
        return
    words = args[args.index(command) : args.index(value)] + ["--"] + args[args.index(value) :]
    example = " ".join(shlex.quote(word) for word in words)
    exc.message += f"\nIf {value!r} is a value, not an option, put -- before it (options go before the --): vaultnet {example}"


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--vault",
    envvar="VAULTNET_VAULT",
    type=click.Path(file_okay=False),
    help="The vault folder. Default: $VAULTNET_VAULT, else the nearest folder upwards with a vaultnet.toml, else here.",
)
@click.option("--today", type=DATE, help="Pin today's date (YYYY-MM-DD), for reproducible output.")
@click.option(
    "--no-color",
    "no_color",
    is_flag=True,
    help="No colours, even on a terminal (as with NO_COLOR=1). Pipes never get colour.",
)
@click.version_option(package_name="vaultnet")
@click.pass_context
def main(ctx: click.Context, vault: str | None, today, no_color: bool) -> None:
    """Keep your relationships alive, in plain Markdown.

    One note per person with the facts in YAML front matter: when you last
    spoke, how often you mean to, what they need and offer, how you helped.
    vaultnet records contacts and introductions, says who is due for a
    follow-up, and builds index notes and a calendar feed.
    """
    if not colour_allowed(no_color):
        ctx.color = False
    ctx.obj = App(vault_option=vault, today_option=today)
