"""The cache of parsed notes: it saves work, and it never serves a stale or damaged record.

The yardstick in most tests is a load with the cache turned off: whatever happened to
the files or to the cache, a cached load must give exactly the same people and problems.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest

from vaultnet.load import cache
from vaultnet.model.dates import Birthday
from vaultnet.model.durations import Duration
from vaultnet.model.errors import Problem
from vaultnet.load.vault import iter_note_paths, load_vault, parse_note, relative
from vaultnet.model.config import load_config
from vaultnet.model.person import Entry, Person

JANE = """\
    ---
    name: Jane Doe
    org: Acme
    circle: inner
    last_contact: 2026-01-01
    needs: [a designer]
    ---
    ## Log
    - 2026-01-01 coffee: talked about hiring
    """


def load(root: Path, use_cache: bool = True) -> cache.Loaded:
    return cache.load_notes(root, "People", parse_note, use_cache=use_cache)


def assert_fresh(root: Path) -> cache.Loaded:
    """A cached load equals an uncached one, record for record and problem for problem."""
    cached = load(root)
    plain = load(root, use_cache=False)
    assert [(rel, p) for rel, p, _ in cached.results] == [(rel, p) for rel, p, _ in plain.results]
    assert [probs for *_, probs in cached.results] == [probs for *_, probs in plain.results]
    assert [p.problems if p else None for _, p, _ in cached.results] == [p.problems if p else None for _, p, _ in plain.results]
    return cached


def jane_shard(root: Path) -> Path:
    return cache.shard_path(root, cache.shard_of("People/Jane Doe.md"))


def cache_files(root: Path) -> list[str]:
    return sorted(os.listdir(cache.cache_dir(root)))


def shard_files(root: Path) -> list[str]:
    """The cache files a vault's notes need: one per shard that holds a note."""
    shards = {cache.shard_of(p.relative_to(root).as_posix()) for p in (root / "People").rglob("*.md")}
    return sorted([".gitignore", *(cache.shard_path(root, n).name for n in shards)])


def people_of(loaded: cache.Loaded) -> dict[str, Person]:
    return {rel: p for rel, p, _ in loaded.results if p}


