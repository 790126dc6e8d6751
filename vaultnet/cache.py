"""A cache of parsed notes, so that a warm ``due`` or ``list`` only stats the files.

Parsing YAML front matter is by far the slowest step of every command (about
three quarters of a millisecond per note), and a vault changes a few notes a
day. So ``load_notes`` stats every note, reuses the parsed record of each note
whose key is unchanged, and parses only the others.

What keeps it honest:

- The key of a note is its vault-relative path, size, ``mtime_ns``, ``ctime_ns``
  and inode. ``ctime`` cannot be set by a program, so an edit that keeps the size
  and puts the old modification time back is still seen; a rename (same inode,
  new path) or a replacement by an editor's save-and-rename (new inode) too.
- A note changed within ``RACY_SECONDS`` of the scan is parsed again on the next
  run instead of trusted: file times are coarse (a few milliseconds on Linux, a
  second or two on some file systems), so a second edit in the same tick would
  otherwise keep the key of the first. This is git's "racily clean" rule.
- A note is stat'ed before it is read and again after: if the two differ, it
  changed while being read, and its record is used for this run but not cached.
- The whole cache is thrown away, never partly trusted, when its header differs:
  cache format, vaultnet version, the Python major.minor, the fields of a
  Person, and the size and time of every source file of the parser (so an edit
  of the parser, as in a development checkout, cannot serve records of the old
  parser). Any failure to read, decode or validate it means: parse everything.
- The file is JSON, a data-only format: a cache someone else wrote can make the
  tool show wrong data at worst (as editing the notes could), never run code.
  Every value is type-checked as it is decoded.
- It is split into ``SHARDS`` files by a hash of the note's path; each is written
  to a temporary file in the same folder and renamed over the old one, so
  concurrent runs never read half a file (the last writer wins, and each entry
  pairs a key with the record parsed from the bytes read under that key, so
  files from different runs mix safely). Only the files holding a changed,
  added or removed note are written: a warm run writes nothing, an edit of one
  note rewrites one file.
- A cache that cannot be written (a read-only vault, a full disk) is silently
  skipped: the command works as it would without a cache.

The cache lives in ``.vaultnet/cache/`` of the vault, which ``init`` git-ignores;
a ``.gitignore`` holding ``*`` is also written in that folder, so the cache
never shows up in ``git status`` of a vault made without ``init``.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import sys
import time
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .dates import Birthday
from .durations import Duration
from .errors import Problem
from .person import Entry, Person

FORMAT = 2
# The cache is split in files by a hash of the note's path, so that an edit of one note
# rewrites a thirty-second of it (at 10,000 notes: 0.4 MB instead of 14 MB).
SHARDS = 32
RACY_SECONDS = 2.0
# Modules whose code decides what a note parses to: a change to any of them empties the cache.
PARSER_MODULES = ("loader", "person", "dates", "durations", "notefile", "errors", "names", "cache")

Key = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


@dataclass
class Note:
    """A note found by ``scan``: vault-relative path (with ``/``), full path, stat key."""

    rel: str
    path: str
    key: Key
    changed_ns: int  # the later of mtime and ctime, for the racy rule


@dataclass
class Stats:
    """What one load did, for tests and the benchmark."""

    notes: int = 0
    reused: int = 0
    parsed: int = 0
    written: bool = False
    discarded: str | None = None  # why a cache file present was not used


@dataclass
class Loaded:
    """Each note's record (None when it could not be read) and problems, in scan order."""

    results: list[tuple[str, Person | None, list[Problem]]]
    stats: Stats = field(default_factory=Stats)


# --- discovery -------------------------------------------------------------------------------


