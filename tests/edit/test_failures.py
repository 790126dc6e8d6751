"""Failures while writing: a crash at each step, a full disk, no permission, two writers at once.

The promise under test: a note is always either exactly its old bytes or exactly
its new bytes, nothing else in the folder changes, and no temporary file stays
behind (a process killed outright leaves one, which the next write of that note
removes). Crashes are real: vaultnet runs in a subprocess that dies with
``os._exit`` at a chosen step, or is sent SIGKILL.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from tests.support import fail_os_call
from vaultnet.edit import atomic
from vaultnet.load import files
from vaultnet.load.vault import parse_note

NOTE = textwrap.dedent("""\
    ---
    name: Jane Doe
    last_contact: 2026-01-01 # keep this comment
    helped:
      - 2026-01-02 intro to [[Bob]]
    ---
    # Jane Doe

    ## Log
    - 2026-01-01 coffee
    """).encode()

TODAY = "2026-11-23"


def make_vault(root: Path) -> Path:
    (root / "People").mkdir(parents=True)
    note = root / "People" / "Jane Doe.md"
    note.write_bytes(NOTE)
    (root / "People" / "Bob.md").write_bytes(b"---\nname: Bob\n---\n")
    return note


def folder_listing(root: Path) -> list[str]:
    """Every path in the vault except vaultnet's own cache folder (refreshed by any read)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if not p.relative_to(root).as_posix().startswith(".vaultnet"))


# A runner that dies (os._exit, no cleanup) the first time vaultnet reaches a given step.
# A runner that dies (os._exit, no cleanup) when vaultnet reaches a given step of writing
# the note "Jane Doe.md" (other files, such as the cache, are written normally).
CRASHER = textwrap.dedent("""\
    import os, sys, tempfile
    import vaultnet.load.files as files
    step = sys.argv.pop(1)
    NOTE = "Jane Doe.md"

    def is_note_fd(fd):
        return NOTE in os.readlink(f"/proc/self/fd/{fd}")

    def die_if(test, real):
        def patched(*args, **kwargs):
            if test(*args, **kwargs):
                os._exit(137)
            return real(*args, **kwargs)
        return patched

    if step == "mkstemp":
        tempfile.mkstemp = die_if(lambda *a, prefix="", **k: NOTE in prefix, tempfile.mkstemp)
    elif step == "fsync":
        os.fsync = die_if(lambda fd: is_note_fd(fd), os.fsync)
    elif step == "replace":
        os.replace = die_if(lambda src, dst: str(dst).endswith(NOTE), os.replace)
    elif step == "sync-folder":
        files.sync_folder = die_if(lambda folder: str(folder).endswith("People"), files.sync_folder)
    elif step == "after-write":
        real = files.write_temp
        def write_then_die(*args, **kwargs):
            real(*args, **kwargs)
            os._exit(137)
        files.write_temp = write_then_die
    from vaultnet.cli import main
    sys.exit(main())
    """)


def run_vaultnet(args: list[str], *, crash_step: str | None = None, user: int | None = None, **kwargs):
    if crash_step:
        command = [sys.executable, "-c", CRASHER, crash_step, *args]
    else:
        command = [sys.executable, "-m", "vaultnet", *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, **kwargs)


@pytest.mark.parametrize("step", ["mkstemp", "after-write", "fsync", "replace"])
def test_a_crash_before_the_rename_leaves_the_old_note(tmp_path, step):
    note = make_vault(tmp_path)
    before = folder_listing(tmp_path)
    result = run_vaultnet(["--vault", str(tmp_path), "--today", TODAY, "log", "Jane", "call"], crash_step=step)
    assert result.returncode == 137, result.stderr
    assert note.read_bytes() == NOTE
    leftovers = sorted(set(folder_listing(tmp_path)) - set(before))
    assert all(p.endswith(files.TEMP_SUFFIX) for p in leftovers)  # at most the dead process's temp file
    # The next write of the note cleans up after the crash and succeeds.
    again = run_vaultnet(["--vault", str(tmp_path), "--today", TODAY, "log", "Jane", "call"])
    assert again.returncode == 0, again.stderr
    assert folder_listing(tmp_path) == before
    assert b"- 2026-11-23 call" in note.read_bytes()


def test_a_crash_after_the_rename_leaves_the_complete_new_note(tmp_path):
    note = make_vault(tmp_path)
    before = folder_listing(tmp_path)
    result = run_vaultnet(["--vault", str(tmp_path), "--today", TODAY, "log", "Jane", "call"], crash_step="sync-folder")
    assert result.returncode == 137
    data = note.read_bytes()
    assert data == NOTE.replace(b"2026-01-01 # keep", b"2026-11-23 # keep") + b"- 2026-11-23 call\n"
    assert folder_listing(tmp_path) == before


