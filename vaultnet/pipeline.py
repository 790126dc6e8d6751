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
inode) of every note, of the config and of every template (and of every link to a
folder among them, by the folder it leads to), the source files of vaultnet itself
and of the libraries it renders with (``LIBRARIES``), the list of outputs, and
today's date — and the stat key of every output as written, plus the build's
problems (replayed on stderr, and failing a ``--strict`` build, as if the notes
were read again). A build whose inputs and
outputs all match the stamp is done. Anything else — an edited, added, removed or
renamed note, a touched output, a new day, a corrupt stamp — means a full build.
As in git's "racily clean" rule, an input changed within the last ``RACY_SECONDS``
is not trusted by its stat key (file times are coarse, so a second same-size edit in
the same tick would go unseen): it counts by a hash of its content instead, and the
stamp names it. The next build reads just those files again to check them, rather
than building everything a second time, and once they have settled the stamp trusts
their stat keys again. ``--force`` or ``VAULTNET_NO_CACHE=1`` ignores the stamp.

**Kept pieces.** A build that has something to do still reuses what earlier builds
rendered, from the store: each calendar event's bytes (``EVENTS``), and each index note
that reads a small part of every record (``NOTES``, ``KeptNotes``), under a key of
everything it was made from. tests/pipeline/test_never_stale.py holds the outputs of
such builds to those of a build without the store, over random sequences of changes.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .load.collector import collector_paused
from .load.files import replace_file
from .model.config import CONFIG_NAME, Config, layout_problems
from .model.errors import Problem, VaultnetError
from .load.vault import Vault, load_vault

if TYPE_CHECKING:  # the renderers are imported when something is rendered
    from .load.discover import Found
    from .render.calendar import EncodedEvents
    from .render.rows import RowKeeper


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
    # Each output's stat key as this build wrote it or found it holding its bytes: what the
    # stamp records, so that another build's write after this one's shows as a touched output.
    output_keys: dict | None = field(default=None, repr=False, compare=False)

    @property
    def skipped(self) -> list[str]:
        """Notes left out entirely (they could not be read, and never were)."""
        kept = set(self.kept)
        return sorted({p.path for p in self.problems if p.fatal and p.path not in kept})

    @property
    def kept(self) -> list[str]:
        """Notes that could not be read, kept in the outputs as last read well."""
        return sorted({p.path for p in self.problems if p.message == KEPT_MESSAGE})

    def as_dict(self) -> dict:
        return {
            "written": self.written,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "kept": self.kept,
            "problems": [
                {"path": p.path, "line": p.line, "field": p.field, "message": p.message, "fatal": p.fatal}
                for p in self.problems
            ],
            "people": self.people,
            "failed": self.failed,
            "from_stamp": self.from_stamp,
        }


KEPT_MESSAGE = (
    "the outputs keep the last version of this note that was read well (from an earlier run) until it "
    "can be read again"
)


def with_last_good(vault: Vault) -> tuple[list, list[Problem]]:
    """The people of the outputs and the build's problems: a note that cannot be read now
    but was read well before (a merge conflict in its front matter, say) stays in the
    outputs as it was, with a warning after its problem, so calendar subscribers do not
    lose that person's follow-ups meanwhile."""
    if not vault.last_good:
        return vault.people, list(vault.problems)
    from .load.vault import sort_people

    problems = []
    for problem in vault.problems:
        problems.append(problem)
        if problem.fatal and problem.path in vault.last_good:
            problems.append(Problem(problem.path, KEPT_MESSAGE))
    return sort_people([*vault.people, *vault.last_good.values()]), list(dict.fromkeys(problems))


def check_layout(config: Config) -> None:
    """Refuse to write where it would do harm: through a symbolic link leading out of
    the vault (a cloned vault could ship ``Index`` as a link to ``~/.config``), or where
    an output would land on a note, a template, the config, ``.git`` or vaultnet's own
    folder, or folders overlap (``model.config.layout_problems``)."""
    config.index_path, config.calendar_path, config.templates_path  # noqa: B018 - raise if a link on the way leads out of the vault
    problems = layout_problems(config)
    if problems:
        where = config.source.name if config.source else CONFIG_NAME
        raise VaultnetError("\n".join(f"{where}: {message}. {fix}" for message, fix in problems) + "\nNothing was written.")


