"""Hostile and broken notes: each gets a clear message, every other note is still used,
nothing outside the vault is read or written, and no file changes but the one a command targets.

The corpus lives in ``tests/hostile/`` (one small file per attack); the big and binary
ones are generated here instead of being committed. Every test runs the real CLI
over a vault holding the whole corpus at once, next to two good notes.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from pathlib import Path

import pytest

from tests.support import HOSTILE


# file -> (finding code, text the message must contain); None: the note is odd but fine.
EXPECTED: dict[str, tuple[str, str] | None] = {
    "broken-yaml.md": ("unreadable-note", "not valid YAML"),
    "unclosed-front-matter.md": ("unreadable-note", "never closed"),
    "yaml-bomb.md": ("unreadable-note", "YAML bomb"),
    "recursive-alias.md": ("unreadable-note", "refers to the value that contains it"),
    "python-object.md": ("unreadable-note", "could not determine a constructor for the tag"),
    "python-name-tag.md": ("unreadable-note", "could not determine a constructor for the tag"),
    "tabs.md": ("unreadable-note", "a tab indents this line"),
    "list-as-date.md": ("bad-field", "cannot read [datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)] as a date"),
    "mapping-as-name.md": ("bad-field", "expected text, found a mapping"),
    "not-a-mapping.md": ("unreadable-note", "must be fields"),
    "conflict.md": ("conflict", "git conflict markers"),
    "ics-injection.md": ("control-characters", "control characters"),
    "markdown-injection.md": ("control-characters", "control characters"),
    "control-chars.md": ("control-characters", "control characters"),
    "bidi-marks.md": ("control-characters", "control characters"),  # U+200F, U+200E, U+061C
    "path-names.md": ("broken-link", "links to 'passwd', who is not in the vault"),
    "huge-numbers.md": ("future-date", "9999-12-31"),
    "deep-nesting.md": ("unreadable-note", "nested more than 100 levels deep"),
    "cr-only.md": ("unreadable-note", "never closed: the note's lines end in a carriage return only"),
    "mac-line-ends.md": ("unreadable-note", "lines end in a carriage return only (old Mac line ends)"),
    # YAML 1.1 breaks lines at these, the note does not: the editor would patch the wrong lines
    "line-separator.md": ("unreadable-note", "line separator (U+2028)"),
    "next-line.md": ("unreadable-note", "next-line character (U+0085)"),
    "duplicate-keys.md": ("duplicate-key", "appears twice"),
    "bad-log-date.md": ("bad-log-line", "2026-02-30"),
    "binary-tag.md": ("bad-field", "found binary data"),
    "empty.md": None,
    "empty-front-matter.md": None,
    # generated below
    "megabytes.md": ("unreadable-note", "MiB limit"),
    "big-but-allowed.md": None,
    "binary-garbage.md": ("unreadable-note", "NUL bytes"),
    "invalid-utf8.md": ("unreadable-note", "not valid UTF-8"),
    "latin1.md": ("unreadable-note", "not valid UTF-8"),
    "utf16.md": ("unreadable-note", "NUL bytes"),
    "very-deep.md": ("unreadable-note", "nested more than 100 levels deep"),
    "very-deep-mapping.md": ("unreadable-note", "nested more than 100 levels deep"),
    "very-deep-block.md": ("unreadable-note", "nested more than 100 levels deep"),
    "very-deep-unclosed.md": ("unreadable-note", "nested more than 100 levels deep"),
    "long-but-broken.md": ("unreadable-note", "not valid YAML"),
    "million-items.md": ("unreadable-note", "holds more than 50000 values"),
    "million-flow-items.md": ("unreadable-note", "holds more than 50000 values"),
    "long-integer.md": ("unreadable-note", "thousands of digits long"),
    "long-hex.md": ("unreadable-note", "thousands of digits long"),
    "long-base60.md": ("unreadable-note", "thousands of digits long"),
    "long-base60-float.md": ("unreadable-note", "thousands of digits long"),
    "a]]b|c#d^e.md": ("unsafe-file-name", "break [[wikilinks]]"),
    "new\nline.md": ("unsafe-file-name", "break [[wikilinks]]"),
    "\x1b[31mred.md": ("unsafe-file-name", "break [[wikilinks]]"),
}
UNREADABLE = sorted(name for name, want in EXPECTED.items() if want and want[0] in ("unreadable-note", "conflict"))

GOOD = {
    "Good Person.md": "---\nname: Good Person\nemail: good@example.com\ncircle: inner\nlast_contact: 2026-11-01\n"
    "helped:\n  - 2026-10-01 intro to [[Other Good]]\n---\n# Good Person\n\n## Log\n- 2026-11-01 coffee\n",
    "Other Good.md": "---\nname: Other Good\nintroduced_by: \"[[Good Person]]\"\nlast_contact: 2026-06-01\n---\n",
}
SECRET = "TOP-SECRET-OUTSIDE-THE-VAULT"


def generated() -> dict[str, bytes]:
    rng = random.Random(7)
    megabytes = b"---\nname: Mega\nnotes: |\n" + b"  " + b"x" * 80 + b"\n"
    megabytes = megabytes + (b"  " + b"y" * 98 + b"\n") * (5 * 1024 * 1024 // 100) + b"---\n"
    big = b"---\nname: Big But Allowed\nneeds:\n" + b"".join(b"  - need %d\n" % i for i in range(20_000)) + b"---\n"
    garbage = bytes(rng.randrange(256) for _ in range(50_000)) + b"\x00"
    return {
        "megabytes.md": megabytes,
        "big-but-allowed.md": big,
        "binary-garbage.md": garbage,
        "invalid-utf8.md": b"---\nname: Broken \xc3\x28 Bytes\n---\n",
        "latin1.md": "---\nname: José\n---\n".encode("latin-1"),
        "utf16.md": "---\nname: Wide\n---\n".encode("utf-16"),
        "very-deep.md": b"---\nname: Deeper\nx: " + b"[" * 100_000 + b"]" * 100_000 + b"\n---\n",
        # libyaml's own nesting limits (flow and block) must not put its words in place of vaultnet's
        "very-deep-mapping.md": b"---\nx: " + b"{a: " * 5_000 + b"1" + b"}" * 5_000 + b"\n---\n",
        "very-deep-block.md": b"---\nx:\n" + b"".join(b" " * i + b"- \n" for i in range(1, 1_500)) + b"---\n",
        "very-deep-unclosed.md": b"---\nx: " + b"[" * 5_000 + b"\n---\n",
        # shallow, long enough for the depth check, and broken: the syntax error is reported as such
        "long-but-broken.md": b"---\nneeds:\n" + b"  - a\n" * 300 + b"x: [unclosed\n---\n",
        # under the size limit, but a million values took a quarter of a minute to load, on every command
        "million-items.md": b"---\nneeds:\n" + b"- a\n" * 200_000 + b"---\n",
        "million-flow-items.md": b"---\nneeds: [" + b"a," * 1_900_000 + b"a]\n---\n",
        # Python refuses to read an int of more than 4,300 digits, or to print a longer one read
        # from hexadecimal, and a base-60 one (1:2:3) costs quadratic time: one such note broke
        # every command, or would stall it for hours at the size limit
        "long-integer.md": b"---\nname: Long Int\nrole: 1" + b"2" * 5_000 + b"\n---\n",
        "long-hex.md": b"---\nname: Long Hex\ntags: [0x" + b"f" * 5_000 + b"]\n---\n",
        "long-base60.md": b"---\nname: Long Sixty\nx: 1" + b":1" * 1_500_000 + b"\n---\n",
        "long-base60-float.md": b"---\nname: Long Sixty\nx: 1" + b":1" * 1_000 + b".5\n---\n",
        "a]]b|c#d^e.md": b"---\nname: Pipe\n---\n",
        "new\nline.md": b"---\nlast_contact: 2026-01-01\n---\n",
        "\x1b[31mred.md": b"# red\n",
    }


@pytest.fixture
def hostile(vault, tmp_path):
    for path in sorted(HOSTILE.glob("*.md")):
        shutil.copyfile(path, vault.people / path.name)
    for name, data in generated().items():
        (vault.people / name).write_bytes(data)
    for name, text in GOOD.items():
        (vault.people / name).write_text(text, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Secret.md").write_text(f"---\nname: {SECRET}\nemail: secret@example.com\n---\n{SECRET}\n")
    (outside / "sub").mkdir()
    (outside / "sub" / "Deep.md").write_text(f"---\nname: {SECRET} deep\n---\n")
    os.symlink(outside / "Secret.md", vault.people / "Linked Secret.md")
    os.symlink(outside / "sub", vault.people / "linked-folder")
    os.symlink("/etc/passwd", vault.people / "passwd.md")
    vault.outside = outside
    return vault


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file (not following links) with its bytes and modification time."""
    out = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            if path.is_symlink():
                out[path.relative_to(root).as_posix()] = (os.readlink(path).encode(), 0)
            else:
                out[path.relative_to(root).as_posix()] = (path.read_bytes(), path.stat().st_mtime_ns)
    return out


