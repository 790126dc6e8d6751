"""Writing the vault's files without ever leaving one half-written: the one atomic writer.

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
import tempfile
from pathlib import Path
from typing import Callable

from ..model.errors import NoteError, VaultnetError

TEMP_SUFFIX = ".vaultnet-tmp"


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


def replace_file(path: Path, data: bytes, refuse: Callable[[bytes], str | None] | None = None) -> bool:
    """Write a generated file atomically, unless it already holds exactly ``data``.

    Returns whether it was written: an unchanged output keeps its modification time.
    Only a regular file is read or replaced (see ``read_output``); ``refuse``, given the
    first bytes of a file already there, returns why it must not be replaced (it is not
    vaultnet's output), or None. A failure leaves the file as it was and says so.
    """
    old = read_output(path, max(len(data) + 1, HEAD_BYTES))  # one byte more than data tells it differs
    if old == data:
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
    try:
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode):
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as handle:
                st = os.fstat(fd)
                if stat.S_ISREG(st.st_mode):
                    return handle.read(limit)
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
