"""``vaultnet build`` and ``vaultnet serve``: thin Click wrappers over ``vaultnet.pipeline`` and ``vaultnet.serve``."""

from __future__ import annotations

import click

from ..pipeline import build as run_build
from ..render.words import plural
from .context import App
from .output import Progress, report_problems, to_json

pass_app = click.make_pass_decorator(App)


@click.command()
@click.option("--strict", is_flag=True, help="Fail (exit 1, writing nothing) if any note has a problem.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.option("--force", is_flag=True, help="Read every note and render everything, even if nothing seems changed.")
@pass_app
def build(app: App, strict: bool, as_json: bool, force: bool) -> None:
    """Write the index notes (index_dir) and the follow-up calendar (calendar).

    Only files whose content changed are rewritten; with nothing changed, nothing
    is read but file metadata. Problems in notes are shown on stderr and those
    fields are left out; a note that cannot be read keeps its last good version
    in the outputs (or is left out) and the build exits 1. --strict turns any
    problem into a failure that writes nothing.
    """
    config = app.config
    with Progress("Reading notes") as progress:
        report = run_build(config, app.today, strict=strict, force=force, progress=None if as_json else progress)
    report_problems(report.problems)
    if as_json:
        click.echo(to_json(report.as_dict()))
    if report.failed:
        count = len(report.problems)
        raise click.ClickException(
            f"--strict: {plural(count, 'problem')} in notes (listed above); nothing was written"
        )
    if as_json:
        _exit_for_unread(report)
        return
    for rel in report.written:
        click.echo(f"wrote {rel}")
    if not report.written:
        click.echo(f"Nothing changed: {len(report.unchanged)} outputs already up to date ({report.people} people).")
    elif report.unchanged:
        click.echo(f"{len(report.unchanged)} unchanged ({report.people} people).")
    if report.skipped:
        count = len(report.skipped)
        click.echo(f"{count} {'note was' if count == 1 else 'notes were'} skipped for errors (see above).", err=True)
    if report.kept:
        count = len(report.kept)
        click.echo(
            f"{count} {'note' if count == 1 else 'notes'} could not be read; the outputs keep "
            f"{'its' if count == 1 else 'their'} last good version (see above).",
            err=True,
        )
    _exit_for_unread(report)


def _exit_for_unread(report) -> None:
    """A note left out of the outputs, or kept as it last read, fails the build (exit 1)
    after the outputs are written, so a git hook or CI job notices."""
    if report.skipped or report.kept:
        click.get_current_context().exit(1)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback unless told otherwise).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option(
    "--token",
    envvar="VAULTNET_TOKEN",
    help="Secret required as the first path segment (/TOKEN/followups.ics); without it every request gets 404. "
    "Default: $VAULTNET_TOKEN.",
)
@click.option("--no-write", is_flag=True, help="Keep the rebuilt outputs in memory; do not write them to the vault.")
@pass_app
def serve(app: App, host: str, port: int, token: str | None, no_write: bool) -> None:
    """Serve the calendar and index notes over HTTP, read-only, rebuilt when the vault changes.

    Subscribe a calendar app to the printed .ics URL. Stop with Ctrl-C.
    """
    from ..serve import Site, make_server, token_option, urls_for  # the HTTP server: `build` does without it

    token = token_option(token)
    pinned = app.today_option
    site = Site(app.config, today=(lambda: pinned) if pinned else None, write=not no_write, token=token)
    site.refresh()
    report_problems(site.problems)
    server = make_server(site, host, port)
    actual_host, actual_port = server.server_address[:2]
    click.echo(f"Serving {app.config.root} on http://{_host(actual_host)}:{actual_port}/ (Ctrl-C stops)")
    for url in urls_for(site, _host(actual_host), actual_port):
        click.echo(f"  {url}")
    if host not in ("127.0.0.1", "::1", "localhost") and not token:
        click.echo(
            f"warning: listening on {host} without --token: anyone who can reach this port can read your follow-ups",
            err=True,
        )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
