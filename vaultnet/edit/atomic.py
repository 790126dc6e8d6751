"""Putting bytes on disk without ever leaving a note half-written.

Every write goes to a temporary file in the note's own folder, is flushed to
disk, and then renamed over the note (rename is atomic on POSIX file systems).
While a command edits a note it holds an exclusive ``flock`` on it, so two
vaultnet processes editing the same note take turns and each sees the other's
change; an editor that saves the note meanwhile is caught by comparing the
file's identity (inode, size, modification time) just before the rename, and
the command then writes nothing.

``edit_notes`` edits several notes as one: all new texts are computed and
written to temporary files first, then renamed; if a rename fails, the notes
already renamed get their old bytes back.
"""

from __future__ import annotations

import fcntl
import os
import stat
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..load import files
from ..load.files import TEMP_NAME
from ..model.config import Config, load_config
from ..model.errors import NoteError, VaultnetError
from .noteedit import NoteEditor

LOCK_TIMEOUT = 10.0


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass
class _Locked:
    path: Path
    rel: str
    fd: int
    data: bytes
    identity: tuple[int, int, int, int]


@contextmanager
def _lock(path: Path, rel: str) -> Iterator[_Locked]:
    """Open and exclusively lock a note, making sure the lock is on the file now at ``path``."""
    deadline = time.monotonic() + LOCK_TIMEOUT
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise NoteError(rel, "the note is gone (deleted or renamed meanwhile); nothing was written") from None
        except OSError as exc:
            raise files.os_message(exc, rel, "open the note") from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise NoteError(rel, "another vaultnet is still writing this note; try again in a moment") from None
                    time.sleep(0.02)
            try:
                same = os.fstat(fd).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # replaced while we waited: the finally below closes it; lock the new file
                continue
            st = os.fstat(fd)
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            yield _Locked(path, rel, fd, b"".join(chunks), _identity(st))
            return
        finally:
            try:
                os.close(fd)
            except OSError:
                pass


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete temporary files a killed vaultnet left beside ``path``; call only while holding its lock.

    Only a process holding the note's lock writes temporary files for it, so any
    found while we hold the lock belong to a process that died before its rename
    (the note itself is intact: the rename never happened).
    """
    removed = []
    try:
        candidates = [path.parent / n for n in os.listdir(path.parent) if _temp_of(n) == path.name]
    except OSError:
        return removed
    for temp in candidates:
        try:
            temp.unlink()
            removed.append(temp)
        except OSError:
            pass
    return removed


def _temp_of(name: str) -> str | None:
    """The name of the file a temporary file named ``name`` was written for, if it is one."""
    match = TEMP_NAME.fullmatch(name)
    return match.group(1) if match else None


Edit = Callable[[NoteEditor], None]


def edit_notes(
    root: Path,
    edits: list[tuple[str, Edit]],
    config: Config | None = None,
    moves: dict[str, str] | None = None,
    removals: list[str] | None = None,
) -> list[str]:
    """Apply edits to several notes as one change; return the paths that changed.

    ``edits`` pairs a vault-relative path with a function that calls the editor's
    methods. Each function sees the note as it is on disk now (read under the
    lock), so decisions such as "only move last_contact forward" use fresh data.
    Nothing is written unless every note's edit succeeded. ``config`` (default: the
    vault's own) says which folders hold templates and generated notes, where a
    symbolic link posing as a note must not lead.

    ``moves`` renames notes (old path to new path, edited or not): the new file is
    created (never over an existing one) and the old one removed. ``removals`` deletes
    notes. Both are part of the one change: every note is locked and checked unchanged
    first, the rewrites and new files come next, the removals last, and a failure at any
    step puts back what was done (old bytes, old names).
    """
    moves = dict(moves or {})
    removals = list(removals or [])
    by_path: dict[str, list[Edit]] = {rel: [] for rel in [*moves, *removals]}
    for rel, fn in edits:
        by_path.setdefault(rel, []).append(fn)
    real = {rel: _real_path(root, rel, config) for rel in sorted(by_path)}
    seen: dict[Path, str] = {}
    for rel, path in real.items():
        # two names of one file (a symbolic link and its note) would wait on their own lock
        other = seen.setdefault(path.resolve(), rel)
        if other != rel:
            raise NoteError(rel, f"is the same file as {other} (a symbolic link); nothing was written")
    with ExitStack() as stack:
        # fixed order: no deadlock
        locked = [stack.enter_context(_lock(real[rel], rel)) for rel in sorted(by_path)]
        planned: list[tuple[_Locked, bytes]] = []
        gone: list[_Locked] = []
        targets: dict[str, Path] = {}
        for note in locked:
            remove_stale_temps(note.path)
            if note.rel in removals:
                if by_path[note.rel]:
                    raise ValueError(f"{note.rel} is both edited and removed")  # pragma: no cover - a caller's bug
                _editable(note)  # a note mid-conflict is not thrown away
                if note.path != root / note.rel:
                    target = note.path.relative_to(root.resolve()).as_posix()
                    raise NoteError(
                        note.rel,
                        f"is a symbolic link to {target}; vaultnet removes no note through a link "
                        "(remove the link or the note yourself); nothing was written",
                    )
                gone.append(note)
                continue
            editor = NoteEditor(note.rel, note.data)
            for fn in by_path[note.rel]:
                fn(editor)
            if note.rel in moves:
                if note.path != root / note.rel:
                    raise NoteError(note.rel, "is a symbolic link; rename the note it points to instead; nothing was written")
                targets[note.rel] = _move_target(root, note.rel, moves[note.rel])
                planned.append((note, editor.result()))
            elif editor.changed:
                planned.append((note, editor.result()))
        for note in [note for note, _data in planned] + gone:
            _check_writable(note)  # a read-only note is neither rewritten nor removed
        for note in [note for note, _ in planned if note.rel in targets] + gone:
            _check_unchanged(note, [])
        temps: list[tuple[_Locked, Path]] = []
        done: list[_Locked] = []
        created: list[tuple[_Locked, Path]] = []
        removed: list[_Locked] = []
        try:
            for note, data in planned:
                mode = os.fstat(note.fd).st_mode & 0o7777
                folder = targets[note.rel].parent if note.rel in targets else note.path.parent
                temps.append((note, files.write_temp(folder, note.path.name, data, mode, note.rel)))
            try:
                for note, temp in temps:
                    _check_unchanged(note, [])
                    if note.rel in targets:
                        try:
                            os.link(temp, targets[note.rel])  # never over an existing note
                        except FileExistsError:
                            raise NoteError(moves[note.rel], "already exists; nothing was written") from None
                        except OSError as exc:
                            raise files.os_message(exc, moves[note.rel], "create the renamed note") from None
                        created.append((note, targets[note.rel]))
                        continue
                    try:
                        os.replace(temp, note.path)
                    except OSError as exc:
                        raise files.os_message(exc, note.rel, "replace the note") from None
                    done.append(note)
                for note in [note for note, _ in created] + gone:
                    _check_unchanged(note, [])
                    try:
                        os.unlink(note.path)
                    except OSError as exc:
                        raise files.os_message(exc, note.rel, "remove the old note") from None
                    removed.append(note)
            except BaseException:
                _rollback(done)
                _undo_moves(created, removed)
                raise
            for folder in {note.path.parent for note, _ in temps} | {path.parent for _, path in created} | {note.path.parent for note in gone}:
                files.sync_folder(folder)
        finally:
            for _note, temp in temps:
                try:
                    os.unlink(temp)
                except FileNotFoundError:
                    pass
        return [moves.get(note.rel, note.rel) for note, _ in planned] + [note.rel for note in gone]


def _editable(note: _Locked) -> None:
    """Refuse to remove a note vaultnet would refuse to edit (conflict markers, unreadable)."""
    NoteEditor(note.rel, note.data)


def _check_unchanged(note: _Locked, done: list[_Locked]) -> None:
    try:
        current = _identity(os.stat(note.path))
    except FileNotFoundError:
        current = None
    if current != note.identity:
        _rollback(done)
        raise NoteError(
            note.rel, "changed on disk while vaultnet was writing (another editor saved it?); nothing was written — run the command again"
        )


def _move_target(root: Path, rel: str, new_rel: str) -> Path:
    """Where a renamed note goes; refused when a note of that name exists (in any letter
    case: on macOS and Windows ``jane doe.md`` and ``Jane Doe.md`` are one file)."""
    from ..model.names import nfc_casefold

    target = root / new_rel
    folder = target.parent
    if not folder.is_dir():
        raise NoteError(new_rel, "its folder does not exist; nothing was written")
    wanted = nfc_casefold(target.name)
    try:
        clash = [name for name in os.listdir(folder) if nfc_casefold(name) == wanted and (folder / name) != root / rel]
    except OSError as exc:
        raise files.os_message(exc, new_rel, "list its folder") from None
    if clash:
        found = (folder / clash[0]).relative_to(root).as_posix()
        raise NoteError(new_rel, f"{found} already exists (file names are compared ignoring letter case, as on macOS); nothing was written")
    return target


def _undo_moves(created: list[tuple[_Locked, Path]], removed: list[_Locked]) -> None:
    """Put back the notes a failed change removed, and remove the renamed copies it made."""
    _rollback(removed)
    for _note, path in reversed(created):
        try:
            os.unlink(path)
        except OSError:  # pragma: no cover - best effort
            pass


def _check_writable(note: _Locked) -> None:
    """Refuse a note its user could not save in place.

    The rename that makes a write atomic needs only the folder's permission, so without
    this check a note made read-only (``chmod 444``) would be rewritten anyway. Root may
    write anything; a note with no owner write bit is still refused for root, as a
    careful editor does.
    """
    st = os.fstat(note.fd)
    if not st.st_mode & stat.S_IWUSR:
        raise NoteError(note.rel, "the note is read-only (chmod u+w to allow vaultnet to edit it); nothing was written")
    if not os.access(note.path, os.W_OK):
        try:
            read_only_fs = bool(os.fstatvfs(note.fd).f_flag & os.ST_RDONLY)
        except OSError:
            read_only_fs = False
        if read_only_fs:
            raise NoteError(note.rel, "cannot write the note: the file system is read-only; nothing was written")
        raise NoteError(
            note.rel,
            f"cannot write the note: permission denied — is the vault read-only? (the note belongs to user {st.st_uid} "
            "and is not writable for you); nothing was written",
        )


def _real_path(root: Path, rel: str, config: Config | None = None) -> Path:
    """The file to rewrite for ``rel``: a symbolic link's target, so the rename replaces the
    note itself rather than turning the link into a diverging copy.

    A link is followed only to a regular ``.md`` file of the vault that could be a note:
    not the config, a template, a generated index note, or anything in a hidden folder
    (``.git``, ``.vaultnet``). Editing those as a note would corrupt them.
    """
    path = root / rel
    if not path.is_symlink():
        return path
    try:
        real_root = root.resolve()
        target = path.resolve(strict=True)
        inside = target.relative_to(real_root)
    except (OSError, RuntimeError, ValueError):
        raise NoteError(rel, "is a symbolic link to a file outside the vault (or to nothing); nothing was written") from None
    if config is None:
        config = load_config(root)
    reserved = []
    for folder in (config.templates_path, config.index_path):
        try:
            reserved.append(folder.resolve())
        except (OSError, RuntimeError, VaultnetError):
            pass
    try:
        regular = stat.S_ISREG(target.stat().st_mode)
    except OSError:
        regular = False
    if (
        not regular
        or target.suffix.lower() != ".md"
        or any(part.startswith(".") for part in inside.parts)
        or any(target.is_relative_to(folder) for folder in reserved)
    ):
        raise NoteError(
            rel,
            f"is a symbolic link to {inside.as_posix()}, which is not a note; nothing was written "
            "(vaultnet follows a link only to a .md note of the vault, never to the config, a template or an index note)",
        )
    return target


def _rollback(done: list[_Locked]) -> None:
    """Put back the old bytes of notes already replaced in a failed multi-note edit."""
    for note in reversed(done):
        try:
            temp = files.write_temp(note.path.parent, note.path.name, note.data, os.fstat(note.fd).st_mode & 0o7777, note.rel)
            os.replace(temp, note.path)
        except (OSError, NoteError):  # pragma: no cover - best effort; the error raised next says what failed
            pass