def require_people(config: Config) -> None:
    """Refuse to build without the people folder: a checkout in progress, an unmounted
    drive or a wrong ``--vault`` would otherwise publish an empty feed, and every
    subscribed calendar would drop every follow-up."""
    if not config.people_path.is_dir():
        raise VaultnetError(
            f"the people folder '{config.people_dir}' is missing from {config.root}; nothing was built and the "
            "outputs were left as they were. Is this the vault (--vault PATH)? Is a drive unmounted or a git "
            "checkout under way? Make it with `vaultnet init`, or set people_dir in vaultnet.toml"
        )


def output_paths(config: Config) -> list[str]:
    """Every output's vault-relative path, in build order: index notes, then the calendar."""
    from .render.indexnotes import REGISTRY

    index = config.index_dir.rstrip("/")
    return [f"{index}/{note.file}" for note in REGISTRY] + [config.calendar]


def render_outputs(
    vault: Vault, today: date, events: EncodedEvents | None = None, notes: KeptNotes | None = None,
    rows: RowKeeper | None = None, identities: dict[str, str] | None = None,
) -> list[Output]:
    """Every output's bytes, rendered in memory (nothing is written here); ``events`` holds
    the calendar events of an earlier build, so that only those that changed are encoded,
    ``notes`` the index notes of an earlier build, so that only those whose inputs
    changed are rendered (``KeptNotes``), and ``rows`` the index notes' rows of each person
    (``render.rows``), kept under the person's identity (``identities``, see
    ``person_identities``), so that only the rows of people who changed are rendered."""
    from .render.calendar import build_calendar
    from .render.indexnotes import REGISTRY, IndexViews, filters
    from .render.templating import environment

    config = vault.config
    check_layout(config)
    require_people(config)
    people, _problems = with_last_good(vault)
    views = IndexViews(config, people, today, identities)
    env = environment(config, **filters(rows))
    index = config.index_dir.rstrip("/")
    outputs = []
    try:
        with collector_paused():
            for note in REGISTRY:
                rel = f"{index}/{note.file}"
                key = notes.key(note, views) if notes is not None else None
                data = notes.kept(rel, key) if key is not None else None
                if data is None:
                    data = render_note(env, note.template, note.context(views))
                    if key is not None:
                        notes.fresh[rel] = (key, data)
                outputs.append(Output(rel, data, "text/markdown; charset=utf-8"))
        dues = [views.dues[p.path] for p in people]
        feed = build_calendar(people, config, today, dues, events, views.reasons.of, views.planned_dues, views.identities)
        outputs.append(Output(config.calendar, feed, "text/calendar; charset=utf-8"))
    except OverflowError:  # a template's own overflow is reported by the template renderer
        raise VaultnetError(
            f"today is {today.isoformat()}: the coming weeks or the calendar_horizon run past 9999-12-31, the last "
            "day vaultnet can count to; build with an earlier --today (or a shorter calendar_horizon). Nothing was written"
        ) from None
    return outputs


def render_note(env, template: str, context: dict) -> bytes:
    """One index note as UTF-8: the template rendered, with one trailing newline and LF line
    ends whatever the template did."""
    from .render.templating import render_utf8

    data = render_utf8(env, template, context)
    # An index note of a huge vault runs to tens of megabytes: each step below copies it
    # only when it has something to change (UTF-8 never uses the bytes of CR and LF inside
    # another character, so they are fixed here as in the text).
    if b"\r\n" in data:
        data = data.replace(b"\r\n", b"\n")
    if not (data.endswith(b"\n") and not data.endswith(b"\n\n")):
        data = data.rstrip(b"\n") + b"\n"
    return data


