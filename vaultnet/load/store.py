"""The store: everything vaultnet derives from the notes, kept in one SQLite file.

Parsing YAML front matter is the slowest step of every command, and a vault changes a
few notes a day. So ``load_notes`` stats every note (``discover.walk``), reuses the
parsed record of each note whose stat key is unchanged, parses only the others, and
writes back only the rows of the notes that changed. The same file holds the roster
that a warm ``due`` or ``list`` reads (a few facts per person, in the row of the note),
the build stamp (``pipeline``), and room for per-person rendered fragments.

It lives in ``.vaultnet/cache/store.sqlite3`` (``init`` git-ignores the folder, which
also holds a ``.gitignore`` of ``*``). SQLite gives the rest: transactions (a crash
leaves the old rows or the new ones), concurrent readers and writers (rollback journal
and a busy timeout; a store locked for longer is skipped, never waited on forever),
one row per note updated on its own.

What keeps it honest:

- A row holds the note's vault-relative path and the stat key (size, ``mtime_ns``,
  ``ctime_ns``, inode) under which its record was parsed. ``ctime`` cannot be set by a
  program, so an edit that keeps the size and puts the old modification time back is
  still seen; a rename (same inode, new path) or an editor's save-by-rename (new inode)
  too.
- A note changed within ``RACY_SECONDS`` before it was read is stored as not trusted and
  parsed again on the next run: file times are coarse, so a second edit in the same tick
  would otherwise keep the key of the first (git's "racily clean" rule). A note that had
  settled by the time it was read is trusted, even when it changed just before the load
  began (a first build right after an import reads for seconds). A note that changed
  while it was read (its key before and after differ) is not stored at all.
- A digest of a walk (``discover.digest``: every path and stat key) stands for a row per
  note only while nothing changed: it is kept only when every row it vouches for was
  compared and trusted and no other connection wrote meanwhile (``PRAGMA data_version``),
  and triggers drop it as soon as any such row changes.
- Two processes may read the same new note at once and both write it: a note's rows are
  keyed by its path and the second write replaces the first's (for the mentions, which
  have no key of their own, by deleting the note's rows first whenever another process
  wrote since this one read the store).
- The store is used only when its schema is exactly this module's (``PRAGMA
  user_version`` and the tables), and its ``meta`` table names this vaultnet, Python,
  ``Person``'s fields, the parser's source files and the people folder. Anything else —
  another version, a foreign file, a damaged database, a row that fails validation — and
  the store is emptied and rebuilt: damage is never partly trusted.
- Records are plain JSON, a data-only format, type-checked as they are decoded (by
  msgspec, against ``Person``'s own annotations): a store someone else wrote can at worst
  make vaultnet show wrong data (as editing the notes could), never run code. Schemas of
  foreign files are never trusted (``PRAGMA trusted_schema = OFF``).
- A store that cannot be written (a read-only vault, a full disk, a lock held too long)
  is silently skipped: the command works as it would without it. ``VAULTNET_NO_CACHE=1``
  turns it off (to measure it, or to rule it out when something looks wrong), and
  ``VAULTNET_CACHE_STATS=1`` says on stderr what a load reused and parsed.
"""

from __future__ import annotations

import dataclasses
from array import array
from contextlib import contextmanager
import gc
import json
import os
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from json.encoder import encode_basestring_ascii
from urllib.parse import quote

from .. import __version__
from ..model.config import Config
from ..model.errors import Problem
from ..model.person import DAY_TYPE, Dated, Person, not_a_person, with_dated
from .discover import NO_KEY, Found, Key, keys_digest, library_files, stat_key, walk
from .discover import digest as walk_digest
from .files import MAX_NOTE_BYTES, NoteFileError, read_note_bytes

FILE = "store.sqlite3"
SCHEMA_VERSION = 7  # PRAGMA user_version: raise it with any change of the tables below
RACY_SECONDS = 2.0
BUSY_SECONDS = 2.0  # how long to wait for another process's write before going on without the store
BATCH = 2000  # rows written per transaction on a cold load, so memory stays flat at any vault size
# Modules whose code decides what the store holds (what a note parses to, how an event is
# encoded): an edit of any of them (a development checkout) empties the store rather than
# serve what the old code made.
SOURCE_MODULES = (
    "load/vault", "load/frontmatter", "load/notefile", "load/files", "load/store", "model/person", "model/dates",
    "model/durations", "model/errors", "model/names", "render/calendar", "render/contentlines",
    "load/mentions", "model/links", "load/roster",
)
# Files of the stores this one replaced, removed when the store is made.
_OBSOLETE = ("roster.json", "build-stamp.json", "calendar-writer.json", *(f"notes-{n:02d}.json" for n in range(32)))

SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # One row per note: its stat key, whether that key is trusted (the racy rule), its
    # problems as JSON (NULL when none), the roster (what ``due`` and ``list`` print, and
    # ``sort_name``, the name casefolded, for their order), and last the parsed Person as
    # JSON (NULL when the note could not be read).
    "CREATE TABLE notes (path BLOB PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
    " ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, trusted INTEGER NOT NULL, problems TEXT,"
    " name TEXT, org TEXT, circle TEXT, cadence TEXT, follow_up INTEGER, last_seen INTEGER, met INTEGER,"
    " met_at TEXT, archived INTEGER, sort_name TEXT, record TEXT,"
    # What ``plan`` and ``due --tag``/``--json`` read of everyone beyond the roster (``FACTS``),
    # each a JSON list of strings, NULL when empty (``wideroster``).
    " tags TEXT, emails TEXT, aliases TEXT, needs TEXT, offers TEXT, links TEXT)",
    # The roster in the vault's order, whole in the index: a warm ``due`` reads only this.
    "CREATE INDEX roster ON notes (sort_name, path, size, mtime_ns, ctime_ns, inode, trusted, name, org, circle,"
    " cadence, follow_up, last_seen, met, met_at, archived, problems)",
    "CREATE TABLE stamp (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL)",
    "CREATE TABLE fragments (path TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL,"
    " PRIMARY KEY (path, kind))",
    # The last record read well from a note that cannot be read now (a merge conflict in its
    # front matter, say): ``build`` and ``serve`` keep that person in the outputs meanwhile,
    # so a calendar subscriber does not lose them. Dropped once the note reads again.
    "CREATE TABLE last_good (path BLOB PRIMARY KEY, record TEXT NOT NULL)",
    # The notes outside the people folder that may mention people (``load/mentions``): one
    # row per note under the stat key it was read with (the racy rule as for ``notes``), its
    # date (NULL when it has none) and problems; and one row per counted link of a dated
    # note: the form it names a note by (``model.links.mention_keys``), line and line text.
    "CREATE TABLE others (path BLOB PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,"
    " ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, trusted INTEGER NOT NULL, day INTEGER, problems TEXT)",
    "CREATE TABLE mentions (note BLOB NOT NULL, day INTEGER NOT NULL, target TEXT NOT NULL, line INTEGER NOT NULL,"
    " text TEXT NOT NULL)",
    "CREATE INDEX mentions_by_target ON mentions (target, day)",
    "CREATE INDEX mentions_by_note ON mentions (note)",
    # The facts with each row's stat key, whole in the index: read without the records.
    "CREATE INDEX facts ON notes (path, size, mtime_ns, ctime_ns, inode, trusted, tags, emails, aliases, needs,"
    " offers, links)",
    # Digests of walks, so that a warm run compares one value instead of a row per note:
    # ``people``, of the walk the notes table was last found to hold exactly, every row
    # trusted (``roster_rows``); ``others``, of the walk the others and mentions tables
    # last held in full, every row trusted (its value: those notes' problems); ``latest``,
    # of both walks the roster's latest mentions were worked out from (its value: the days
    # they hold for, and the mentions by person; ``keep_latest``).
    "CREATE TABLE digests (name TEXT PRIMARY KEY, digest BLOB NOT NULL, value TEXT NOT NULL)",
    # Whatever changes a row a digest vouches for (this module, another process, a hand
    # editing the file) drops that digest, so it is never trusted over the rows.
    *(
        f"CREATE TRIGGER {table}_{event.lower()} AFTER {event} ON {table} BEGIN DELETE FROM digests WHERE name IN {names}; END"
        for table, names in (("notes", "('people', 'latest')"), ("others", "('others', 'latest')"), ("mentions", "('latest')"))
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
)


