"""What several test files share: where the fixtures' files are, a probe of what a command
imports, khal driven on a feed, a GFM table row read as GitHub reads it, and a real
``serve`` on loopback. (The vault fixture itself is in ``conftest.py``.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
EXAMPLES = REPO / "examples"  # the example vault the README shows
BENCH = REPO / "bench"  # the benchmark's vault generator
DATA = TESTS / "data"  # export files of other programs, for the importers
HOSTILE = TESTS / "hostile"  # the hostile corpus: one small note per attack
KHAL = Path(sys.executable).with_name("khal")


# --- what a command imports, seen from a fresh interpreter ----------------------------------------

PROBE = textwrap.dedent("""\
    import json, sys
    argv = json.loads(sys.argv[1])
    if argv is None:
        import vaultnet.cli
    else:
        from vaultnet.cli import main
        try:
            main(argv, standalone_mode=True)
        except SystemExit:
            pass
    sys.stdout.flush()
    print("\\nMODULES " + json.dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
    print("\\nVAULTNET " + json.dumps(sorted(m for m in sys.modules if m.startswith("vaultnet."))), file=sys.stderr)
    """)


def imported_by(argv: list[str] | None, prefix: str = "MODULES ") -> set[str]:
    """The top-level packages (or, with ``prefix="VAULTNET "``, the vaultnet modules) loaded."""
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv)], capture_output=True, text=True, timeout=60)
    line = next(line for line in result.stderr.splitlines() if line.startswith(prefix))
    return set(json.loads(line[len(prefix):]))


# --- khal, a real calendar client, on a feed ---------------------------------------------------


def khal_config(tmp: Path, calendar_dir: Path) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    calendar_dir.mkdir(parents=True, exist_ok=True)
    config = tmp / "khal.conf"
    config.write_text(
        f"""[calendars]
[[followups]]
path = {calendar_dir}
type = calendar
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
default_timezone = UTC
local_timezone = UTC
[sqlite]
path = {tmp / 'khal.db'}
""",
        encoding="utf-8",
    )
    return config


def khal(config: Path, *args: str) -> str:
    done = subprocess.run(
        [str(KHAL), "-c", str(config), *args], capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "TZ": "UTC", "LC_ALL": "C.UTF-8"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in done.stderr.lower(), done.stderr
    return done.stdout


def khal_events(config: Path, start: str = "2026-11-23", end: str = "2027-11-22") -> list[tuple[str, str, str]]:
    out = khal(config, "list", "--format", "{start-date}|{title}|{uid}", "--day-format", "", start, end)
    return [tuple(line.split("|", 2)) for line in out.splitlines() if line.strip()]


# --- Markdown tables ------------------------------------------------------------------------------


def cells(row: str) -> list[str]:
    """A GFM table row split into cells the way GitHub does: on pipes not escaped by a backslash."""
    assert row.startswith("| ") and row.endswith(" |"), row
    return [c.strip() for c in re.split(r"(?<!\\)\|", row[1:-1])]


SERVE_TODAY = date(2026, 11, 23)


@contextmanager
def serving(vault, token: str | None = None, write: bool = True, **server_options):
    """A real server on an ephemeral loopback port, in a thread, always stopped; yields the
    port, the site and its log lines."""
    from vaultnet.model.config import load_config
    from vaultnet.serve import Site, make_server

    logs: list[str] = []
    site = Site(load_config(vault.root), today=lambda: SERVE_TODAY, write=write, token=token, log=logs.append)
    site.refresh()
    server = make_server(site, "127.0.0.1", 0, **server_options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], site, logs
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive()