def user_tree(vault) -> dict:
    return {k: v for k, v in tree(vault.root).items() if not k.startswith(".vaultnet/cache/")}


def check_json(vault):
    result = vault.run("check", "--json")
    return result, json.loads(result.stdout)


def test_every_hostile_note_gets_a_clear_message(hostile):
    # The alias bombs and deep nesting are refused with a finding (below), not worked through:
    # a regression would hang here, and CI's time limit would stop it.
    result, data = check_json(hostile)
    assert result.exit_code == 1
    by_path: dict[str, list[dict]] = {}
    for finding in data["findings"]:
        by_path.setdefault(finding["path"], []).append(finding)
        assert finding["message"] and finding["fix"]
    for name, want in EXPECTED.items():
        found = by_path.get(f"People/{name}", [])
        if want is None:
            assert not [f for f in found if f["severity"] == "error"], (name, found)
            continue
        code, text = want
        assert any(f["code"] == code and text in f["message"] for f in found), (name, found)
    assert not by_path.get("People/Good Person.md") and not by_path.get("People/Other Good.md")
    assert {f["code"] for f in by_path["People/Linked Secret.md"]} == {"link-outside-vault"}
    assert SECRET not in result.stdout
    fields = {f["field"] for f in by_path["People/list-as-date.md"] if f["code"] == "bad-field"}
    assert fields == {"last_contact", "follow_up", "met", "cadence", "birthday", "helped"}