@dataclass
class Stats:
    """What one load did, for the benchmark and ``VAULTNET_CACHE_STATS``."""

    notes: int = 0
    reused: int = 0
    parsed: int = 0
    written: bool = False
    discarded: str | None = None  # why a store present was not used


@dataclass
class Loaded:
    """Each note's record (None when it could not be read) and problems, in walk order."""

    results: list[tuple[str, Person | None, list[Problem]]]
    stats: Stats = field(default_factory=Stats)
    # Notes that cannot be read now but were read well before: their last good record.
    last_good: dict[str, Person] = field(default_factory=dict)


def enabled() -> bool:
    return os.environ.get("VAULTNET_NO_CACHE", "") in ("", "0")


def report(stats: Stats, how: str = "") -> None:
    if os.environ.get("VAULTNET_CACHE_STATS"):
        print(f"vaultnet cache: {stats}{how}", file=sys.stderr)


# --- the file --------------------------------------------------------------------------------


def cache_dir(root: Path) -> Path:
    return root / ".vaultnet" / "cache"


def ensure_cache_dir(folder: Path) -> None:
    """Make vaultnet's cache folder, with a ``.gitignore`` of ``*`` so that nothing in it is
    ever committed, even in a vault that ``init`` did not set up. OSError when it cannot."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# vaultnet's caches: never commit them\n*\n", encoding="utf-8")


def store_path(root: Path) -> Path:
    return cache_dir(root) / FILE


# The libraries a note is parsed with: an upgrade of either empties the store too.
PARSER_LIBRARIES = ("yaml", "frontmatter", "msgspec")


def _fingerprint() -> list:
    here = Path(__file__).parent.parent
    files = [(name, here / f"{name}.py") for name in SOURCE_MODULES]
    files += zip(PARSER_LIBRARIES, library_files(PARSER_LIBRARIES))
    out = []
    for name, path in files:
        try:
            st = os.stat(path)
            out.append([name, st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([name, None, None])
    return out


def _meta(people_dir: str) -> dict[str, str]:
    return {
        "vaultnet": __version__,
        "python": "%d.%d" % sys.version_info[:2],
        "fields": json.dumps([f.name for f in dataclasses.fields(Person)]),
        "parser": json.dumps(_fingerprint()),
        "people_dir": people_dir,
        "byteorder": sys.byteorder,  # of the records' packed days (``Dated``)
    }


_expected_schema: list | None = None


def _schema_rows(db: sqlite3.Connection) -> list:
    return db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def _our_schema() -> list:
    global _expected_schema
    if _expected_schema is None:
        db = sqlite3.connect(":memory:")
        for statement in SCHEMA:
            db.execute(statement)
        _expected_schema = _schema_rows(db)
        db.close()
    return _expected_schema


@contextmanager
def _valid_store(config: Config) -> Iterator[Store | None]:
    """The vault's store, open and valid, for the block, closed after it; None when there is
    none to read (off, absent, or not this vaultnet's: ``Store.valid``)."""
    store = Store.open(config)
    if store is None:
        yield None
        return
    with store:
        yield store if store.valid else None


class Store:
    """An open store; ``None`` from ``open`` when there is none to use.

    ``valid`` is False when the file is not (or no longer) this vaultnet's store for this
    vault: nothing is read from it, and the first write empties it and starts again."""

    def __init__(self, db: sqlite3.Connection, path: Path, people_dir: str):
        self.db = db
        self.path = path
        self.people_dir = people_dir
        self.valid = False
        self.why: str | None = None  # why an existing store was not used

    @classmethod
    def open(cls, config: Config, create: bool = False) -> Store | None:
        """The vault's store, checked; None when it is off, absent (and not to be made),
        or cannot be opened. Never raises."""
        if not enabled():
            return None
        path = store_path(config.root)
        for suffix in ("", "-journal"):
            if os.path.islink(f"{path}{suffix}"):
                # Never followed: SQLite would write through it, wherever it leads.
                try:
                    os.unlink(f"{path}{suffix}")
                except OSError:
                    return None
        if not path.is_file():
            if not create:
                return None
            try:
                ensure_cache_dir(path.parent)
            except OSError:
                return None
        try:
            db = _connect(path, create)
        except (sqlite3.Error, UnicodeDecodeError):
            return None
        store = cls(db, path, config.people_dir)
        try:
            store._check()
        except sqlite3.DatabaseError as exc:  # not a database, or damaged
            store.why = f"not a usable database ({exc})"
            if _is_damaged(exc):
                store._replace_file()
        except UnicodeDecodeError:
            # A damaged schema whose text is not UTF-8: SQLite's error quotes it, and Python
            # cannot decode that message.
            store.why = "not a usable database (its schema is not UTF-8 text)"
            store._replace_file()
        return store

    def _check(self) -> None:
        (version,) = self.db.execute("PRAGMA user_version").fetchone()
        if version == 0 and not _schema_rows(self.db):
            return  # a new, empty file: made on the first write
        if version != SCHEMA_VERSION or _schema_rows(self.db) != _our_schema():
            self.why = "made by another version of vaultnet, or not vaultnet's"
            return
        meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        if meta != _meta(self.people_dir):
            self.why = "made by another version, parser or configuration"
            return
        self.valid = True

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def write(self, work: Callable[[sqlite3.Connection], None], remake: bool = False) -> bool:
        """Run ``work`` in one write transaction (emptying and remaking the store first when
        it is not valid, or ``remake``); False when it could not be written, which is never
        an error."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                if not self.valid and not remake:
                    self._check()  # another process may have made it meanwhile
                if remake or not self.valid:
                    self._remake()
                work(self.db)
                self.db.execute("COMMIT")
            except BaseException:
                self.valid = False  # a remake rolled back with the rest: check again next time
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            return True
        except sqlite3.DatabaseError as exc:
            if _is_damaged(exc):
                self._replace_file()
            return False
        except (OverflowError, UnicodeEncodeError, ValueError):
            return False

    def _remake(self) -> None:
        db = self.db
        for kind, name, _table, _sql in _schema_rows(db):
            if kind in ("table", "view") and not name.startswith("sqlite_"):
                quoted = name.replace('"', '""')
                db.execute(f'DROP {kind.upper()} IF EXISTS "{quoted}"')
        for statement in SCHEMA:
            db.execute(statement)
        db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", _meta(self.people_dir).items())
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.valid = True
        for name in _OBSOLETE:
            try:
                (self.path.parent / name).unlink()
            except OSError:
                pass

    def _replace_file(self) -> None:
        """A file that is not a database at all (or a damaged one) is deleted and a new one
        begun in its place; another process may be doing the same: both are fine."""
        self.db.close()
        self.valid = False
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except OSError:
                pass
        try:
            self.db = _connect(self.path, True)
        except sqlite3.Error:
            pass  # the closed connection refuses every write: this run goes on without a store

    def discard(self, why: str) -> None:
        """Empty a store found damaged while reading it, so the next load rebuilds it."""
        self.valid = False
        self.why = why
        self.write(lambda db: None, remake=True)


def _is_damaged(exc: sqlite3.DatabaseError) -> bool:
    """Whether a database error means the file itself is bad ("file is not a database",
    "database disk image is malformed"), not that it is locked, read-only or full."""
    return type(exc) is sqlite3.DatabaseError


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    db = sqlite3.connect(
        f"file:{quote(os.fsencode(path))}?mode={'rwc' if create else 'rw'}", uri=True,
        timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False,
    )
    db.execute("PRAGMA trusted_schema = OFF")  # a foreign file's views and triggers run nothing
    return db


def _quietly(read: Callable[[], Any], store: Store) -> Any:
    """Run a read of the store; None when it fails (a damaged file is replaced, so the
    next run starts a new store; a locked one is just skipped this time)."""
    try:
        return read()
    except sqlite3.DatabaseError as exc:
        store.valid = False
        if _is_damaged(exc):
            store._replace_file()
        return None


# --- the record codec: a Person and its Dated as JSON, by msgspec ------------------------------
# msgspec encodes and decodes the Person dataclass from its annotations, so a field added with a
# type it knows is stored with no change here (one it cannot hold turns ``codec`` off, and fails a test).
# Decoding checks every value's type as it builds the record, in C; what a type cannot say
# (a cadence's unit, a birthday that is a real day, where the dated facts point) is checked after.
# A value of the wrong shape raises Invalid.


class Invalid(ValueError):
    """A stored value of the wrong shape: the store is not trusted."""


_date_memo: dict[int, date] = {}


def _day(v: Any) -> date:
    found = _date_memo.get(v)
    if found is None:
        if v.__class__ is not int:
            raise Invalid("expected a day number")
        found = _date_memo[v] = date.fromordinal(v)  # ValueError when out of range
    return found


def _enc_date(v):
    return None if v is None else v.toordinal()


UNITS = frozenset(("d", "w", "m", "y", "none"))


def roster_archived(v) -> int | None:
    """The roster's ``archived`` column: NULL, the day number, or 0 for ``true``."""
    return None if v is None else 0 if v is True else v.toordinal()


def encode_problems(problems: Iterable[Problem]) -> list:
    return [[p.message, p.line, p.field, p.fatal] for p in problems]


def decode_problems(v: Any, rel: str) -> list[Problem]:
    if v.__class__ is not list:
        raise Invalid("expected a list of problems")
    out = []
    for message, line, field_name, fatal in v:
        if (
            message.__class__ is not str or (line is not None and line.__class__ is not int)
            or (field_name is not None and field_name.__class__ is not str) or fatal.__class__ is not bool
        ):
            raise Invalid("expected a problem")
        out.append(Problem(rel, message, line, field_name, fatal))
    return out


def codec():
    """The record's encoder and decoder and msgspec's decode error, made on first use
    (msgspec is imported only by a command that reads or writes whole records: a warm
    ``due`` reads the roster alone); None when a Person field has a type msgspec cannot
    hold (then records are not stored)."""
    if not _codec:
        try:
            import msgspec

            _codec.append((msgspec.json.Encoder(), msgspec.json.Decoder(tuple[Person, Dated]), msgspec.DecodeError))
        except (ImportError, TypeError):
            _codec.append(None)
    return _codec[0]


_codec: list = []
DAY_BYTES = array(DAY_TYPE).itemsize


def encode_record(person: Person) -> bytes:
    """The record and its ``Dated`` as the store keeps them: a JSON array of the two, as
    UTF-8 bytes (a BLOB in SQLite, which keeps a value's own type whatever the column's, so
    reading it back neither decodes nor re-encodes the text)."""
    return codec()[0].encode((person, person.dated))


def decode_record(rel: str, text: Any) -> Person:
    """The Person ``encode_record`` wrote, with its ``Dated``; Invalid (or another ValueError,
    TypeError) when the text is not exactly of that shape or does not belong to ``rel``."""
    _encoder, decoder, error = codec()
    try:
        person, dated = decoder.decode(text)
    except error as exc:  # a ValueError in recent msgspec releases, not in older ones
        raise Invalid(str(exc)) from None
    if person.path != rel:
        raise Invalid("a stored record names another note")
    cadence = person.cadence
    if cadence is not None and (cadence.amount < 0 or cadence.unit not in UNITS):
        raise Invalid("expected a duration")
    birthday = person.birthday
    if birthday is not None:
        date(birthday.year or 2000, birthday.month, birthday.day)  # a real day, or ValueError
    if person.archived is False:
        raise Invalid("expected an archived date or true")
    for problem in person.problems:
        if problem.path != rel:
            raise Invalid("a stored problem names another note")
    last = dated.last_log
    if (
        not -1 <= last < len(person.log) or (last >= 0 and person.log[last].date is None)
        or (len(dated.contact_days) | len(dated.helped_days) | len(dated.received_days)) % DAY_BYTES
    ):
        raise Invalid("the stored dated facts do not fit the record")
    return with_dated(person, dated)


# --- rows ------------------------------------------------------------------------------------

_BAD_ROW = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError)


