"""`vaultnet intro A B`: one introduction recorded on two notes, as one change."""

from __future__ import annotations

import os

import pytest

from tests.support import fail_os_call

ANN = """\
---
name: Ann Alpha
circle: close
last_contact: 2026-10-01
follow_up: 2026-11-20
helped:
  - 2026-01-05 reviewed her deck
---
# Ann Alpha

## Log
- 2026-10-01 coffee: talked about hiring
"""

BOB = """\
---
name: Bob Beta
tags: [investor]
last_contact: 2026-11-30  # a date after the intro: must not move back
---
Bob's notes.
"""


@pytest.fixture
def two(vault):
    vault.write("Ann Alpha", ANN)
    vault.write("Bob Beta", BOB)
    return vault


def test_intro_records_on_both_notes(two):
    result = two.run("intro", "ann", "bob", "--why", "seed round for soil sensors", "--date", "2026-11-22")
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout.splitlines()[0] == "introduced Ann Alpha and Bob Beta on 2026-11-22"
    assert two.read("Ann Alpha").decode() == (
        "---\n"
        "name: Ann Alpha\n"
        "circle: close\n"
        "last_contact: 2026-11-22\n"
        "helped:\n"
        "  - 2026-01-05 reviewed her deck\n"
        '  - "2026-11-22 introduced to [[Bob Beta]]: seed round for soil sensors"\n'
        "---\n"
        "# Ann Alpha\n"
        "\n"
        "## Log\n"
        "- 2026-10-01 coffee: talked about hiring\n"
        "- 2026-11-22 intro to [[Bob Beta]]: seed round for soil sensors\n"
    )  # follow_up 2026-11-20 was satisfied by the contact on 2026-11-22, so it is gone
    assert two.read("Bob Beta").decode() == (
        "---\n"
        "name: Bob Beta\n"
        "tags: [investor]\n"
        "last_contact: 2026-11-30  # a date after the intro: must not move back\n"
        "helped:\n"
        '  - "2026-11-22 introduced to [[Ann Alpha]]: seed round for soil sensors"\n'
        "---\n"
        "Bob's notes.\n"
        "\n"
        "## Log\n"
        "\n"
        "- 2026-11-22 intro to [[Ann Alpha]]: seed round for soil sensors\n"
    )
    assert "last_contact stays 2026-11-30" in result.stdout
    assert "follow-up of 2026-11-20 done and cleared" in result.stdout


def test_intro_reads_back_through_show_and_the_records(two):
    from vaultnet.model.config import load_config
    from vaultnet.load.vault import load_vault

    assert two.run("intro", "Ann Alpha", "Bob Beta").exit_code == 0  # no --why, today's date
    people = {p.name: p for p in load_vault(load_config(two.root)).people}
    assert [str(e) for e in people["Ann Alpha"].helped][-1] == "2026-11-23 introduced to [[Bob Beta]]"
    assert people["Ann Alpha"].last_contact.isoformat() == "2026-11-23"
    shown = two.run("show", "bob").stdout
    assert "you introduced them to (1):\n    - 2026-11-23 Ann Alpha\n" in shown


def test_running_it_again_changes_nothing(two):
    assert two.run("intro", "ann", "bob", "--why", "x", "--date", "2026-11-22").exit_code == 0
    before = two.snapshot()
    again = two.run("intro", "bob", "ann", "--why", "x", "--date", "2026-11-22")
    # "bob ann" is the same introduction: each note already names the other on that date
    assert again.exit_code == 0
    assert "already recorded" in again.stdout
    assert two.snapshot() == before


def test_markdown_link_style_is_honoured(two):
    two.config('link_style = "markdown"\n')
    assert two.run("intro", "ann", "bob", "--date", "2026-11-22").exit_code == 0
    assert "  - 2026-11-22 introduced to [Bob Beta](Bob%20Beta.md)\n" in two.read("Ann Alpha").decode()
    assert "- 2026-11-22 intro to [Ann Alpha](Ann%20Alpha.md)\n" in two.read("Bob Beta").decode()


def test_awkward_why_text_is_quoted_and_reads_back(two):
    why = 'both: "climate" #storage, 50% done'
    assert two.run("intro", "ann", "bob", "--why", why, "--date", "2026-11-22").exit_code == 0
    from vaultnet.load.vault import parse_note

    person, problems = parse_note("People/Ann Alpha.md", two.read("Ann Alpha"))
    assert not problems
    assert person.helped[-1].text == f"introduced to [[Bob Beta]]: {why}"


