"""Finding the person notes: the one walk of the people folder.

Every command that reads the vault, the store that remembers parsed notes, the build
stamp and ``check`` see the people folder through ``walk``, so they agree on what a
note is:

- a file whose name ends in ``.md`` (any letter case), anywhere under the people
  folder, in path order (the parts of the path compared in turn);
- hidden files and folders (a name starting with ``.``) are skipped;
- a symbolic link to a folder is not followed (a loop, or a second way to the same
  notes); a link to a file is read only when it leads to a file inside the vault and
  not to another note of the people folder (that note is read once, under its own
  name); a broken link is not a note.

``walk(config)`` lists the notes with their stat keys (what the store compares);
``walk(config, everything=True)`` also lists what is not read, each with its kind,
for ``check`` to explain.

The folders the config's ``ignore`` names are entered by no walk. ``walk(config,
elsewhere=True)`` walks the rest of the vault by the same rules: the notes that may
mention people (daily and meeting notes), outside the people folder, the index and
templates folders and the ignored ones (hidden folders, ``.git``, ``.obsidian``,
``.trash`` and ``.vaultnet`` among them, are skipped as everywhere).
"""

from __future__ import annotations

import gc
import os
import stat
import sys
from collections import namedtuple
from operator import itemgetter
from pathlib import Path, PurePosixPath

from ..model.config import Config
from .files import TEMP_SUFFIX

try:  # hashlib's own BLAKE2, without loading OpenSSL's library as ``import hashlib`` does on every run
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

Key = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
NO_KEY: Key = (-1, -1, -1, -1)  # listed but not stat-able: the loader says why it cannot be read

# What an entry of the people folder is.
NOTE = "note"  # a note vaultnet reads
FOLDER = "folder"
OTHER = "other"  # any other file
STALE_TEMP = "stale-temp"  # a temporary file left by a vaultnet killed mid-write
LINK_OUTSIDE = "link-outside"  # a symbolic link leading out of the vault (or in a loop)
LINK_BROKEN = "link-broken"
LINK_TO_NOTE = "link-to-note"  # a link to another note of the folder; ``target`` is that note


class Found(namedtuple("Found", "rel path kind key changed_ns target", defaults=(NOTE, NO_KEY, 0, None))):
    """One entry of the people folder: vault-relative path (with ``/``), full path, kind;
    for a note its stat key and the later of its mtime and ctime (for the racy rule).

    A named tuple: a warm run makes one per note of the vault, and a tuple is made in a
    fraction of the time of a class instance (``collections.namedtuple``, whose making
    costs a warm run less than ``typing.NamedTuple``'s)."""

    __slots__ = ()
    rel: str
    path: str
    kind: str
    key: Key
    changed_ns: int
    target: str | None


def stat_key(st: os.stat_result) -> Key:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def digest(notes: list[Found]) -> bytes:
    """One digest of a walk: every note's path and stat key, in the walk's order. The
    store keeps the digest of the walk its rows were last brought up to date with, so a
    warm run compares this one value instead of a row per note."""
    return _digest(map(_REL, notes), list(map(_KEY, notes)))


def keys_digest(pairs: list[tuple[str, Key]]) -> bytes:
    """``digest`` of a walk made with ``keys_only`` (the same bytes as of the full walk)."""
    return _digest(map(_REL, pairs), list(map(_PAIR_KEY, pairs)))


def keys_of(notes: list[Found]) -> list[tuple[str, Key]]:
    """The ``(rel, key)`` pairs a ``keys_only`` walk would list, of a walk's notes."""
    return list(zip(map(_REL, notes), map(_KEY, notes)))