def _path_key(rel: str) -> bytes:
    """A note's path as stored: its bytes (a file name that is not UTF-8 reaches Python as
    lone surrogates, which SQLite's text cannot hold)."""
    return rel.encode("utf-8", "surrogateescape")


# The notes table's columns after the record: each a list of strings of the person, as JSON.
# ``links`` are the ``helped`` items that link to someone (who was introduced to whom).
FACTS = ("tags", "emails", "aliases", "needs", "offers", "links")


def _row(note: Found, trusted: bool, person: Person | None, problems: list[Problem]) -> tuple:
    found = json.dumps(encode_problems(problems)) if problems else None
    if person is None:
        return (_path_key(note.rel), *note.key, int(trusted), found, None, None, None, None, None, None, None, None, None, None, None,
                *(None,) * len(FACTS))
    cadence = person.cadence
    return (
        _path_key(note.rel), *note.key, int(trusted), found,
        person.name, person.org, person.circle, None if cadence is None else f"{cadence.amount} {cadence.unit}",
        _enc_date(person.follow_up), _enc_date(person.last_seen), _enc_date(person.met), person.met_at,
        roster_archived(person.archived), person.name.casefold(), encode_record(person), *encode_facts(person),
    )


_UPSERT = "INSERT OR REPLACE INTO notes VALUES (" + ", ".join("?" * (18 + len(FACTS))) + ")"