def test_sigkill_at_random_moments_never_leaves_a_partial_note(tmp_path):
    note = make_vault(tmp_path)
    script = textwrap.dedent("""\
        import sys
        from datetime import date, timedelta
        from vaultnet.edit.actions import add_ledger_item
        from pathlib import Path
        from vaultnet.load.vault import load_vault
        from vaultnet.model.config import load_config
        vault = load_vault(load_config(Path(sys.argv[1])))
        jane = next(p for p in vault.people if p.name == "Jane Doe")
        for i in range(100000):
            add_ledger_item(vault.config, jane, "helped", f"run{sys.argv[2]} favour {i}", date(2026, 1, 1))
        """)
    seen_versions = set()
    for run, delay in enumerate((0.15, 0.25, 0.35, 0.45, 0.6, 0.8)):
        process = subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(run)])
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        data = note.read_bytes()
        person, problems = parse_note("People/Jane Doe.md", data)
        assert person is not None and not problems, data
        # Whole items only: each item is on disk with every earlier one, and the body is intact.
        texts = [e.text for e in person.helped[1:]]
        for earlier in range(run + 1):
            mine = [t for t in texts if t.startswith(f"run{earlier} ")]
            assert mine == [f"run{earlier} favour {i}" for i in range(len(mine))]
        count = len(texts)
        assert data.endswith(b"## Log\n- 2026-01-01 coffee\n")
        seen_versions.add(count)
    assert len(seen_versions) > 1  # the kills really landed mid-run
    edited = run_vaultnet(["--vault", str(tmp_path), "--today", TODAY, "log", "Jane", "after"])
    assert edited.returncode == 0
    assert not [p for p in os.listdir(note.parent) if p.endswith(files.TEMP_SUFFIX)]


def _is_note_fd(fd: int) -> bool:
    return "Jane Doe.md" in os.readlink(f"/proc/self/fd/{fd}")


def _fails_with(errnum):
    def fail(*args, **kwargs):
        raise OSError(errnum, os.strerror(errnum))

    return fail