def age(path: Path, seconds: float = 3600) -> None:
    """Push a file's modification time into the past (its ctime stays now: that is the point)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - int(seconds * 1e9)))


@pytest.fixture
def settled(monkeypatch):
    """Notes count as settled at once (no racy window), so a test can prove that the key
    alone catches a change; the racy rule has tests of its own."""
    monkeypatch.setattr(cache, "RACY_SECONDS", 0.0)


# --- it saves work --------------------------------------------------------------------------------


def test_a_warm_load_reuses_every_note_and_writes_nothing(vault, settled):
    for i in range(20):
        vault.write(f"Person {i:02d}", JANE.replace("Jane Doe", f"Person {i:02d}"))
    first = load(vault.root)
    assert (first.stats.parsed, first.stats.reused, first.stats.written) == (20, 0, True)
    folder = cache.cache_dir(vault.root)
    before = {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.iterdir()}
    second = assert_fresh(vault.root)
    assert (second.stats.parsed, second.stats.reused, second.stats.written) == (0, 20, False)
    after = {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.iterdir()}
    assert after == before  # nothing rewritten
    assert cache_files(vault.root) == shard_files(vault.root)  # and no temporary file left


def test_the_cli_uses_the_cache_and_says_the_same(vault, settled):
    vault.write("Jane Doe", JANE)
    vault.write("Bob", "---\nlast_contact: 2026-13-01\n---\n")  # a problem, reported from the cache too
    first = vault.run("list")
    assert jane_shard(vault.root).is_file()
    again = vault.run("list")
    assert (again.exit_code, again.stdout, again.stderr) == (first.exit_code, first.stdout, first.stderr)
    assert "last_contact" in again.stderr and "Jane Doe" in again.stdout


def test_the_cache_folder_ignores_itself_in_git(vault):
    vault.write("Jane Doe", JANE)
    vault.run("due")
    assert (vault.root / ".vaultnet" / "cache" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(vault.root)], check=True)
        status = subprocess.run(["git", "-C", str(vault.root), "status", "--porcelain", "-uall"], capture_output=True, text=True, check=True)
        assert ".vaultnet" not in status.stdout and "People/Jane Doe.md" in status.stdout


# --- it is never stale -----------------------------------------------------------------------------


def test_an_edit_is_seen(vault, settled):
    note = vault.write("Jane Doe", JANE)
    load(vault.root)
    note.write_bytes(note.read_bytes().replace(b"org: Acme", b"org: Acme Robotics"))
    loaded = assert_fresh(vault.root)
    assert people_of(loaded)["People/Jane Doe.md"].org == "Acme Robotics"
    assert loaded.stats.parsed == 1


def test_a_same_size_edit_with_the_old_mtime_put_back_is_seen(vault, settled):
    """The issue's case: an edit within the same second that keeps the size (and here even
    the exact modification time, put back with os.utime). Only ctime tells."""
    note = vault.write("Jane Doe", JANE)
    age(note)  # an old note, well out of any racy window
    load(vault.root)
    st = note.stat()
    time.sleep(0.05)  # let the clock tick past the file time granularity
    edited = note.read_bytes().replace(b"last_contact: 2026-01-01", b"last_contact: 2026-01-09")
    assert len(edited) == st.st_size
    note.write_bytes(edited)
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (note.stat().st_size, note.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    loaded = assert_fresh(vault.root)
    assert people_of(loaded)["People/Jane Doe.md"].last_contact == date(2026, 1, 9)


def test_a_same_size_edit_right_after_a_run_is_seen_through_the_cli(vault):
    """No clock tick, no settling: the racy rule re-reads a note changed just before a run."""
    vault.write("Jane Doe", JANE)
    assert "2026-01-01" in vault.run("show", "Jane").stdout
    note = vault.people / "Jane Doe.md"
    st = note.stat()
    note.write_bytes(note.read_bytes().replace(b"2026-01-01\nneeds", b"2026-01-07\nneeds"))
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert "last contact: 2026-01-07" in vault.run("show", "Jane").stdout


def test_a_note_changed_within_the_racy_window_is_read_again(vault, monkeypatch):
    monkeypatch.setattr(cache, "RACY_SECONDS", 0.5)  # the real window (2 s) made short, to wait it out
    vault.write("Jane Doe", JANE)
    first = load(vault.root)
    assert first.stats.parsed == 1
    entry = json.loads(jane_shard(vault.root).read_bytes())["notes"]["People/Jane Doe.md"]
    assert entry[4] is True  # marked racy: not trusted next time
    assert load(vault.root).stats.parsed == 1
    # Once the note is older than the window, its record is trusted.
    time.sleep(0.6)
    assert load(vault.root).stats.parsed == 1  # read once more, now settled
    assert load(vault.root).stats.reused == 1


def test_rename_delete_and_add_are_seen(vault, settled):
    a = vault.write("Ann", "---\norg: A\n---\n")
    b = vault.write("Ben", "---\norg: B\n---\n")
    vault.write("Cy", "---\norg: C\n---\n")
    load(vault.root)
    a.rename(vault.people / "Annie.md")  # same inode, same bytes, new path
    b.unlink()
    vault.write("Dee", "---\norg: D\n---\n")
    loaded = assert_fresh(vault.root)
    assert sorted(people_of(loaded)) == ["People/Annie.md", "People/Cy.md", "People/Dee.md"]
    assert people_of(loaded)["People/Annie.md"].name == "Annie"  # the name comes from the new path
    assert loaded.stats.reused == 1  # Cy


def test_swapping_two_same_size_notes_is_seen(vault, settled):
    """An editor's save-by-rename: same paths, same sizes, maybe the same times; new inodes."""
    a = vault.write("Ann", "---\norg: AAA\n---\n")
    b = vault.write("Ben", "---\norg: BBB\n---\n")
    for p in (a, b):
        os.utime(p, ns=(10**18, 10**18))
    load(vault.root)
    temp = vault.people / "swap.tmp"
    a.rename(temp)
    b.rename(a)
    temp.rename(b)
    for p in (a, b):
        os.utime(p, ns=(10**18, 10**18))
    loaded = assert_fresh(vault.root)
    assert people_of(loaded)["People/Ann.md"].org == "BBB"