def write_outputs(root: Path, outputs: list[Output], report: BuildReport, config: Config | None = None) -> None:
    """Write the outputs that changed, after checking that each one already there is a
    regular file vaultnet wrote (``not_ours``): one that is not stops the build before
    anything is written. A file that already holds exactly the new bytes is left as it
    is, whoever wrote it: nothing is lost and nothing is written."""
    from .load.files import HEAD_BYTES, holds_exactly, read_output
    from .model.config import load_config

    config = config or load_config(root)
    written = _written_records(config)
    same: set[str] = set()  # already holding their new bytes: compared once, here
    for output in outputs:
        path = root / output.rel
        head = read_output(path, HEAD_BYTES)
        if head is None:
            continue
        if holds_exactly(path, output.data):
            same.add(output.rel)
            continue
        why = not_ours(output, head, path, written, config)
        if why:
            raise VaultnetError(why)
    keys = {}
    for output in outputs:
        path = root / output.rel
        refuse = lambda head, output=output, path=path: not_ours(output, head, path, written, config)  # noqa: E731
        if output.rel not in same and replace_file(path, output.data, refuse):
            report.written.append(output.rel)
        else:
            report.unchanged.append(output.rel)
        keys[output.rel] = _key(path)
    report.output_keys = keys
    _save_written_records(config, written, keys, outputs)


# What each kind of output says about itself, to tell it from a file vaultnet did not write:
# the index notes' notice (every default template starts with it) and the feed's header.
NOTICE_MARK = b"Generated by `vaultnet build`"
FEED_START = b"BEGIN:VCALENDAR\r\n"
# How many earlier contents of an index note without the notice the store remembers, so
# that an older one (a git checkout, a copied vault) is still known as vaultnet's.
REMEMBERED_CONTENTS = 16
_MAX_HASHED = 256 * 1024 * 1024  # a file larger than this is never one vaultnet remembers


@dataclass
class Written:
    """What the store remembers of one output: its stat key as last written (or found),
    and for an index note without the notice, hashes of the contents vaultnet wrote there."""

    key: list | None = None
    hashes: list[str] = field(default_factory=list)


def not_ours(output: Output, head: bytes, path: Path, written: dict[str, Written], config: Config) -> str | None:
    """Why the existing file at an output path must not be replaced, or None when it is
    vaultnet's: it says so (the feed's header and PRODID, an index note's notice), or the
    store remembers writing it (its stat key, or its bytes' hash for an index note from a
    template without the notice), or it is empty."""
    from .render.calendar import PRODID

    if not head:
        return None
    record = written.get(output.rel)
    if output.media_type.startswith("text/calendar"):
        if head.startswith(FEED_START) and b"PRODID:" + PRODID.encode() in head[:1024]:
            return None
        if record is not None and record.key is not None and record.key == _listed(_key(path)):
            return None
        return (
            f"{output.rel}: is not vaultnet's calendar feed (it does not start with vaultnet's header); vaultnet "
            "replaces only files it wrote, so nothing was written. If it is an old output of vaultnet, delete it "
            "and build again; otherwise move it away or choose another calendar path in vaultnet.toml (default: "
            "followups.ics)"
        )
    if NOTICE_MARK in head:
        return None
    if record is not None:
        if record.key is not None and record.key == _listed(_key(path)):
            return None
        if record.hashes and _content_hash(path) in record.hashes:
            return None
    templates = config.templates_dir.rstrip("/")
    return (
        f"{output.rel}: does not look like an index note vaultnet wrote: it lacks the notice 'Generated by "
        "`vaultnet build`', and vaultnet's store (.vaultnet/cache/) has no record of writing these bytes (the "
        "store may have been deleted or turned off with VAULTNET_NO_CACHE, or the vault copied or checked out "
        "by git); vaultnet replaces only files it wrote, so nothing was written. If vaultnet wrote this file, "
        "delete it once and build again; to have your template's output recognised without the store, add "
        f"{{{{ notice }}}} to the first lines of its template in {templates}/. If it is a note of yours, move it "
        "away or choose another index_dir in vaultnet.toml (default: Index)"
    )


def _listed(key) -> list | None:
    return None if key is None else list(key)


def _content_hash(path: Path) -> str | None:
    """The SHA-256 of the whole file, or None when it cannot be read or is too large."""
    from .load.files import read_output

    try:
        data = read_output(path, _MAX_HASHED + 1)
    except VaultnetError:
        return None
    if data is None or len(data) > _MAX_HASHED:
        return None
    return hashlib.sha256(data).hexdigest()