def _save_rows(
    store: Store, rows: list[tuple], gone: list[bytes], keep: Iterable[tuple[bytes, str]] = (), forget: Iterable[bytes] = ()
) -> bool:
    """Upsert ``rows``, delete the rows of ``gone`` notes; ``keep`` (path, record) as last
    good records, ``forget`` those of notes read well again (or gone)."""

    def work(db):
        db.executemany("INSERT OR REPLACE INTO last_good VALUES (?, ?)", list(keep))
        db.executemany("DELETE FROM last_good WHERE path = ?", [(p,) for p in forget])
        try:
            db.executemany(_UPSERT, rows)
        except (OverflowError, UnicodeEncodeError):
            for row in rows:  # a value SQLite cannot hold: store every other row
                try:
                    db.execute(_UPSERT, row)
                except (OverflowError, UnicodeEncodeError):
                    pass
        db.executemany("DELETE FROM notes WHERE path = ?", [(p,) for p in gone])

    return store.write(work)


# --- loading ---------------------------------------------------------------------------------


def _read_note(note: Found, parse) -> tuple[Person | None, list[Problem], int]:
    """Read and parse one note; the last value is the time the note was read (ns), or 0
    when the result may not be stored (the file changed while it was read). A note is
    trusted by its stat key when it had settled for ``RACY_SECONDS`` before it was read
    (``_load``): a later edit then lands on another tick of the file's times."""
    read_at = time.time_ns()
    try:
        data, st = read_note_bytes(note.path, MAX_NOTE_BYTES)
        after = stat_key(st)
    except NoteFileError as exc:
        return None, [Problem(note.rel, str(exc), fatal=True)], 0
    except OSError as exc:
        return None, [Problem(note.rel, f"cannot read the file: {exc.strerror}", fatal=True)], 0
    if _collecting:
        gc.enable()  # YAML parsing leaves cyclic garbage: collect it as usual
        try:
            person, problems = parse(note.rel, data)
        finally:
            gc.disable()
    else:
        person, problems = parse(note.rel, data)
    return person, problems, read_at if after == note.key else 0


_collecting = False


def load_notes(
    config: Config, parse, notes: list[Found] | None = None, use_store: bool | None = None, progress=None
) -> Loaded:
    """Every note of the people folder as ``(rel, person or None, problems)``, in walk
    order; ``parse`` is ``vault.parse_note`` (passed in, so that a warm run never imports
    the YAML parser). ``notes`` is a ``discover.walk`` the caller has just made.
    ``progress(done, total)``, when given, hears now and then how many of the notes to
    parse are parsed (a progress bar on a terminal)."""
    if notes is None:
        notes = walk(config)
    stats = Stats(notes=len(notes))
    if use_store is None:
        use_store = enabled()
    store = Store.open(config, create=True) if use_store and codec() is not None else None
    # Decoding builds a few hundred thousand small objects, none of them garbage; the cyclic
    # collector would walk the growing heap again and again for nothing.
    global _collecting
    _collecting = collecting = gc.isenabled()
    gc.disable()
    last_good: dict[str, Person] = {}
    version = _data_version(store)
    try:
        results = _load(store, notes, parse, stats, last_good, progress)
        if store is not None and stats.reused == len(notes):
            keep_people_digest(store, notes, version)  # every row the walk's: a warm run compares one digest
    finally:
        if store is not None:
            store.close()
        if collecting:
            # The records live as long as the command: move them out of the collector's
            # sight, or its next pass walks them all. Reference counting still frees them.
            gc.freeze()
            gc.enable()
    report(stats)
    return Loaded(results, stats, last_good)


PROGRESS_EVERY = 100  # notes parsed between two calls of a progress callback


def _load(store: Store | None, notes: list[Found], parse, stats: Stats, last_good: dict[str, Person], progress=None) -> list:
    results: list = [None] * len(notes)
    gone: list[bytes] = []
    previous: dict[bytes, str] = {}  # the stored record of each changed note, from before the change
    kept: dict[bytes, str] = {}  # the last_good table
    if store is not None and store.valid:
        try:
            gone = _reuse(store, notes, results, stats, previous)
            kept = dict(store.db.execute("SELECT path, record FROM last_good").fetchall())
        except sqlite3.OperationalError:  # locked for too long, or unreadable: do without it this time
            store.close()
            store = None
        except (sqlite3.DatabaseError, *_BAD_ROW) as exc:
            # A damaged store is rebuilt, never trusted: start over without it.
            if isinstance(exc, sqlite3.DatabaseError) and _is_damaged(exc):
                store._replace_file()
            store.valid = False
            store.why = f"a row failed validation ({exc.__class__.__name__})"
            results = [None] * len(notes)
            stats.reused = 0
            gone = []
            previous, kept = {}, {}
    if store is not None and not store.valid:
        stats.discarded = store.why
        store.discard(store.why or "made anew")  # empties it: no row of the old store outlives this load
    missing = [i for i, result in enumerate(results) if result is None]
    if missing and _collecting and len(missing) < len(notes):
        # Parsing turns the collector back on (``_read_note``): its first full pass would walk
        # every record reused above, none of them garbage. Out of its sight, they are not.
        gc.freeze()
    racy_ns = int(RACY_SECONDS * 1e9)
    rows: list[tuple] = []
    for i, (person, problems, read_at) in zip(missing, _parse_all([notes[i] for i in missing], parse)):
        note = notes[i]
        stats.parsed += 1
        if progress is not None and not stats.parsed % PROGRESS_EVERY:
            progress(stats.parsed, len(missing))
        results[i] = (note.rel, person, problems)
        if store is not None and read_at and note.key != NO_KEY:
            # Settled before it was read (not merely before this load began): a note written
            # just before a long cold load is trusted, so the next run does not parse it again.
            rows.append(_row(note, note.changed_ns < read_at - racy_ns, person, problems))
            if len(rows) >= BATCH:
                stats.written = _save_rows(store, rows, []) or stats.written
                rows = []
    if progress is not None and missing:
        progress(len(missing), len(missing))
    keep, forget = _last_good(notes, results, previous, kept, last_good)
    forget += [path for path in gone if path in kept]
    if store is not None and (rows or gone or keep or forget):
        stats.written = _save_rows(store, rows, gone, keep, forget) or stats.written
    return results


def _last_good(notes, results, previous, kept, last_good) -> tuple[list[tuple[bytes, str]], list[bytes]]:
    """Fill ``last_good`` with the last record read well of each note that cannot be read now
    (the note's row from before it changed, else the ``last_good`` table's); return the
    records to keep in the table and the paths whose record is no longer needed."""
    keep, forget = [], []
    for note, (rel, person, problems) in zip(notes, results):
        path = _path_key(rel)
        if person is not None:
            if path in kept:
                forget.append(path)
            continue
        text = previous.get(path) or kept.get(path)
        if text is None or not any(p.fatal for p in problems):
            continue
        try:
            last_good[rel] = decode_record(rel, text)
        except _BAD_ROW:
            continue
        if kept.get(path) != text:
            keep.append((path, text))
    return keep, forget


def _reuse(store: Store, notes: list[Found], results: list, stats: Stats, previous: dict[bytes, str]) -> list[bytes]:
    """Fill ``results`` with the stored record of every note whose row holds its current
    stat key and is trusted, and ``previous`` with the stored record of every other note
    that has one; return the paths of rows whose note is gone."""
    index = {_path_key(note.rel): i for i, note in enumerate(notes)}
    gone = []
    for path, size, mtime, ctime, inode, trusted, record, found in store.db.execute(
        "SELECT path, size, mtime_ns, ctime_ns, inode, trusted, record, problems FROM notes"
    ):
        i = index.get(path)
        if i is None:
            gone.append(path)
            continue
        note = notes[i]
        if trusted != 1 or (size, mtime, ctime, inode) != note.key:
            if record is not None:
                previous[path] = record
            continue
        problems = [] if found is None else decode_problems(json.loads(found), note.rel)
        if record is None:
            if not any(p.fatal or not_a_person(p) for p in problems):
                raise Invalid("a note without a record must have a fatal problem or say it is not a person")
            person = None
        else:
            person = decode_record(note.rel, record)
        results[i] = (note.rel, person, problems)
        stats.reused += 1
    return gone


