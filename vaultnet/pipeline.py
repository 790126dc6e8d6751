"""``vaultnet build``: load the vault, derive the views, render every output, write what changed.

The pipeline renders *every* output into memory first and writes only after all
of them rendered, so a broken template leaves the previous outputs as they were
rather than half of them new. Each file is written with ``load.files.replace_file``,
which leaves a file whose bytes would not change untouched (its modification
time stays): a rebuild with nothing changed writes nothing, and one edited note
rewrites only the outputs whose content changed.

Problems in notes (a field that cannot be read, a note that cannot be parsed)
are reported and the rest is built. With ``strict=True`` any problem fails the
build *before anything is written*: a strict build (a CI job, a git hook) either
writes outputs from a clean vault or leaves the old outputs alone.

**The build stamp** (a row of the store, ``load.store``) makes a rebuild with
nothing changed cost a ``stat`` per note instead of a full render. It records a
hash of everything the outputs depend on — the stat key (size, mtime, ctime,
inode) of every note, of the config and of every template, the source files of
vaultnet itself, the list of outputs, and today's date — and the stat key of every
output as written, plus the build's problems (replayed on stderr, and failing a
``--strict`` build, as if the notes were read again). A build whose inputs and
outputs all match the stamp is done. Anything else — an edited, added, removed or
renamed note, a touched output, a new day, a corrupt stamp — means a full build.
As in git's "racily clean" rule, no stamp is saved while any input changed within
the last ``RACY_SECONDS`` (file times are coarse, so a second same-size edit in the
same tick would otherwise go unseen); ``--force`` or ``VAULTNET_NO_CACHE=1``
ignores the stamp.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from .load.files import replace_file
from .model.config import Config
from .model.errors import Problem, VaultnetError
from .load.vault import Vault, load_vault


@dataclass(frozen=True)
class Output:
    """One generated file: its vault-relative path (with ``/``), its bytes and media type."""

    rel: str
    data: bytes
    media_type: str


@dataclass
class BuildReport:
    """What a build did. ``failed`` is set when ``--strict`` refused to build."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    people: int = 0
    failed: bool = False
    from_stamp: bool = False  # nothing was loaded: the build stamp said nothing changed

    @property
    def skipped(self) -> list[str]:
        """Notes left out entirely (they could not be read)."""
        return sorted({p.path for p in self.problems if p.fatal})

    def as_dict(self) -> dict:
        return {
            "written": self.written,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "problems": [
                {"path": p.path, "line": p.line, "field": p.field, "message": p.message, "fatal": p.fatal}
                for p in self.problems
            ],
            "people": self.people,
            "failed": self.failed,
            "from_stamp": self.from_stamp,
        }


def check_layout(config: Config) -> None:
    """Refuse to write where it would do harm: through a symbolic link leading out of
    the vault (a cloned vault could ship ``Index`` as a link to ``~/.config``), or
    among the person notes (generated notes would be read back as people)."""
    config.index_path, config.calendar_path  # noqa: B018 - raise if a link on the way leads out of the vault
    people = PurePosixPath(config.people_dir)
    index = PurePosixPath(config.index_dir)
    if index == people or people in index.parents or str(people) == ".":
        raise VaultnetError(
            f"vaultnet.toml: index_dir '{config.index_dir}' is inside people_dir '{config.people_dir}'; "
            "generated notes would be read as people. Choose another index_dir (default: Index)"
        )


def output_paths(config: Config) -> list[str]:
    """Every output's vault-relative path, in build order: index notes, then the calendar."""
    from .render.indexnotes import REGISTRY

    index = config.index_dir.rstrip("/")
    return [f"{index}/{note.file}" for note in REGISTRY] + [config.calendar]


def render_outputs(vault: Vault, today: date) -> list[Output]:
    """Every output's bytes, rendered in memory (nothing is written here)."""
    from .render.calendar import build_calendar
    from .render.indexnotes import REGISTRY, IndexViews, filters
    from .render.templating import environment

    config = vault.config
    check_layout(config)
    views = IndexViews(config, vault.people, today)
    env = environment(config, **filters())
    index = config.index_dir.rstrip("/")
    outputs = []
    with collector_paused():
        for note in REGISTRY:
            text = render_note(env, note.template, note.context(views))
            outputs.append(Output(f"{index}/{note.file}", text.encode("utf-8"), "text/markdown; charset=utf-8"))
    dues = [views.dues[p.path] for p in vault.people]
    outputs.append(Output(config.calendar, build_calendar(vault.people, config, today, dues), "text/calendar; charset=utf-8"))
    return outputs