def _remembers_content(output: Output) -> bool:
    """Whether the store keeps this output's content hashes: only an index note that
    does not say it is vaultnet's needs them."""
    from .load.files import HEAD_BYTES

    return not output.media_type.startswith("text/calendar") and NOTICE_MARK not in output.data[:HEAD_BYTES]


def _written_records(config: Config) -> dict[str, Written]:
    """What the store remembers of each output (``Written``)."""
    import json

    from .load.store import fragments

    out = {}
    for rel, (key, data) in fragments(config, "output").items():
        try:
            listed = json.loads(key)
        except ValueError:
            listed = None
        if not (isinstance(listed, list) and all(isinstance(n, int) for n in listed)):
            listed = None
        try:
            hashes = data.decode("ascii").split()
        except UnicodeDecodeError:
            hashes = []
        out[rel] = Written(listed, hashes)
    return out


def _save_written_records(config: Config, before: dict[str, Written], keys: dict, outputs: list[Output]) -> None:
    import json

    from .load.store import save_fragments

    changed = {}
    for output in outputs:
        key = keys.get(output.rel)
        if key is None:
            continue
        old = before.get(output.rel) or Written()
        hashes = old.hashes
        if _remembers_content(output):
            digest = hashlib.sha256(output.data).hexdigest()
            hashes = [digest, *(h for h in old.hashes if h != digest)][:REMEMBERED_CONTENTS]
        if old.key != list(key) or hashes != old.hashes:
            changed[output.rel] = (json.dumps(list(key)), " ".join(hashes).encode("ascii"))
    if changed:
        save_fragments(config, "output", changed)


def build(
    config: Config, today: date, strict: bool = False, vault: Vault | None = None, force: bool = False, progress=None
) -> BuildReport:
    """Build every output of the vault; see the module docstring for the rules.

    ``vault`` (already loaded) skips loading and the build stamp. ``progress(done, total)``
    hears how the reading of the notes goes (``store.load_notes``).
    """
    check_layout(config)
    require_people(config)
    inputs = None
    if vault is None:
        use_stamp = not force and os.environ.get("VAULTNET_NO_CACHE", "") in ("", "0")
        inputs = input_state(config, today) if use_stamp else None
        if inputs is not None:
            report = _from_stamp(config, inputs, strict, today)
            if report is not None:
                return report
        # The notes the stamp's walk found: one walk of the vault per build.
        walked = inputs is not None
        walked_at = inputs.walked_at if walked else time.time_ns()
        notes = list(inputs.notes) if walked else _walk(config)
        vault = load_vault(
            config, today, progress=progress, notes=notes, elsewhere=list(inputs.elsewhere) if walked else None,
        )
    else:
        notes, walked_at = None, None
    people, problems = with_last_good(vault)
    report = BuildReport(problems=problems, people=len(people))
    if strict and vault.problems:
        report.failed = True
        return report
    render_and_write(vault, today, report, notes=notes, walked_at=walked_at)
    if inputs is not None:
        _save_stamp(config, inputs, report)
    return report


EVENTS = "vevent"  # the store's fragments of this kind: each calendar event's bytes, by UID
NOTES = "index-note"  # and of this kind: each kept index note's bytes, by its path (``KeptNotes``)
KEPT_NOTES_FORMAT = 1