def test_read_commands_process_every_other_note(hostile):
    listed = hostile.run("list", "--json")
    assert listed.exit_code == 0
    names = {p["name"] for p in json.loads(listed.stdout)}
    assert {"Good Person", "Other Good", "Far Future", "Big But Allowed", "Listy Date", "Dup Keys"} <= names
    assert not any(SECRET in n for n in names)
    for name in UNREADABLE:
        assert f"skipped: People/{name}" in listed.stderr, name
    # A terminal never sees raw control characters from a note or a file name.
    for command in (["list"], ["due"], ["due", "--within", "100y"], ["show", "Good Person"], ["check"]):
        result = hostile.run(*command)
        assert result.exit_code in (0, 1), (command, result.stderr)
        for stream in (result.stdout, result.stderr):
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", stream), (command, stream)
            assert "Traceback" not in stream
    shown = hostile.run("show", "Good Person")
    assert "coffee" in shown.stdout and "intro to [[Other Good]]" in shown.stdout


def test_every_unreadable_note_is_refused_for_writing_and_left_alone(hostile):
    before = user_tree(hostile)
    for name in ("broken-yaml", "yaml-bomb", "tabs", "conflict", "not-a-mapping", "megabytes", "invalid-utf8", "recursive-alias",
                 "line-separator", "next-line", "long-integer", "mac-line-ends", "cr-only"):
        result = hostile.run("log", name, "tried")
        assert result.exit_code in (1, 2), (name, result.stdout)
        assert f"People/{name}.md" in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr
    assert user_tree(hostile) == before