def _digest(rels, keys: list[Key]) -> bytes:
    found = blake2b("\0".join(rels).encode("utf-8", "surrogateescape"), digest_size=20)
    # The keys through Python's own hash of a tuple of integers rather than serialised: it
    # is computed in C without writing a byte per digit, and unlike a string's it is the
    # same in every process (only str and bytes hashes are salted). Its 64 bits tell one
    # walk from the next as any 64-bit digest would: an integer hashes as itself modulo
    # 2**61 - 1, so a size or a time changes its hash unless it moves by a multiple of that
    # (73 years in nanoseconds). The store is remade for another Python version, whose hash
    # may differ.
    found.update(hash(tuple(keys)).to_bytes(8, "little", signed=True))
    return found.digest()


def walk_digest(config: Config, elsewhere: bool = False) -> bytes | None:
    """``keys_digest`` of a fresh ``walk(config, elsewhere=elsewhere, keys_only=True)``;
    None when it lists nothing."""
    keys = walk(config, elsewhere=elsewhere, keys_only=True)
    return keys_digest(keys) if keys else None


def walk_digest_aside(config: Config, elsewhere: bool = False) -> Aside:
    """``walk_digest``, worked out in a second process while this one goes on (see ``Aside``).

    A warm run's time is mostly the stat of every note, each a system call whose result
    Python builds under its interpreter lock, so threads take turns instead of running
    together; a forked copy of this process walks the other notes on the second core
    while this one walks the people folder and reads the store (as git stats its index
    with threads). The copy runs nothing but the walk: it writes the digest to a pipe and
    leaves at once, without flushing or closing anything it shares with this process, and
    none of the caller's signal handlers runs in it (signals wait, blocked, until its
    handlers are the system's defaults). Where it could go wrong the walk runs in the
    call instead: off Linux (other systems' libraries are not safe to use after a fork),
    outside the main thread or with other threads running (a lock one of them holds would
    stay held in the copy), or when the fork or the copy fails."""
    threading = sys.modules.get("threading")  # not imported: no thread but this one
    if not _FORK or (threading is not None and (
        threading.active_count() > 1 or threading.current_thread() is not threading.main_thread()
    )):
        return Aside(config, elsewhere)
    import signal

    try:
        read_end, write_end = os.pipe()
    except OSError:
        return Aside(config, elsewhere)
    # No handler runs between the fork and the copy's own defaults (it would run the
    # caller's code in the copy), nor in this process before the Aside owns the copy.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    try:
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return Aside(config, elsewhere)
        if pid == 0:  # the copy: never returns into the caller's code
            status = 1
            try:
                for number in signal.valid_signals():
                    try:
                        if callable(signal.getsignal(number)):
                            signal.signal(number, signal.SIG_DFL)
                    except (OSError, ValueError):
                        pass  # a signal that cannot be handled
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                # No cycle collection: the walk makes none, and a pass over the heap the
                # copy shares with this process would copy every page it touches.
                gc.disable()
                os.close(read_end)
                found = walk_digest(config, elsewhere)
                # One write of at most 21 bytes, under the pipe's atomic size: whole or nothing.
                os.write(write_end, b"\0" if found is None else b"\1" + found)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        return Aside(config, elsewhere, read_end, pid)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


class Aside:
    """The digest of a walk (``walk_digest``) being worked out in a forked copy of this
    process (``walk_digest_aside``), or to be worked out here when there is no copy.

    Call it for the digest: it waits for the copy once, reaps it, and gives the same answer
    to every later call; when the copy failed, it walks here. ``close(kill=True)`` ends a
    copy whose answer is not wanted without waiting for its walk."""

    __slots__ = ("config", "elsewhere", "fd", "pid", "found")

    def __init__(self, config: Config, elsewhere: bool, fd: int | None = None, pid: int | None = None):
        self.config, self.elsewhere, self.fd, self.pid = config, elsewhere, fd, pid
        self.found: list[bytes | None] = []  # the answer, once there is one

    def __call__(self) -> bytes | None:
        if not self.found:
            data = b""
            if self.fd is not None:
                try:
                    while chunk := os.read(self.fd, 64):
                        data += chunk
                except BaseException:  # interrupted (Ctrl-C): the copy's walk is not waited for
                    self.close(kill=True)
                    raise
                self.close()
            if data == b"\0":
                self.found.append(None)
            elif len(data) == 21 and data[:1] == b"\1":
                self.found.append(data[1:])
            else:  # no copy, or it failed
                self.found.append(walk_digest(self.config, self.elsewhere))
        return self.found[0]

    def close(self, kill: bool = False) -> None:
        """Reap the copy (first ending it, with ``kill``), once."""
        fd, pid, self.fd, self.pid = self.fd, self.pid, None, None
        if fd is not None:
            os.close(fd)
        if pid is not None:
            if kill:
                import signal  # imported already: there is a copy only after a fork

                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass  # gone already
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass  # reaped already: SIGCHLD ignored, or the caller's own handler reaped it