def _key(st: os.stat_result) -> Key:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def scan(root: Path, people_dir: str) -> list[Note]:
    """Every ``.md`` note under the people folder, with its stat key, in the order of
    ``loader.iter_note_paths`` (path components compared in turn).

    The same rules as ``iter_note_paths`` (hidden files and folders skipped, links
    to folders not followed, links to files outside the vault skipped), but with
    ``os.scandir``, whose entries know their type without a system call, and plain
    strings instead of ``Path`` objects: at 10,000 notes this takes a fifth of the
    time, which is most of what a warm run costs.
    """
    base = root / people_dir
    if not base.is_dir():
        return []
    resolved_root: Path | None = None
    prefix = base.relative_to(root).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    found: list[Note] = []
    stack = [(str(base), prefix)]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # os.walk skips unreadable folders too
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if not entry.is_symlink():
                    stack.append((entry.path, rel_folder + name + "/"))
                continue
            if not name.lower().endswith(".md"):
                continue
            if entry.is_symlink():
                if resolved_root is None:
                    resolved_root = root.resolve()
                try:
                    Path(entry.path).resolve(strict=True).relative_to(resolved_root)
                except (OSError, ValueError, RuntimeError):
                    continue
            try:
                st = entry.stat()
            except OSError:
                # Unstat-able but listed: let the loader try to read it and report why it cannot.
                found.append(Note(rel_folder + name, entry.path, (-1, -1, -1, -1), 0))
                continue
            found.append(Note(rel_folder + name, entry.path, _key(st), max(st.st_mtime_ns, st.st_ctime_ns)))
    found.sort(key=lambda n: n.rel.split("/"))
    return found


# --- the codec: Person <-> JSON lists, field by field ------------------------------------------
# Chosen by each field's annotation, so a field added to Person with a known type is cached
# without a change here, and one with a new type disables the cache (and fails a test)
# instead of being silently dropped.


class Invalid(ValueError):
    """A cached value of the wrong shape: the cache is not trusted."""


def _check_str(v: Any) -> str:
    if type(v) is not str:
        raise Invalid(f"expected text, found {type(v).__name__}")
    return v


def _opt_str(v: Any) -> str | None:
    return None if v is None else _check_str(v)


def _strs(v: Any) -> tuple[str, ...]:
    if type(v) is not list:
        raise Invalid("expected a list")
    for item in v:
        if type(item) is not str:
            raise Invalid("expected a list of text")
    return tuple(v)


_fromordinal = date.fromordinal
_date_memo: dict[int, date] = {}


def _dec_date(v: Any) -> date | None:
    if v is None:
        return None
    found = _date_memo.get(v)
    if found is None:
        if type(v) is not int:
            raise Invalid("expected a day number")
        found = _date_memo[v] = _fromordinal(v)  # raises ValueError when out of range
    return found


def _enc_date(d: date | None) -> int | None:
    return None if d is None else d.toordinal()


_SEP = "\x7f"  # joins entry texts: DEL, which JSON writes as one byte and notes hardly hold


def _enc_entries(entries: tuple[Entry, ...]) -> list:
    """``[day numbers (0 for none), texts]``: the texts joined into one string when no text
    holds the separator (one string to decode instead of ten), else as a list."""
    days = [0 if e.date is None else e.date.toordinal() for e in entries]
    texts = [e.text for e in entries]
    if not any(_SEP in t for t in texts):
        return [days, _SEP.join(texts)]
    return [days, texts]


def _dec_entries(v: Any) -> tuple[Entry, ...]:
    if not v:
        if v == []:
            return ()
        raise Invalid("expected entries")
    days, texts = v
    if type(texts) is str:
        texts = texts.split(_SEP) if days else []
    elif type(texts) is list:
        for text in texts:
            if type(text) is not str:
                raise Invalid("expected entry text")
    else:
        raise Invalid("expected entry texts")
    if type(days) is not list or len(days) != len(texts):
        raise Invalid("entry days and texts do not match")
    memo = _date_memo
    new = Entry.__new__
    set_date = Entry.date.__set__  # the slot descriptors: what the frozen __init__ does, minus its frame
    set_text = Entry.text.__set__
    out = []
    for day, text in zip(days, texts):
        entry = new(Entry)
        set_date(entry, (memo.get(day) or _dec_date(day)) if day else None)
        set_text(entry, text)
        out.append(entry)
    return tuple(out)


def _enc_duration(d: Duration | None) -> list | None:
    return None if d is None else [d.amount, d.unit]


def _dec_duration(v: Any) -> Duration | None:
    if v is None:
        return None
    amount, unit = v
    if type(amount) is not int or type(unit) is not str:
        raise Invalid("expected a duration")
    return Duration(amount, unit)