@pytest.mark.parametrize(
    "target, errnum, message",
    [
        ("fsync", errno.ENOSPC, "the disk is full"),
        ("write", errno.ENOSPC, "the disk is full"),
        ("write", errno.EDQUOT, "quota"),
        ("mkstemp", errno.EACCES, "permission denied"),
        ("mkstemp", errno.EROFS, "read-only"),
        ("replace", errno.EACCES, "permission denied"),
        ("replace", errno.EIO, "Input/output error"),
    ],
)
def test_write_errors_leave_the_note_and_no_temp_file(vault, monkeypatch, target, errnum, message):
    note = vault.write("Jane Doe", NOTE)
    before = vault.snapshot()
    fail = _fails_with(errnum)
    if target == "fsync":
        real_fsync = os.fsync
        monkeypatch.setattr(os, "fsync", lambda fd: fail() if _is_note_fd(fd) else real_fsync(fd))
    elif target == "mkstemp":
        real_mkstemp = tempfile.mkstemp
        monkeypatch.setattr(tempfile, "mkstemp", lambda *a, prefix="", **k: fail() if "Jane Doe" in prefix else real_mkstemp(*a, prefix=prefix, **k))
    elif target == "replace":
        real_os_replace = os.replace
        monkeypatch.setattr(os, "replace", lambda src, dst: fail() if str(dst).endswith("Jane Doe.md") else real_os_replace(src, dst))
    else:
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, handle):
                self.handle = handle

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def write(self, data):
                self.handle.write(data[: len(data) // 2])  # half of it lands, then the disk is full
                self.handle.flush()
                raise OSError(errnum, os.strerror(errnum))

            def __getattr__(self, name):
                return getattr(self.handle, name)

        def fdopen(fd, *args, **kwargs):
            handle = real_fdopen(fd, *args, **kwargs)
            return Full(handle) if _is_note_fd(fd) else handle

        monkeypatch.setattr(os, "fdopen", fdopen)
    result = vault.run("log", "Jane", "call")
    assert result.exit_code == 1
    assert "People/Jane Doe.md" in result.stderr and message in result.stderr
    assert "left as it was" in result.stderr
    assert "Traceback" not in result.stderr
    assert note.read_bytes() == NOTE
    assert {k: v for k, v in vault.snapshot().items() if not k.startswith(".vaultnet/")} == {
        k: v for k, v in before.items() if not k.startswith(".vaultnet/")}


def test_a_failed_rename_in_a_multi_note_edit_rolls_back_the_notes_already_written(tmp_path, monkeypatch):
    make_vault(tmp_path)
    bob = tmp_path / "People" / "Bob.md"
    bob_before = bob.read_bytes()
    fail_os_call(monkeypatch, "replace", OSError(errno.ENOSPC, "No space left on device"), nth=2)
    with pytest.raises(atomic.NoteError, match="disk is full"):
        atomic.edit_notes(tmp_path, [
            ("People/Bob.md", lambda e: e.append("helped", "2026-11-23 intro to Jane")),
            ("People/Jane Doe.md", lambda e: e.append("helped", "2026-11-23 intro to Bob")),
        ])
    assert bob.read_bytes() == bob_before
    assert (tmp_path / "People" / "Jane Doe.md").read_bytes() == NOTE
    assert not [p for p in os.listdir(tmp_path / "People") if p.endswith(files.TEMP_SUFFIX)]


def test_a_note_changed_by_another_editor_meanwhile_is_not_overwritten(vault, monkeypatch):
    note = vault.write("Jane Doe", NOTE)
    from vaultnet.edit import noteedit
    real_result = noteedit.NoteEditor.result

    def editor_saves_meanwhile(self):
        data = real_result(self)
        with open(note, "ab") as handle:  # another editor saves in place while vaultnet works
            handle.write(b"- 2026-11-22 typed in Obsidian\n")
        return data

    monkeypatch.setattr(noteedit.NoteEditor, "result", editor_saves_meanwhile)
    result = vault.run("log", "Jane", "call")
    assert result.exit_code == 1
    assert "changed on disk" in result.stderr
    assert note.read_bytes() == NOTE + b"- 2026-11-22 typed in Obsidian\n"
    assert not [p for p in os.listdir(note.parent) if p.endswith(files.TEMP_SUFFIX)]


WRITER = textwrap.dedent("""\
    import sys
    from datetime import date
    from vaultnet.edit.actions import log_contact, add_ledger_item
    from pathlib import Path
    from vaultnet.load.vault import load_vault
    from vaultnet.model.config import load_config
    root, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    vault = load_vault(load_config(Path(root)))
    jane = next(p for p in vault.people if p.name == "Jane Doe")
    for i in range(count):
        log_contact(vault.config, jane, f"{tag} call {i}", date(2026, 3, 1 + i % 28))
        add_ledger_item(vault.config, jane, "helped", f"{tag} favour {i}", date(2026, 3, 1))
    """)


def test_concurrent_writers_lose_no_change(tmp_path):
    note = make_vault(tmp_path)
    count, writers = 25, 3
    processes = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), f"w{n}", str(count)], stderr=subprocess.PIPE)
        for n in range(writers)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    person, problems = parse_note("People/Jane Doe.md", note.read_bytes())
    assert person is not None and not problems
    logged = {e.text for e in person.log}
    helped = [e.text for e in person.helped]
    for n in range(writers):
        for i in range(count):
            assert f"w{n} call {i}" in logged
            assert f"w{n} favour {i}" in helped
    assert len(helped) == 1 + writers * count and len(person.log) == 1 + writers * count
    assert person.last_contact.isoformat() == "2026-03-25"
    assert b"last_contact: 2026-03-25 # keep this comment\n" in note.read_bytes()
    assert not [p for p in os.listdir(note.parent) if p.endswith(files.TEMP_SUFFIX)]


# --- a really read-only vault, as an unprivileged user (root ignores permission bits) -------------

NOBODY = 65534


