"""Reading a note's bytes safely, and writing the vault's files without ever leaving one
half-written: the one atomic writer.

A note is read by ``read_note_bytes``: only a regular file, and never more than the size
limit allows, whatever sits at the path (a named pipe would block the reader forever, a
device or a 3 GB file would fill the memory).

Every write goes to a temporary file in the target's own folder, is flushed to disk,
and is then renamed over the target (rename is atomic on POSIX file systems), so a
reader sees the old bytes or the new ones and a crash leaves at most a temporary file
named ``.NAME.XXXXXXXX.vaultnet-tmp``. Notes (``edit.atomic``) and generated outputs
(the pipeline, the vCard export) are written through here.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..model.errors import NoteError, VaultnetError

TEMP_SUFFIX = ".vaultnet-tmp"
MAX_NOTE_BYTES = 4 * 1024 * 1024  # a person note is kilobytes; megabytes are an accident or an attack

_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


class NoteFileError(Exception):
    """A file that is not read as a note: not a regular file, or over the size limit.
    The message names what is wrong and the fix; the caller adds the file's name."""


def read_note_bytes(path: str | os.PathLike, limit: int) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file at ``path`` and its status once read (which tells
    whether it changed meanwhile); raise NoteFileError for anything else, and for a file
    over ``limit`` bytes, before reading more than ``limit + 1`` bytes; OSError as ``open``.

    Opened without blocking: opening a named pipe for reading otherwise waits for a
    writer, for ever. A regular file ignores the flag.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NoteFileError(_not_regular(st, "read as notes; move it out of the people folder"))
        if st.st_size > limit:
            raise NoteFileError(_too_big(st.st_size, limit))
        # One read of the size fstat gave, and one more to see the end (or that it grew).
        chunks = []
        total = 0
        want = st.st_size + 1
        while total <= limit:
            chunk = os.read(fd, min(want, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            want = 1 << 16
        if total > limit:
            raise NoteFileError(_too_big(total, limit))
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return data, os.fstat(fd)
    finally:
        os.close(fd)


def _not_regular(st: os.stat_result, rule: str) -> str:
    kind = _KINDS.get(stat.S_IFMT(st.st_mode), "something else")
    return f"it is {kind}, not a regular file, and only regular files are {rule}"


def _too_big(size: int, limit: int) -> str:
    return f"the note is {size // 1024} KiB, over the {limit // 1048576} MiB limit for a person note; split it or move the bulk elsewhere"


def os_message(exc: OSError, rel: str, doing: str) -> NoteError:
    reason = {
        errno.EACCES: "permission denied — is the vault read-only?",
        errno.EPERM: "operation not permitted — is the vault read-only?",
        errno.EROFS: "the file system is read-only",
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exceeded",
    }.get(exc.errno, exc.strerror or str(exc))
    return NoteError(rel, f"cannot {doing}: {reason}; the note was left as it was")


def write_temp(folder: Path, name: str, data: bytes, mode: int | None, rel: str) -> Path:
    """Write ``data`` to a new temporary file beside the target and flush it to disk."""
    import tempfile  # only a write needs it: a read-only command does not pay for the import

    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise os_message(exc, rel, "write in its folder") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes 0600 files; a new note or index gets the mode any editor would give it
        os.chmod(temp, mode if mode is not None else new_file_mode())
    except BaseException as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise os_message(exc, rel, "write the note") from None
        raise
    return Path(temp)


def new_file_mode() -> int:
    """0666 minus the umask: what ``open(path, "w")`` would create."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes, rel: str) -> None:
    """Create a file that must not exist yet, atomically (no partial file, no overwrite)."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_message(exc, rel, "create its folder") from None
    temp = write_temp(folder, path.name, data, None, rel)
    try:
        os.link(temp, path)  # fails if the target exists: never overwrites
    except FileExistsError:
        raise NoteError(rel, "already exists; nothing was written") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise os_message(exc, rel, "create the note") from None
        if path.exists():  # a file system without hard links: check, then rename
            raise NoteError(rel, "already exists; nothing was written") from None
        os.replace(temp, path)
    finally:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
    sync_folder(folder)


def replace_file(path: Path, data: bytes) -> bool:
    """Write a generated file atomically, unless it already holds exactly ``data``.

    Returns whether it was written: an unchanged output keeps its modification time.
    Only a regular file is replaced: a named pipe or a device at the path (or a link to
    one) is refused, and never read (a pipe would block, ``/dev/zero`` fill the memory).
    """
    try:
        if _holds(path, data):
            return False
    except FileNotFoundError:
        pass
    except NoteFileError as exc:
        raise VaultnetError(f"{path}: {exc}") from None
    except OSError as exc:
        raise VaultnetError(f"{path}: cannot read: {exc.strerror}") from None
    rel = path.name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o7777 if path.exists() else None
    except OSError as exc:
        raise os_message(exc, str(path), "create its folder") from None
    temp = write_temp(path.parent, path.name, data, mode, rel)
    try:
        os.replace(temp, path)
    except OSError as exc:
        os.unlink(temp)
        raise os_message(exc, str(path), "replace the file") from None
    sync_folder(path.parent)
    return True


def _holds(path: Path, data: bytes) -> bool:
    """Whether the regular file at ``path`` holds exactly ``data``; NoteFileError when it is
    no regular file. A file of another size is not read at all."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NoteFileError(_not_regular(st, "replaced by vaultnet's outputs; remove it or choose another path"))
        if st.st_size != len(data):
            return False
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(len(data) + 1) == data
    finally:
        os.close(fd)