def _enc_birthday(b: Birthday | None) -> list | None:
    return None if b is None else [b.month, b.day, b.year]


def _dec_birthday(v: Any) -> Birthday | None:
    if v is None:
        return None
    month, day, year = v
    if type(month) is not int or type(day) is not int or (year is not None and type(year) is not int):
        raise Invalid("expected a birthday")
    date(2000 if year is None else year, month, day)  # a real day, or ValueError
    return Birthday(month, day, year)


def _enc_pairs(v: tuple[tuple[str, str], ...]) -> list:
    return [list(pair) for pair in v]


def _dec_pairs(v: Any) -> tuple[tuple[str, str], ...]:
    if type(v) is not list:
        raise Invalid("expected a list of pairs")
    out = []
    for key, value in v:
        if type(key) is not str or type(value) is not str:
            raise Invalid("expected text pairs")
        out.append((key, value))
    return tuple(out)


def _enc_problem(p: Problem) -> list:
    return [p.message, p.line, p.field, p.fatal]


def _dec_problem(rel: str, v: Any) -> Problem:
    message, line, field_name, fatal = v
    if (
        type(message) is not str
        or (line is not None and type(line) is not int)
        or (field_name is not None and type(field_name) is not str)
        or type(fatal) is not bool
    ):
        raise Invalid("expected a problem")
    return Problem(rel, message, line, field_name, fatal)


def _dec_problems(rel: str, v: Any) -> tuple[Problem, ...]:
    if type(v) is not list:
        raise Invalid("expected a list of problems")
    return tuple(_dec_problem(rel, item) for item in v)


def _ident(v: Any) -> Any:
    return v


# annotation -> (encode, decode); "problems" is special-cased (its path is the note's).
_CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "str": (_ident, _check_str),
    "str | None": (_ident, _opt_str),
    "tuple[str, ...]": (list, _strs),
    "date | None": (_enc_date, _dec_date),
    "Duration | None": (_enc_duration, _dec_duration),
    "Birthday | None": (_enc_birthday, _dec_birthday),
    "tuple[Entry, ...]": (_enc_entries, _dec_entries),
    "tuple[tuple[str, str], ...]": (_enc_pairs, _dec_pairs),
}


def _person_codec():
    """The (name, encode, decode) of every Person field after ``path``, or None when a
    field has a type the cache cannot store (then nothing is cached)."""
    fields = dataclasses.fields(Person)
    if not fields or fields[0].name != "path":
        return None
    plan = []
    for f in fields[1:]:
        annotation = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", repr(f.type))
        if f.name == "problems" and annotation == "tuple[Problem, ...]":
            plan.append((f.name, None, None))
            continue
        codec = _CODECS.get(annotation)
        if codec is None or not f.init:
            return None
        plan.append((f.name, codec[0], codec[1]))
    return plan


PLAN = _person_codec()
_collecting = True  # whether the caller had the garbage collector on (load_notes turns it off)


def encode_person(person: Person) -> list:
    """A Person as a JSON-ready list, in field order (without ``path``, which is the key)."""
    assert PLAN is not None
    out = []
    for name, enc, _dec in PLAN:
        value = getattr(person, name)
        out.append([_enc_problem(p) for p in value] if enc is None else enc(value))
    return out


def _compile_decoder(plan):
    """A decoder function written out for Person's fields, as ``dataclasses`` writes
    ``__init__``: a loop over 22 fields with a call per field took half of a warm run.
    Text fields are checked inline; the others call their decoder."""
    names = [f"v{i}" for i in range(len(plan))]
    args, scope = [], {"Person": Person, "_dec_problems": _dec_problems, "Invalid": Invalid}
    for i, (_name, _enc, dec) in enumerate(plan):
        v = names[i]
        if dec is None:
            args.append(f"_dec_problems(rel, {v})")
        elif dec is _check_str:
            args.append(f"({v} if type({v}) is str else _bad())")
        elif dec is _opt_str:
            args.append(f"({v} if {v} is None or type({v}) is str else _bad())")
        else:
            scope[f"d{i}"] = dec
            args.append(f"d{i}({v})")
    source = (
        "def _bad():\n    raise Invalid('expected text')\n"
        "def decode(rel, values):\n"
        "    if type(values) is not list:\n        raise Invalid('a cached person is not a list')\n"
        f"    {', '.join(names)}, = values\n"
        f"    return Person(rel, {', '.join(args)})\n"
    )
    exec(compile(source, "<vaultnet.cache decoder>", "exec"), scope)
    return scope["decode"]