# --- parsing what the store does not hold, on every core when there is a lot of it -----------

PARALLEL_FROM = 400  # notes to parse before it pays to start worker processes
_worker_parse = None


def _parse_all(notes: list[Found], parse):
    """``(person, problems, read_at)`` for each note, in order (``_read_note``).

    Parsing is pure Python and most of a cold run, so a big batch (a first run, a new
    parser, an import) is split across the cores: forked workers parse and send back each
    record as the store holds it, and this process decodes it (a round trip the store's
    tests prove exact)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(notes) < PARALLEL_FROM or workers < 2 or codec() is None or not hasattr(os, "fork") or _threaded():
        for note in notes:
            yield _read_note(note, parse)
        return
    import multiprocessing

    global _worker_parse
    _worker_parse = parse
    chunks = [notes[i : i + 200] for i in range(0, len(notes), 200)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for chunk, done in zip(chunks, pool.imap(_parse_chunk, chunks)):
            for note, (record, found, read_at) in zip(chunk, done):
                problems = decode_problems(found, note.rel)
                yield (None if record is None else decode_record(note.rel, record)), problems, read_at


def _threaded() -> bool:
    """Whether other threads run (``vaultnet serve`` loads the vault in request threads):
    forking then could copy a lock another thread holds, so parsing stays in this process."""
    import threading

    return threading.active_count() > 1


def _parse_chunk(notes: list[Found]) -> list:
    """In a worker: parse notes, return each record encoded and its problems."""
    global _collecting
    _collecting = False
    gc.enable()  # forked from a process that had turned it off
    out = []
    for note in notes:
        person, problems, read_at = _read_note(note, _worker_parse)
        out.append((None if person is None else encode_record(person), encode_problems(problems), read_at))
    return out


# --- the roster: the few facts ``due`` and ``list`` print, for every note -------------------------


def _data_version(store: Store | None) -> int | None:
    """SQLite's count of the changes other connections committed (None without a valid store)."""
    return _any_data_version(store) if store is not None and store.valid else None


def _any_data_version(store: Store | None) -> int | None:
    """``PRAGMA data_version`` of a store, valid or not yet made (None without one)."""
    if store is None:
        return None
    try:
        return store.db.execute("PRAGMA data_version").fetchone()[0]
    except sqlite3.DatabaseError:
        return None


def keep_people_digest(store: Store, notes: list[Found], version: int | None, digest: bytes | None = None) -> None:
    """Keep the digest of ``notes`` (a walk whose every note has a trusted row under its
    key, and no other row, as read since the store's ``PRAGMA data_version`` was
    ``version``) as the ``digests`` row ``people``, unless it is already there or
    another connection has written since."""
    if version is None or not store.valid:
        return
    digest = digest or walk_digest(notes)
    try:
        row = store.db.execute("SELECT digest FROM digests WHERE name = 'people'").fetchone()
    except sqlite3.DatabaseError:
        return
    if row is not None and row[0] == digest:
        return

    def keep(db):
        if db.execute("PRAGMA data_version").fetchone()[0] == version:
            db.execute("INSERT OR REPLACE INTO digests VALUES ('people', ?, '')", (digest,))

    store.write(keep)


def _hold_the_walk(rows: list[tuple], keys: dict[bytes, Key]) -> bool:
    """Whether ``rows`` (``path, size, mtime_ns, ctime_ns, inode, trusted, …``) are exactly
    the notes of a fresh walk (``keys``: each note's stat key by its stored path), each under
    its current stat key and trusted: the one rule for reading the store without parsing."""
    if len(rows) != len(keys):
        return False
    get = keys.get
    for row in rows:
        if row[5] != 1 or get(row[0]) != row[1:5]:
            return False
    return True


def _in_one_read(db: sqlite3.Connection, read: Callable[[], Any]) -> Any:
    """``read()`` in one read transaction: a digest and the rows it vouches for seen at one
    moment, whatever another process commits meanwhile."""
    db.execute("BEGIN")
    try:
        return read()
    finally:
        if db.in_transaction:
            db.execute("COMMIT")


def _people_digest_is(db: sqlite3.Connection, digest: bytes) -> bool:
    """Whether the notes table is vouched for as the walk of this ``digest`` (the ``people``
    row of ``digests``, dropped by triggers whenever a row changes): then its rows are that
    walk's notes, each under its current stat key and trusted, without comparing them."""
    row = db.execute("SELECT digest FROM digests WHERE name = 'people'").fetchone()
    return row is not None and row[0] == digest


def roster_rows(config: Config, notes: list[tuple[str, Key]], digest: bytes | None = None) -> tuple[list[tuple], list[Problem]] | None:
    """The roster of the vault when the store holds exactly the notes of ``notes`` (a fresh
    walk, as ``(rel, key)`` pairs: ``discover.walk(keys_only=True)``), each under its current
    stat key and trusted; else None (then load in full).

    The roster is a row per readable note, in the vault's order (name, then path): ``(path
    as stored (bytes), name, org, circle, cadence as "amount unit", follow-up day, last-seen
    day, met day, met_at, archived day (0 for ``true``))``, as stored (the caller
    decodes the path and checks the types), and every note's problems in walk order.

    The first time the rows are found to be exactly the walk's, the walk's digest
    (``discover.digest``; ``digest`` when the caller has it) is kept in the ``digests`` row
    ``people``: while the walk keeps that digest, no row's key is compared again. Every
    change of a note changes its stat key, so the walk's digest, for good (a change time
    never comes back), and a store remade drops the row."""
    if digest is None:
        digest = keys_digest(notes)
    with _valid_store(config) as store:
        if store is None:
            return None

        def compare():
            # Changes committed by another connection since this moment change the number:
            # the digest is kept only when the rows it vouches for are those compared here.
            (version,) = store.db.execute("PRAGMA data_version").fetchone()
            if _people_digest_is(store.db, digest):
                rows = store.db.execute(
                    "SELECT path, name, org, circle, cadence, follow_up, last_seen, met, met_at, archived"
                    " FROM notes ORDER BY sort_name, path"
                ).fetchall()
                # The few notes with problems read apart: the roster's rows need not carry
                # a column that is empty for nearly everyone.
                troubled = store.db.execute(
                    "SELECT path, problems FROM notes WHERE problems IS NOT NULL"
                ).fetchall()
                return (rows, troubled, None) if len(rows) == len(notes) else None
            rows = store.db.execute(
                "SELECT path, size, mtime_ns, ctime_ns, inode, trusted, name, org, circle, cadence,"
                " follow_up, last_seen, met, met_at, archived, problems FROM notes ORDER BY sort_name, path"
            ).fetchall()
            if not _hold_the_walk(rows, {_path_key(rel): key for rel, key in notes}):
                return None
            troubled = [(row[0], row[15]) for row in rows if row[15] is not None]
            return [(row[0], *row[6:15]) for row in rows], troubled, version

        found = _quietly(lambda: _in_one_read(store.db, compare), store)
        if found is None:
            return None
        rows, with_problems, version = found
        if version is not None:
            keep_people_digest(store, notes, version, digest)
        problems: list[Problem] = []
        if with_problems:
            order = {_path_key(rel): i for i, (rel, _key) in enumerate(notes)}
            with_problems.sort(key=lambda row: order.get(row[0], -1))
            try:
                for path, text in with_problems:
                    problems += decode_problems(json.loads(text), path.decode("utf-8", "surrogateescape"))
            except _BAD_ROW as exc:
                store.discard(f"a row failed validation ({exc.__class__.__name__})")
                return None
    return [row for row in rows if row[1] is not None], problems


