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
  While a note changed within the last two seconds (the racy window), every
  request rebuilds, so an edit in the same file-time tick is never missed.
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
"""

from __future__ import annotations

import hashlib
import hmac
import html
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
            raise VaultnetError("--token must be a non-empty text without '/' or surrounding spaces")
        self.config = config
        self.today = today or date.today
        self.write = write
        self.token = token
        self.log = log or (lambda message: print(message, file=sys.stderr, flush=True))
        self.problems: list[Problem] = []
        self.builds = 0
        self._files: dict[str, Served] = {}
        self._fingerprint: str | None = None
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
                state = input_state(config, today)
                if state.digest == self._fingerprint:
                    return
                self._rebuild(config, today)
                # A note changed in the last moments may change again within the same file-time
                # tick: keep checking by content (rebuilding) until it has settled.
                self._fingerprint = None if state.racy else state.digest
            except VaultnetError as exc:
                if not self._files:
                    raise
                self.log(f"rebuild failed, still serving the previous outputs: {exc}")

    def _rebuild(self, config: Config, today: date) -> None:
        from .pipeline import BuildReport, render_outputs, write_outputs
        from .load.vault import load_vault

        vault = load_vault(config)
        outputs = render_outputs(vault, today)
        if self.write:
            write_outputs(config.root, outputs, BuildReport())
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
        message = format % args
        if self.site.token:
            message = message.replace(self.site.token, "***").replace(quote(self.site.token, safe=""), "***")
        self.site.log(f"{self.address_string()} - {message}")


def make_server(site: Site, host: str = "127.0.0.1", port: int = 8765) -> ThreadingHTTPServer:
    """A ready server (not yet serving); ``port=0`` picks a free port."""
    import socket

    handler = type("SiteHandler", (Handler,), {"site": site})

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    try:
        return Server((host, port), handler)
    except OSError as exc:
        raise VaultnetError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
