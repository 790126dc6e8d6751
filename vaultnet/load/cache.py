"""A cache of parsed notes, so that a warm ``due`` or ``list`` only stats the files.

Parsing YAML front matter is by far the slowest step of every command (close
to a millisecond per note), and a vault changes a few notes a day. So ``load_notes`` stats every note, reuses the parsed record of each note
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
- A cache file is not used at all when its header differs: cache format,
  vaultnet version, the Python major.minor, the fields of a Person, and the size
  and time of every source file of the parser (so an edit of the parser, as in
  a development checkout, cannot serve records of the old parser), or when it
  cannot be read or is not valid JSON. An entry that fails validation makes the
  whole cache be rebuilt: damage is never partly trusted.
- The files are JSON, a data-only format: a cache someone else wrote can make
  the tool show wrong data at worst (as editing the notes could), never run
  code. Every value is type-checked as it is decoded.
- It is split into ``SHARDS`` files by a hash of the note's path; each is written
  to a temporary file in the same folder and renamed over the old one, so
  concurrent runs never read half a file (the last writer wins, and each entry
  pairs a key with the record parsed from the bytes read under that key, so
  files from different runs mix safely). Only the files holding a changed,
  added or removed note are written: a warm run writes nothing, an edit of one
  note rewrites one file.
- A cache that cannot be written (a read-only vault, a full disk) is silently
  skipped: the command works as it would without a cache.

Speed, measured with ``bench/run.py``: a record is stored flat (one list of
numbers, one string of texts) and decoded by generated code; the cyclic garbage
collector is kept off while the records are built and they are frozen out of its
sight afterwards; a large batch of notes to parse is split across the cores.

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

from .. import __version__
from ..model.dates import Birthday
from ..model.durations import Duration
from ..model.errors import Problem
from ..model.person import Entry, Person
from .files import MAX_NOTE_BYTES, NoteFileError, read_note_bytes

FORMAT = 3
# The cache is split in files by a hash of the note's path, so that an edit of one note
# rewrites a thirty-second of it (at 10,000 notes: 0.4 MB instead of 14 MB).
SHARDS = 32
RACY_SECONDS = 2.0
# Modules whose code decides what a note parses to: a change to any of them empties the cache.
PARSER_MODULES = ("load/vault", "load/frontmatter", "model/person", "model/dates", "model/durations", "load/notefile", "model/errors", "model/names", "load/cache")

Key = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


@dataclass(slots=True)
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
    # For each result, the stat key its record was read under, or None when that key cannot
    # be trusted (the note changed while being read, or within RACY_SECONDS); None for the
    # whole list when the cache is off. The roster (``roster.save``) is written from these.
    keys: list[Key | None] | None = None


# --- discovery -------------------------------------------------------------------------------


def _key(st: os.stat_result) -> Key:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def is_another_note(target: Path, people: Path) -> bool:
    """Whether a link's resolved ``target`` is itself a note the people folder lists: a
    ``.md`` file inside the (resolved) people folder, with no hidden part on the way.

    Such a link is the same person under a second file name; read under both, the person
    would be listed twice and edits would go to whichever name a command found first.
    So the note is read once, under its own name (``check`` names the link)."""
    try:
        parts = target.relative_to(people).parts
    except ValueError:
        return False
    return bool(parts) and parts[-1].lower().endswith(".md") and not any(p.startswith(".") for p in parts)


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
    resolved_people: Path | None = None
    prefix = base.relative_to(root).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    found: list[Note] = []
    stack = [(str(base), prefix)]
    nested = False
    while stack:
        folder, rel_folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # os.walk skips unreadable folders too
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            if name[-3:].lower() != ".md":
                try:
                    if entry.is_dir() and not entry.is_symlink():
                        stack.append((entry.path, rel_folder + name + "/"))
                        nested = True
                except OSError:
                    pass
                continue
            try:
                if entry.is_symlink():
                    if entry.is_dir():
                        continue  # a link to a folder: os.walk lists it as a folder and does not follow it
                    if resolved_root is None:
                        resolved_root, resolved_people = root.resolve(), base.resolve()
                    target = Path(entry.path).resolve(strict=True)
                    target.relative_to(resolved_root)
                    if is_another_note(target, resolved_people):
                        continue
                elif entry.is_dir():
                    stack.append((entry.path, rel_folder + name + "/"))  # a folder named like a note
                    nested = True
                    continue
                st = entry.stat()
            except (ValueError, RuntimeError):
                continue  # a link that leads outside the vault (or loops)
            except OSError:
                if entry.is_symlink():
                    continue  # a broken link: iter_note_paths skips it too
                # Listed but not stat-able: let the loader try to read it and say why it cannot.
                found.append(Note(rel_folder + name, entry.path, (-1, -1, -1, -1), 0))
                continue
            mtime, ctime = st.st_mtime_ns, st.st_ctime_ns
            found.append(Note(rel_folder + name, entry.path, (st.st_size, mtime, ctime, st.st_ino), mtime if mtime > ctime else ctime))
    if nested:
        found.sort(key=lambda n: n.rel.split("/"))
    else:
        found.sort(key=lambda n: n.rel)
    return found


# --- the codec: a note's record as one list of numbers and one string ---------------------------
# JSON of nested lists made a warm run spend most of its time creating and freeing small lists.
# So a record is flattened: every number (counts, day numbers, flags) goes into one list and
# every text into one string, joined by SEP, which ``str.split`` takes apart in C. Each Person
# field is coded by its annotation, so a field added with a known type is cached with no change
# here, and one with a new type turns the cache off (and fails a test) instead of being dropped.
# The decoder is generated from the same table, like a dataclass's ``__init__``.

SEP = "\x7f"  # DEL: written by JSON as one byte, and (almost) never in a note; texts holding it are stored as a list


class Invalid(ValueError):
    """A cached value of the wrong shape: the cache is not trusted."""


def _enc_str(v, I, S):
    S.append(v)


def _enc_opt_str(v, I, S):
    if v is None:
        I.append(0)
    else:
        I.append(1)
        S.append(v)


def _enc_strs(v, I, S):
    I.append(len(v))
    S.extend(v)


def _enc_date(v, I, S):
    I.append(0 if v is None else v.toordinal())


def _enc_duration(v, I, S):
    if v is None:
        I.append(-1)
    else:
        I.append(v.amount)
        S.append(v.unit)


def _enc_birthday(v, I, S):
    if v is None:
        I.append(0)
    else:
        I.extend((v.month, v.day, v.year or 0))


def _enc_entries(v, I, S):
    I.append(len(v))
    I.extend(0 if e.date is None else e.date.toordinal() for e in v)
    S.extend(e.text for e in v)


def _enc_pairs(v, I, S):
    I.append(len(v))
    for key, value in v:
        S.append(key)
        S.append(value)


def _enc_problems(v, I, S):
    I.append(len(v))
    for p in v:
        S.append(p.message)
        I.append(-1 if p.line is None else p.line)
        if p.field is None:
            I.append(0)
        else:
            I.append(1)
            S.append(p.field)
        I.append(1 if p.fatal else 0)


_date_memo: dict[int, date] = {}


def _day(v: Any) -> date:
    found = _date_memo.get(v)
    if found is None:
        if type(v) is not int:
            raise Invalid("expected a day number")
        found = _date_memo[v] = date.fromordinal(v)  # ValueError when out of range
    return found


def _entries(days: list, texts: list) -> tuple[Entry, ...]:
    memo = _date_memo
    new = Entry.__new__
    set_date = Entry.date.__set__  # the slot descriptors: what the frozen __init__ does, minus its frame
    set_text = Entry.text.__set__
    out = []
    for day, text in zip(days, texts):
        entry = new(Entry)
        set_date(entry, (memo.get(day) or _day(day)) if day else None)
        set_text(entry, text)
        out.append(entry)
    return tuple(out)


def _duration(amount: Any, unit: str) -> Duration:
    if type(amount) is not int or amount < 0 or unit not in ("d", "w", "m", "y", "none"):
        raise Invalid("expected a duration")
    return Duration(amount, unit)


def _birthday(month: Any, day: Any, year: Any) -> Birthday:
    date(year or 2000, month, day)  # a real day, or TypeError/ValueError
    return Birthday(month, day, year or None)


def _problems(rel: str, I: list, S: list, i: int, j: int) -> tuple[tuple[Problem, ...], int, int]:
    n = I[i]
    i += 1
    if type(n) is not int or n < 0:
        raise Invalid("expected a count")
    out = []
    for _ in range(n):
        message = S[j]
        line, has_field = I[i], I[i + 1]
        j += 1
        field_name = None
        if has_field:
            field_name = S[j]
            j += 1
        fatal = I[i + 2]
        i += 3
        if type(line) is not int or fatal not in (0, 1):
            raise Invalid("expected a problem")
        out.append(Problem(rel, message, None if line == -1 else line, field_name, bool(fatal)))
    return tuple(out), i, j


# annotation -> (encoder, decoding source using I, S, i, j and setting `value`)
_COUNT = "n = I[i]; i += 1\n    if n.__class__ is not int or n < 0: _bad()\n"
_CODECS: dict[str, tuple[Callable, str]] = {
    "str": (_enc_str, "value = S[j]; j += 1\n"),
    "str | None": (_enc_opt_str, "if I[i]: value = S[j]; j += 1\n    else: value = None\n    i += 1\n"),
    "tuple[str, ...]": (_enc_strs, _COUNT + "    value = tuple(S[j:j + n]); j += n\n"),
    "date | None": (_enc_date, "d = I[i]; i += 1\n    value = (memo.get(d) or _day(d)) if d else None\n"),
    "Duration | None": (_enc_duration, "a = I[i]; i += 1\n    if a == -1: value = None\n    else: value = _duration(a, S[j]); j += 1\n"),
    "Birthday | None": (_enc_birthday, "if I[i]: value = _birthday(I[i], I[i + 1], I[i + 2]); i += 3\n    else: value = None; i += 1\n"),
    "tuple[Entry, ...]": (_enc_entries, _COUNT + "    value = _entries(I[i:i + n], S[j:j + n]); i += n; j += n\n"),
    "tuple[tuple[str, str], ...]": (_enc_pairs, _COUNT + "    value = tuple(zip(S[j:j + 2 * n:2], S[j + 1:j + 2 * n:2])); j += 2 * n\n"),
    "tuple[Problem, ...]": (_enc_problems, "value, i, j = _problems(rel, I, S, i, j)\n"),
}


def _person_codec():
    """The (field name, encoder, decoding source) of every Person field after ``path``,
    or None when a field has a type the cache cannot store (then nothing is cached)."""
    fields = dataclasses.fields(Person)
    if not fields or fields[0].name != "path":
        return None
    plan = []
    for f in fields[1:]:
        annotation = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", repr(f.type))
        codec = _CODECS.get(annotation)
        if codec is None or not f.init:
            return None
        plan.append((f.name, *codec))
    return plan


PLAN = _person_codec()


def encode_note(person: Person | None, problems: list[Problem]) -> tuple[list, str | list | None]:
    """A note's record and problems as (numbers, texts): texts joined by SEP into one
    string, or a list when a text holds SEP, or None when there is no text."""
    assert PLAN is not None
    I: list = [0 if person is None else 1]
    S: list = []
    if person is not None:
        for name, encode, _source in PLAN:
            encode(getattr(person, name), I, S)
    _enc_problems(problems, I, S)
    if not S:
        return I, None
    if any(SEP in s for s in S):
        return I, S
    return I, SEP.join(S)


def _compile_decoder(plan):
    lines = [
        "def decode(rel, I, T):",
        "    if I.__class__ is not list: _bad()",
        "    if T is None: S = []",
        "    elif T.__class__ is str: S = T.split(SEP)",
        "    elif T.__class__ is list and all(s.__class__ is str for s in T): S = T",
        "    else: _bad()",
        "    i, j = 1, 0",
        "    if I[0] == 1:",
    ]
    args = []
    for k, (_name, _encode, source) in enumerate(plan):
        body = source.replace("value", f"v{k}").replace("\n    ", "\n        ")
        lines.append("        " + body.rstrip("\n"))
        args.append(f"v{k}")
    # The record is built as Entry records are (``_entries``): ``Person.__new__`` and each
    # field's slot setter, which is what the frozen ``__init__`` does through
    # ``object.__setattr__``, at half its cost (3 µs of a note's 20). Only for a plain
    # frozen record: were there a ``__post_init__``, ``__init__`` would be called.
    if hasattr(Person, "__post_init__"):
        lines.append(f"        person = Person(rel, {', '.join(args)})")
    else:
        lines.append("        person = new(Person); set_path(person, rel)")
        lines += [f"        set_{k}(person, v{k})" for k in range(len(plan))]
    setters = {f"set_{k}": getattr(Person, name).__set__ for k, (name, _encode, _source) in enumerate(plan)}
    lines += [
        "    elif I[0] == 0: person = None",
        "    else: _bad()",
        "    problems, i, j = _problems(rel, I, S, i, j)",
        "    if i != len(I) or j != len(S): raise Invalid('a cached record has the wrong length')",
        "    if person is None and not any(p.fatal for p in problems): raise Invalid('a note without a record must have a fatal problem')",
        "    return person, list(problems)",
        "def _bad():",
        "    raise Invalid('a cached record has the wrong shape')",
    ]
    scope = {
        "Person": Person, "Invalid": Invalid, "SEP": SEP, "memo": _date_memo, "_day": _day,
        "_entries": _entries, "_duration": _duration, "_birthday": _birthday, "_problems": _problems,
        "new": Person.__new__, "set_path": Person.path.__set__, **setters,
    }
    exec(compile("\n".join(lines) + "\n", "<vaultnet.cache decoder>", "exec"), scope)
    return scope["decode"]


_decode = _compile_decoder(PLAN) if PLAN is not None else None


def decode_note(rel: str, numbers: Any, texts: Any) -> tuple[Person | None, list[Problem]]:
    """The record and problems ``encode_note`` describes; Invalid (or another ValueError,
    TypeError or IndexError) when the values are not exactly of that shape."""
    assert _decode is not None
    return _decode(rel, numbers, texts)


# --- the cache file --------------------------------------------------------------------------


def _parser_fingerprint() -> list:
    """Size and time of each parser module's source: any edit to them empties the cache."""
    here = Path(__file__).parent.parent
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