def discard(config: Config, why: str) -> None:
    """Empty the store: a row was found damaged. The next load parses every note."""
    store = Store.open(config)
    if store is not None:
        with store:
            store.discard(why)


# --- the build stamp and rendered fragments ------------------------------------------------------


def read_stamp(config: Config) -> Any:
    """The build stamp as ``save_stamp`` stored it (plain JSON data), or None."""
    with _valid_store(config) as store:
        if store is None:
            return None
        row = _quietly(lambda: store.db.execute("SELECT value FROM stamp").fetchone(), store)
    try:
        return None if row is None else json.loads(row[0])
    except (ValueError, TypeError, RecursionError):
        return None


def save_stamp(config: Config, stamp: Any) -> bool:
    """Store the build stamp (None removes it); nothing is written when it is unchanged."""
    text = None if stamp is None else json.dumps(stamp, sort_keys=True)
    if text is not None and read_stamp(config) == json.loads(text):
        return False
    store = Store.open(config, create=text is not None)
    if store is None:
        return False
    with store:
        if text is None and not store.valid:
            return False
        return store.write(
            lambda db: db.execute("DELETE FROM stamp") if text is None else db.execute("INSERT OR REPLACE INTO stamp VALUES (1, ?)", (text,))
        )


def fragments(config: Config, kind: str) -> dict[str, tuple[str, bytes]]:
    """Every stored fragment of a kind, by name: ``{name: (key, data)}``. A fragment is
    something rendered from one note (``kind`` says what, the name which: a note's path, an
    event's UID), kept with the key of what it was rendered from, so that a caller renders
    it again only when the key differs."""
    with _valid_store(config) as store:
        if store is None:
            return {}
        rows = _quietly(
            lambda: store.db.execute("SELECT path, key, data FROM fragments WHERE kind = ?", (kind,)).fetchall(), store
        )
    out = {}
    for path, key, data in rows or ():
        if path.__class__ is str and key.__class__ is str and data.__class__ is bytes:
            out[path] = (key, data)
    return out


@contextmanager
def kept_fragments(config: Config, kind: str) -> Iterator[tuple[dict[str, str], Callable[[str], bytes | None]]]:
    """The stored fragments of a kind as ``(keys, fetch)``: ``keys`` maps each name to its
    key, and ``fetch(name)`` reads that fragment's bytes (None when it is gone or not bytes),
    inside the block only. Only the keys are held: a caller that reuses most fragments
    streams their bytes through instead of holding every one of them at once."""
    store = Store.open(config)
    if store is None:
        yield {}, lambda name: None
        return
    with store:
        rows = None
        if store.valid:
            rows = _quietly(lambda: store.db.execute("SELECT path, key FROM fragments WHERE kind = ?", (kind,)).fetchall(), store)
        keys = {path: key for path, key in rows or () if path.__class__ is str and key.__class__ is str}

        def fetch(name: str) -> bytes | None:
            try:
                row = store.db.execute("SELECT data FROM fragments WHERE path = ? AND kind = ?", (name, kind)).fetchone()
            except sqlite3.Error:
                return None
            return row[0] if row is not None and row[0].__class__ is bytes else None

        yield keys, fetch


def save_fragments(config: Config, kind: str, changed: dict[str, tuple[str, bytes]], gone: Iterable[str] = ()) -> bool:
    """Store fragments of a kind (``{path: (key, data)}``) and drop those of ``gone``
    paths, in one transaction; False when the store cannot be written."""
    gone = list(gone)
    if not changed and not gone:
        return False
    store = Store.open(config, create=True)
    if store is None:
        return False

    def work(db):
        db.executemany(
            "INSERT OR REPLACE INTO fragments VALUES (?, ?, ?, ?)",
            [(path, kind, key, bytes(data)) for path, (key, data) in changed.items()],
        )
        db.executemany("DELETE FROM fragments WHERE path = ? AND kind = ?", [(path, kind) for path in gone])

    with store:
        return store.write(work)


# --- the facts: what ``plan`` and ``due``'s filters read of everyone, and records by path ----------


def _strings_json(values) -> str | None:
    """Strings as a compact JSON list (``json.dumps`` writes the same), None when there are none:
    the json module's string encoder, without setting up an encoder per list (a cold load
    writes five lists for every note)."""
    return "[" + ",".join(map(encode_basestring_ascii, values)) + "]" if values else None


def encode_facts(person: Person) -> tuple[str | None, ...]:
    """The ``FACTS`` columns of a person's row."""
    from ..model.links import link_targets

    links = [entry.text for entry in person.helped if link_targets(entry.text)]
    return tuple(map(_strings_json, (person.tags, person.emails, person.aliases, person.needs, person.offers, links)))


def fact_rows(config: Config, notes: list[Found], columns: Iterable[str] = FACTS) -> dict[str, tuple] | None:
    """The ``columns`` (of ``FACTS``) of every note, by path, as stored (the caller checks
    them), when the store holds exactly the notes of ``notes`` (a fresh walk), each under its
    current stat key and trusted; else None (then load in full)."""
    columns = list(columns)
    if any(column not in FACTS for column in columns):
        raise ValueError(f"not a column of facts: {columns}")
    with _valid_store(config) as store:
        if store is None:
            return None
        def read():
            if _people_digest_is(store.db, walk_digest(notes)):
                rows = store.db.execute("SELECT " + ", ".join(["path", *columns]) + " FROM notes").fetchall()
                return rows if len(rows) == len(notes) else None
            rows = store.db.execute(
                "SELECT " + ", ".join(["path", "size", "mtime_ns", "ctime_ns", "inode", "trusted", *columns]) + " FROM notes"
            ).fetchall()
            if not _hold_the_walk(rows, {_path_key(note.rel): note.key for note in notes}):
                return None
            return [(row[0], *row[6:]) for row in rows]

        rows = _quietly(lambda: _in_one_read(store.db, read), store)
    if rows is None:
        return None
    decode = bytes.decode
    return {decode(row[0], "utf-8", "surrogateescape"): row[1:] for row in rows}