def test_a_write_changes_only_its_target(hostile):
    before = user_tree(hostile)
    result = hostile.run("log", "Good Person", "lunch: talked about hostile notes")
    assert result.exit_code == 0, result.stderr
    after = user_tree(hostile)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == {"People/Good Person.md"}
    assert after["People/Good Person.md"][0] == GOOD["Good Person.md"].replace(
        "last_contact: 2026-11-01", "last_contact: 2026-11-23").encode() + b"- 2026-11-23 lunch: talked about hostile notes\n"
    # A note that is odd but readable takes a surgical edit too: `helped: 42` becomes a list.
    result = hostile.run("helped", "Listy Date", "sent a link")
    assert result.exit_code == 0, result.stderr
    old = before["People/list-as-date.md"][0]
    assert user_tree(hostile)["People/list-as-date.md"][0] == old.replace(
        b"helped: 42\n", b"helped:\n  - 42\n  - 2026-11-23 sent a link\n")
    # and one that uses YAML anchors is refused with a reason, untouched
    (hostile.people / "Anchored.md").write_bytes(b"---\nmet: &d 2026-01-01\nlast_contact: *d\n---\n")
    result = hostile.run("log", "Anchored", "call")
    assert result.exit_code == 1 and "anchors or aliases" in result.stderr
    assert (hostile.people / "Anchored.md").read_bytes() == b"---\nmet: &d 2026-01-01\nlast_contact: *d\n---\n"


def test_nothing_outside_the_vault_is_read_or_written(hostile, tmp_path):
    outside_before = tree(hostile.outside)
    outputs = []
    for command in (["list", "--json"], ["due", "--json"], ["check", "--json"], ["show", "Good"],
                    ["log", "Good Person", "x"], ["build"], ["list", SECRET], ["show", "Secret"]):
        result = hostile.run(*command)
        outputs.append(result.stdout + result.stderr)
    assert tree(hostile.outside) == outside_before
    everything = "\n".join(outputs) + "".join(
        p.read_text(errors="replace") for p in hostile.root.rglob("*") if p.is_file() and not p.is_symlink())
    assert SECRET not in everything
    assert "root:x:0:0" not in everything  # /etc/passwd, linked as People/passwd.md, was never read
    assert (Path("/etc/passwd").read_bytes()[:4])  # still there, untouched (sanity)


def test_yaml_python_tags_never_run(vault, tmp_path):
    marker = tmp_path / "pwned"
    vault.write("Exec", f'---\nname: !!python/object/apply:os.system ["touch {marker}"]\n---\n')
    vault.write("Exec2", f'---\norg: !!python/object/new:subprocess.check_output [["touch", "{marker}"]]\n---\n')
    vault.write("Exec3", "---\nname: !!python/name:builtins.exec\n---\n")
    vault.write("Fine", "---\nname: Fine\n---\n")
    for command in (["list"], ["check"], ["build"], ["log", "Fine", "x"]):
        vault.run(*command)
    result = vault.run("log", "Exec", "x")
    assert result.exit_code == 1 and "could not determine a constructor" in result.stderr
    assert not marker.exists()


SANDBOX_ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ name.__class__.__base__.__subclasses__() }}",
    "{{ fields.__class__.__init__.__globals__ }}",
    "{% for i in range(10**9) %}{% endfor %}",
]


@pytest.mark.parametrize("template", SANDBOX_ESCAPES)
def test_vault_templates_render_in_the_sandbox(vault, tmp_path, template):
    marker = tmp_path / "sandbox-pwned"
    folder = vault.root / ".vaultnet" / "templates"
    folder.mkdir(parents=True)
    (folder / "person.md").write_text("---\nname: {{ name }}\n---\n" + template.replace("MARKER", str(marker)) + "\n")
    before = user_tree(vault)
    result = vault.run("add", "Sandboxed Person")
    assert result.exit_code == 1, result.stdout
    # vaultnet's one-line message names the template and the line that was refused
    # (what the template engine says after that is its own wording, not checked here)
    assert result.stderr.startswith("Error: template person.md: line 4: "), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not marker.exists()
    assert not (vault.people / "Sandboxed Person.md").exists()
    assert user_tree(vault) == before


def test_a_vault_template_cannot_include_files_outside_its_folder(vault):
    (vault.root / "vaultnet.toml").write_text('calendar_name = "SECRET-CONFIG"\n')
    folder = vault.root / ".vaultnet" / "templates"
    folder.mkdir(parents=True)
    (folder / "person.md").write_text("---\nname: {{ name }}\n---\n{% include '../../vaultnet.toml' %}\n")
    result = vault.run("add", "Includer")
    assert result.exit_code == 1
    assert "template" in result.stderr and "SECRET-CONFIG" not in result.stderr + result.stdout
    assert not (vault.people / "Includer.md").exists()