def ensure_cache_dir(folder: Path) -> None:
    """Make vaultnet's cache folder, with a ``.gitignore`` of ``*`` so that no cache file
    (parsed notes, the build stamp, the calendar memo) is ever committed, even in a vault
    that ``init`` did not set up. Raises OSError when it cannot be made."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# vaultnet's caches: never commit them\n*\n", encoding="utf-8")


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
    """Write the cache atomically (see ``write_atomic``); False when it cannot be written,
    which is never an error: the cache is an optimisation."""
    try:
        # surrogatepass: a file name that is not UTF-8 reaches us as lone surrogates; json.loads
        # of bytes decodes with surrogatepass too, so such a name round-trips.
        data = json.dumps({"header": head, "notes": notes}, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    except (ValueError, TypeError):
        return False
    return write_atomic(path, data)


def write_atomic(path: Path, data: bytes) -> bool:
    """Write a cache file: a temporary file in the same folder, then a rename over the old
    one, so a concurrent reader sees the old file or the new one; False when it cannot be
    written.

    It uses ``os.open``/``os.rename`` rather than the helpers that write notes
    (``tempfile``, ``os.replace``), so a test that makes those crash tests the note's
    write, not the cache's."""
    folder = path.parent
    temp = folder / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        ensure_cache_dir(folder)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)  # less the umask, like any file
    except OSError:
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
        data, st = read_note_bytes(note.path, MAX_NOTE_BYTES)
        after = _key(st)
    except NoteFileError as exc:
        return None, [Problem(note.rel, str(exc), fatal=True)], False
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