def test_crlf_and_bom_survive(vault):
    vault.write("Ann Alpha", ("\ufeff" + ANN).replace("\n", "\r\n").encode("utf-8"))
    vault.write("Bob Beta", BOB)
    assert vault.run("intro", "ann", "bob", "--date", "2026-11-22").exit_code == 0
    data = vault.read("Ann Alpha")
    assert data.startswith("\ufeff---\r\n".encode())
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"  - 2026-11-22 introduced to [[Bob Beta]]\r\n" in data


@pytest.mark.parametrize(
    "args, message",
    [
        (("ann", "Ann Alpha"), "an introduction needs two different people"),
        (("ann", "nobody-here"), "no person matches 'nobody-here'"),
        (("ann", "b"), "matches 2 people"),
    ],
)
def test_usage_problems_exit_2_and_write_nothing(two, args, message):
    two.write("Bea Beta", "---\nname: Bea Beta\n---\n")
    before = two.snapshot()
    result = two.run("intro", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert two.snapshot() == before


def test_an_unreadable_note_is_refused_and_nothing_is_written(two):
    two.write("Cy Gamma", "---\nname: Cy Gamma\nneeds: [unclosed\n---\n")
    before = two.snapshot()
    result = two.run("intro", "ann", "cy gamma")
    assert result.exit_code == 1
    assert "People/Cy Gamma.md" in result.stderr and "cannot be read" in result.stderr
    assert two.snapshot() == before


def test_the_second_note_is_checked_before_the_first_is_written(two):
    # Bob's note holds merge conflict markers: Ann's note (first) must not be written either.
    two.write("Bob Beta", BOB + "<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> branch\n")
    before = two.snapshot()
    result = two.run("intro", "ann", "bob")
    assert result.exit_code == 1
    assert "People/Bob Beta.md" in result.stderr and "conflict markers" in result.stderr
    assert two.snapshot() == before


def test_a_helped_field_that_is_not_a_list_stops_both(two):
    two.write("Bob Beta", "---\nname: Bob Beta\nhelped:\n  when: 2026-01-01\n---\n")
    before = two.snapshot()
    result = two.run("intro", "ann", "bob")
    assert result.exit_code == 1
    assert "People/Bob Beta.md" in result.stderr and "'helped' is not a list" in result.stderr
    assert two.snapshot() == before


def test_failure_replacing_the_second_note_puts_the_first_back(two, monkeypatch):
    """The rename of the second note fails (disk error): the first note, already
    replaced, gets its old bytes back; both are byte-identical to before."""
    before = two.snapshot()
    calls = fail_os_call(monkeypatch, "replace", OSError(28, "No space left on device"), nth=2)  # the second note's
    result = two.run("intro", "ann", "bob", "--why", "x")
    monkeypatch.undo()
    assert [os.path.basename(c) for c in calls[:3]] == ["Ann Alpha.md", "Bob Beta.md", "Ann Alpha.md"]  # replaced, failed, rolled back
    assert result.exit_code == 1
    assert "People/Bob Beta.md: cannot replace the note: the disk is full" in result.stderr
    assert two.snapshot() == before  # byte-identical, and no temporary files left behind


def test_second_note_changed_on_disk_before_the_rename(two, monkeypatch):
    """Another editor saves Bob's note after vaultnet read it: Ann's note is put
    back, Bob's keeps the other editor's save, and the command says so."""
    ann_before = two.read("Ann Alpha")
    real_replace = os.replace
    edited = BOB.replace("Bob's notes.", "Saved by another editor meanwhile.")
    state = {"done": False}

    def replace_then_someone_saves(src, dst, *args, **kwargs):
        result = real_replace(src, dst, *args, **kwargs)
        if not state["done"] and os.path.basename(os.fspath(dst)) == "Ann Alpha.md":
            state["done"] = True
            with open(two.people / "Bob Beta.md", "w", encoding="utf-8") as handle:
                handle.write(edited)  # a plain write: another editor, no lock
        return result

    monkeypatch.setattr(os, "replace", replace_then_someone_saves)
    result = two.run("intro", "ann", "bob")
    monkeypatch.setattr(os, "replace", real_replace)
    assert result.exit_code == 1
    assert "People/Bob Beta.md: changed on disk while vaultnet was writing" in result.stderr
    assert two.read("Ann Alpha") == ann_before
    assert two.read("Bob Beta").decode() == edited
    assert not list(two.root.rglob("*.vaultnet-tmp"))


def test_a_bad_last_contact_on_the_second_note_stops_both(two):
    two.write("Bob Beta", "---\nname: Bob Beta\nlast_contact: soon\n---\n")
    before = two.snapshot()
    result = two.run("intro", "ann", "bob")
    assert result.exit_code == 1
    assert "People/Bob Beta.md: field 'last_contact' holds 'soon', which is not a date" in result.stderr
    assert two.snapshot() == before