def test_random_edits_never_serve_a_stale_record(vault, settled):
    """Many rounds of edits of every kind, each followed by a cached load that must equal
    an uncached one; half the edits keep the size and put the old times back."""
    rng = random.Random(7)
    names = [f"P{i}" for i in range(12)]
    for name in names:
        vault.write(name, f"---\norg: O{rng.randint(10, 99)}\nlast_contact: 2026-01-{rng.randint(10, 28)}\n---\n")
    load(vault.root)
    for _round in range(40):
        name = rng.choice(names)
        path = vault.people / f"{name}.md"
        action = rng.choice(["same-size", "same-size", "grow", "delete", "break"])
        if not path.exists():
            vault.write(name, "---\norg: back\n---\n")
        elif action == "same-size":
            st = path.stat()
            data = path.read_bytes()
            new = data.replace(b"org: O", b"org: Q") if b"org: O" in data else data.replace(b"org: Q", b"org: O")
            path.write_bytes(new)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        elif action == "grow":
            path.write_bytes(path.read_bytes().replace(b"---\n", b"---\ntags: [x]\n", 1))
        elif action == "delete":
            path.unlink()
        else:
            path.write_bytes(b"---\norg: [unclosed\n---\n")
        assert_fresh(vault.root)


# --- it is never trusted when damaged ---------------------------------------------------------------


def _built(vault) -> Path:
    vault.write("Jane Doe", JANE)
    vault.write("Bob", "---\nname: Bob\nlast_contact: 2026-02-30\n---\n")
    vault.write("Broken", "---\nname: [\n---\n")
    age(vault.people / "Jane Doe.md")
    for name in ("Bob", "Broken"):
        age(vault.people / f"{name}.md")
    load(vault.root)
    return jane_shard(vault.root)


def _tamper_entry(path: Path, change) -> None:
    data = json.loads(path.read_bytes())
    change(data["notes"]["People/Jane Doe.md"])
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    [
        "truncated",
        "empty",
        "garbage",
        "not-utf8",
        "wrong-header",
        "texts-not-text",
        "a-text-too-many",
        "a-number-too-few",
        "bad-day-number",
        "negative-count",
        "day-as-text",
        "deep-nesting",
        "record-without-fatal-problem",
    ],
)
def test_a_damaged_cache_is_rebuilt_never_trusted(vault, settled, damage):
    path = _built(vault)
    raw = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "garbage":
        path.write_bytes(os.urandom(4096))
    elif damage == "not-utf8":
        path.write_bytes(raw.replace(b"Jane Doe", b"Jane \xff\xfe"))
    elif damage == "wrong-header":
        data = json.loads(raw)
        data["header"]["format"] = 0
        path.write_text(json.dumps(data), encoding="utf-8")
    elif damage == "texts-not-text":
        _tamper_entry(path, lambda e: e.__setitem__(6, 42))
    elif damage == "a-text-too-many":
        _tamper_entry(path, lambda e: e.__setitem__(6, e[6] + cache.SEP + "extra"))
    elif damage == "a-number-too-few":
        _tamper_entry(path, lambda e: e[5].pop())
    elif damage == "bad-day-number":
        _tamper_entry(path, lambda e: e.__setitem__(5, [10**9 if isinstance(x, int) and x > 700_000 else x for x in e[5]]))
    elif damage == "negative-count":
        _tamper_entry(path, lambda e: e[5].__setitem__(1, -1))  # the aliases count
    elif damage == "day-as-text":
        _tamper_entry(path, lambda e: e.__setitem__(5, ["2026-01-01" if isinstance(x, int) and x > 700_000 else x for x in e[5]]))
    elif damage == "deep-nesting":
        path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    elif damage == "record-without-fatal-problem":
        broken = cache.shard_path(vault.root, cache.shard_of("People/Broken.md"))
        data = json.loads(broken.read_bytes())
        entry = data["notes"]["People/Broken.md"]
        entry[5], entry[6] = [0, 0], None  # no record and no reason: not believable
        broken.write_text(json.dumps(data), encoding="utf-8")
    loaded = assert_fresh(vault.root)
    # A damaged file is not used at all; a damaged entry makes the whole cache be rebuilt.
    assert loaded.stats.parsed >= 1 and loaded.stats.discarded and loaded.stats.written
    # ...and the rebuilt cache is good again.
    again = assert_fresh(vault.root)
    assert again.stats.reused == 3 and not again.stats.written