_decode = _compile_decoder(PLAN) if PLAN is not None else None


def decode_person(rel: str, values: Any) -> Person:
    """The Person a cached list describes; Invalid (or another ValueError/TypeError) if it
    is not exactly the shape ``encode_person`` writes."""
    assert _decode is not None
    return _decode(rel, values)


# --- the cache file --------------------------------------------------------------------------


def _parser_fingerprint() -> list:
    """Size and time of each parser module's source: any edit to them empties the cache."""
    here = Path(__file__).parent
    out = []
    for name in PARSER_MODULES:
        try:
            st = os.stat(here / f"{name}.py")
            out.append([name, st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([name, None, None])
    return out


def header(people_dir: str) -> dict:
    return {
        "format": FORMAT,
        "vaultnet": __version__,
        "python": list(sys.version_info[:2]),
        "fields": [f.name for f in dataclasses.fields(Person)],
        "parser": _parser_fingerprint(),
        "people_dir": people_dir,
    }


def cache_dir(root: Path) -> Path:
    return root / ".vaultnet" / "cache"


def shard_of(rel: str) -> int:
    """Which of the cache files holds a note: a stable hash of its path."""
    return zlib.crc32(rel.encode("utf-8", "surrogatepass")) % SHARDS


def shard_path(root: Path, shard: int) -> Path:
    return cache_dir(root) / f"notes-{shard:02d}.json"


def read_cache(path: Path, expected: dict) -> tuple[dict, str | None]:
    """The cached entries by relative path, or ``({}, why)`` when the file is missing,
    damaged, or from another version; never raises."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"cannot read it: {exc.strerror}"
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return {}, f"not valid JSON ({exc.__class__.__name__})"
    if type(data) is not dict or data.get("header") != expected:
        return {}, "made by another version, parser or configuration"
    notes = data.get("notes")
    if type(notes) is not dict:
        return {}, "no notes table"
    return notes, None


def write_cache(path: Path, head: dict, notes: dict) -> bool:
    """Write the cache atomically (a temporary file, then a rename over the old one); False
    when it cannot be written, which is never an error: the cache is an optimisation.

    It uses ``os.open``/``os.rename`` rather than the helpers that write notes
    (``tempfile``, ``os.replace``), so a test that makes those crash tests the note's
    write, not the cache's."""
    folder = path.parent
    temp = folder / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            (folder / ".gitignore").write_text("# vaultnet's cache of parsed notes: never commit it\n*\n", encoding="utf-8")
        data = json.dumps({"header": head, "notes": notes}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)  # less the umask, like any file
    except (OSError, ValueError, TypeError):
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.rename(temp, path)  # atomic on POSIX: readers see the old file or the new one
        return True
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass
        return False


# --- loading ---------------------------------------------------------------------------------


def _read_note(note: Note, parse, gc_during_parse: bool = False) -> tuple[Person | None, list[Problem], bool]:
    """Read and parse one note; the flag says whether the result may be cached (the file
    did not change while it was read)."""
    try:
        with open(note.path, "rb") as handle:
            data = handle.read()
            after = _key(os.fstat(handle.fileno()))
    except OSError as exc:
        return None, [Problem(note.rel, f"cannot read the file: {exc.strerror}", fatal=True)], False
    if gc_during_parse:
        gc.enable()  # YAML parsing leaves cyclic garbage: collect it as usual
        try:
            person, problems = parse(note.rel, data)
        finally:
            gc.disable()
    else:
        person, problems = parse(note.rel, data)
    return person, problems, after == note.key


def load_notes(root: Path, people_dir: str, parse, use_cache: bool | None = None) -> Loaded:
    """Every note of the people folder as ``(rel, person or None, problems)``, in scan
    order; ``parse`` is ``loader.parse_note`` (passed in, so this module does not import
    the YAML parser: a warm run never needs it). ``$VAULTNET_NO_CACHE=1`` turns the
    cache off (to measure it, or to rule it out when something looks wrong)."""
    notes = scan(root, people_dir)
    stats = Stats(notes=len(notes))
    if use_cache is None:
        use_cache = os.environ.get("VAULTNET_NO_CACHE", "") in ("", "0")
    enabled = use_cache and PLAN is not None
    head = header(people_dir) if enabled else {}
    # Decoding builds a few hundred thousand small objects, none of them garbage; the cyclic
    # collector would walk the growing heap again and again (it doubled the time of a warm run).
    global _collecting
    _collecting = collecting = gc.isenabled()
    gc.disable()
    try:
        loaded = _load(root, people_dir, parse, notes, stats, enabled, head)
    finally:
        if collecting:
            gc.enable()
    if os.environ.get("VAULTNET_CACHE_STATS"):
        print(f"vaultnet cache: {stats}", file=sys.stderr)
    return loaded


def _load(root, people_dir, parse, notes, stats, enabled, head) -> Loaded:
    shards: list[dict] = [{} for _ in range(SHARDS)]
    dirty = [False] * SHARDS
    if enabled:
        for n in range(SHARDS):
            shards[n], why = read_cache(shard_path(root, n), head)
            if why:
                stats.discarded, dirty[n] = why, True
    racy_after = time.time_ns() - int(RACY_SECONDS * 1e9)
    fresh: list[dict] = [{} for _ in range(SHARDS)]
    results: list[tuple[str, Person | None, list[Problem]]] = []
    for note in notes:
        n = shard_of(note.rel)
        entry = shards[n].get(note.rel)
        if entry is not None:
            try:
                size, mtime, ctime, ino, payload, problems_raw, racy = entry
                if (size, mtime, ctime, ino) == note.key and not racy:
                    person = decode_person(note.rel, payload) if payload is not None else None
                    problems = list(_dec_problems(note.rel, problems_raw))
                    if person is None and not any(p.fatal for p in problems):
                        raise Invalid("a note without a record must have a fatal problem")
                    results.append((note.rel, person, problems))
                    fresh[n][note.rel] = entry
                    stats.reused += 1
                    continue
            except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
                # A damaged cache is rebuilt, never trusted: start over without it.
                stats.discarded = "an entry failed validation"
                return _rebuild(root, parse, notes, stats, head)
        person, problems, stable = _read_note(note, parse, _collecting)
        stats.parsed += 1
        dirty[n] = True
        results.append((note.rel, person, problems))
        if enabled and stable and note.key[0] >= 0:
            fresh[n][note.rel] = _entry(note, person, problems, racy_after)
    if enabled:
        for n in range(SHARDS):
            if dirty[n] or len(fresh[n]) != len(shards[n]):  # changed, added, or removed notes
                stats.written = write_cache(shard_path(root, n), head, fresh[n]) or stats.written
    return Loaded(results, stats)


def _entry(note: Note, person: Person | None, problems: list[Problem], racy_after: int) -> list:
    racy = note.changed_ns >= racy_after
    payload = encode_person(person) if person is not None else None
    return [*note.key, payload, [_enc_problem(p) for p in problems], racy]


def _rebuild(root, parse, notes, stats, head) -> Loaded:
    racy_after = time.time_ns() - int(RACY_SECONDS * 1e9)
    stats.reused = stats.parsed = 0
    fresh: list[dict] = [{} for _ in range(SHARDS)]
    results = []
    for note in notes:
        person, problems, stable = _read_note(note, parse, _collecting)
        stats.parsed += 1
        results.append((note.rel, person, problems))
        if stable and note.key[0] >= 0:
            fresh[shard_of(note.rel)][note.rel] = _entry(note, person, problems, racy_after)
    for n in range(SHARDS):
        stats.written = write_cache(shard_path(root, n), head, fresh[n]) or stats.written
    return Loaded(results, stats)
