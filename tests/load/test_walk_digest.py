"""The digest of a walk: what a warm run compares instead of every note's stat key.

It must change with any change of any note's path or key, and be the same bytes in every
process (a warm run compares it with the one an earlier process kept), including the copy
of this process that works it out on the second core (``walk_digest_aside``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaultnet.load import discover
from vaultnet.model.config import load_config

# Python hashes an integer as the number modulo 2**61 - 1, so numbers that differ by a multiple
# of that hash alike: sizes and times never do, and file systems whose inode numbers are that
# large and random meet it with odds of one in 2**61, those of any 64-bit digest.
NUMBERS = st.integers(min_value=-1, max_value=2**61 - 2)
KEYS = st.tuples(*[NUMBERS] * 4)
WALKS = st.lists(st.tuples(st.text(min_size=1, max_size=12), KEYS), max_size=30, unique_by=lambda pair: pair[0])


@given(WALKS, st.data())
def test_any_change_of_a_key_or_path_changes_the_digest(walk, data):
    walk = sorted(walk)
    before = discover.keys_digest(walk)
    if not walk:
        assert discover.keys_digest([("a.md", (1, 2, 3, 4))]) != before
        return
    i = data.draw(st.integers(0, len(walk) - 1))
    rel, key = walk[i]
    field = data.draw(st.integers(0, 3))
    new = data.draw(NUMBERS.filter(lambda n: n != key[field]))
    changed = list(walk)
    changed[i] = (rel, (*key[:field], new, *key[field + 1 :]))
    assert discover.keys_digest(changed) != before
    assert discover.keys_digest(walk[:i] + walk[i + 1 :]) != before  # a note gone
    assert discover.keys_digest([(rel + "x", key) if j == i else pair for j, pair in enumerate(walk)]) != before


def test_the_digest_is_the_same_in_every_process():
    # Python salts the hashes of strings per process (PYTHONHASHSEED): nothing salted may
    # reach the digest, or no warm run would ever find the one an earlier run kept.
    program = (
        "from vaultnet.load import discover; "
        "print(discover.keys_digest([('People/Ann.md', (12, 1764000000123456789, 1764000000123456789, 77)),"
        " ('People/Zoë.md', (-1, -1, -1, -1))]).hex())"
    )
    found = {
        subprocess.run(
            [sys.executable, "-c", program], env={"PYTHONHASHSEED": seed}, capture_output=True, text=True, check=True
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(found) == 1 and found != {""}


def _daily(vault, count: int = 3, month: int = 11) -> None:
    vault.write("Jane Doe", "---\n---\n")
    for day in range(1, count + 1):
        path = vault.root / "Daily" / f"2026-{month:02d}-{day:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Coffee with [[Jane Doe]]\n", encoding="utf-8")


def _here(config) -> bytes | None:
    return discover.keys_digest(discover.walk(config, elsewhere=True, keys_only=True))


def _forks(monkeypatch) -> list[int]:
    """The children ``os.fork`` makes from now on, recorded."""
    children: list[int] = []
    fork = os.fork

    def recording():
        pid = fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recording)
    return children


def _gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # reaped already
    return False


def test_the_digest_worked_out_aside_is_the_walk_s_and_its_process_is_gone(vault, monkeypatch):
    _daily(vault)
    config = load_config(vault.root)
    children = _forks(monkeypatch)
    found = discover.walk_digest_aside(config, elsewhere=True)
    assert found() == _here(config) is not None
    assert found() == _here(config)  # asked again: the same answer, no second wait
    if sys.platform.startswith("linux"):
        assert len(children) == 1 and _gone(children[0])
    # The people folder too, and a walk that lists nothing.
    assert discover.walk_digest_aside(config)() == discover.walk_digest(config) == discover.keys_digest(discover.walk(config, keys_only=True))
    (vault.root / "Daily" / "2026-11-01.md").unlink()
    (vault.root / "Daily" / "2026-11-02.md").unlink()
    (vault.root / "Daily" / "2026-11-03.md").unlink()
    assert discover.walk_digest_aside(config, elsewhere=True)() is None


def test_the_walk_runs_here_when_the_fork_fails(vault, monkeypatch):
    _daily(vault)
    config = load_config(vault.root)

    def refuse():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    assert discover.walk_digest_aside(config, elsewhere=True)() == _here(config) is not None


def test_the_walk_runs_here_when_the_copy_fails(vault, monkeypatch):
    _daily(vault)
    config = load_config(vault.root)
    expected = _here(config)
    parent = os.getpid()
    walk = discover.walk

    def failing_in_the_copy(*args, **kwargs):
        if os.getpid() != parent:
            raise OSError(5, "Input/output error")
        return walk(*args, **kwargs)

    monkeypatch.setattr(discover, "walk", failing_in_the_copy)
    children = _forks(monkeypatch)
    assert discover.walk_digest_aside(config, elsewhere=True)() == expected is not None
    if sys.platform.startswith("linux"):
        assert len(children) == 1 and _gone(children[0])


def test_no_fork_while_another_thread_runs(vault, monkeypatch):
    _daily(vault)
    config = load_config(vault.root)
    children = _forks(monkeypatch)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert discover.walk_digest_aside(config, elsewhere=True)() == _here(config) is not None
    finally:
        stop.set()
        other.join()
    assert children == []


def test_an_unasked_copy_is_ended_without_waiting_and_reaped(vault, monkeypatch):
    _daily(vault)
    config = load_config(vault.root)
    children = _forks(monkeypatch)
    aside = discover.walk_digest_aside(config, elsewhere=True)
    aside.close(kill=True)
    aside.close(kill=True)  # once only
    if sys.platform.startswith("linux"):
        assert len(children) == 1 and _gone(children[0])
    assert aside() == _here(config)  # asked after all: walked here


def test_an_interrupt_while_waiting_leaves_nothing_behind(vault, monkeypatch):
    _daily(vault)
    config = load_config(vault.root)
    children = _forks(monkeypatch)
    aside = discover.walk_digest_aside(config, elsewhere=True)
    read = os.read

    def interrupted(fd, size):
        monkeypatch.setattr(os, "read", read)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "read", interrupted)
    with pytest.raises(KeyboardInterrupt):
        aside()
    aside.close(kill=True)  # what the roster does as the interrupt passes: no second close of the pipe
    if sys.platform.startswith("linux"):
        assert len(children) == 1 and _gone(children[0])


def test_the_caller_s_signal_handlers_do_not_run_in_the_copy(vault, monkeypatch, tmp_path):
    _daily(vault)
    config = load_config(vault.root)
    marks = tmp_path / "handled"
    parent = os.getpid()
    walk = discover.walk

    def handler(number, frame):
        with open(marks, "a") as out:
            out.write(f"{os.getpid()}\n")

    def terminated_in_the_copy(*args, **kwargs):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)
        return walk(*args, **kwargs)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        monkeypatch.setattr(discover, "walk", terminated_in_the_copy)
        assert discover.walk_digest_aside(config, elsewhere=True)() == _here(config) is not None
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not marks.exists()  # the copy died of the signal; the test's handler never ran there


def test_due_works_with_sigchld_ignored(vault):
    # A process that ignores SIGCHLD (inherited from a shell's `trap '' CHLD`) has its
    # children reaped by the system: waiting for the copy finds none, which is no error.
    _daily(vault, 5, month=1)  # Jane last mentioned in January: due
    argv = [sys.executable, "-m", "vaultnet", "--vault", str(vault.root), "--today", "2026-11-23", "due"]
    plain = subprocess.run(argv, capture_output=True, text=True)
    for _ in range(2):  # the store is made on the first run, read on the second
        ignoring = subprocess.run(
            argv, capture_output=True, text=True, preexec_fn=lambda: signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        )
        assert (ignoring.returncode, ignoring.stdout, ignoring.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    assert plain.returncode == 0 and "Jane Doe" in plain.stdout