def test_a_damaged_cache_changes_nothing_the_user_sees(vault):
    path = _built(vault)
    expected = vault.run("list", "--json")
    path.write_bytes(path.read_bytes()[:-200])
    damaged = vault.run("list", "--json")
    assert (damaged.exit_code, damaged.stdout, damaged.stderr) == (expected.exit_code, expected.stdout, expected.stderr)


def test_a_cache_of_another_parser_is_not_used(vault, settled, monkeypatch):
    _built(vault)
    monkeypatch.setattr(cache, "__version__", "999.0")
    loaded = load(vault.root)
    assert loaded.stats.reused == 0 and loaded.stats.discarded


def test_a_cache_file_that_is_a_link_is_replaced_not_followed(vault, settled, tmp_path):
    path = _built(vault)
    outside = tmp_path / "elsewhere.json"
    outside.write_text("precious", encoding="utf-8")
    path.unlink()
    path.symlink_to(outside)
    vault.write("Jane Doe", JANE.replace("Acme", "Acme 2"))
    loaded = assert_fresh(vault.root)
    assert loaded.stats.written
    assert outside.read_text(encoding="utf-8") == "precious"  # the link was replaced, not followed
    assert not path.is_symlink()


# --- the codec --------------------------------------------------------------------------------------


def test_every_person_field_has_a_codec():
    """A field added to Person with a type the cache cannot store would turn the cache off:
    this test says so instead of a silent slow-down."""
    assert cache.PLAN is not None


def test_the_codec_round_trips_every_kind_of_value():
    person = Person(
        path="People/x.md",
        name="Zoë \x7f Nul\x00",
        aliases=("Z",),
        tags=("a", "b"),
        org="[[Acme]]",
        role=None,
        emails=("z@example.org",),
        phones=(),
        circle="inner",
        cadence=Duration(3, "m"),
        last_contact=date(2026, 1, 1),
        follow_up=None,
        met=date(1, 1, 1),
        met_at="",
        introduced_by="[[Bob]]",
        needs=("x",),
        offers=(),
        helped=(Entry(date(2026, 2, 3), "intro"), Entry(None, "no date")),
        received=(Entry(date(2025, 1, 1), "has \x7f the separator"), Entry(date(2025, 1, 2), "")),
        birthday=Birthday(2, 29),
        log=(Entry(date(9999, 12, 31), "far"),),
        extra=(("linkedin", "https://x"),),
        problems=(Problem("People/x.md", "bad", 3, "met", False),),
    )
    problems = [*person.problems, Problem("People/x.md", "conflict", None, None, True)]
    numbers, texts = json.loads(json.dumps(cache.encode_note(person, problems)))
    assert isinstance(texts, list)  # a text holds the separator: stored as a list
    back, back_problems = cache.decode_note("People/x.md", numbers, texts)
    assert back == person and back.problems == person.problems and back_problems == problems
    assert all(type(e) is Entry for e in back.helped + back.received + back.log)
    plain = Person(path="People/y.md", name="Y", log=(Entry(date(2026, 1, 2), "call"),), birthday=Birthday(5, 6, 1990))
    numbers, texts = json.loads(json.dumps(cache.encode_note(plain, [])))
    assert isinstance(texts, str)
    assert cache.decode_note("People/y.md", numbers, texts) == (plain, [])
    assert cache.decode_note("People/x.md", *cache.encode_note(None, problems[-1:])) == (None, problems[-1:])


# --- discovery --------------------------------------------------------------------------------------


def test_scan_finds_exactly_what_iter_note_paths_finds(vault, tmp_path):
    vault.write("Top", "")
    vault.write("sub/Deep", "")
    vault.write("a b/Space", "")
    vault.write("a/Slash", "")
    vault.write(".hidden/Secret", "")
    (vault.people / ".Dot.md").write_text("")
    (vault.people / "Upper.MD").write_text("")
    (vault.people / "notes.txt").write_text("")
    outside = tmp_path / "outside.md"
    outside.write_text("")
    (vault.people / "LinkOut.md").symlink_to(outside)
    (vault.people / "LinkIn.md").symlink_to(vault.people / "Top.md")  # the same note: read as Top only
    (vault.people / "LinkDeep.md").symlink_to(vault.people / "sub" / "Deep.md")
    (vault.people / "LinkHidden.md").symlink_to(vault.people / ".hidden" / "Secret.md")  # not read otherwise
    (vault.root / "Archive").mkdir()
    (vault.root / "Archive" / "Old.md").write_text("")
    (vault.people / "LinkArchive.md").symlink_to(vault.root / "Archive" / "Old.md")  # in the vault, not a person note
    (vault.people / "Broken.md").symlink_to(vault.people / "nope.md")
    (vault.people / "linked dir").symlink_to(vault.people / "sub", target_is_directory=True)
    config = load_config(vault.root.resolve())
    expected = [relative(config, p) for p in iter_note_paths(config)]
    assert [n.rel for n in cache.scan(config.root, config.people_dir)] == expected
    assert "People/LinkOut.md" not in expected
    assert "People/LinkIn.md" not in expected and "People/LinkDeep.md" not in expected
    assert "People/LinkHidden.md" in expected and "People/LinkArchive.md" in expected