def load_notes(root: Path, people_dir: str, parse, use_cache: bool | None = None, notes: list[Note] | None = None) -> Loaded:
    """Every note of the people folder as ``(rel, person or None, problems)``, in scan
    order; ``parse`` is ``loader.parse_note`` (passed in, so this module does not import
    the YAML parser: a warm run never needs it). ``$VAULTNET_NO_CACHE=1`` turns the
    cache off (to measure it, or to rule it out when something looks wrong). ``notes``
    is a ``scan`` the caller has just made (the roster's), else one is made here."""
    if notes is None:
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
            # The records live as long as the vault: move them (and everything else alive)
            # out of the collector's sight, or its next pass walks them all (0.2 s at 10,000
            # notes). Reference counting still frees them; only cycles among them would stay.
            gc.freeze()
            gc.enable()
    if os.environ.get("VAULTNET_CACHE_STATS"):
        print(f"vaultnet cache: {stats}", file=sys.stderr)
    return loaded


def _load(root, people_dir, parse, notes, stats, enabled, head) -> Loaded:
    """Reuse what the cache holds, shard by shard (so that only one shard's raw entries are
    in memory at a time), then parse the rest and write the shards that changed."""
    groups: list[list[int]] = [[] for _ in range(SHARDS)]
    for index, note in enumerate(notes):
        groups[shard_of(note.rel)].append(index)
    dirty = [False] * SHARDS
    kept: list[dict] = [{} for _ in range(SHARDS)]  # raw entries reused, kept only for shards to rewrite
    results: list = [None] * len(notes)
    keys: list = [None] * len(notes)
    missing: list[int] = []
    for n in range(SHARDS):
        cached, why = read_cache(shard_path(root, n), head) if enabled else ({}, None)
        if why:
            stats.discarded = why
        misses = []
        reused = {}
        try:
            for index in groups[n]:
                note = notes[index]
                entry = cached.pop(note.rel, None)
                if entry is not None:
                    size, mtime, ctime, ino, racy, numbers, texts = entry
                    if (size, mtime, ctime, ino) == note.key and not racy:
                        person, problems = _decode(note.rel, numbers, texts)
                        results[index] = (note.rel, person, problems)
                        keys[index] = note.key
                        reused[note.rel] = entry
                        continue
                misses.append(index)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
            # A damaged cache is rebuilt, never trusted: start over without it.
            stats.discarded = "an entry failed validation"
            kept = [{} for _ in range(SHARDS)]
            dirty = [True] * SHARDS
            missing = list(range(len(notes)))
            stats.reused = 0
            keys = [None] * len(notes)
            break
        stats.reused += len(reused)
        missing += misses
        # Rewrite the shard when it was unreadable, or a note in it changed, came, or went.
        if enabled and (why or misses or cached):
            dirty[n] = True
            kept[n] = reused
        del cached, reused
    racy_after = time.time_ns() - int(RACY_SECONDS * 1e9)
    # Parse shard by shard, and write each shard as soon as its notes are parsed: a cold run
    # at 100,000 notes would otherwise hold every encoded entry (about 200 MB) to the end.
    missing.sort(key=lambda i: (shard_of(notes[i].rel), i))
    current = -1
    for index, (person, problems, stable, entry) in zip(missing, _parse_all([notes[i] for i in missing], parse, racy_after)):
        note = notes[index]
        n = shard_of(note.rel)
        if n != current:
            if enabled and current >= 0 and dirty[current]:
                stats.written = write_cache(shard_path(root, current), head, kept[current]) or stats.written
                kept[current], dirty[current] = {}, False
            current = n
        stats.parsed += 1
        results[index] = (note.rel, person, problems)
        if enabled and stable and note.key[0] >= 0:
            kept[n][note.rel] = entry
            if note.changed_ns < racy_after:
                keys[index] = note.key
    if enabled:
        for n in range(SHARDS):
            if dirty[n]:
                stats.written = write_cache(shard_path(root, n), head, kept[n]) or stats.written
    return Loaded(results, stats, keys if enabled else None)


