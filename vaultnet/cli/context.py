"""What every command shares: the vault (loaded once, on demand), today, and the option types.

``--help`` loads this module (the global ``--today`` option is a date), so what reading
a vault takes (the configuration file reader, the note loader, the roster, the name
resolver) is imported where ``App`` first needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import click

from ..model.dates import parse_date
from ..model.durations import parse_duration
from ..model.errors import NoteError, UsageProblem
from ..model.names import normalise
from .output import report_problems


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return parse_date(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class DurationType(click.ParamType):
    name = "DURATION"

    def convert(self, value, param, ctx):
        try:
            return parse_duration(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateType()
DURATION = DurationType()


@dataclass
class App:
    """Per-invocation state: the global options, and the vault once something asks for it."""

    vault_option: str | None = None
    today_option: date | None = None
    _vault: Any = field(default=None, repr=False)
    _config: Any = field(default=None, repr=False)

    @property
    def today(self) -> date:
        return self.today_option or date.today()

    @property
    def config(self):
        if self._config is None:
            from ..model.config import find_vault, load_config

            self._config = load_config(find_vault(self.vault_option))
        return self._config

    def vault(self, report: bool = True):
        """The loaded vault; problems with notes are printed on stderr once (read commands go on)."""
        if self._vault is None:
            from ..load.vault import load_vault

            self._vault = load_vault(self.config, self.today)
            if report:
                self._report(self._vault.problems)
        return self._vault

    def roster(self):
        """Everyone as ``roster.Brief`` records (name and follow-up facts only): what ``due``
        and ``list`` print, read from the store's roster when no note changed (see ``roster``).
        Problems with notes are printed on stderr, as by ``vault``."""
        from ..load import roster

        found = roster.load(self.config, self.today)
        self._report(found.problems)
        return found

    def wide(self, fields: tuple[str, ...]):
        """Everyone as ``wideroster.Wide`` records (the roster and the ``fields`` asked for:
        tags, emails, aliases, needs, offers, helped) with ``records`` for the few whole
        records a command shows, when the store holds them; else the vault loaded in full.
        Problems are printed as by ``vault``."""
        from ..load import wideroster

        found = wideroster.read(self.config, self.today, fields)
        if found is None:
            return self.vault()
        self._report(found.problems)
        return found

    def _report(self, problems) -> None:
        if not self.config.people_path.is_dir():
            click.echo(
                f"note: {self.config.people_path} does not exist; is this the vault? "
                "Pass --vault PATH, or make one with `vaultnet init`.",
                err=True,
            )
        report_problems(problems)

    def person(self, query: str):
        """The person a command line names (exit 2 if unknown or ambiguous).

        Problems of that person's note are shown; other notes' problems are not
        this command's business.
        """
        from ..derive.resolve import resolve

        vault = self.vault(report=False)
        try:
            person = resolve(vault.people, query)
        except UsageProblem:
            # A note that could not be read is nobody's match; name it rather than "no such person".
            wanted = normalise(query)
            broken = [p for p in vault.problems if p.fatal and wanted in normalise(p.path.rsplit("/", 1)[-1])]
            if broken:
                raise NoteError(broken[0].path, f"cannot be read, so it cannot be changed: {broken[0].message}", broken[0].line) from None
            skipped = [p for p in vault.skipped if wanted == normalise(p.path.rsplit("/", 1)[-1].removesuffix(".md"))]
            if skipped:
                raise UsageProblem(f"{skipped[0].path}: {skipped[0].message}; remove that marker if this is a person") from None
            raise
        report_problems([p for p in vault.problems if p.path == person.path])
        return person