# --- concurrency and read-only vaults ---------------------------------------------------------------

LOADER = textwrap.dedent("""\
    import json, sys
    from pathlib import Path
    from vaultnet.load import cache
    from vaultnet.load.vault import parse_note
    cache.RACY_SECONDS = 0.0
    for _ in range(int(sys.argv[2])):
        loaded = cache.load_notes(Path(sys.argv[1]), "People", parse_note)
        out = [[rel, p.name, p.org] if p else [rel] for rel, p, _ in loaded.results]
    print(json.dumps(out))
    """)


def test_concurrent_runs_agree_and_leave_a_good_cache(vault):
    for i in range(300):
        vault.write(f"P{i:03d}", f"---\norg: Org {i}\nneeds: [x{i}]\n---\n## Log\n- 2026-01-01 call {i}\n")
    expected = [[f"People/P{i:03d}.md", f"P{i:03d}", f"Org {i}"] for i in range(300)]
    for _round in range(3):
        shutil.rmtree(vault.root / ".vaultnet", ignore_errors=True)
        processes = [
            subprocess.Popen([sys.executable, "-c", LOADER, str(vault.root), "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(4)
        ]
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err.decode()
            assert json.loads(out) == expected
        assert cache_files(vault.root) == shard_files(vault.root)
        assert_fresh(vault.root)


def test_a_reader_never_sees_half_a_cache_while_others_write(vault):
    for i in range(200):
        vault.write(f"P{i:03d}", f"---\norg: Org {i}\n---\n")
    writer = textwrap.dedent("""\
        import sys, time
        from pathlib import Path
        from vaultnet.load import cache
        from vaultnet.load.vault import parse_note
        root = Path(sys.argv[1]); note = root / "People" / "P000.md"
        end = time.time() + 3
        n = 0
        while time.time() < end:
            n += 1
            note.write_text(f"---\\norg: Org {n % 7}\\n---\\n")
            cache.load_notes(root, "People", parse_note)
        """)
    process = subprocess.Popen([sys.executable, "-c", writer, str(vault.root)], stderr=subprocess.PIPE)
    path = cache.shard_path(vault.root, cache.shard_of("People/P000.md"))
    reads = 0
    deadline = time.time() + 2.5
    while time.time() < deadline:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            continue
        data = json.loads(raw)  # never half a file
        assert "People/P000.md" in data["notes"]
        reads += 1
    assert process.wait(timeout=60) == 0, process.stderr.read().decode()
    assert reads > 0
    assert_fresh(vault.root)


NOBODY = 65534


def _run_as_nobody(args: list[str]) -> subprocess.CompletedProcess:
    """Run vaultnet as an unprivileged user (root ignores permission bits)."""
    command = [sys.executable, "-m", "vaultnet", *args]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.fail("running as root without setpriv: cannot test a real read-only vault")
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("with_stale_cache", [False, True])
def test_a_read_only_vault_reads_without_a_cache_and_silently(with_stale_cache):
    root = Path(tempfile.mkdtemp(prefix="vaultnet-ro-cache-"))
    try:
        os.chmod(root, 0o755)
        vault = root / "vault"
        (vault / "People").mkdir(parents=True)
        note = vault / "People" / "Jane Doe.md"
        note.write_text(textwrap.dedent(JANE), encoding="utf-8")
        if with_stale_cache:
            age(note)
            cache.load_notes(vault, "People", parse_note)
            note.write_text(textwrap.dedent(JANE).replace("Acme", "Acme Robotics"), encoding="utf-8")
        for path in [vault, *vault.rglob("*")]:
            os.chmod(path, 0o555 if path.is_dir() else 0o444)
        before = sorted((p.as_posix(), p.stat().st_mtime_ns) for p in vault.rglob("*"))
        result = _run_as_nobody(["--vault", str(vault), "--today", "2026-11-23", "list", "--json"])
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""  # a cache that cannot be written is no warning
        org = json.loads(result.stdout)[0]["org"]
        assert org == ("Acme Robotics" if with_stale_cache else "Acme")
        assert sorted((p.as_posix(), p.stat().st_mtime_ns) for p in vault.rglob("*")) == before
    finally:
        for path in [root, *root.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                os.chmod(path, 0o755)
        shutil.rmtree(root)


def test_a_vault_where_the_cache_cannot_be_made_still_works(vault):
    vault.write("Jane Doe", JANE)
    (vault.root / ".vaultnet").write_text("not a folder", encoding="utf-8")
    result = vault.run("due")
    assert result.exit_code == 0 and result.stderr == "" and "Jane Doe" in result.stdout
    assert (vault.root / ".vaultnet").read_text(encoding="utf-8") == "not a folder"


def test_no_cache_switch(vault, monkeypatch):
    vault.write("Jane Doe", JANE)
    monkeypatch.setenv("VAULTNET_NO_CACHE", "1")
    assert vault.run("due").exit_code == 0
    assert not (vault.root / ".vaultnet").exists()
    assert load_vault(load_config(vault.root)).people[0].name == "Jane Doe"


def test_a_big_batch_is_parsed_in_worker_processes_with_the_same_result(vault, monkeypatch):
    """The cold path splits parsing across processes; records and problems come back equal."""
    monkeypatch.setattr(cache, "PARALLEL_FROM", 10)
    monkeypatch.setattr(cache.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(cache, "RACY_SECONDS", 0.0)
    for i in range(450):
        extra = "last_contact: 2026-02-30\n" if i % 50 == 0 else ""  # some problems too
        vault.write(f"P{i:03d}", f"---\norg: Org {i}\n{extra}tags: [a, b]\n---\n## Log\n- 2026-01-0{i % 9 + 1} call {i}\n")
    vault.write("Broken", "---\nname: [\n---\n")
    parallel = load(vault.root)
    assert parallel.stats.parsed == 451
    again = load(vault.root)  # every shard was written as its notes were parsed
    assert (again.stats.reused, again.stats.written) == (451, False) and again.results == parallel.results
    plain = load(vault.root, use_cache=False)
    monkeypatch.setattr(cache, "PARALLEL_FROM", 10**9)
    serial = load(vault.root, use_cache=False)
    assert parallel.results == plain.results == serial.results
    assert [p.problems for _, p, _ in parallel.results if p] == [p.problems for _, p, _ in serial.results if p]


def test_a_file_name_that_is_not_utf8_is_cached_with_its_shard(vault, settled):
    vault.write("Jane Doe", JANE)
    bad = os.fsencode(vault.people) + b"/Bad \xff name.md"
    with open(bad, "wb") as handle:
        handle.write(b"---\norg: X\n---\n")
    first = assert_fresh(vault.root)
    assert first.stats.written
    again = assert_fresh(vault.root)
    assert (again.stats.reused, again.stats.parsed, again.stats.written) == (2, 0, False)


def test_no_worker_processes_are_forked_while_other_threads_run(vault, monkeypatch):
    """``serve`` loads the vault from request threads; forking there could deadlock."""
    import multiprocessing
    import threading

    monkeypatch.setattr(cache, "PARALLEL_FROM", 10)
    monkeypatch.setattr(cache.os, "cpu_count", lambda: 2)

    def no_fork(*args, **kwargs):
        raise AssertionError("forked worker processes from a threaded process")

    monkeypatch.setattr(multiprocessing, "get_context", no_fork)
    for i in range(30):
        vault.write(f"P{i:02d}", f"---\norg: Org {i}\n---\n")
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(loaded=load(vault.root)))
    thread.start()
    thread.join(timeout=60)
    assert outcome["loaded"].stats.parsed == 30
    monkeypatch.setattr(cache, "PARALLEL_FROM", 10**9)
    assert outcome["loaded"].results == load(vault.root, use_cache=False).results