def is_another_note(target: Path, people: Path) -> bool:
    """Whether a link's resolved ``target`` is itself a note the people folder lists: a
    ``.md`` file inside the (resolved) people folder, with no hidden part on the way.

    Read under both names, the person would be listed twice and edits would go to
    whichever name a command found first; so the note is read once, under its own name."""
    try:
        parts = target.relative_to(people).parts
    except ValueError:
        return False
    return bool(parts) and parts[-1].lower().endswith(".md") and not any(p.startswith(".") for p in parts)


def _skipped(config: Config, elsewhere: bool) -> frozenset[str]:
    """The vault-relative folders a walk does not enter."""
    skip = set(config.ignore)
    if elsewhere:
        skip.update(PurePosixPath(p).as_posix() for p in (config.people_dir, config.index_dir, config.templates_dir))
    return frozenset(skip)


def walk(
    config: Config, everything: bool = False, whole_vault: bool = False, elsewhere: bool = False, keys_only: bool = False
) -> list[Found]:
    """The notes of the people folder in path order; with ``everything``, every other
    entry too (folders, other files, links not followed, leftover temporary files).

    ``whole_vault`` lists every note of the vault instead, for ``check`` to tell a link to
    another note from a link to nobody: there a hidden ``.md`` file is a note too, and a
    link to a person note counts as a note.

    ``elsewhere`` lists the notes outside the people, index, templates and ignored
    folders instead (those that may mention people); a link to a person note is not one.

    ``keys_only`` lists each note as a pair ``(rel, key)`` instead of a ``Found``, in the
    same order: enough for ``keys_digest``, which a warm run compares with the store's
    before it needs the notes themselves (then it walks again; most runs do not).

    Raises ``VaultnetError`` when the people folder is a link leading out of the vault.
    Uses ``os.scandir``, whose entries know their type without a system call, and plain
    strings: on a warm run this walk is most of what a command costs.
    """
    root = config.root
    base = root if (whole_vault or elsewhere) else config.people_path
    if not base.is_dir():
        return []
    skip = () if whole_vault else _skipped(config, elsewhere)
    if elsewhere and "." in skip:
        return []  # the people folder is the whole vault
    people = config.people_path if elsewhere else base
    links: list[Path] = []  # (resolved root, resolved people folder), worked out on the first link
    prefix = base.relative_to(root).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    found: list[Found] = []
    append = found.append
    new = tuple.__new__
    start = str(base)
    stack = [(start if start.endswith("/") else start + "/", prefix)]  # folders end with "/"
    nested = False
    while stack:
        folder, rel_folder = stack.pop()
        fd = None
        try:
            if _SCAN_FD:
                # Entries of a folder opened once: each stat looks up one name in it,
                # not the whole path from the root again.
                fd = os.open(folder, _FOLDER_FLAGS)
                entries = os.scandir(fd)
            else:
                entries = os.scandir(folder)
        except OSError:
            if fd is not None:
                os.close(fd)
            continue  # an unreadable folder is skipped, as os.walk does
        try:
            for entry in entries:
                name = entry.name
                if name[-3:] == ".md" and name[0] != "." and not entry.is_symlink():
                    # Most entries: a plain file named like a note. Its stat says whether it
                    # is a folder after all (then the rules below apply).
                    try:
                        st = entry.stat()
                    except OSError:
                        st = None  # the rules below say what it is
                    if st is not None and st.st_mode & _FORMAT != _FOLDER:
                        mtime, ctime = st.st_mtime_ns, st.st_ctime_ns
                        if keys_only:
                            append((rel_folder + name, (st.st_size, mtime, ctime, st.st_ino)))
                        else:
                            append(new(Found, (rel_folder + name, folder + name, NOTE, (st.st_size, mtime, ctime, st.st_ino), mtime if mtime > ctime else ctime, None)))
                        continue
                path = folder + name
                try:
                    is_dir = entry.is_dir()  # a folder, or a link to one (``os.walk`` lists both as folders)
                except OSError:
                    is_dir = False
                if name[0] == "." and not (whole_vault and name[-3:].lower() == ".md" and not is_dir):
                    if everything and name.endswith(TEMP_SUFFIX) and not is_dir:
                        append(Found(rel_folder + name, path, STALE_TEMP))
                    continue
                if is_dir:
                    if skip and rel_folder + name in skip:
                        continue
                    if everything:
                        append(Found(rel_folder + name, path, FOLDER))
                    if not entry.is_symlink():  # a link to a folder is not followed
                        stack.append((path + "/", rel_folder + name + "/"))
                        nested = True
                    continue
                is_note = name[-3:].lower() == ".md"
                if not (is_note or everything):
                    continue
                target = None
                if entry.is_symlink():
                    if not links:
                        links += [root.resolve(), people.resolve()]
                    try:
                        resolved = Path(path).resolve(strict=True)
                        target = resolved.relative_to(links[0]).as_posix()
                    except FileNotFoundError:
                        if everything:
                            append(Found(rel_folder + name, path, LINK_BROKEN))
                        continue
                    except (OSError, ValueError, RuntimeError):
                        if everything:
                            append(Found(rel_folder + name, path, LINK_OUTSIDE))
                        continue
                    if is_note and not whole_vault and is_another_note(resolved, links[1]):
                        if everything:
                            append(Found(rel_folder + name, path, LINK_TO_NOTE, target=target))
                        continue
                if not is_note:
                    append(Found(rel_folder + name, path, OTHER))
                    continue
                try:
                    st = entry.stat()
                except OSError:
                    # Listed but not stat-able: the loader tries to read it and says why it cannot.
                    append((rel_folder + name, NO_KEY) if keys_only else Found(rel_folder + name, path))
                    continue
                mtime, ctime = st.st_mtime_ns, st.st_ctime_ns
                if keys_only:
                    append((rel_folder + name, (st.st_size, mtime, ctime, st.st_ino)))
                else:
                    append(new(Found, (rel_folder + name, path, NOTE, (st.st_size, mtime, ctime, st.st_ino), mtime if mtime > ctime else ctime, None)))
        except OSError:
            pass  # a folder that cannot be read further ends early, as os.walk does
        finally:
            entries.close()
            if fd is not None:
                os.close(fd)  # after the last stat of its entries
    if elsewhere or not nested:
        found.sort(key=_REL)  # for the other notes, a stable order is all they need
    else:
        found.sort(key=lambda f: f[0].split("/"))
    return found


_REL = itemgetter(0)
_FORMAT, _FOLDER = stat.S_IFMT(0o177777), stat.S_IFDIR
_KEY = itemgetter(3)
_PAIR_KEY = itemgetter(1)
_FORK = sys.platform.startswith("linux") and hasattr(os, "fork")
_SCAN_FD = os.scandir in os.supports_fd and hasattr(os, "O_DIRECTORY")
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


def library_files(names) -> list[Path]:
    """The file each library is loaded from, found without importing it (a warm run must
    not pay for the imports); a placeholder path for one that is not installed."""
    from importlib.util import find_spec

    found = []
    for name in names:
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        found.append(Path(origin) if origin else Path(f"<{name}: not found>"))
    return found
