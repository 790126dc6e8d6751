"""Making a folder a vault (``vaultnet init``): a config, a people folder, two ignore lines.

Nothing that exists is overwritten, and whatever stands in the way (a file where the
people folder should be, a folder named ``.gitignore``, a full disk) is a message that
names the path and what to do, never a traceback. The config is created whole or not at
all; ``.gitignore`` is treated as bytes, so an ignore file in any encoding gains its two
lines and keeps everything else as it was.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from typing import Callable

from ..model.config import CONFIG_NAME, config_template, load_config
from ..load.files import TEMP_SUFFIX, write_new
from ..model.errors import NoteError, VaultnetError

IGNORED = [".vaultnet/cache/", f".*{TEMP_SUFFIX}"]  # the cache, and the atomic writer's temporary files


def _reason(exc: OSError) -> str:
    return {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exceeded",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
    }.get(exc.errno, exc.strerror or str(exc))


def _create(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data`` whole, or leave nothing: the one atomic writer's
    ``write_new``, its note-worded message said as init says it."""
    try:
        write_new(path, data, str(path))
    except NoteError as exc:
        reason = re.sub(r"^cannot [^:]*: ", "", exc.detail)
        reason = reason.removesuffix("; the note was left as it was").removesuffix("; nothing was written")
        raise VaultnetError(f"{path}: cannot create it: {reason}; nothing was created") from None


def init_vault(root: Path, say: Callable[[str], None]) -> None:
    """Make ``root`` a vault, saying what was created and what was already there."""
    if root.exists() and not root.is_dir():
        raise VaultnetError(f"{root}: is a file, not a folder; choose another path for the vault")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VaultnetError(f"{root}: cannot create the vault folder: {_reason(exc)}") from None
    config_file = root / CONFIG_NAME
    if config_file.is_dir():
        raise VaultnetError(f"{config_file}: is a folder, not a config file; rename it and run init again")
    if os.path.lexists(config_file):
        say(f"{config_file}: exists, left as it is")
    else:
        _create(config_file, config_template().encode("utf-8"))
        say(f"{config_file}: created")
    config = load_config(root.resolve())
    for key, folder in (("people_dir", config.people_path),):
        if folder.is_dir():
            say(f"{folder}: exists")
            continue
        if os.path.lexists(folder):
            raise VaultnetError(
                f"{folder}: exists but is not a folder; rename it, or set {key} in {CONFIG_NAME} to another folder"
            )
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise VaultnetError(f"{folder}: cannot create the folder: {_reason(exc)}") from None
        say(f"{folder}: created")
    _ignore(root / ".gitignore", say)


def _ignore(ignore: Path, say: Callable[[str], None]) -> None:
    """Add vaultnet's cache and temporary files to ``.gitignore`` unless they are there."""
    hint = "add these lines to it by hand: " + ", ".join(IGNORED)
    if os.path.lexists(ignore) and not ignore.is_file():
        kind = "a folder" if ignore.is_dir() else "not a regular file"
        raise VaultnetError(f"{ignore}: is {kind}, so vaultnet cannot add to it; {hint}")
    if ignore.is_symlink():
        try:
            ignore.resolve(strict=True).relative_to(ignore.parent.resolve())
        except (OSError, RuntimeError, ValueError):
            raise VaultnetError(f"{ignore}: is a link leading out of the vault, which vaultnet never writes to; {hint}") from None
    try:
        data = ignore.read_bytes() if ignore.exists() else b""
    except OSError as exc:
        raise VaultnetError(f"{ignore}: cannot read it: {_reason(exc)}; {hint}") from None
    lines = data.splitlines()
    missing = [w for w in IGNORED if w.encode() not in lines]
    if not missing:
        return
    # a blank line before vaultnet's lines; at least an end to an unfinished last line
    unfinished = bool(data) and not data.endswith((b"\n", b"\r"))
    addition = b"\n" if (lines and lines[-1].strip()) or unfinished else b""
    addition += ("# vaultnet's cache and in-flight temporary files\n" + "\n".join(missing) + "\n").encode()
    try:
        with ignore.open("ab") as handle:
            handle.write(addition)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        try:  # take back a partial addition: the file is left as it was
            os.truncate(ignore, len(data))
        except OSError:
            pass
        raise VaultnetError(f"{ignore}: cannot add to it: {_reason(exc)}; {hint}") from None
    say(f"{ignore}: ignores {', '.join(missing)}")
