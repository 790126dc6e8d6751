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
import re
import stat
from pathlib import Path
from typing import Callable

from ..model.errors import NoteError, VaultnetError

TEMP_SUFFIX = ".vaultnet-tmp"
# The names ``write_temp`` gives (mkstemp's: a dot, the target's name, a dot, eight random
# characters, the suffix); group 1 is the target's name.
TEMP_NAME = re.compile(r"\.(.+)\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX), re.DOTALL)
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
        _keep_owner(temp, folder / name, rel)  # before chmod: chown may clear mode bits
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


def _keep_owner(temp: str, target: Path, rel: str) -> None:
    """Give the temporary file the owner the file it replaces has, so the rename changes
    no one's access: a note of another user edited by root stays theirs. A new file made
    by root takes its folder's owner (a root ``add`` in a user's vault leaves a note the
    user can edit). When the owner cannot be kept, nothing is written."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        if os.geteuid() != 0:
            return
        st = os.stat(target.parent)
    here = os.stat(temp)
    if (here.st_uid, here.st_gid) == (st.st_uid, st.st_gid):
        return
    try:
        os.chown(temp, st.st_uid if here.st_uid != st.st_uid else -1, st.st_gid if here.st_gid != st.st_gid else -1)
    except PermissionError:
        raise NoteError(
            rel,
            f"belongs to user {st.st_uid}, group {st.st_gid}, and a rewritten copy could not keep that owner; "
            "nothing was written (run vaultnet as the note's owner)",
        ) from None


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


def replace_file(path: Path, data: bytes, refuse: Callable[[bytes], str | None] | None = None) -> bool:
    """Write a generated file atomically, unless it already holds exactly ``data``.

    Returns whether it was written: an unchanged output keeps its modification time.
    Only a regular file is read or replaced (see ``read_output``); ``refuse``, given the
    first bytes of a file already there, returns why it must not be replaced (it is not
    vaultnet's output), or None. A failure leaves the file as it was and says so.
    """
    old = read_output(path, HEAD_BYTES)
    if old is not None and holds_exactly(path, data):
        return False
    if old is not None and refuse is not None:
        why = refuse(old)
        if why:
            raise VaultnetError(why)
    rel = path.name
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            mode = path.stat().st_mode & 0o7777 if old is not None else None
        except OSError as exc:
            raise os_message(exc, str(path), "create its folder") from None
        temp = write_temp(path.parent, path.name, data, mode, rel)
        try:
            os.replace(temp, path)
        except OSError as exc:
            os.unlink(temp)
            raise os_message(exc, str(path), "replace the file") from None
    except NoteError as exc:  # worded for notes; this is a generated file
        detail = exc.detail.replace("write the note", "write the file").replace("the note was", "the output file was")
        raise VaultnetError(f"{path}: {detail}") from None
    sync_folder(path.parent)
    return True


HEAD_BYTES = 64 * 1024  # enough of an existing output to see whether vaultnet wrote it


def read_output(path: Path, limit: int) -> bytes | None:
    """The first ``limit`` bytes of the file at an output path; None when there is none.

    Anything but a regular file there (a symbolic link, a FIFO, a device, a socket, a
    folder) is refused with a VaultnetError: reading a FIFO waits forever, a device such
    as ``/dev/zero`` never ends, and a link could lead to a note. The file is opened
    without following a link and without blocking, checked again once open, and read no
    further than ``limit``.
    """
    handle = _open_output(path)
    if handle is None:
        return None
    with handle:
        return handle.read(limit)


def holds_exactly(path: Path, data: bytes) -> bool:
    """Whether the regular file at an output path holds exactly ``data`` (False when there
    is none), read a piece at a time: the old copy of a large output is never held whole
    beside the new one. Refuses what ``read_output`` refuses."""
    handle = _open_output(path)
    if handle is None:
        return False
    with handle:
        if os.fstat(handle.fileno()).st_size != len(data):
            return False
        view = memoryview(data)
        position = 0
        while True:
            piece = handle.read(_PIECE)
            if not piece:
                return position == len(data)
            if view[position : position + len(piece)] != piece:
                return False
            position += len(piece)


_PIECE = 1 << 20


def _open_output(path: Path):
    """The regular file at an output path, open for reading; None when there is none."""
    try:
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode):
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
            handle = os.fdopen(fd, "rb")
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode):
                return handle
            handle.close()
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno != errno.ELOOP:  # ELOOP: it became a link after the lstat
            raise VaultnetError(f"{path}: cannot read: {exc.strerror}") from None
        st = os.lstat(path)
    kind = (
        "a symbolic link" if stat.S_ISLNK(st.st_mode) else "a folder" if stat.S_ISDIR(st.st_mode)
        else "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
        else "a device file"
    )
    raise VaultnetError(
        f"{path}: is {kind}, not a file vaultnet wrote; vaultnet writes its outputs only as regular files and "
        "replaces only its own: move it away (or change the output path in vaultnet.toml), then build again. "
        "Nothing was written"
    )