@contextmanager
def collector_paused():
    """Python's cycle collector off while the index notes are rendered, then as it was.

    The render makes hundreds of thousands of rows, links and strings that hold no
    reference cycles and all live until the outputs are written. Each time enough of
    them pile up the collector walks them — and now and then the whole heap, every
    loaded record included — finding nothing, at a cost that grows with the vault.
    Reference counting still frees everything as usual; the few cycles a template
    makes wait for the next collection after the render.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_note(env, template: str, context: dict) -> str:
    """One index note: the template rendered, with one trailing newline and LF line ends
    whatever the template did."""
    from .render.templating import render

    return render(env, template, context).replace("\r\n", "\n").rstrip("\n") + "\n"


def write_outputs(root: Path, outputs: list[Output], report: BuildReport) -> None:
    for output in outputs:
        if replace_file(root / output.rel, output.data):
            report.written.append(output.rel)
        else:
            report.unchanged.append(output.rel)


def build(
    config: Config, today: date, strict: bool = False, vault: Vault | None = None, force: bool = False
) -> BuildReport:
    """Build every output of the vault; see the module docstring for the rules.

    ``vault`` (already loaded) skips loading and the build stamp.
    """
    check_layout(config)
    inputs = None
    if vault is None:
        use_stamp = not force and os.environ.get("VAULTNET_NO_CACHE", "") in ("", "0")
        inputs = input_state(config, today) if use_stamp else None
        if inputs is not None:
            report = _from_stamp(config, inputs, strict)
            if report is not None:
                return report
        vault = load_vault(config)
    report = BuildReport(problems=list(vault.problems), people=len(vault.people))
    if strict and vault.problems:
        report.failed = True
        return report
    outputs = render_outputs(vault, today)
    write_outputs(config.root, outputs, report)
    if inputs is not None:
        _save_stamp(config, inputs, report)
    return report


# --- the build stamp ----------------------------------------------------------------------------

STAMP_FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class InputState:
    digest: str
    racy: bool  # some input changed too recently for its stat key to be trusted


def _key(path: Path | str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _files_under(folder: Path) -> list[Path]:
    found = []
    for base, dirs, files in os.walk(folder):
        dirs.sort()
        found += [Path(base) / name for name in sorted(files)]
    return found


def input_state(config: Config, today: date) -> InputState:
    """A hash of the stat keys of everything the outputs depend on (no file is read)."""
    from . import __version__
    from .load.discover import walk
    from .load.store import RACY_SECONDS
    from .render.templating import default_templates_dir

    now = time.time_ns()
    newest = 0
    digest = hashlib.sha256()
    digest.update(repr((STAMP_FORMAT, __version__, today.isoformat(), output_paths(config))).encode())
    for note in walk(config):
        digest.update(repr((note.rel, note.key)).encode("utf-8", "surrogateescape"))
        newest = max(newest, note.changed_ns)
    others = [config.root / "vaultnet.toml", config.people_path, config.templates_path]
    if config.templates_path.is_dir():
        others += _files_under(config.templates_path)
    others += _files_under(default_templates_dir()) + sorted(_PACKAGE.rglob("*.py"))
    for path in others:
        key = _key(path)
        digest.update(repr((str(path), key)).encode("utf-8", "surrogateescape"))
        if key is not None:
            newest = max(newest, key[1], key[2])
    return InputState(digest.hexdigest(), newest >= now - int(RACY_SECONDS * 1e9))


def _output_keys(config: Config) -> dict[str, list[int] | None]:
    return {rel: (list(key) if (key := _key(config.root / rel)) else None) for rel in output_paths(config)}


def _from_stamp(config: Config, inputs: InputState, strict: bool) -> BuildReport | None:
    """The report of a build that has nothing to do, or None when the stamp does not hold."""
    from .load.store import read_stamp

    if inputs.racy:
        return None
    try:
        stamp = read_stamp(config)
        if stamp is None or stamp["format"] != STAMP_FORMAT or stamp["inputs"] != inputs.digest:
            return None
        if stamp["outputs"] != _output_keys(config):
            return None
        problems = [
            Problem(str(p["path"]), str(p["message"]), p["line"], p["field"], bool(p["fatal"])) for p in stamp["problems"]
        ]
        people = int(stamp["people"])
    except (ValueError, KeyError, TypeError):
        return None  # a stamp that cannot be trusted: build
    report = BuildReport(problems=problems, people=people, from_stamp=True)
    if strict and problems:
        report.failed = True
    else:
        report.unchanged = output_paths(config)
    return report


def _save_stamp(config: Config, inputs: InputState, report: BuildReport) -> None:
    """Store the stamp of a build (a read-only vault simply has none: the next build does
    the full work); while an input is in the racy window, remove it instead."""
    from .load.store import save_stamp

    if inputs.racy:
        save_stamp(config, None)
        return
    save_stamp(config, {
        "format": STAMP_FORMAT,
        "inputs": inputs.digest,
        "outputs": _output_keys(config),
        "people": report.people,
        "problems": [
            {"path": p.path, "message": p.message, "line": p.line, "field": p.field, "fatal": p.fatal}
            for p in report.problems
        ],
    })