def records(config: Config, notes: list[Found], rels: Iterable[str]) -> dict[str, Person] | None:
    """The stored records of the notes ``rels`` (paths of a fresh walk ``notes``), each read
    only when its row holds the note's current stat key and is trusted; else None (then
    load in full)."""
    wanted = {note.rel: note.key for note in notes}
    rels = list(dict.fromkeys(rels))
    if codec() is None or any(rel not in wanted for rel in rels):
        return None
    paths = [_path_key(rel) for rel in rels]
    with _valid_store(config) as store:
        if store is None:
            return None

        def read():
            rows = []
            for start in range(0, len(paths), 500):  # below SQLite's limit of variables
                chunk = paths[start:start + 500]
                rows += store.db.execute(
                    "SELECT path, size, mtime_ns, ctime_ns, inode, trusted, record FROM notes WHERE path IN ("
                    + ", ".join("?" * len(chunk)) + ")", chunk
                ).fetchall()
            return rows

        rows = _quietly(read, store)
        if rows is None or len(rows) != len(paths):
            return None
        out = {}
        for path, size, mtime, ctime, inode, trusted, record in rows:
            rel = path.decode("utf-8", "surrogateescape")
            if trusted != 1 or wanted[rel] != (size, mtime, ctime, inode) or record is None:
                return None
            try:
                out[rel] = decode_record(rel, record)
            except _BAD_ROW as exc:
                store.discard(f"a row failed validation ({exc.__class__.__name__})")
                return None
    return out


def completion_rows(config: Config) -> list[tuple[str, str | None, list[str]]] | None:
    """``(path, name, aliases)`` of every person the store holds, for shell completion;
    None when there is no usable store.

    Read as the store was last written, without checking the notes' stat keys: a
    suggestion a moment out of date does no harm, and completion must answer at once.
    Only the name and the aliases of each record are read (by SQLite's JSON functions,
    when it has them), never a whole record."""
    with _valid_store(config) as store:
        if store is None:
            return None
        try:
            try:
                rows = store.db.execute("SELECT path, name, json_extract(CAST(record AS TEXT), '$[0].aliases') FROM notes").fetchall()
                aliases = [json.loads(row[2]) if row[2] else [] for row in rows]
            except sqlite3.OperationalError:  # an SQLite without JSON functions
                rows = store.db.execute("SELECT path, name, record FROM notes").fetchall()
                aliases = [json.loads(row[2])[0]["aliases"] if row[2] else [] for row in rows]
        except (sqlite3.DatabaseError, ValueError, TypeError, IndexError, KeyError):
            return None
    out = []
    for (path, name, _raw), found in zip(rows, aliases):
        rel = path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else str(path)
        out.append((rel, name if isinstance(name, str) else None, [a for a in found if isinstance(a, str)] if isinstance(found, list) else []))
    return out


# --- mentions: the other notes' links to people ------------------------------------------------


def _mention_rows(rel: str, found) -> list[tuple]:
    """A read note's rows for the mentions table."""
    if found.day is None:
        return []
    day, path = found.day.toordinal(), _path_key(rel)
    return [(path, day, key, link.line, link.text) for link in found.links for key in link.keys]


def _sync_others(
    config: Config, others: list[Found], read, digest: bytes | None = None
) -> tuple[Store | None, list[tuple], list[Problem]]:
    """Bring the store's mentions up to date with ``others`` (a fresh walk): read the notes
    whose stored key differs or is not trusted, forget the notes gone. Returns the open
    store (None when it cannot be used: then every row is in the list), the rows the
    store does not hold, and every note's problems in walk order.

    When the store was last brought up to date with this very walk (its ``digests`` row
    ``others`` holds the walk's digest, ``discover.digest``; ``digest`` when the caller
    has it), nothing is compared row by row: that row also holds the notes' problems."""
    store = Store.open(config, create=True) if enabled() else None
    version = _any_data_version(store)  # before reading the rows the digest would vouch for
    stored: dict[bytes, tuple] = {}  # path: (size, mtime_ns, ctime_ns, inode, trusted)
    found_problems: dict[bytes, str] = {}
    known = None  # the digest of the walk the store last held in full
    if store is not None:
        if digest is None:
            digest = walk_digest(others)
        if store.valid:
            try:
                row = store.db.execute("SELECT digest, value FROM digests WHERE name = 'others'").fetchone()
                if row is not None and row[0] == digest:
                    try:
                        return store, [], _decode_walk_problems(row[1])
                    except _BAD_ROW:
                        row = None  # compared row by row below, which writes it anew
                known = None if row is None else row[0]
                stored = {row[0]: row[1:] for row in store.db.execute("SELECT path, size, mtime_ns, ctime_ns, inode, trusted FROM others")}
                found_problems = dict(store.db.execute("SELECT path, problems FROM others WHERE problems IS NOT NULL").fetchall())
            except sqlite3.DatabaseError:
                store.close()
                store = None
    # A store not (yet) valid holds nothing to reuse; the write below makes it anew.
    racy_after = time.time_ns() - int(RACY_SECONDS * 1e9)
    problems: list[Problem] = []
    extra: list[tuple] = []  # rows of notes the store will not hold
    rows: list[tuple] = []
    notes_rows: list[tuple] = []
    changed: list[bytes] = []
    trusted = (1,)
    get = stored.get
    paths = [note.rel.encode("utf-8", "surrogateescape") for note in others]
    if store is None:
        unread = others
    else:
        unread = [note for note, path in zip(others, paths) if get(path) != note.key + trusted]
    answers = dict(zip(map(id, unread), _read_others(unread, read)))
    whole = True  # whether the store will hold every note of the walk, each trusted
    try:
        for note, path in zip(others, paths):
            old = get(path)
            answer = answers.get(id(note))
            if answer is None:
                if found_problems and path in found_problems:
                    problems += decode_problems(json.loads(found_problems[path]), note.rel)
                continue
            found, stable = answer
            problems += found.problems
            mine = _mention_rows(note.rel, found)
            if old is not None:
                changed.append(path)
            if store is None or not stable or note.key == NO_KEY:
                extra += mine
                whole = False
                continue
            rows += mine
            kept = json.dumps(encode_problems(found.problems)) if found.problems else None
            settled = note.changed_ns < racy_after
            whole = whole and settled
            notes_rows.append((path, *note.key, int(settled), _enc_date(found.day), kept))
    except _BAD_ROW:
        store.close()
        return _sync_others_without_store(others, read)
    if store is None:
        return None, extra, problems
    seen = set(paths)
    gone = [path for path in stored if path not in seen]
    if not (changed or gone or rows or notes_rows) and (known == digest or not whole):
        return store, extra, problems

    def work(db):
        forget = [(p,) for p in (*changed, *gone)]
        db.executemany("DELETE FROM mentions WHERE note = ?", forget)
        # Whether another process wrote since this one read the rows: it may have stored a
        # note this one read as new (both read a new daily note at once), whose rows are then
        # replaced, never added to; and a note made after this walk.
        moved = version is None or db.execute("PRAGMA data_version").fetchone()[0] != version
        if moved:
            db.executemany("DELETE FROM mentions WHERE note = ?", [(row[0],) for row in notes_rows if get(row[0]) is None])
        db.executemany("DELETE FROM others WHERE path = ?", forget)
        db.executemany("INSERT OR REPLACE INTO others VALUES (?, ?, ?, ?, ?, ?, ?, ?)", notes_rows)
        db.executemany("INSERT INTO mentions VALUES (?, ?, ?, ?, ?)", rows)
        # The digest says the store holds this walk and nothing else: the next run with this
        # walk reads nothing else.
        if whole and not moved:
            db.execute("INSERT OR REPLACE INTO digests VALUES ('others', ?, ?)", (digest, _encode_walk_problems(problems)))
        else:
            db.execute("DELETE FROM digests WHERE name = 'others'")

    if not store.write(work):
        store.close()
        return _sync_others_without_store(others, read)
    return store, extra, problems