@pytest.mark.parametrize("name", [
    "../../../etc/evil", "/etc/evil", "a/b\\c", "Eve\nBEGIN:VEVENT", "x]] [[y|z", "#tag ^block",
    "..", ".hidden", "CON", " spaced ", "a" * 400,
])
def test_add_with_a_hostile_name_stays_in_the_people_folder(vault, name):
    before = user_tree(vault)
    result = vault.run("add", name)
    assert result.exit_code == 0, result.stderr
    after = user_tree(vault)
    new = sorted(set(after) - set(before))
    assert len(new) == 1 and new[0].startswith("People/") and new[0].count("/") == 1, new
    file_name = new[0].split("/", 1)[1]
    assert not re.search(r'[/\\:*?"<>|#^\[\]\x00-\x1f]', file_name) and not file_name.startswith(".")
    assert len(file_name.encode()) <= 255
    shown = vault.run("list", "--json")
    names = [p["name"] for p in json.loads(shown.stdout)]
    assert names == [" ".join(name.split()) if "\n" in name else name.strip()] or names == [name]


# --- build over the corpus -------------------------------------------------------------------


def test_build_survives_the_corpus_without_injection(hostile):
    import icalendar
    from ical.calendar_stream import IcsCalendarStream

    before = user_tree(hostile)
    result = hostile.run("build")
    assert result.exit_code == 1, result.stderr  # notes were skipped: the outputs are written, the build fails
    assert "notes were skipped for errors" in result.stderr
    assert "Traceback" not in result.stderr
    after = user_tree(hostile)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed and all(k.startswith("Index/") or k == "followups.ics" for k in changed), changed

    raw = (hostile.root / "followups.ics").read_bytes()
    text = raw.decode("utf-8")
    calendar = icalendar.Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == text.count("\r\nBEGIN:VEVENT\r\n") == text.count("\r\nEND:VEVENT\r\n")
    for event in events:
        assert str(event["SUMMARY"]).startswith(("Follow up: ", "Birthday: ")), event["SUMMARY"]
        assert str(event["UID"]) != "evil" and "X-INJECTED" not in event
        assert not event.errors
    lines = text.split("\r\n")
    for forged in ("SUMMARY:pwned", "UID:evil", "X-INJECTED:1", "BEGIN:VALARM", "DTSTART:20260101"):
        assert forged not in lines
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any("Eve END:VEVENT BEGIN:VEVENT" in s for s in summaries)  # the name is shown, as text
    IcsCalendarStream.calendar_from_ics(text)  # the strict parser accepts the whole feed

    for path in sorted((hostile.root / "Index").glob("*.md")):
        note = path.read_text(encoding="utf-8")
        assert SECRET not in note
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", note), path.name
        for line in note.splitlines():
            assert not line.startswith(("BEGIN:VEVENT", "| injected", "## Log", "fake: front matter")), (path.name, line)
        _assert_tables_are_rectangular(path.name, note)


def _assert_tables_are_rectangular(name: str, note: str) -> None:
    """Every row of a Markdown table has the header's number of cells (no injected columns or rows)."""
    width = None
    for line in note.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        if width is None:
            width = cells
        assert cells == width, (name, line)


def test_build_refuses_an_index_folder_linked_outside_the_vault(vault, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, vault.root / "Index")
    vault.write("Good", GOOD["Good Person.md"])
    result = vault.run("build")
    assert result.exit_code == 1
    assert "index_dir 'Index' is a symbolic link leading outside the vault" in result.stderr
    assert list(outside.iterdir()) == []


def test_a_people_folder_linked_outside_the_vault_is_refused(vault, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "Secret.md").write_text(f"---\nname: {SECRET}\n---\n")
    vault.people.rmdir()
    os.symlink(outside, vault.people)
    for command in (["list"], ["check"], ["log", "Secret", "x"], ["build"]):
        result = vault.run(*command)
        assert result.exit_code == 1, command
        assert "people_dir 'People' is a symbolic link leading outside the vault" in result.stderr
        assert SECRET not in result.stdout + result.stderr
    assert (outside / "Secret.md").read_text() == f"---\nname: {SECRET}\n---\n"


