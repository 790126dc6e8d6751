"""`vaultnet rename`: the note, its name, and every link to the person across the vault, as one change."""

from __future__ import annotations

import pytest

from tests.support import fail_os_call
from vaultnet.edit.noteedit import NoteEditor

JANE = """\
---
name: Jane Doe
aliases: [JD]   # keep this comment
org: Acme
---
# Jane

## Log
- 2026-11-01 coffee with [[Bob]]
"""

BOB = """\
---
name: Bob
introduced_by: "[[Jane Doe]]"
helped:
  - 2026-01-02 introduced to [[Jane Doe|Jane]]: a buyer
received:
  - 2026-02-01 a deck from [[People/Jane Doe#Work]]
quoted: 'see [[Jane Doe]]'
---
# Bob

Works with [[Jane Doe]] and [[jane doe|JD]], not [[Jane Doer]].
Inline `[[Jane Doe]]` stays, and so does this:

```
[[Jane Doe]]
```

## Log
- 2026-11-02 lunch, ![[Jane Doe]] joined
"""

DAILY = "Met [[Jane Doe]] for coffee.\r\n- [[Jane Doe#Log|her log]] and ``code [[Jane Doe]]``\r\n"


def build(vault):
    vault.write("Jane Doe", JANE)
    vault.write("Bob", BOB)
    daily = vault.root / "Daily" / "2026-11-20.md"
    daily.parent.mkdir()
    daily.write_bytes(b"\xef\xbb\xbf" + DAILY.encode())
    return daily


def changed_files(before: dict, after: dict) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


def test_rename_moves_the_note_and_rewrites_every_wikilink(vault):
    daily = build(vault)
    result = vault.run("rename", "jane", "Jane Smith")
    assert result.exit_code == 0, result.output
    assert "People/Jane Doe.md → People/Jane Smith.md" in result.output
    assert "changed 9 links in 2 files" in result.output
    assert "Daily/2026-11-20.md: 2 links" in result.output and "People/Bob.md: 7 links" in result.output
    assert vault.names() == ["Bob", "Jane Smith"]
    assert vault.read("Jane Smith").decode() == JANE.replace("name: Jane Doe", "name: Jane Smith").replace(
        "aliases: [JD]", "aliases: [JD, Jane Doe]"
    )
    expected_bob = (
        BOB.replace('"[[Jane Doe]]"', '"[[Jane Smith]]"')
        .replace("[[Jane Doe|Jane]]", "[[Jane Smith|Jane]]")
        .replace("[[People/Jane Doe#Work]]", "[[People/Jane Smith#Work]]")
        .replace("'see [[Jane Doe]]'", "'see [[Jane Smith]]'")
        .replace("Works with [[Jane Doe]] and [[jane doe|JD]]", "Works with [[Jane Smith]] and [[Jane Smith|JD]]")
        .replace("![[Jane Doe]]", "![[Jane Smith]]")
    )
    assert vault.read("Bob").decode() == expected_bob  # code span and fence untouched
    assert daily.read_bytes() == b"\xef\xbb\xbf" + DAILY.replace(
        "Met [[Jane Doe]]", "Met [[Jane Smith]]"
    ).replace("[[Jane Doe#Log|her log]]", "[[Jane Smith#Log|her log]]").encode()
    bob = vault.person("Bob")
    assert bob.introduced_by == "[[Jane Smith]]"
    assert vault.run("show", "JD").output.startswith("Jane Smith")
    assert "Jane Doe" in vault.run("show", "jane doe").output  # the old name finds her


def test_a_quote_in_the_new_name_is_escaped_in_single_quoted_yaml(vault):
    build(vault)
    result = vault.run("rename", "Jane Doe", "Jane O'Brien")
    assert result.exit_code == 0, result.output
    text = vault.read("Bob").decode()
    assert "quoted: 'see [[Jane O''Brien]]'" in text
    assert vault.person("Bob").introduced_by == "[[Jane O'Brien]]"


def test_rename_in_a_markdown_link_vault(vault):
    vault.config('link_style = "markdown"\n')
    vault.write("Jane Doe", "---\norg: Acme\n---\n# Jane\n")
    vault.write("Bob", "---\nintroduced_by: '[Jane Doe](Jane%20Doe.md)'\n---\nSee [her notes](Jane%20Doe.md#Work) and `[x](Jane%20Doe.md)`.\n")
    meeting = vault.root / "Meetings" / "Board.md"
    meeting.parent.mkdir()
    meeting.write_text(
        "---\ndate: 2026-11-20\n---\nWith [Jane Doe](../People/Jane%20Doe.md), [Jane Doer](../People/Jane%20Doer.md).\n"
        "Also [J](<../People/Jane Doe.md> \"her note\").\n"
    )
    result = vault.run("rename", "Jane Doe", "Jane Smith")
    assert result.exit_code == 0, result.output
    assert vault.read("Bob").decode() == (
        "---\nintroduced_by: '[Jane Smith](Jane%20Smith.md)'\n---\n"
        "See [her notes](Jane%20Smith.md#Work) and `[x](Jane%20Doe.md)`.\n"
    )
    assert meeting.read_text() == (
        "---\ndate: 2026-11-20\n---\nWith [Jane Smith](../People/Jane%20Smith.md), [Jane Doer](../People/Jane%20Doer.md).\n"
        "Also [J](<../People/Jane Smith.md> \"her note\").\n"
    )
    # the file name was the name: now `name` stays out, the old name is an alias
    assert vault.read("Jane Smith").decode() == "---\norg: Acme\naliases:\n  - Jane Doe\n---\n# Jane\n"


