"""``vaultnet serve``: the calendar feed and the index notes over HTTP, read-only.

Calendar apps subscribe to a URL, so the feed must be reachable over HTTP. The
server is the standard library's ``ThreadingHTTPServer``:

- **What is served** — only the build's outputs, each at its vault-relative path
  (``/followups.ics``, ``/Index/People.md``, …), plus a small HTML list at ``/``.
  The routes are a fixed table built from the outputs; a request path is looked up
  in it and never joined to a file system path, so nothing else in the vault (or
  outside it) can be read, whatever ``..``, ``%2e`` or symlink tricks it tries.
- **Fresh** — before answering, the server compares a cheap fingerprint of the
  inputs (``build.input_state``: the stat keys of every person note, the config
  and the templates, and today's date) with the last build's; when it differs, it
  rebuilds (and, unless ``--no-write``, writes the outputs like ``vaultnet build``).
  A file changed within the last two seconds (the racy window) counts by a hash
  of its content until it settles, so an edit in the same file-time tick is never
  missed and an unchanged note is not rebuilt on every request.
  If a rebuild fails (a broken template or config), the last good outputs keep
  being served and the error is printed.
- **Caching** — a strong ``ETag`` (a hash of the bytes) and ``Last-Modified``
  (when those bytes were first produced: the output file's modification time,
  which ``build`` leaves alone while the content is unchanged); ``If-None-Match``
  (which wins) and ``If-Modified-Since`` give ``304 Not Modified``. ``HEAD`` works.
- **Token** — with ``--token``, the token is the first path segment
  (``http://host:8765/TOKEN/followups.ics``): a path survives every calendar app's
  URL handling, where a query string is sometimes dropped. It is compared in
  constant time, and any request without it gets the same ``404`` as an unknown
  path, so a scanner learns nothing. The token is masked in the request log.
- **Loopback by default** — ``--host 0.0.0.0`` is needed to serve other machines
  (put a TLS reverse proxy in front when it leaves your network).
- **Idle clients cannot starve others** — each connection has a socket timeout, and at
  most ``MAX_CONNECTIONS`` are open at once (fewer when the file-descriptor limit is
  low); when a new one arrives at the limit, the connection idle the longest (one that
  has not sent a complete request) is closed to make room, so a flood of idle or
  trickling connections delays nobody. Only when every slot is busy answering is the
  newcomer turned away.
- **A quiet, safe log** — control characters from the request are escaped (a request
  line cannot move the terminal's cursor or change its colours), the token is masked
  in every spelling a client may use (percent-encoded or not), and a client that hangs
  up early is one line, not a traceback.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import hmac
import html
import os
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, timezone
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote, urlsplit

from .pipeline import input_state
from .model.config import Config, load_config
from .model.errors import Problem, VaultnetError


@dataclass(frozen=True)
class Served:
    """One servable output: bytes, media type, validators."""

    rel: str
    data: bytes
    media_type: str
    etag: str
    last_modified: float  # seconds since the epoch

    @property
    def http_date(self) -> str:
        return formatdate(self.last_modified, usegmt=True)


class Site:
    """The outputs being served, rebuilt on demand when the vault changed."""

    def __init__(
        self,
        config: Config,
        today: Callable[[], date] | None = None,
        write: bool = True,
        token: str | None = None,
        log: Callable[[str], None] | None = None,
    ):
        if token is not None and (not token or "/" in token or token.strip() != token):
            raise VaultnetError("--token (or $VAULTNET_TOKEN) must be a non-empty text without '/' or surrounding spaces")
        self.config = config
        self.today = today or date.today
        self.write = write
        self.token = token
        self.log = log or _log_to_stderr
        self.problems: list[Problem] = []
        self.builds = 0
        self._files: dict[str, Served] = {}
        self._fingerprint: str | None = None
        self._by_content: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    @property
    def files(self) -> dict[str, Served]:
        """URL path (``/Index/People.md``, unquoted) -> output."""
        return self._files

    def refresh(self) -> None:
        """Rebuild if the inputs changed since the last build; keep the old outputs on failure."""
        with self._lock:
            try:
                config = load_config(self.config.root)
                today = self.today()
                # A note changed in the last moments may change again within the same file-time
                # tick: it counts by its content until it has settled (``input_state``).
                state = input_state(config, today, self._by_content)
                if state.digest == self._fingerprint:
                    if state.racy:
                        settled = input_state(config, today)
                        if not settled.racy:
                            self._fingerprint, self._by_content = settled.digest, frozenset()
                    return
                self._rebuild(config, today)
                self._fingerprint, self._by_content = state.digest, frozenset(state.by_content)
            except VaultnetError as exc:
                if not self._files:
                    raise
                self.log(f"rebuild failed, still serving the previous outputs: {exc}")
            except Exception as exc:  # noqa: BLE001 - a template's own error (1/0, recursion) must not blank the feed
                message = f"{type(exc).__name__}: {exc}"
                if not self._files:
                    raise VaultnetError(f"the build failed: {message}") from None
                self.log(f"rebuild failed, still serving the previous outputs: {message}")

    def _rebuild(self, config: Config, today: date) -> None:
        from .pipeline import render_and_write
        from .load.discover import walk
        from .load.vault import load_vault

        walked_at = time.time_ns()
        notes = list(walk(config))  # the walk the vault is loaded from tells who changed (``person_identities``)
        vault = load_vault(config, today, notes=notes)
        try:
            outputs = render_and_write(vault, today, write=self.write, notes=notes, walked_at=walked_at)
        except VaultnetError as exc:
            if self.write and _cannot_write(exc):
                raise VaultnetError(f"{exc}\n(to serve a vault you cannot write to, add --no-write: the outputs stay in memory)") from None
            raise
        files = {}
        for output in outputs:
            etag = '"' + hashlib.sha256(output.data).hexdigest()[:32] + '"'
            previous = next((f for f in self._files.values() if f.rel == output.rel), None)
            if previous is not None and previous.etag == etag:
                modified = previous.last_modified
            else:
                modified = self._first_seen(config.root / output.rel, output.data)
            files["/" + output.rel] = Served(output.rel, output.data, output.media_type, etag, modified)
        self.config = config
        self.problems = list(vault.problems)
        self._files = files
        self.builds += 1
        for problem in vault.problems:
            self.log(f"{'skipped' if problem.fatal else 'warning'}: {problem}")

    @staticmethod
    def _first_seen(path: Path, data: bytes) -> float:
        """The output file's modification time when it holds these bytes, else now."""
        try:
            st = path.stat()
            if st.st_size == len(data) and path.read_bytes() == data:
                return float(int(st.st_mtime))
        except OSError:
            pass
        return float(int(time.time()))

    def check_token(self, path: str) -> str | None:
        """The path without the token segment, or None when the token is missing or wrong."""
        if self.token is None:
            return path
        segment, _, rest = path.lstrip("/").partition("/")
        if not hmac.compare_digest(segment.encode("utf-8", "surrogateescape"), self.token.encode("utf-8")):
            return None
        return "/" + rest

    def prefix(self) -> str:
        return f"/{quote(self.token, safe='')}" if self.token else ""

    def index_page(self) -> bytes:
        items = "".join(
            f'<li><a href="{html.escape(self.prefix() + quote(url))}">{html.escape(served.rel)}</a></li>\n'
            for url, served in sorted(self._files.items(), key=lambda kv: (not kv[1].rel.endswith(".ics"), kv[1].rel))
        )
        page = (
            "<!doctype html>\n<meta charset=utf-8>\n<title>vaultnet</title>\n"
            "<h1>vaultnet</h1>\n<p>Subscribe a calendar app to the <code>.ics</code> link.</p>\n"
            f"<ul>\n{items}</ul>\n"
        )
        return page.encode("utf-8")


_READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)


def _cannot_write(exc: BaseException) -> bool:
    """Whether an error comes from a file system that refused a write (a permission, a
    read-only mount): the errors raised while writing keep the OSError they reword in
    their context, even when it is not shown."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno in _READ_ONLY:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


_LOG_LOCK = threading.Lock()


def _log_to_stderr(message: str) -> None:
    # One write per line under a lock: handler threads never interleave their lines.
    with _LOG_LOCK:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


def token_option(value: str | None, environ: "os._Environ[str] | dict[str, str]" = os.environ) -> str | None:
    """The token to require: ``--token``, else ``$VAULTNET_TOKEN``.

    Click treats an empty environment variable as unset, which would serve without a
    token when the user meant to set one; an empty ``$VAULTNET_TOKEN`` is refused just
    like ``--token ""``.
    """
    if value is None and environ.get("VAULTNET_TOKEN") == "":
        raise VaultnetError(
            "VAULTNET_TOKEN is set but empty: set it to a secret, or unset it to serve without a token"
        )
    return value


def _escape_controls() -> dict[int, str]:
    codes = [*range(0x20), *range(0x7F, 0xA0)]
    return {code: f"\\x{code:02x}" for code in codes}


_CONTROLS = _escape_controls()


@functools.lru_cache(maxsize=4)
def token_pattern(token: str) -> re.Pattern[str]:
    """Every spelling of ``token`` a log line can hold.

    The request line reaches the log as Latin-1 text, so each UTF-8 byte of the token
    may appear as its Latin-1 character, percent-encoded (any hex case), or escaped
    (``\\xNN``, after control-character escaping or in a ``%r``).
    """
    parts = []
    for byte in token.encode("utf-8"):
        hexes = f"{byte:02x}"
        hex_any = "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in hexes)
        parts.append(f"(?:{re.escape(chr(byte))}|%{hex_any}|\\\\x{hex_any})")
    return re.compile("".join(parts))


def urls_for(site: Site, host: str, port: int) -> list[str]:
    return [f"http://{host}:{port}{site.prefix()}{quote(url)}" for url in sorted(site.files, key=lambda u: not u.endswith(".ics"))]


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD of the site's fixed routes; anything else is 404 or 405."""

    server_version = "vaultnet"
    protocol_version = "HTTP/1.1"
    site: Site  # set on the subclass made by make_server

    def version_string(self) -> str:
        return self.server_version  # no Python version for scanners

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _other(self) -> None:
        if self.site.check_token(urlsplit(self.path).path) is None:
            self._plain(404, "Not found\n", True)
        else:
            self._plain(405, "Read-only: only GET and HEAD\n", True, {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_PROPFIND = do_MKCOL = do_MOVE = do_COPY = _other

    def _answer(self, with_body: bool) -> None:
        path = self.site.check_token(unquote(urlsplit(self.path).path, errors="surrogateescape"))
        if path is None:
            self._plain(404, "Not found\n", with_body)
            return
        try:
            self.site.refresh()
        except VaultnetError as exc:
            self.site.log(f"cannot build: {exc}")
            self._plain(503, "The vault cannot be built; see the server's log\n", with_body)
            return
        if path in ("/", ""):
            body = self.site.index_page()
            self._send(200, body, "text/html; charset=utf-8", with_body, {"Cache-Control": "no-cache"})
            return
        served = self.site.files.get(path)
        if served is None:
            self._plain(404, "Not found\n", with_body)
            return
        headers = {
            "ETag": served.etag,
            "Last-Modified": served.http_date,
            "Cache-Control": "no-cache",
        }
        if self._not_modified(served):
            self._send(304, b"", None, False, headers)
            return
        self._send(200, served.data, served.media_type, with_body, headers)

    def _not_modified(self, served: Served) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:  # takes precedence over If-Modified-Since (RFC 9110 13.2.2)
            tags = [t.strip() for t in match.split(",")]
            return "*" in tags or any(t.removeprefix("W/") == served.etag for t in tags)
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                when = parsedate_to_datetime(since)
            except (TypeError, ValueError, IndexError):
                return False
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            return int(served.last_modified) <= when.timestamp()
        return False

    def _plain(self, status: int, text: str, with_body: bool, headers: dict | None = None) -> None:
        self._send(status, text.encode("utf-8"), "text/plain; charset=utf-8", with_body, headers)

    def _send(self, status: int, body: bytes, media_type: str | None, with_body: bool, headers: dict | None = None) -> None:
        self.send_response(status)
        if media_type:
            self.send_header("Content-Type", media_type)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if with_body and status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's signature
        # The standard library escapes control characters here; an override must too, or a
        # request line can drive the terminal that shows the log.
        message = (format % args).translate(_CONTROLS)
        if self.site.token:
            message = token_pattern(self.site.token).sub("***", message)
        self.site.log(f"{self.address_string()} - {message}")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if self.server.evicted(self.connection):  # type: ignore[attr-defined]
            self.close_connection = True
            return
        super().send_error(code, message, explain)

    def handle_one_request(self) -> None:
        # A connection is idle from when it was accepted (``process_request``), not from when
        # its thread happened to start, so the longest idle is always the one evicted; after
        # an answer it waits for the next request, idle again from then.
        super().handle_one_request()
        if not self.close_connection:
            self.server.track(self.connection, idle=True)  # type: ignore[attr-defined]

    def parse_request(self) -> bool:
        ok = super().parse_request()  # reads the headers: the connection may be evicted meanwhile
        if self.server.evicted(self.connection):  # type: ignore[attr-defined]
            self.close_connection = True  # closed to make room: what it sent is not a request
            return False
        if ok:  # a complete request: no longer idle, never evicted while it is answered
            self.server.track(self.connection, idle=False)  # type: ignore[attr-defined]
        return ok


MAX_CONNECTIONS = 64
CONNECTION_TIMEOUT = 20.0  # seconds a connection may stay silent


def _connection_limit() -> int:
    """At most MAX_CONNECTIONS, and few enough to leave file descriptors for reading the vault."""
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return MAX_CONNECTIONS
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(4, min(MAX_CONNECTIONS, (soft - 32) // 2))


class _Server(ThreadingHTTPServer):
    """A threading server that bounds its connections and evicts idle ones under pressure."""

    daemon_threads = True
    request_queue_size = 64
    max_connections = MAX_CONNECTIONS
    site: Site

    def server_activate(self) -> None:
        self._open: dict[socket.socket, float | None] = {}  # connection -> idle since (None: answering)
        self._evicted: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().server_activate()

    def track(self, connection: socket.socket, idle: bool) -> None:
        with self._open_lock:
            if connection in self._open:
                self._open[connection] = time.monotonic() if idle else None

    def process_request(self, request, client_address) -> None:
        with self._open_lock:
            if len(self._open) >= self.max_connections:
                idle = [(since, conn) for conn, since in self._open.items() if since is not None]
                if not idle:  # every slot is answering a real request: turn the newcomer away
                    self.shutdown_request(request)
                    return
                _since, oldest = min(idle, key=lambda pair: pair[0])
                del self._open[oldest]
                self._evicted.add(oldest)
                try:
                    oldest.shutdown(socket.SHUT_RDWR)  # its handler's read returns at once and it ends
                except OSError:
                    pass
            self._open[request] = time.monotonic()
        super().process_request(request, client_address)

    def evicted(self, connection: socket.socket) -> bool:
        with self._open_lock:
            return connection in self._evicted

    def shutdown_request(self, request) -> None:
        with self._open_lock:
            self._open.pop(request, None)
            self._evicted.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        """One line in the log, never a traceback on the terminal."""
        exc = sys.exc_info()[1]
        host = client_address[0] if client_address else "?"
        if self.evicted(request):
            return  # closed by us to make room: nothing to report
        if isinstance(exc, (ConnectionError, TimeoutError)):
            self.site.log(f"{host} - the client went away ({type(exc).__name__})")
        else:
            self.site.log(f"{host} - internal error answering the request: {type(exc).__name__}: {exc}")


def make_server(
    site: Site,
    host: str = "127.0.0.1",
    port: int = 8765,
    timeout: float = CONNECTION_TIMEOUT,
    max_connections: int | None = None,
) -> ThreadingHTTPServer:
    """A ready server (not yet serving); ``port=0`` picks a free port.

    ``timeout`` is how long a connection may stay silent; ``max_connections`` bounds
    the open connections (default: ``MAX_CONNECTIONS``, less under a low file limit).
    """
    handler = type("SiteHandler", (Handler,), {"site": site, "timeout": timeout})

    class Server(_Server):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    Server.site = site
    Server.max_connections = max_connections or _connection_limit()
    try:
        return Server((host, port), handler)
    except OSError as exc:
        raise VaultnetError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
