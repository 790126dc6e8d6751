"""``vaultnet check``: lint the vault; a thin wrapper over ``vaultnet.derive.lint``.

Exit codes: 0 when no errors were found (warnings may be listed), 1 when there
are errors (or warnings, with ``--strict``), 2 for a usage error. Findings go to
stdout, since they are this command's output.
"""

from __future__ import annotations

import click

from ..derive.lint import ERROR, INFO, WARNING, config_layout, lint, missing_people_folder, scan, vault_note_stems, with_half_done_intros
from ..render.words import plural
from .context import App
from .output import printable, to_json

pass_app = click.make_pass_decorator(App)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@pass_app
def check(app: App, as_json: bool, strict: bool) -> None:
    """Check every person note: YAML, field types, dates and cadences, duplicate people,
    [[links]] to nobody, git conflict markers, file names that collide on macOS/Windows.

    Each finding names the file (and line or field) and how to fix it. Exit status:
    0 no errors (warnings may be shown), 1 errors found (or warnings with --strict).
    Notes that say they are not a person (`vaultnet: ignore`, `type: template`) and
    needs confirmed longer ago than needs_confirm_after are listed as info, never an
    error. Nothing is written.
    """
    config = app.config
    vault = app.vault(report=False)
    files = scan(config)
    findings = config_layout(config) + missing_people_folder(config) + with_half_done_intros(
        lint(vault, files, app.today, vault_note_stems(config)), vault, files
    )
    errors = sum(1 for f in findings if f.severity == ERROR)
    warnings = sum(1 for f in findings if f.severity == WARNING)
    left_out = sum(1 for f in findings if f.code == "not-a-person")
    to_confirm = sum(1 for f in findings if f.code == "need-to-confirm")
    notes = sum(1 for f in files if f.kind == "note")
    if as_json:
        click.echo(to_json({
            "notes": notes,
            "errors": errors,
            "warnings": warnings,
            "findings": [f.as_dict() for f in findings],
        }))
    else:
        _print(findings)
        affected = len({f.path for f in findings if f.severity != INFO})
        notes_left = [f"{plural(left_out, 'note')} not a person, left out"] if left_out else []
        notes_left += [f"{plural(to_confirm, 'need')} to re-confirm"] if to_confirm else []
        left_out = f" ({'; '.join(notes_left)}.)" if notes_left else ""
        if errors or warnings:
            where = f" in {affected} of {plural(notes, 'file')}" if notes else ""
            click.echo(f"{plural(errors, 'error')}, {plural(warnings, 'warning')}{where}.{left_out}")
        else:
            click.echo(f"All {plural(notes, 'note')} look fine.{left_out}")
    if errors or (strict and warnings):
        click.get_current_context().exit(1)


def _print(findings) -> None:
    current = None
    for finding in findings:
        if finding.path != current:
            if current is not None:
                click.echo("")
            click.echo(click.style(printable(finding.path), bold=True))
            current = finding.path
        where = []
        if finding.line:
            where.append(f"line {finding.line}")
        if finding.field:
            where.append(f"field '{finding.field}'")
        colour = {"error": "red", "warning": "yellow"}.get(finding.severity, "cyan")
        label = click.style(finding.severity, fg=colour)
        click.echo(f"  {label}: " + printable(f"{', '.join(where) + ': ' if where else ''}{finding.message} [{finding.code}]"))
        click.echo("    fix: " + printable(finding.fix))
    if findings:
        click.echo("")