def test_dry_run_lists_the_files_and_writes_nothing(vault):
    build(vault)
    before = vault.snapshot()
    result = vault.run("rename", "jane", "Jane Smith", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would rename Jane Doe → Jane Smith" in result.output
    assert "would change 9 links in 2 files" in result.output
    assert vault.snapshot() == before


@pytest.mark.parametrize("new", ["bob", "BOB", " Bob "])
def test_refuses_a_name_already_taken(vault, new):
    build(vault)
    before = vault.snapshot()
    result = vault.run("rename", "Jane Doe", new)
    assert result.exit_code != 0
    assert "already" in result.output
    assert vault.snapshot() == before


def test_refuses_a_file_of_the_new_name_in_another_case(vault):
    build(vault)
    (vault.people / "jane smith.md").write_text("not a person note yet\n")
    # the file is a note too, so it is a person named "jane smith": refused either way
    before = vault.snapshot()
    result = vault.run("rename", "Jane Doe", "Jane Smith")
    assert result.exit_code != 0 and "already" in result.output
    assert vault.snapshot() == before


def test_refuses_an_ambiguous_old_name(vault):
    build(vault)
    vault.write("Jane Roe", "# Jane Roe\n")
    before = vault.snapshot()
    result = vault.run("rename", "jane", "Jane Smith")
    assert result.exit_code == 2 and "matches 2 people" in result.output
    assert vault.snapshot() == before


def test_conflict_markers_in_a_linking_note_stop_everything(vault):
    daily = build(vault)
    daily.write_text("[[Jane Doe]]\n<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n")
    before = vault.snapshot()
    result = vault.run("rename", "Jane Doe", "Jane Smith")
    assert result.exit_code != 0
    assert "Daily/2026-11-20.md" in result.output and "conflict" in result.output
    assert vault.snapshot() == before


def test_a_failed_write_puts_everything_back_and_the_note_keeps_its_name(vault, monkeypatch):
    build(vault)
    before = vault.snapshot()
    fail_os_call(monkeypatch, "replace", OSError(28, "No space left on device"), nth=2)
    result = vault.run("rename", "Jane Doe", "Jane Smith")
    assert result.exit_code != 0 and "disk is full" in result.output
    monkeypatch.undo()
    assert vault.snapshot() == before
    assert vault.names() == ["Bob", "Jane Doe"]


def test_a_failed_removal_of_the_old_name_undoes_the_rename(vault, monkeypatch):
    build(vault)
    before = vault.snapshot()
    fail_os_call(monkeypatch, "unlink", PermissionError(13, "Permission denied"), path_end="Jane Doe.md")
    result = vault.run("rename", "Jane Doe", "Jane Smith")
    monkeypatch.undo()
    assert result.exit_code != 0 and "permission denied" in result.output
    assert vault.snapshot() == before


def test_a_note_changed_meanwhile_stops_the_rename(vault, monkeypatch):
    daily = build(vault)
    real = NoteEditor.retarget_links

    def edit_then_someone_saves(self, retarget):
        count = real(self, retarget)
        if self.path == "People/Bob.md":  # while vaultnet holds the locks, an editor saves the daily note
            daily.write_bytes(daily.read_bytes() + b"typed meanwhile\r\n")
        return count

    monkeypatch.setattr(NoteEditor, "retarget_links", edit_then_someone_saves)
    before = vault.snapshot()
    result = vault.run("rename", "Jane Doe", "Jane Smith")
    assert result.exit_code != 0 and "changed on disk" in result.output
    after = vault.snapshot()
    assert changed_files(before, after) == {"Daily/2026-11-20.md"}  # only the other editor's save
    assert after["Daily/2026-11-20.md"].endswith(b"typed meanwhile\r\n")
    assert vault.names() == ["Bob", "Jane Doe"]


def test_index_notes_and_templates_are_left_to_the_build(vault):
    build(vault)
    index = vault.root / "Index" / "People.md"
    index.parent.mkdir()
    index.write_text("[[Jane Doe]]\n")
    template = vault.root / ".vaultnet" / "templates" / "person.md"
    template.parent.mkdir(parents=True)
    template.write_text("[[Jane Doe]]\n")
    assert vault.run("rename", "Jane Doe", "Jane Smith").exit_code == 0
    assert index.read_text() == "[[Jane Doe]]\n" and template.read_text() == "[[Jane Doe]]\n"


def test_a_name_that_is_not_a_safe_file_name_is_kept_in_name(vault):
    build(vault)
    result = vault.run("rename", "Jane Doe", "Jane: the CFO")
    assert result.exit_code == 0, result.output
    assert vault.names() == ["Bob", "Jane- the CFO"]
    assert 'name: "Jane: the CFO"' in vault.read("Jane- the CFO").decode()
    assert "[[Jane- the CFO]]" in vault.read("Bob").decode()