def _entry(note: Note, encoded: tuple, racy_after: int) -> list:
    return [*note.key, note.changed_ns >= racy_after, *encoded]


# --- parsing what the cache does not hold, on every core when there is a lot of it ------------

PARALLEL_FROM = 400  # notes to parse before it pays to start worker processes (~20 ms each)
_worker_parse = None


def _parse_all(notes: list[Note], parse, racy_after: int):
    """``(person, problems, stable, cache entry)`` for each note, in order.

    Parsing is pure Python and most of a cold run (about 0.2 ms a note), so a big
    batch (a first run, a new parser, an import) is split across the cores: forked
    workers parse and send back the records encoded as cache entries (plain lists),
    which this process decodes: a round trip the cache tests prove exact.
    """
    workers = min(os.cpu_count() or 1, 8)
    if len(notes) < PARALLEL_FROM or workers < 2 or PLAN is None or not hasattr(os, "fork") or _threaded():
        for note in notes:
            person, problems, stable = _read_note(note, parse, _collecting)
            entry = _entry(note, encode_note(person, problems), racy_after) if PLAN is not None else None
            yield person, problems, stable, entry
        return
    import multiprocessing

    global _worker_parse
    _worker_parse = parse
    chunks = [(notes[i : i + 200], racy_after) for i in range(0, len(notes), 200)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for chunk, done in zip(chunks, pool.imap(_parse_chunk, chunks)):
            for note, (entry, stable) in zip(chunk[0], done):
                person, problems = _decode(note.rel, entry[5], entry[6])
                yield person, problems, stable, entry


def _threaded() -> bool:
    """Whether other threads run (``vaultnet serve`` loads the vault in request threads):
    forking then could copy a lock another thread holds, so parsing stays in this process."""
    import threading

    return threading.active_count() > 1


def _parse_chunk(task) -> list:
    """In a worker: parse notes, return their cache entries."""
    notes, racy_after = task
    gc.enable()  # forked from a process that had turned it off
    out = []
    for note in notes:
        person, problems, stable = _read_note(note, _worker_parse)
        out.append((_entry(note, encode_note(person, problems), racy_after), stable))
    return out
