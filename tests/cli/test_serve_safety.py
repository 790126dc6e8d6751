"""`vaultnet serve` under hostile clients and broken inputs, on loopback only.

Idle or trickling connections, control characters and token spellings in the request
line, clients that hang up, templates that raise something other than a template error,
an empty $VAULTNET_TOKEN, and a vault the server cannot write to. Every server here
listens on 127.0.0.1 and every wait is bounded.
"""

from __future__ import annotations

import http.client
import os
import resource
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from vaultnet.model.config import load_config
from vaultnet.model.errors import VaultnetError
from vaultnet.serve import Site

from tests.support import serving

TODAY = date(2026, 11, 23)
VAULTNET = Path(sys.executable).with_name("vaultnet")
NOBODY = 65534


def people(vault) -> None:
    vault.write("Ann Alpha", "---\ncircle: close\nlast_contact: 2026-10-01\n---\n")
    vault.write("Bob Beta", "---\nfollow_up: 2026-11-25\n---\n")


def request(port: int, path: str, timeout: float = 10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def raw(port: int, data: bytes) -> bytes:
    """Send raw bytes, read the whole answer (the server closes after an error)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


@contextmanager
def serve_process(root: Path, *args: str, env: dict | None = None, preexec=None, prefix: tuple[str, ...] = ()):
    """The real `vaultnet serve` in its own process on a free loopback port; yields (port, stderr lines)."""
    proc = subprocess.Popen(
        [*prefix, str(VAULTNET), "--vault", str(root), "--today", "2026-11-23", "serve", "--port", "0", "--no-write", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=preexec,
    )
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda: out.extend(iter(proc.stdout.readline, "")), daemon=True),
        threading.Thread(target=lambda: err.extend(iter(proc.stderr.readline, "")), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + 30
        while not out and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert out and "Serving" in out[0], (out, err)
        port = int(out[0].split("http://127.0.0.1:")[1].split("/")[0])
        yield port, err
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for reader in readers:
            reader.join(timeout=10)


def wait_for(predicate, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# --- idle connections ---------------------------------------------------------------------------


def _low_file_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))


def test_idle_connections_do_not_starve_a_real_request(vault):
    """Many one-byte connections, more than the server has file descriptors for: a real client still gets in."""
    people(vault)
    with serve_process(vault.root, preexec=_low_file_limit) as (port, err):
        idle = []
        try:
            for _ in range(150):
                try:
                    sock = socket.create_connection(("127.0.0.1", port), timeout=2)
                    sock.sendall(b"G")
                except OSError:
                    break
                idle.append(sock)
            status, body = request(port, "/followups.ics", timeout=10)
            assert status == 200 and body.startswith(b"BEGIN:VCALENDAR")
            # The server closed idle connections to make room, rather than holding every one open.
            closed = 0
            for sock in idle:
                sock.settimeout(0.01)
                try:
                    closed += sock.recv(1) == b""
                except (TimeoutError, OSError):
                    pass
            assert closed >= len(idle) - 64
        finally:
            for sock in idle:
                sock.close()
        assert not any("Traceback" in line for line in err), err


def test_a_silent_connection_is_closed_after_the_timeout(vault):
    people(vault)
    with serving(vault, write=False, timeout=0.3) as (port, site, logs):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /followups.ics HT")  # never finishes the request line
            assert sock.recv(100) == b""  # closed by the server, well before the client's own 10 s
        assert request(port, "/followups.ics")[0] == 200


def test_connections_beyond_the_limit_evict_the_longest_idle(vault):
    people(vault)
    with serving(vault, write=False, max_connections=4) as (port, site, logs):
        idle = []
        try:
            for _ in range(4):
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                sock.sendall(b"G")
                idle.append(sock)
            # Each connection is idle from when it was accepted, in the order they came,
            # however late (under load) their threads start: the first one makes room.
            assert request(port, "/followups.ics", timeout=30)[0] == 200
            assert idle[0].recv(1) == b""
            for sock in idle[1:]:  # the others stay open
                sock.setblocking(False)
                with pytest.raises(BlockingIOError):
                    sock.recv(1)
        finally:
            for sock in idle:
                sock.close()


# --- the log ------------------------------------------------------------------------------------


def test_control_characters_in_the_request_line_are_escaped_in_the_log(vault):
    people(vault)
    with serving(vault, write=False) as (port, site, logs):
        raw(port, b"GET /\x1b[2J\x1b]0;owned\x07\x9b31m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        raw(port, b"\x1b[31mBOGUS\r\n\r\n")
    text = "\n".join(logs)
    assert logs
    for control in ("\x1b", "\x07", "\x9b"):
        assert control not in text
    assert "\\x1b[2J" in text and "\\x07" in text


@pytest.mark.parametrize(
    "spelling",
    ["tok.Zen", "%74%6f%6b%2e%5a%65%6e", "%74%6F%6B%2E%5A%65%6E", "tok%2eZen", "t%6Fk.%5aen", "%74ok.Ze%6e"],
)
def test_the_token_is_masked_in_every_spelling(vault, spelling):
    people(vault)
    with serving(vault, write=False, token="tok.Zen") as (port, site, logs):
        assert request(port, f"/{spelling}/followups.ics")[0] == 200
        raw(port, f"GET /{spelling}/x HTTP/9.9\r\n\r\n".encode())  # a bad request: logged through %r
    text = "\n".join(logs)
    assert logs and "***" in text
    assert spelling not in text and "tok.Zen" not in text and "%6f%6b" not in text.lower()


def test_a_client_that_hangs_up_early_is_one_line_not_a_traceback(vault):
    people(vault)
    with serve_process(vault.root) as (port, err):
        for _ in range(5):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"GET /followups.ics HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()  # a reset, not a polite close
        assert request(port, "/followups.ics")[0] == 200
        wait_for(lambda: any("went away" in line or "Traceback" in line for line in err), 5)
    assert not any("Traceback" in line for line in err), "".join(err)


# --- template errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    ["{{ 1/0 }}\n", "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}\n"],
    ids=["zero-division", "recursive-macro"],
)
def test_a_template_raising_any_error_keeps_the_last_good_outputs(vault, template):
    people(vault)
    with serving(vault, write=False) as (port, site, logs):
        status, good = request(port, "/Index/People.md")
        assert status == 200
        templates = vault.root / ".vaultnet" / "templates"
        templates.mkdir(parents=True)
        (templates / "People.md").write_text(template, encoding="utf-8")
        status, body = request(port, "/Index/People.md")
        assert (status, body) == (200, good)
        status, ics = request(port, "/followups.ics")
        assert status == 200 and ics.startswith(b"BEGIN:VCALENDAR")
    assert any("rebuild failed" in line for line in logs), logs


def test_a_template_raising_at_start_is_a_clear_error(vault):
    people(vault)
    templates = vault.root / ".vaultnet" / "templates"
    templates.mkdir(parents=True)
    (templates / "People.md").write_text("{{ 1/0 }}\n", encoding="utf-8")
    result = subprocess.run(
        [str(VAULTNET), "--vault", str(vault.root), "serve", "--port", "0", "--no-write"],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error:") and "Traceback" not in result.stderr


# --- the token setting --------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["option", "environment"])
def test_an_empty_token_is_refused_however_it_is_given(vault, how):
    people(vault)
    env = dict(os.environ)
    env.pop("VAULTNET_TOKEN", None)
    args = [str(VAULTNET), "--vault", str(vault.root), "serve", "--port", "0", "--no-write"]
    if how == "option":
        args += ["--token", ""]
    else:
        env["VAULTNET_TOKEN"] = ""
    # Serving would never return: the timeout turns that into a failure, never a hang.
    result = subprocess.run(args, capture_output=True, text=True, timeout=20, env=env)
    assert result.returncode != 0
    assert "TOKEN" in result.stderr.upper() and "empty" in result.stderr
    assert "Serving" not in result.stdout and "Traceback" not in result.stderr


# --- a vault the server cannot write ------------------------------------------------------------


def _can_drop_privileges() -> bool:
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "true"], capture_output=True)
    return probe.returncode == 0


def test_serving_a_read_only_vault_suggests_no_write():
    root = Path(tempfile.mkdtemp(prefix="vaultnet-ro-serve-"))
    try:
        os.chmod(root, 0o755)
        (root / "People").mkdir()
        (root / "People" / "Ann.md").write_text("---\nfollow_up: 2026-11-25\n---\n", encoding="utf-8")
        for path in [root, *root.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        command = [str(VAULTNET), "--vault", str(root), "--today", "2026-11-23", "serve", "--port", "0"]
        if os.geteuid() == 0:
            if not _can_drop_privileges():
                pytest.fail("running as root without setpriv: cannot test a real read-only vault")
            command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
        else:
            os.chmod(root, 0o555)
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "--no-write" in result.stderr and "Traceback" not in result.stderr
    finally:
        os.chmod(root, 0o755)
        shutil.rmtree(root)


def test_a_write_refused_for_another_reason_does_not_suggest_no_write(vault):
    people(vault)
    (vault.root / "Index").mkdir()
    (vault.root / "Index" / "Giving.md").write_text("# What I gave\nmy own notes\n", encoding="utf-8")
    site = Site(load_config(vault.root), today=lambda: TODAY, write=True, log=lambda line: None)
    with pytest.raises(VaultnetError) as caught:
        site.refresh()
    assert "Index/Giving.md: does not look like an index note vaultnet wrote" in str(caught.value)
    assert "--no-write" not in str(caught.value)


# --- the calendar events the store keeps -------------------------------------------------------


def _kept_events(root: Path) -> dict[str, tuple[str, bytes]]:
    import sqlite3

    db = sqlite3.connect(root / ".vaultnet" / "cache" / "store.sqlite3")
    try:
        return {uid: (key, data) for uid, key, data in db.execute("SELECT path, key, data FROM fragments WHERE kind = 'vevent'")}
    finally:
        db.close()


def test_serve_reuses_and_keeps_the_calendar_events_of_the_store(vault):
    people(vault)
    assert vault.run("build").exit_code == 0
    kept = _kept_events(vault.root)
    assert kept
    # Mark one kept event: a server that reuses the store serves the marked bytes as they are.
    uid, (key, data) = sorted(kept.items())[0]
    marked = data.replace(b"SUMMARY:", b"SUMMARY:kept ", 1)
    assert marked != data
    import sqlite3

    db = sqlite3.connect(vault.root / ".vaultnet" / "cache" / "store.sqlite3")
    with db:
        db.execute("UPDATE fragments SET data = ? WHERE kind = 'vevent' AND path = ?", (marked, uid))
    db.close()
    site = Site(load_config(vault.root), today=lambda: TODAY, write=False, log=lambda line: None)
    site.refresh()
    assert marked in site.files["/followups.ics"].data

    # An event made by the server (a new person) is kept for the next build.
    vault.write("Cy Gamma", "---\nfollow_up: 2026-11-26\n---\n")
    site.refresh()
    after = _kept_events(vault.root)
    assert set(after) - set(kept), "the new person's event was not stored"


def test_serving_a_read_only_vault_with_no_write_works_without_storing(vault):
    root = Path(tempfile.mkdtemp(prefix="vaultnet-ro-nowrite-"))
    try:
        os.chmod(root, 0o755)
        (root / "People").mkdir()
        (root / "People" / "Ann.md").write_text("---\nfollow_up: 2026-11-25\n---\n", encoding="utf-8")
        for path in [root, *root.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        prefix: tuple[str, ...] = ()
        if os.geteuid() == 0:
            if not _can_drop_privileges():
                pytest.fail("running as root without setpriv: cannot test a real read-only vault")
            prefix = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups")
        else:
            os.chmod(root, 0o555)
        with serve_process(root, prefix=prefix) as (port, err):
            status, body = request(port, "/followups.ics")
            assert status == 200 and b"BEGIN:VEVENT" in body
        assert not (root / ".vaultnet").exists()
        assert "Traceback" not in "".join(err)
    finally:
        os.chmod(root, 0o755)
        shutil.rmtree(root)
