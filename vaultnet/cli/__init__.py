"""The ``vaultnet`` command: global options, and the commands loaded on demand.

Each command lives in a module of ``vaultnet.cli`` and is imported only when
it runs (or when ``--help`` lists it), so start-up stays fast however many
commands and libraries there are. To add a command, add one line to ``COMMANDS``.
"""

from __future__ import annotations

import importlib

import click

from .context import App, DATE
from ..model.errors import VaultnetError

COMMANDS = {
    "init": "vaultnet.cli.core:init",
    "add": "vaultnet.cli.core:add",
    "log": "vaultnet.cli.core:log",
    "helped": "vaultnet.cli.core:helped",
    "received": "vaultnet.cli.core:received",
    "snooze": "vaultnet.cli.core:snooze",
    "due": "vaultnet.cli.core:due",
    "show": "vaultnet.cli.core:show",
    "list": "vaultnet.cli.core:list_people",
    "build": "vaultnet.cli.build:build",
    "serve": "vaultnet.cli.build:serve",
    "import": "vaultnet.cli.transfer:import_group",
    "export": "vaultnet.cli.transfer:export_group",
    "check": "vaultnet.cli.check:check",
    "intro": "vaultnet.cli.connect:intro",
    "match": "vaultnet.cli.connect:match",
    "stats": "vaultnet.cli.connect:stats",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when used; VaultnetErrors become clean exits."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

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