class KeptNotes:
    """The index notes of an earlier build, each kept with a key of what it was rendered
    from: the template files (the vault's and the defaults), the config, today, vaultnet's
    and Jinja's code, the number of people, and the part of each person the note reads
    (``IndexNote.reads``). A note whose key is unchanged is not rendered again; one without
    ``reads`` (a note that reads most of every record, or the whole plan) always is.
    Templates that are links, or hold one, are never keyed: they are rendered every time,
    with the checks the template loader makes.

    A person's part is a function of their record, the config and the day, so a digest of
    it is kept too (``PARTS``), under the person's identity (``person_identities``): only
    the parts of people whose identity changed are read and digested again.

    ``kept`` maps a path to its key and ``fetch`` reads the bytes kept under it; ``parts``,
    the stored digests (``{path: "identity|digests"}``, the digests of the notes with
    ``reads`` in ``REGISTRY`` order, each ``PART_DIGEST`` characters; checked as used);
    after a build, ``fresh`` holds what was rendered anew (``{path: (key, bytes)}``) and
    ``fresh_parts`` the digests to store (None when unchanged).
    """

    def __init__(
        self, config: Config, today: date, kept: dict[str, str], fetch, parts: dict | None = None,
        identities: dict[str, str] | None = None,
    ):
        self.kept_keys = kept
        self.fetch = fetch
        self.fresh: dict[str, tuple[str, bytes]] = {}
        self.base = _notes_base_key(config, today)
        self.parts = parts or {}
        self.identities = identities or {}
        self.fresh_parts: dict | None = None
        self._keys: dict[str, str] | None = None

    def key(self, note, views) -> str | None:
        if note.reads is None or self.base is None:
            return None
        if self._keys is None:
            self._keys = self._note_keys(views)
        return self._keys.get(note.file)

    def _note_keys(self, views) -> dict[str, str]:
        from .render.indexnotes import REGISTRY

        notes = [note for note in REGISTRY if note.reads is not None]
        width = PART_DIGEST * len(notes)
        hashers = []
        for note in notes:
            hasher = hashlib.blake2b(digest_size=16)
            hasher.update(repr((self.base, note.file, note.template, len(views.people))).encode())
            hashers.append(hasher)
        parts = self.parts  # updated in place: a huge vault holds one copy
        identities = self.identities
        changed = False
        every: list[str] = []  # each person's digests, in order
        for person in views.people:
            path = person.path
            identity = identities.get(path)
            kept = parts.get(path) if identity is not None else None
            digests = None
            if kept.__class__ is str and len(kept) > width and kept[-width - 1] == "|" and kept[:-width - 1] == identity:
                digests = kept[-width:]
            if digests is None or not digests.isascii():
                digests = "".join(_part_digest(note.reads(views, person)) for note in notes)
                if identity is not None:
                    parts[path] = f"{identity}|{digests}"
                    changed = True
            every.append(digests)
        for i, hasher in enumerate(hashers):  # fed as one text: the same digest as one update per person
            start, end = i * PART_DIGEST, (i + 1) * PART_DIGEST
            hasher.update("".join([digests[start:end] for digests in every]).encode("ascii"))
        del every
        if len(parts) > len(identities) or changed:
            for path in [path for path in parts if path not in identities]:
                del parts[path]
                changed = True
        if changed:
            self.fresh_parts = parts
        return {note.file: hasher.hexdigest() for note, hasher in zip(notes, hashers)}

    def kept(self, rel: str, key: str) -> bytes | None:
        if self.kept_keys.get(rel) != key:
            return None
        return self.fetch(rel)


PART_DIGEST = 24  # hex digits of the digest of one person's part of one note
_LEFT_OUT = "-" * PART_DIGEST


