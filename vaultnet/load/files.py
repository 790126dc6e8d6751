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
import tempfile
from pathlib import Path

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


def replace_file(path: Path, data: bytes) -> bool:
    """Write a generated file atomically, unless it already holds exactly ``data``.

    Returns whether it was written: an unchanged output keeps its modification time.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
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
