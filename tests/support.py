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


# --- Mermaid blocks, read back strictly -----------------------------------------------------------

# Hostile names for diagrams: each has broken some Markdown or Mermaid writer somewhere.
HOSTILE_NAMES = [
    'Ann "The Boss" Lee', "Bob [admin]", "Cy (ops) {x}", "Dee | Pipe", "Eve; drop", "Fay #tag #35;",
    "Gus `code`", "Hal --> Ivy", "end", "End", "Jo\nNewline", "<script>alert(1)</script>", "Kay &amp; Co",
    "Zoë Ångström", "李小龙", "Mia 🎉👩‍💻", "שלום עליכם", "مرحبا بك", "Ned\u202eevil\u202c", "Oz %% comment",
    "Pam :::cls", "Quin A-->B -.- C ==> D", "subgraph", "style n1 fill:red", "click n1 call alert()",
]

_LABEL = re.compile(r"(?:[^\W_]| |#\d+;)*")  # letters, digits, spaces and #NNN; codes only
_NODE = re.compile(r'    (n\d+)\["(' + _LABEL.pattern + r')"\](:::nonote)?')
_EDGE = re.compile(r"    (n\d+) (-->|-\.-) (n\d+)")
_CLASS = re.compile(r"    class (n\d+(?:,n\d+)*) internal-link")


def mermaid_blocks(text: str) -> list[list[str]]:
    """The lines inside every ```mermaid fence of a Markdown text; every fence must close."""
    blocks, current = [], None
    for line in text.split("\n"):
        if current is None and line == "```mermaid":
            current = []
        elif current is not None and line == "```":
            blocks.append(current)
            current = None
        elif current is not None:
            assert not line.startswith("```"), f"a fence inside a Mermaid block: {line!r}"
            current.append(line)
    assert current is None, "a Mermaid block is not closed"
    return blocks


def mermaid_text(label: str) -> str:
    """A Mermaid label with its ``#NNN;`` codes turned back into characters."""
    assert _LABEL.fullmatch(label), f"not escaped: {label!r}"
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)


def parse_flowchart(lines: list[str]) -> tuple[dict[str, str], list[tuple[str, str, str]], set[str]]:
    """A flowchart as vaultnet writes it: ``(labels by node id, edges, missing-note ids)``.

    Every line must be a node, an edge, the ``internal-link`` class line or the class
    definition; each node is defined once and before any edge; edges join defined nodes.
    """
    assert lines[0] == "flowchart LR", lines[0]
    labels: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    missing: set[str] = set()
    for line in lines[1:]:
        if node := _NODE.fullmatch(line):
            assert node[1] not in labels, f"node {node[1]} defined twice"
            assert not edges, "a node defined after the edges"
            labels[node[1]] = mermaid_text(node[2])
            if node[3]:
                missing.add(node[1])
        elif edge := _EDGE.fullmatch(line):
            assert edge[1] in labels and edge[3] in labels, line
            edges.append((edge[1], edge[2], edge[3]))
        elif linked := _CLASS.fullmatch(line):
            assert all(n in labels for n in linked[1].split(",")), line
        else:
            assert line == "    classDef nonote stroke-dasharray: 4 4", f"unexpected line {line!r}"
    assert list(labels) == [f"n{i}" for i in range(1, len(labels) + 1)], "ids are n1, n2, … in order"
    return labels, edges, missing


def fail_os_call(monkeypatch, name: str, error: OSError, nth: int | None = None, path_end: str | None = None) -> list[str]:
    """Make ``os.<name>`` (``replace``, ``unlink``) raise ``error`` on its ``nth`` call, or
    on a call whose path ends in ``path_end``; every other call goes through. Returns the
    list of paths it was called with (the destination for ``replace``), for the test to
    read. The patch is undone with the test's monkeypatch."""
    import os

    real = getattr(os, name)
    calls: list[str] = []

    def failing(*args, **kwargs):
        path = os.fspath(args[-1] if name == "replace" else args[0])
        calls.append(path)
        if (nth is not None and len(calls) == nth) or (path_end is not None and path.endswith(path_end)):
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, failing)
    return calls