def _encode_walk_problems(problems: list[Problem]) -> str:
    return json.dumps([[p.path, p.message, p.line, p.field, p.fatal] for p in problems])


def _decode_walk_problems(text: Any) -> list[Problem]:
    """The problems ``_encode_walk_problems`` wrote; Invalid (or another of ``_BAD_ROW``)
    when they are not of that shape."""
    found = json.loads(text)
    if found.__class__ is not list:
        raise Invalid("expected a list of problems")
    out = []
    for item in found:
        if item.__class__ is not list or len(item) != 5 or item[0].__class__ is not str:
            raise Invalid("expected a problem")
        out += decode_problems([item[1:]], item[0])
    return out


def _read_others(notes: list[Found], read) -> list:
    """``read(note)`` of each note, in order; a big batch (a first run) on every core, as
    the person notes are parsed (``_parse_all``)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(notes) < PARALLEL_FROM or workers < 2 or not hasattr(os, "fork") or _threaded():
        return [read(note) for note in notes]
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(read, notes, chunksize=200)


def _sync_others_without_store(others: list[Found], read) -> tuple[None, list[tuple], list[Problem]]:
    rows: list[tuple] = []
    problems: list[Problem] = []
    for note, (found, _stable) in zip(others, _read_others(others, read)):
        problems += found.problems
        rows += _mention_rows(note.rel, found)
    return None, rows, problems


def load_mentions(config: Config, others: list[Found], read, today: date) -> tuple[list[tuple], list[Problem]]:
    """Every counted link of the notes ``others`` dated up to ``today``, as ``(note path,
    date, key, line, text)``, and the notes' problems; ``read`` is
    ``mentions.read_mentions`` (a note is read only when the store does not hold it)."""
    store, extra, problems = _sync_others(config, others, read)
    limit = today.toordinal()
    rows = [row for row in extra if row[1] <= limit]
    if store is not None:
        with store:
            found = _quietly(lambda: store.db.execute(
                "SELECT note, day, target, line, text FROM mentions WHERE day <= ?", (limit,)
            ).fetchall(), store)
        if found is None:
            return load_mentions_without_store(others, read, today)
        if extra:  # a note this run read but could not store may be stored by another process
            held = {row[0] for row in extra}
            found = [row for row in found if row[0] not in held]
        rows += found
    out = []
    memo: dict = {}
    decode = bytes.decode
    try:
        for note, day, key, line, text in rows:
            if key.__class__ is not str or text.__class__ is not str or line.__class__ is not int:
                raise Invalid("expected a mention")
            rel = memo.get(note)
            if rel is None:
                rel = memo[note] = decode(note, "utf-8", "surrogateescape")
            out.append((rel, _day(day), key, line, text))
    except _BAD_ROW as exc:
        discard(config, f"a mention row failed validation ({exc.__class__.__name__})")
        return load_mentions_without_store(others, read, today)
    return out, problems


def load_mentions_without_store(others: list[Found], read, today: date) -> tuple[list[tuple], list[Problem]]:
    _none, rows, problems = _sync_others_without_store(others, read)
    limit = today.toordinal()
    return [(note.decode("utf-8", "surrogateescape"), date.fromordinal(day), key, line, text) for note, day, key, line, text in rows if day <= limit], problems


def latest_mentions(
    config: Config, others: list[Found], read, today: date, digest: bytes | None = None
) -> tuple[list[tuple[str, date]], list[Problem]]:
    """The latest date up to ``today`` of each key links name a note by (see
    ``load_mentions``), and the notes' problems; ``digest``: ``others``' digest, when
    the caller has it."""
    store, extra, problems = _sync_others(config, others, read, digest)
    limit = today.toordinal()
    rows = [(key, day) for _note, day, key, _line, _text in extra if day <= limit]
    if store is not None:
        held = {row[0] for row in extra}  # as in ``load_mentions``: the rows in hand count, not the store's
        with store:
            found = _quietly(lambda: store.db.execute(
                "SELECT target, MAX(day) FROM mentions WHERE day <= ? GROUP BY target", (limit,)
            ).fetchall() if not held else [
                (key, day) for note, key, day in store.db.execute(
                    "SELECT note, target, MAX(day) FROM mentions WHERE day <= ? GROUP BY note, target", (limit,)
                ) if note not in held
            ], store)
        if found is None:
            rows, problems = load_mentions_without_store(others, read, today)
            return [(key, day) for _n, day, key, _l, _t in rows], problems
        rows += found
    try:
        out = []
        for key, day in rows:
            if key.__class__ is not str:
                raise Invalid("expected a mention")
            out.append((key, _day(day)))
    except _BAD_ROW as exc:
        discard(config, f"a mention row failed validation ({exc.__class__.__name__})")
        rows, problems = load_mentions_without_store(others, read, today)
        return [(key, day) for _n, day, key, _l, _t in rows], problems
    return out, problems


def kept_latest(config: Config, people: bytes, others: bytes, today: date) -> tuple[dict, list[Problem]] | None:
    """The latest mentions by person as ``keep_latest`` kept them (``{path: day number}``,
    as stored: the caller checks the types) and the other notes' problems, when they were
    worked out from the walks whose digests are ``people`` and ``others``, the store still
    holds the others of that walk, and no mention is dated between the day they were
    worked out for and ``today``; else None."""
    with _valid_store(config) as store:
        if store is None:
            return None
        rows = _quietly(lambda: store.db.execute(
            "SELECT name, digest, value FROM digests WHERE name IN ('others', 'latest')"
        ).fetchall(), store)
    found = {name: (digest, value) for name, digest, value in rows or ()}
    if found.get("others", (None,))[0] != others or found.get("latest", (None,))[0] != people + others:
        return None
    try:
        low, high, latest = json.loads(found["latest"][1])
        if (low is not None and low.__class__ is not int) or (high is not None and high.__class__ is not int):
            raise Invalid("expected day numbers")
        if latest.__class__ is not dict:
            raise Invalid("expected the mentions by person")
        problems = _decode_walk_problems(found["others"][1])
    except _BAD_ROW as exc:
        discard(config, f"a digests row failed validation ({exc.__class__.__name__})")
        return None
    day = today.toordinal()
    if (low is not None and day < low) or (high is not None and day >= high):
        return None  # a mention is dated between the day it was worked out for and today
    return latest, problems


def keep_latest(config: Config, people: bytes, others: bytes, today: date, latest: dict[str, int]) -> bool:
    """Keep the latest mentions up to ``today`` by person (``{path: day number}``, what
    ``roster`` works out from the walks whose digests are ``people`` and ``others``) for
    ``kept_latest``: only when the store holds the others of that walk in full, and with
    the days they hold for (from the latest mention up to ``today`` to the first one after)."""
    store = Store.open(config)
    if store is None:
        return False
    text = json.dumps(latest, separators=(",", ":"))

    def work(db):
        row = db.execute("SELECT digest FROM digests WHERE name = 'others'").fetchone()
        if row is None or row[0] != others:
            return
        day = today.toordinal()
        low, high = db.execute(
            "SELECT (SELECT MAX(day) FROM mentions WHERE day <= ?), (SELECT MIN(day) FROM mentions WHERE day > ?)", (day, day)
        ).fetchone()
        db.execute("INSERT OR REPLACE INTO digests VALUES ('latest', ?, ?)", (people + others, f"[{json.dumps(low)},{json.dumps(high)},{text}]"))

    with store:
        return store.valid and store.write(work)