def test_build_survives_a_birthday_at_the_end_of_time(vault):
    vault.write("End", "---\nbirthday: 9999-12-31\n---\n")
    vault.write("Good", GOOD["Good Person.md"])
    result = vault.run("build")
    assert result.exit_code == 0, result.stderr


def test_a_file_name_that_is_not_utf8_is_skipped_with_a_reason(vault):
    vault.write("Ok", "---\nlast_contact: 2026-01-01\n---\n")
    with open(bytes(vault.people) + b"/Bad\xff name.md", "wb") as handle:
        handle.write(b"---\nlast_contact: 2026-01-01\n---\n")
    for command in (["due"], ["list"], ["build"], ["check"]):
        result = vault.run(*command)
        said = result.stdout + result.stderr  # check reports on stdout, the others warn on stderr
        assert "Bad\\udcff name.md" in said and "not valid UTF-8" in said, command
        assert result.exit_code == (1 if command in (["check"], ["build"]) else 0), (command, result.output)
    assert "Ok" in vault.run("list").stdout
    assert b"Bad" not in (vault.root / "Index" / "People.md").read_bytes()


def test_a_note_with_a_long_number_breaks_no_command(vault):
    vault.write("Long", "---\nname: Long Number\nlast_contact: 2026-01-01\ntags:\n  - a\n  - 1" + "2" * 5_000 + "\n---\n")
    for name, text in GOOD.items():
        (vault.people / name).write_text(text, encoding="utf-8")
    result, data = check_json(vault)
    assert result.exit_code == 1
    [finding] = data["findings"]
    assert (finding["path"], finding["line"], finding["code"]) == ("People/Long.md", 6, "unreadable-note")
    assert "thousands of digits" in finding["message"] and "quotes" in finding["fix"]
    for command in (["due", "--within", "1y"], ["list"], ["show", "Good Person"], ["build"], ["stats"], ["match"],
                    ["export", "vcard"]):
        result = vault.run(*command)
        assert result.exit_code == (1 if command == ["build"] else 0), (command, result.output)  # build tells a hook
        assert command[0] == "show" or "skipped: People/Long.md" in result.stderr, command
        assert "Traceback" not in result.stdout + result.stderr
    assert "Good Person" in vault.run("list").stdout
    assert "BEGIN:VCARD" in vault.run("export", "vcard").stdout
    shown = vault.run("show", "Long")
    assert shown.exit_code == 1 and "People/Long.md: line 6" in shown.stderr and "thousands of digits" in shown.stderr


def test_a_note_with_mac_line_ends_is_refused_not_given_a_second_front_matter(vault):
    # Split on LF, a CR-only note was one long line: its front matter went unseen, and `log`
    # put a second one above it.
    mac = b"---\rname: Old Mac\rlast_contact: 2026-01-01\r---\r# Old Mac\r\r## Log\r- 2026-01-01 coffee\r"
    vault.write("Old Mac", mac)
    vault.write("Body Only", b"# Body Only\r## Log\r- 2026-01-01 tea\r")
    vault.write("Stray", b"---\nname: Stray\n---\nA stray \r in the body is only a character.\r\n")
    result, data = check_json(vault)
    found = {f["path"]: f for f in data["findings"] if f["code"] == "unreadable-note"}
    assert set(found) == {"People/Old Mac.md", "People/Body Only.md"}
    for finding in found.values():
        assert finding["line"] == 1 and "carriage return only" in finding["message"] and "line ends" in finding["fix"]
    for name in ("Old Mac", "Body Only"):
        result = vault.run("log", name, "lunch")
        assert result.exit_code == 1 and "carriage return only" in result.stderr, result.output
    assert vault.read("Old Mac") == mac
    assert vault.run("log", "Stray", "lunch").exit_code == 0


def test_bidi_marks_are_direction_controls_like_the_others(vault):
    # U+200E, U+200F and U+061C reorder the text around them in a terminal, like the
    # overrides (U+202A-U+202E) and isolates (U+2066-U+2069) already refused.
    vault.write("Bidi", "---\nname: \"Eve \u200fevil\u200e\"\norg: \"Acme \u061cCorp\"\n---\n")
    result, data = check_json(vault)
    fields = {f["field"] for f in data["findings"] if f["code"] == "control-characters"}
    assert fields == {"name", "org"}
    listed = vault.run("list", "--json")
    [person] = json.loads(listed.stdout)
    assert person["name"] == "Eve evil" and person["org"] == "Acme Corp"
    for stream in (listed.stdout, vault.run("list").stdout, vault.run("show", "Eve").stdout):
        assert not re.search("[\u200e\u200f\u061c]", stream)