def _can_drop_privileges() -> bool:
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.fixture
def shared_vault():
    """A vault in a folder every user can read, owned by root, writable by root only."""
    root = Path(tempfile.mkdtemp(prefix="vaultnet-ro-"))
    os.chmod(root, 0o755)
    vault = root / "vault"
    note = make_vault(vault)
    for path in [vault, *vault.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    yield vault, note
    for folder in (vault, vault / "People"):
        os.chmod(folder, 0o755)
    shutil.rmtree(root)


def _read_only(vault: Path) -> int | None:
    """Make the vault read-only for the vaultnet about to run; return the uid to run it as."""
    if os.geteuid() == 0:
        if not _can_drop_privileges():
            pytest.fail("running as root without setpriv: cannot test a real read-only vault")
        return NOBODY
    for folder in (vault, vault / "People"):
        os.chmod(folder, 0o555)  # not root: take write permission away from ourselves
    return None


def test_a_read_only_vault_gives_a_clear_error(shared_vault):
    vault, note = shared_vault
    user = _read_only(vault)
    before = folder_listing(vault)
    result = run_vaultnet(["--vault", str(vault), "--today", TODAY, "log", "Jane", "call"], user=user)
    assert result.returncode == 1, result.stderr
    assert "People/Jane Doe.md" in result.stderr
    assert "permission denied" in result.stderr and "read-only" in result.stderr
    assert "Traceback" not in result.stderr
    assert note.read_bytes() == NOTE
    assert folder_listing(vault) == before
    # Reading still works in a read-only vault.
    shown = run_vaultnet(["--vault", str(vault), "--today", TODAY, "show", "Jane"], user=user)
    assert shown.returncode == 0, shown.stderr
    assert "Jane Doe" in shown.stdout
    checked = run_vaultnet(["--vault", str(vault), "--today", TODAY, "check"], user=user)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert folder_listing(vault) == before


def test_add_in_a_read_only_vault_creates_nothing(shared_vault):
    vault, _note = shared_vault
    user = _read_only(vault)
    before = folder_listing(vault)
    result = run_vaultnet(["--vault", str(vault), "--today", TODAY, "add", "New Person"], user=user)
    assert result.returncode == 1, result.stderr
    assert "permission denied" in result.stderr and "Traceback" not in result.stderr
    assert folder_listing(vault) == before


ADDER = textwrap.dedent("""\
    import sys, time
    from datetime import date
    from vaultnet.edit.actions import add_person
    from pathlib import Path
    from vaultnet.load.vault import load_vault
    from vaultnet.model.config import load_config
    from vaultnet.model.errors import VaultnetError
    vault = load_vault(load_config(Path(sys.argv[1])))
    while time.time() < float(sys.argv[3]):
        time.sleep(0.001)
    try:
        add_person(vault, "Race Winner", {"org": sys.argv[2]}, date(2026, 11, 23))
        print("added")
    except VaultnetError as exc:
        print("refused:", exc)
    """)


def test_two_processes_adding_the_same_person_create_one_complete_note(tmp_path):
    make_vault(tmp_path)
    start = time.time() + 1.0
    processes = [
        subprocess.Popen([sys.executable, "-c", ADDER, str(tmp_path), f"org{n}", str(start)], stdout=subprocess.PIPE, text=True)
        for n in range(4)
    ]
    outputs = [p.communicate(timeout=60)[0] for p in processes]
    assert sorted(o.split(":")[0].strip() for o in outputs) == ["added", "refused", "refused", "refused"], outputs
    assert all("already exists" in o for o in outputs if o.startswith("refused"))
    note = tmp_path / "People" / "Race Winner.md"
    person, problems = parse_note("People/Race Winner.md", note.read_bytes())
    assert person is not None and not problems and person.org in {f"org{n}" for n in range(4)}
    assert not [p for p in os.listdir(note.parent) if p.endswith(files.TEMP_SUFFIX)]


def test_a_note_locked_by_another_process_is_refused_clearly_after_a_timeout(vault, monkeypatch):
    note = vault.write("Jane Doe", NOTE)
    monkeypatch.setattr(atomic, "LOCK_TIMEOUT", 0.3)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'rb'); fcntl.flock(f, fcntl.LOCK_EX); "
         "print('locked', flush=True); time.sleep(30)", str(note)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = vault.run("log", "Jane", "call")
        assert result.exit_code == 1
        assert "another vaultnet is still writing this note" in result.stderr
        assert note.read_bytes() == NOTE
    finally:
        holder.kill()
        holder.wait()
    assert vault.run("log", "Jane", "call").exit_code == 0


def test_a_note_that_is_a_link_inside_the_vault_is_edited_through_the_link(vault):
    real = vault.write("Jane Doe", NOTE)
    (vault.root / "Archive").mkdir()
    moved = vault.root / "Archive" / "Jane Doe.md"
    real.rename(moved)
    os.symlink(moved, real)
    result = vault.run("log", "Jane", "call")
    assert result.exit_code == 0, result.stderr
    assert real.is_symlink()  # still the link: the target got the new text
    assert b"- 2026-11-23 call" in moved.read_bytes()


def test_a_note_linking_outside_the_vault_is_never_written(vault, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_bytes(NOTE)
    os.symlink(outside, vault.people / "Jane Doe.md")
    with pytest.raises(atomic.NoteError, match="outside the vault"):
        atomic.edit_notes(vault.root, [("People/Jane Doe.md", lambda e: e.set("last_contact", __import__("datetime").date(2026, 11, 23)))])
    assert outside.read_bytes() == NOTE


def test_new_notes_and_outputs_get_the_usual_file_mode_and_edits_keep_a_note_s_mode(vault):
    mask = os.umask(0o022)
    try:
        vault.run("add", "New Person")
        note = vault.people / "New Person.md"
        assert note.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
        assert vault.run("build").exit_code == 0
        assert (vault.root / "followups.ics").stat().st_mode & 0o777 == 0o644
        os.chmod(note, 0o640)
        assert vault.run("log", "New Person", "call").exit_code == 0
        assert note.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(mask)