def _part_digest(part) -> str:
    """A digest of one person's part of a note (dashes when the note leaves them out)."""
    if part is None:
        return _LEFT_OUT
    return hashlib.blake2b(repr(part).encode("utf-8", "surrogatepass"), digest_size=PART_DIGEST // 2).hexdigest()


def _notes_base_key(config: Config, today: date) -> str | None:
    """What every kept index note depends on besides the records (see ``KeptNotes``), or
    None when the templates cannot be keyed (a link among them)."""
    from .load.discover import library_files
    from .render.templating import default_templates_dir

    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((KEPT_NOTES_FORMAT, today.isoformat(), repr(config))).encode("utf-8", "surrogatepass"))
    folders = [default_templates_dir()]
    if config.templates_path.is_dir():
        folders.append(config.templates_path)
    unreadable: list[OSError] = []
    for folder in folders:
        if os.path.islink(folder):
            return None
        for base, dirs, files in os.walk(folder, onerror=unreadable.append):
            dirs.sort()
            for name in [*dirs, *sorted(files)]:
                path = os.path.join(base, name)
                if os.path.islink(path):
                    return None
                if name in files:
                    try:
                        with open(path, "rb") as handle:
                            data = handle.read()
                    except OSError:
                        return None
                    digest.update(repr((os.path.relpath(path, folder), len(data))).encode("utf-8", "surrogateescape"))
                    digest.update(data)
        digest.update(b"\0folder\0")
    if unreadable:  # a folder that cannot be listed: what it holds cannot be keyed
        return None
    for path in [*sorted(_PACKAGE.rglob("*.py")), *library_files(LIBRARIES)]:  # the templates' `yaml` filter too
        digest.update(repr((str(path), _key(path))).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def render_and_write(
    vault: Vault, today: date, report: BuildReport | None = None, write: bool = True, notes: list[Found] | None = None,
    walked_at: int | None = None,
) -> list[Output]:
    """Render every output, reusing what the store kept from earlier builds (the calendar
    events, the index notes, and each person's rows in them: only what changed is rendered
    again), write the outputs that changed unless ``write`` is off, then store what was
    rendered for the next build (skipped when the store cannot be written: it is only a
    cache). ``notes``: the walk the vault was loaded from, which tells each person's
    identity (``person_identities``), and ``walked_at`` the time (ns) before that walk began;
    without them no row is reused. Used by ``build`` and ``serve``."""
    from .load.store import fragments, kept_fragments, save_fragments
    from .render.calendar import EncodedEvents

    config = vault.config
    identities = person_identities(vault, notes, walked_at) if notes is not None and walked_at is not None else {}
    # The events read at once: most of them are reused, and one query is much cheaper than one
    # per event (the feed's bytes are held anyway).
    kept_events = fragments(config, EVENTS)
    with (
        kept_fragments(config, NOTES) as (note_keys, fetch_note),
        kept_fragments(config, ROWS) as (row_keys, fetch_rows),
    ):
        kept_notes = KeptNotes(config, today, note_keys, fetch_note, None, identities)
        kept_notes.parts = _kept_parts(config, kept_notes.base)
        keys = {uid: key for uid, (key, _data) in kept_events.items()}
        events = EncodedEvents(keys, lambda uid: kept_events[uid][1] if uid in kept_events else None, kept_notes.base)
        rows = kept_rows(kept_notes.base, row_keys, fetch_rows)
        outputs = render_outputs(vault, today, events, kept_notes, rows, identities)
    kept_events.clear()  # the feed holds the bytes it reused; the rest can go
    if write:
        write_outputs(config.root, outputs, report if report is not None else BuildReport(), config)
    save_fragments(config, EVENTS, events.fresh, events.gone)
    current = {output.rel for output in outputs}
    save_fragments(config, NOTES, kept_notes.fresh, [rel for rel in note_keys if rel not in current])
    if identities and kept_notes.base is not None:
        import json

        if kept_notes.fresh_parts is not None:
            data = json.dumps(kept_notes.fresh_parts, ensure_ascii=False).encode("utf-8", "surrogatepass")
            save_fragments(config, PARTS, {PARTS: (kept_notes.base, data)})

        fresh = {slot: (kept_notes.base, data) for slot, data in rows.fresh.items()}
        save_fragments(config, ROWS, fresh, [slot for slot in row_keys if slot not in rows.used])
    return outputs


ROWS = "index-rows"  # the store's fragments of this kind: the rows of one list of one note, by slot
PARTS = "person-parts"  # and one fragment of this kind: the digest of each person's part of each kept note


def _kept_parts(config: Config, base: str | None) -> dict:
    """The digests of each person's part of the kept notes (``KeptNotes``), stored under
    today's ``base`` key; empty when there are none (each value is checked as it is used)."""
    import json

    from .load.store import fragments

    if base is None:
        return {}
    key, data = fragments(config, PARTS).get(PARTS, (None, None))
    if key != base:
        return {}
    try:
        parts = json.loads(data)
    except (ValueError, RecursionError):
        return {}
    return parts if parts.__class__ is dict else {}


def kept_rows(base: str | None, keys: dict[str, str], fetch) -> RowKeeper:
    """The rows kept by earlier builds (``render.rows.RowKeeper``), used only under today's
    ``base`` key (the templates, the config, the day, the code)."""
    from .render.rows import RowKeeper

    def fetch_slot(slot: str) -> bytes | None:
        if base is None or keys.get(slot) != base:
            return None
        return fetch(slot)

    return RowKeeper(fetch_slot)


def _walk(config: Config) -> list:
    from .load.discover import walk

    return list(walk(config))


def person_identities(vault: Vault, notes: list[Found], walked_at: int) -> dict[str, str]:
    """Each person's identity, by path: what their record is made of besides the config and
    the code — the stat key of their note (the store's own rule: size, times and inode),
    and the mentions of them in other notes. A note changed within the racy window before
    ``walked_at`` (when the walk that took its stat key began, so before the note was read:
    its stat key cannot be trusted yet, as in ``load.store``) and a note kept as last read
    well have none: their rows are rendered every time.

    An identity holds for one path: a stat key is that of the file a linked note leads to,
    and a rename may keep it, so whatever is kept under an identity is kept by path too (the
    rows and parts are, and a calendar event's key holds the path beside its UID)."""
    from .load.discover import NOTE
    from .load.store import RACY_SECONDS

    racy_after = walked_at - int(RACY_SECONDS * 1e9)
    out = {}
    for note in notes:
        if note.kind == NOTE and note.changed_ns < racy_after and note.changed_ns > 0:
            out[note.rel] = "%d:%d:%d:%d" % note.key
    for path in vault.last_good:
        out.pop(path, None)
    for person in vault.people:
        mentions = person.mentions
        if mentions and person.path in out:
            digest = hashlib.blake2b(repr(mentions).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
            out[person.path] += "|" + digest
    return out


# --- the build stamp ----------------------------------------------------------------------------

STAMP_FORMAT = 2
_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class InputState:
    digest: str
    # Inputs changed within the racy window: their stat keys cannot be trusted, so the
    # digest holds a hash of their content instead.
    by_content: tuple[str, ...] = ()
    notes: tuple = field(default=(), compare=False, repr=False)  # the walk of the notes it was made from
    elsewhere: tuple = field(default=(), compare=False, repr=False)  # and of the notes that may mention people
    walked_at: int = field(default=0, compare=False, repr=False)  # the time (ns) before that walk began

    @property
    def racy(self) -> bool:
        return bool(self.by_content)


def _key(path: Path | str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _files_under(folder: Path) -> list[Path]:
    """The files under ``folder``, and the links to folders there: the walk does not follow
    them, but a template may include through one (``parts/current/row.md``), and pointing
    it at another folder changes no file the walk lists. The stamp keys a link by what it
    leads to (another folder: another inode)."""
    found = []
    for base, dirs, files in os.walk(folder):
        dirs.sort()
        found += [Path(base) / name for name in dirs if os.path.islink(os.path.join(base, name))]
        found += [Path(base) / name for name in sorted(files)]
    return found


# The libraries whose code shapes the outputs: the feed's encoding, the templates, the notes'
# front matter. An upgrade replaces their files, so their stat keys change with it.
LIBRARIES = ("icalendar", "jinja2", "markupsafe", "yaml", "frontmatter")


def _input_hash(path: str) -> str:
    """A hash of an input file's bytes; for one that cannot be read, a value that matches
    nothing, so that a stamp naming it never holds (the next build does the full work)."""
    from .load.files import NoteFileError, read_note_bytes

    try:
        return hashlib.sha256(read_note_bytes(path, 1 << 26)[0]).hexdigest()
    except (OSError, NoteFileError):
        return "unreadable " + os.urandom(16).hex()


def input_state(
    config: Config, today: date, by_content: frozenset[str] = frozenset(), notes: tuple | None = None,
    elsewhere: tuple | None = None,
) -> InputState:
    """A hash of the stat keys of everything the outputs depend on. An input changed
    within the racy window, or named in ``by_content`` (those of the last stamp), counts
    by its content: only those files are read. ``notes`` and ``elsewhere``: the walks of
    the person notes and of the notes that may mention them, made a moment ago for the
    same build (else they are walked here)."""
    from . import __version__
    from .load.discover import library_files, walk
    from .load.store import RACY_SECONDS
    from .render.templating import default_templates_dir

    racy_after = time.time_ns() - int(RACY_SECONDS * 1e9)
    walked_at = racy_after + int(RACY_SECONDS * 1e9)
    inputs: list[tuple[str, str, tuple | None, int]] = []  # label, path, stat key, last change
    notes = tuple(walk(config)) if notes is None else notes
    if elsewhere is None:  # a daily note's link to a person is a contact
        elsewhere = tuple(walk(config, elsewhere=True)) if config.mentions else ()
    # The notes settled and not named by the last stamp (nearly all of them) count by their
    # stat keys, hashed as one text; the others go through the loop below with the rest.
    settled = []
    for prefix, walked in (("", notes), ("elsewhere ", elsewhere)):
        for note in walked:
            label = prefix + note.rel
            if note.changed_ns >= racy_after or label in by_content:
                inputs.append((label, note.path, note.key, note.changed_ns))
            else:
                settled.append((label, note.key))
    others = [config.root / "vaultnet.toml", config.people_path, config.templates_path]
    if config.templates_path.is_dir():
        others += _files_under(config.templates_path)
    others += _files_under(default_templates_dir()) + sorted(_PACKAGE.rglob("*.py")) + library_files(LIBRARIES)
    for path in others:
        key = _key(path)
        inputs.append((str(path), str(path), key, max(key[1], key[2]) if key else 0))
    digest = hashlib.sha256()
    digest.update(repr((STAMP_FORMAT, __version__, today.isoformat(), output_paths(config))).encode())
    digest.update(_settled_digest(settled))
    hashed = []
    for label, path, key, changed in inputs:
        if changed >= racy_after or label in by_content:
            hashed.append(label)
            is_file = key is not None and os.path.isfile(path)
            key = ("content", _input_hash(path) if is_file else key)
        digest.update(repr((label, key)).encode("utf-8", "surrogateescape"))
    return InputState(digest.hexdigest(), tuple(hashed), notes, elsewhere, walked_at)


def _settled_digest(settled: list[tuple[str, tuple]]) -> bytes:
    """The settled inputs' labels and stat keys as one hash: the keys packed as 64-bit
    integers (one C call for them all), or as text when one does not fit."""
    from array import array
    from itertools import chain

    digest = hashlib.sha256(repr(len(settled)).encode())
    digest.update("\0".join([label for label, _key in settled]).encode("utf-8", "surrogateescape"))
    keys = [key for _label, key in settled]
    try:
        digest.update(array("q", chain.from_iterable(keys)).tobytes())
    except (OverflowError, TypeError):
        digest.update(repr(keys).encode())
    return digest.digest()


def _output_keys(config: Config, as_written: dict | None = None) -> dict[str, list[int] | None]:
    """Each output's stat key: as written (``BuildReport.output_keys``) when known, else as it is now."""
    known = as_written or {}
    return {
        rel: (list(key) if (key := known[rel] if rel in known else _key(config.root / rel)) else None)
        for rel in output_paths(config)
    }


def _from_stamp(config: Config, inputs: InputState, strict: bool, today: date) -> BuildReport | None:
    """The report of a build that has nothing to do, or None when the stamp does not hold."""
    from .load.store import read_stamp

    try:
        stamp = read_stamp(config)
        if stamp is None or stamp["format"] != STAMP_FORMAT:
            return None
        by_content = stamp.get("by_content", [])
        if not (isinstance(by_content, list) and all(isinstance(label, str) for label in by_content)):
            return None
        if by_content and set(by_content) != set(inputs.by_content):
            # The last build hashed some inputs by content: hash the same ones now.
            inputs = input_state(config, today, frozenset(by_content), inputs.notes, inputs.elsewhere)
        if stamp["inputs"] != inputs.digest:
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
    if by_content:
        settled = input_state(config, today)
        if not settled.racy:  # checked by content and settled since: trust the stat keys again
            _save_stamp(config, settled, report)
    return report


def _save_stamp(config: Config, inputs: InputState, report: BuildReport) -> None:
    """Store the stamp of a build (a read-only vault simply has none: the next build does
    the full work)."""
    from .load.store import save_stamp

    save_stamp(config, {
        "format": STAMP_FORMAT,
        "inputs": inputs.digest,
        "by_content": list(inputs.by_content),
        "outputs": _output_keys(config, report.output_keys),
        "people": report.people,
        "problems": [
            {"path": p.path, "message": p.message, "line": p.line, "field": p.field, "fatal": p.fatal}
            for p in report.problems
        ],
    })