# --- files that are not regular files, or too big to read -------------------------------------


def _cli(vault, *args: str, timeout: float = 60):
    """The CLI in its own process: a reader blocked on a named pipe would hang this test run
    itself; the timeout only stops such a regression, it measures nothing."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "vaultnet", "--vault", str(vault.root), "--today", "2026-11-23", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_a_named_pipe_among_the_notes_is_skipped_with_a_finding(vault):
    # Opening a FIFO for reading waits for a writer: every command hung, `serve` for ever.
    for name, text in GOOD.items():
        (vault.people / name).write_text(text, encoding="utf-8")
    os.mkfifo(vault.people / "Zed.md")
    for command in (["due"], ["check"], ["list"], ["build"], ["show", "Good Person"], ["show", "Zed"], ["log", "Zed", "hi"]):
        result = _cli(vault, *command)
        said = result.stdout + result.stderr
        assert "Traceback" not in said, (command, said)
        if command != ["show", "Good Person"]:  # show names only the person it shows
            assert "People/Zed.md" in said and "named pipe (FIFO), not a regular file" in said, (command, said)
        assert result.returncode == (1 if command[0] in ("check", "log", "build") or command == ["show", "Zed"] else 0), (command, said)
    assert "Good Person" in _cli(vault, "list").stdout
    assert (vault.people / "Zed.md").is_fifo()


def test_a_huge_note_is_refused_before_it_is_read(vault):
    # The size limit was checked after reading the whole file: a 3 GB note took 3 GB of
    # memory before it was skipped. A sparse file costs no disk; reading it would cost memory.
    for name, text in GOOD.items():
        (vault.people / name).write_text(text, encoding="utf-8")
    huge = vault.people / "Huge.md"
    with open(huge, "wb") as handle:
        handle.write(b"---\nname: Huge\n---\n")
        handle.truncate(1 << 30)
    import subprocess
    import sys

    peak = (  # the most memory Python held at once while the command ran
        "import sys, tracemalloc\n"
        "tracemalloc.start()\n"
        "from vaultnet.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "finally:\n"
        "    print('peak-kib', tracemalloc.get_traced_memory()[1] // 1024, file=sys.stderr)\n"
    )
    for command in (["list"], ["check"], ["build"]):
        result = subprocess.run([sys.executable, "-c", peak, "--vault", str(vault.root), "--today", "2026-11-23", *command],
                                capture_output=True, text=True, timeout=300)
        assert "Traceback" not in result.stderr, result.stderr
        said = result.stdout + result.stderr
        assert "People/Huge.md" in said and "1048576 KiB, over the 4 MiB limit" in said, (command, said)
        kib = int(re.search(r"peak-kib (\d+)", result.stderr).group(1))
        assert kib < 256 * 1024, (command, kib)  # a quarter of the file: it was never read whole


def test_an_output_path_holding_a_pipe_or_a_device_is_refused_not_read(vault):
    # build compares an output with what it would write: it read a FIFO there for ever, and
    # a link to /dev/zero until memory ran out.
    for name, text in GOOD.items():
        (vault.people / name).write_text(text, encoding="utf-8")
    os.mkfifo(vault.root / "followups.ics")
    result = _cli(vault, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "followups.ics" in result.stderr and "FIFO" in result.stderr and "Nothing was written" in result.stderr
    assert (vault.root / "followups.ics").is_fifo()
    os.unlink(vault.root / "followups.ics")
    (vault.root / "Index").mkdir(exist_ok=True)
    (vault.root / "Index" / "People.md").unlink(missing_ok=True)
    os.symlink("/dev/zero", vault.root / "Index" / "People.md")
    result = _cli(vault, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "People.md" in result.stderr and "Nothing was written" in result.stderr
    assert os.readlink(vault.root / "Index" / "People.md") == "/dev/zero"
