"""The curating commands (set, unset, the list commands, merge) on notes written in unusual but
valid ways: each is either edited surgically or refused in words naming the file and the field,
never with a traceback or an "internal error"."""

from __future__ import annotations

import traceback

import pytest


def ok(result):
    assert result.exception is None or isinstance(result.exception, SystemExit), "".join(
        traceback.format_exception(result.exception)
    )
    assert "internal error" not in result.output and "Traceback" not in result.output, result.output
    return result


def run(vault, *args):
    from click.testing import CliRunner

    from vaultnet.cli import main

    return ok(CliRunner().invoke(main, ["--vault", str(vault.root), "--today", "2026-11-23", *args]))


def test_a_note_whose_front_matter_is_indented_gets_new_fields_at_the_same_indentation(vault):
    vault.write("Ann", b"---\n  org: Acme\n  tags: [x]\n---\n# Ann\n")
    assert run(vault, "set", "ann", "circle", "inner").exit_code == 0
    assert run(vault, "need", "ann", "a CFO").exit_code == 0
    assert run(vault, "log", "ann", "coffee").exit_code == 0
    text = vault.read("Ann").decode()
    assert text.startswith("---\n  org: Acme\n  tags: [x]\n  circle: inner\n  needs:\n")
    person = vault.person("Ann")
    assert person.circle == "inner" and person.needs[0].endswith("a CFO") and str(person.last_contact) == "2026-11-23"


def test_a_field_written_twice_is_refused_naming_both_lines(vault):
    note = b"---\ncircle: close\norg: Acme\ncircle: inner\n---\n"
    vault.write("Ann", note)
    for args in (("unset", "ann", "circle"), ("set", "ann", "circle", "network")):
        result = run(vault, *args)
        assert result.exit_code != 0
        assert "People/Ann.md" in result.output and "'circle' is written 2 times (lines 2, 4)" in result.output
        assert vault.read("Ann") == note
    assert run(vault, "set", "ann", "org", "Beta").exit_code == 0  # other fields are still edited
    assert vault.read("Ann") == note.replace(b"Acme", b"Beta")


def test_an_item_added_after_an_empty_item_gets_its_space(vault):
    vault.write("Ann", b"---\ntags:\n  -\n  - a\n---\n")
    assert run(vault, "tag", "ann", "vip").exit_code == 0
    assert vault.read("Ann") == b"---\ntags:\n  -\n  - a\n  - vip\n---\n"


def test_merge_moves_a_log_line_whose_date_is_impossible_as_text(vault):
    vault.write("Ann", "---\nname: Ann\n---\n## Log\n- 2026-11-01 call\n")
    vault.write("Ann B", "---\nname: Ann B\n---\n## Log\n- 2026-02-30 a day that never was\n- 2026-11-20 fine\n")
    result = run(vault, "merge", "Ann", "Ann B")
    assert result.exit_code == 0, result.output
    text = vault.read("Ann").decode()
    assert "- 2026-11-20 fine\n" in text and "- 2026-02-30 a day that never was" in text
    assert vault.names() == ["Ann"]


def test_merge_refuses_a_list_field_holding_a_mapping_naming_the_note_and_field(vault):
    vault.write("Ann", "---\nname: Ann\n---\n")
    vault.write("Ann B", "---\nname: Ann B\naliases: {a: 1}\n---\n")
    before = vault.snapshot()
    for args in (("merge", "Ann", "Ann B"), ("merge", "Ann B", "Ann"), ("merge", "Ann", "Ann B", "--dry-run")):
        result = run(vault, *args)
        assert result.exit_code != 0
        assert "People/Ann B.md: field 'aliases' holds a mapping" in result.output, result.output
        assert vault.snapshot() == before


def test_merge_moves_a_list_field_of_your_own_and_refuses_what_it_cannot_write(vault):
    vault.write("Ann", "---\nname: Ann\n---\n")
    vault.write("Ann B", "---\nname: Ann B\nprojects: [apollo, 2026-01-05]\n---\n")
    result = run(vault, "merge", "Ann", "Ann B")
    assert result.exit_code == 0, result.output
    assert vault.read("Ann").decode().startswith("---\nname: Ann\naliases:\n  - Ann B\nprojects:\n  - apollo\n  - 2026-01-05\n---\n")
    vault.write("Bo", "---\nname: Bo\nvip: false\n---\n")
    vault.write("Bo B", "---\nname: Bo B\nvip: true\nlast_contact: [2026-01-01, 2026-02-01]\n---\n")
    before = vault.snapshot()
    for prefer in ((), ("--prefer", "other"), ("--prefer", "keep")):
        result = run(vault, "merge", "Bo", "Bo B", *prefer)
        assert result.exit_code != 0 and "People/Bo B.md: field '" in result.output, result.output
        assert vault.snapshot() == before
    vault.write("Bo B", "---\nname: Bo B\nvip: true\n---\n")
    result = run(vault, "merge", "Bo", "Bo B", "--prefer", "keep")
    assert result.exit_code == 0 and "vip: KEEP's kept" in result.output, result.output
    assert vault.read("Bo") == b"---\nname: Bo\nvip: false\naliases:\n  - Bo B\n---\n"


def test_typed_control_characters_are_written_as_the_reader_shows_them(vault):
    vault.write("Ann", "---\nname: Ann\n---\n")
    for args in (("set", "ann", "org", "Acme\x1b[31m Red"), ("log", "ann", "call\x07 about\x00 x"), ("need", "ann", "a\u202ecfo"),
                 ("helped", "ann", "intro\x01 to Bo"), ("rename", "ann", "Ann\x1b Lee")):
        assert run(vault, *args).exit_code == 0
    text = vault.read("Ann Lee").decode()
    assert not any(ord(c) < 32 and c != "\n" or c in "\x1b\u202e" for c in text), repr(text)
    assert "org: Acme [31m Red\n" in text and "- 2026-11-23 call about x\n" in text and "name: Ann Lee\n" in text
    result = run(vault, "check")
    assert result.exit_code == 0 and "control characters" not in result.output, result.output


def test_set_refuses_a_birthday_in_the_future_and_writes_a_full_one_as_a_date(vault):
    vault.write("Ann", "---\nname: Ann\n---\n")
    result = run(vault, "set", "ann", "birthday", "2030-01-01")
    assert result.exit_code == 2 and "birthday 2030-01-01 is in the future" in result.output
    assert vault.read("Ann") == b"---\nname: Ann\n---\n"
    assert run(vault, "set", "ann", "birthday", "1990-05-01").exit_code == 0
    assert vault.read("Ann") == b"---\nname: Ann\nbirthday: 1990-05-01\n---\n"
    again = run(vault, "set", "ann", "birthday", "1990-05-01")
    assert again.exit_code == 0 and "already 1990-05-01; nothing changed" in again.output


def test_set_refuses_a_person_introduced_by_themselves(vault):
    vault.write("Ann", "---\nname: Ann\naliases: [AL]\n---\n")
    result = run(vault, "set", "ann", "introduced_by", "AL")
    assert result.exit_code == 2 and "'AL' is Ann; introduced_by names who introduced them" in result.output
    assert vault.read("Ann") == b"---\nname: Ann\naliases: [AL]\n---\n"


def test_rename_retitles_the_note_and_a_second_rename_says_nothing_changed(vault):
    vault.write("Jane Doe", "---\nname: Jane Doe\n---\n\n# jane  doe\r\n\nMet at [[Jane Doe]] # not a title\n")
    vault.write("Bob", "---\nname: Bob\n---\n# Jane Doe\n")  # another note's title is not hers
    result = run(vault, "rename", "jane", "Jane Smith")
    assert result.exit_code == 0, result.output
    assert vault.read("Jane Smith") == (
        b"---\nname: Jane Smith\naliases:\n  - Jane Doe\n---\n\n# Jane Smith\r\n\nMet at [[Jane Smith]] # not a title\n"
    )
    assert vault.read("Bob") == b"---\nname: Bob\n---\n# Jane Doe\n"
    before = vault.snapshot()
    again = run(vault, "rename", "jane doe", "Jane Smith")
    assert again.exit_code == 0 and "Jane Smith is already called Jane Smith (People/Jane Smith.md); nothing changed" in again.output
    assert vault.snapshot() == before
    vault.write("Cy", "---\nname: Cy\n---\n# Cy, my mentor\n")
    assert run(vault, "rename", "cy", "Cy Young").exit_code == 0
    assert vault.read("Cy Young").endswith(b"---\n# Cy, my mentor\n")


def test_a_link_with_a_tables_escaped_pipe_is_renamed(vault):
    vault.write("Jane Doe", "---\nname: Jane Doe\n---\n")
    daily = vault.root / "2026-11-02.md"
    daily.write_text("| who | what |\n|---|---|\n| [[Jane Doe\\|Jane]] | coffee |\n", encoding="utf-8")
    result = run(vault, "rename", "jane", "Jane Smith")
    assert result.exit_code == 0 and "2026-11-02.md: 1 link" in result.output, result.output
    assert daily.read_text(encoding="utf-8") == "| who | what |\n|---|---|\n| [[Jane Smith\\|Jane]] | coffee |\n"


def test_rename_edits_a_linked_daily_note_once_under_its_own_name(vault):
    vault.write("Jane Doe", "---\nname: Jane Doe\n---\n")
    (vault.root / "Daily").mkdir()
    daily = vault.root / "Daily" / "2026-11-01.md"
    daily.write_text("x [[Jane Doe]]\n", encoding="utf-8")
    (vault.root / "today.md").symlink_to("Daily/2026-11-01.md")
    result = run(vault, "rename", "jane", "Jane Smith")
    assert result.exit_code == 0, result.output
    assert "Daily/2026-11-01.md: 1 link" in result.output and "today.md" not in result.output
    assert daily.read_text(encoding="utf-8") == "x [[Jane Smith]]\n"
    assert (vault.root / "today.md").is_symlink()


def test_merge_writes_moved_contacts_in_keeps_log_style_and_order(vault):
    vault.write("Jane Doe", "---\nname: Jane Doe\n---\n## Log\n1. **2026-10-05** coffee\n2. **2026-08-01** intro\n")
    vault.write("J Doe", (
        "---\nname: J Doe\n---\n### Log\n* [[2026-10-20]]: lunch with [[J Doe|J]]\n* [[2026-08-01]] intro\n"
        "- [x] 2026-09-01 sent the deck\n- [ ] 2026-12-01 send the book\n- 2026-07-01 first met\n  at the summit\n"
    ))
    result = run(vault, "merge", "jane", "j doe")
    assert result.exit_code == 0, result.output
    assert vault.read("Jane Doe").decode().split("## Log\n")[1] == (
        "- [ ] 2026-12-01 send the book\n"
        "1. **2026-10-20** lunch with [[Jane Doe|J]]\n"
        "1. **2026-10-05** coffee\n"
        "2. **2026-09-01** sent the deck\n"
        "2. **2026-08-01** intro\n"
        "- 2026-07-01 first met\n  at the summit\n"
    )


def test_met_twice_records_the_event_once_and_says_so(vault):
    vault.write("Bob", "---\nname: Bob\n---\n## Log\n- 2026-11-01 call\n")
    first = run(vault, "met", "Web Summit", "bob", "Ann Lee", "--date", "2026-11-20")
    assert first.exit_code == 0, first.output
    before = vault.snapshot()
    again = run(vault, "met", "web  summit", "bob", "ann lee", "--date", "2026-11-20")
    assert again.exit_code == 0, again.output
    assert "already recorded 2026-11-20 met at web summit: Bob (People/Bob.md); nothing changed" in again.output
    assert "already recorded 2026-11-20 met at web summit: Ann Lee (People/Ann Lee.md); nothing changed" in again.output
    assert vault.snapshot() == before
    other_day = run(vault, "met", "Web Summit", "bob", "--date", "2026-11-21")
    assert other_day.exit_code == 0 and "logged 2026-11-21 met at Web Summit: Bob" in other_day.output


def test_snoozing_to_the_date_already_set_says_nothing_changed(vault):
    vault.write("Bob", "---\nname: Bob\n---\n")
    assert run(vault, "snooze", "bob", "2w").exit_code == 0
    before = vault.snapshot()
    again = run(vault, "snooze", "bob", "2026-12-07")
    assert again.exit_code == 0 and "Bob: next follow-up is already 2026-12-07; nothing changed" in again.output
    assert vault.snapshot() == before


def test_merge_does_not_remove_a_read_only_note(vault):
    vault.write("Jane Doe", "---\nname: Jane Doe\n---\n")
    other = vault.write("J Doe", "---\nname: J Doe\n---\nhi\n")
    other.chmod(0o444)
    before = vault.snapshot()
    result = run(vault, "merge", "jane", "j doe")
    assert result.exit_code == 1 and "People/J Doe.md: the note is read-only" in result.output, result.output
    assert vault.snapshot() == before


def test_a_notes_path_names_it_when_its_name_is_ambiguous(vault):
    vault.write("Jane Doe", "---\nname: Jane Doe\naliases: [J Doe]\n---\n")
    vault.write("J Doe", "---\nname: J Doe\n---\n")
    result = run(vault, "show", "J Doe")
    assert result.exit_code == 2 and "say which (a note's path works too)" in result.output
    assert run(vault, "show", "People/J Doe.md").stdout.startswith("J Doe  (People/J Doe.md)")
    assert run(vault, "show", "jane doe.md").stdout.startswith("Jane Doe  (People/Jane Doe.md)")
    merged = run(vault, "merge", "Jane Doe.md", "People/J Doe.md")
    assert merged.exit_code == 0 and vault.names() == ["Jane Doe"], merged.output


def test_due_refuses_a_circle_or_tag_no_one_has_with_the_closest(vault):
    vault.write("Ann", "---\nname: Ann\ncircle: network\ntags: [vc]\nlast_contact: 2026-11-20\n---\n")
    result = run(vault, "due", "--circle", "netwrk")
    assert result.exit_code == 2 and "no one is in the circle 'netwrk'. Did you mean 'network'?" in result.output
    result = run(vault, "due", "--tag", "vcc", "--json")
    assert result.exit_code == 2 and "no one has the tag 'vcc'. Did you mean 'vc'?" in result.output
    for args in (("--circle", "network"), ("--circle", "inner"), ("--tag", "vc")):  # known, just no one due
        result = run(vault, "due", *args)
        assert result.exit_code == 0 and "Nobody due matches." in result.output, result.output


def test_list_refuses_a_circle_or_tag_no_one_has_with_the_closest(vault):
    vault.write("Ann", "---\nname: Ann\ncircle: network\ntags: [vc]\n---\n")
    result = run(vault, "list", "--circle", "netwrk")
    assert result.exit_code == 2 and "no one is in the circle 'netwrk'. Did you mean 'network'?" in result.output
    result = run(vault, "list", "--tag", "vcc", "--json")
    assert result.exit_code == 2 and "no one has the tag 'vcc'. Did you mean 'vc'?" in result.output
    result = run(vault, "list", "--circle", "inner")  # a circle of the config, just no one in it yet
    assert result.exit_code == 0 and "No one matches." in result.output, result.output
    result = run(vault, "list", "--tag", "vc", "--circle", "network", "zed")  # known filters, no one matches the words
    assert result.exit_code == 0 and "No one matches." in result.output, result.output


def test_alias_refuses_someone_elses_name_and_skips_the_own_name(vault):
    vault.write("Jane Doe", "---\nname: Jane Doe\naliases: [JD]\n---\n")
    vault.write("Bob", "---\nname: Bob\n---\n")
    before = vault.snapshot()
    for name in ("jane doe", "jd", "JANE  DOE"):
        result = run(vault, "alias", "bob", name)
        assert result.exit_code == 2 and "already names Jane Doe (People/Jane Doe.md)" in result.output, result.output
    same = run(vault, "alias", "bob", "BOB")
    assert same.exit_code == 0 and "'BOB' is Bob's name already; nothing changed" in same.output
    assert vault.snapshot() == before
    assert run(vault, "show", "jane").exit_code == 0


def test_phone_refuses_a_number_without_a_digit(vault):
    vault.write("Bob", "---\nname: Bob\n---\n")
    result = run(vault, "phone", "bob", "call", "me")
    assert result.exit_code == 2 and "'call me' does not look like a phone number" in result.output
    assert vault.read("Bob") == b"---\nname: Bob\n---\n"


def test_merge_drops_an_introduced_by_that_names_the_merged_person(vault):
    vault.write("Jane Doe", "---\nname: Jane Doe\nintroduced_by: \"[[J Doe]]\"\n---\n# Jane Doe\n")
    vault.write("J Doe", "---\nname: J Doe\nintroduced_by: \"[[Jane Doe|Jane]]\"\n---\n")
    result = run(vault, "merge", "jane", "j doe")
    assert result.exit_code == 0, result.output
    assert "introduced_by: KEEP's [[J Doe]] dropped (it names the person themselves)" in result.output
    assert vault.read("Jane Doe") == b"---\nname: Jane Doe\naliases:\n  - J Doe\n---\n# Jane Doe\n"
    vault.write("Ann", "---\nname: Ann\n---\n")
    vault.write("Ann B", "---\nname: Ann B\nintroduced_by: Ann\n---\n")
    vault.write("Cy", "---\nname: Cy\n---\n")
    vault.write("Cy B", "---\nname: Cy B\nintroduced_by: \"[[Jane Doe]]\"\n---\n")
    assert run(vault, "merge", "ann", "ann b").exit_code == 0
    assert b"introduced_by" not in vault.read("Ann")
    assert run(vault, "merge", "cy", "cy b").exit_code == 0  # someone else: moved
    assert b'introduced_by: "[[Jane Doe]]"' in vault.read("Cy")


@pytest.mark.parametrize("command", [("log", "anna", "bert", "--text", "lunch"), ("met", "Expo", "anna", "bert", "Carla New")])
def test_several_people_and_a_note_saved_meanwhile_leave_every_file_as_it_was(vault, monkeypatch, command):
    from vaultnet.edit.noteedit import NoteEditor

    anna = vault.write("Anna", "---\nname: Anna\n---\n")
    vault.write("Bert", "---\nname: Bert\n---\n")
    real = NoteEditor.add_log

    def log_then_someone_saves(self, day, text):
        real(self, day, text)
        if self.path == "People/Bert.md":  # while vaultnet holds the locks, an editor saves Anna
            anna.write_bytes(anna.read_bytes() + b"typed meanwhile\n")

    monkeypatch.setattr(NoteEditor, "add_log", log_then_someone_saves)
    result = run(vault, *command)
    assert result.exit_code == 1 and "People/Anna.md: changed on disk" in result.output, result.output
    assert vault.read("Anna") == b"---\nname: Anna\n---\ntyped meanwhile\n"  # only the other editor's save
    assert vault.read("Bert") == b"---\nname: Bert\n---\n"
    assert vault.names() == ["Anna", "Bert"]


def test_an_outcome_of_an_introduction_the_notes_do_not_hold_is_noted(vault):
    vault.write("Ann Lee", "---\nname: Ann Lee\n---\n")
    vault.write("Bob", "---\nname: Bob\n---\n")
    result = run(vault, "intro", "ann", "bob", "--outcome", "they hired him")
    assert result.exit_code == 0
    assert "note: the notes record no introduction of Ann Lee and Bob; to record it: vaultnet intro 'Ann Lee' Bob --date" in result.output
    assert run(vault, "intro", "ann", "bob", "--date", "2026-11-01").exit_code == 0
    result = run(vault, "intro", "bob", "ann", "--outcome", "a second job")
    assert result.exit_code == 0 and "note:" not in result.output, result.output


def test_merge_removes_no_note_through_a_symbolic_link(vault):
    vault.write("Jane Doe", "---\nname: Jane Doe\n---\n")
    (vault.root / "Notes").mkdir()
    (vault.root / "Notes" / "jd.md").write_bytes(b"---\nname: J Doe\n---\nbody\n")
    (vault.people / "J Doe.md").symlink_to("../Notes/jd.md")
    before = vault.snapshot()
    result = run(vault, "merge", "jane", "j doe")
    assert result.exit_code == 1, result.output
    assert "People/J Doe.md: is a symbolic link to Notes/jd.md; vaultnet removes no note through a link" in result.output
    assert vault.snapshot() == before and (vault.people / "J Doe.md").is_symlink()


def test_renaming_to_an_alias_moves_it_from_the_aliases_to_the_name(vault):
    vault.write("Jane Doe", "---\nname: Jane Doe\naliases: [JD, Janie]\n---\n")
    result = run(vault, "rename", "jane doe", "Janie")
    assert result.exit_code == 0 and "alias 'Janie' is the name now; removed from aliases" in result.output, result.output
    assert vault.read("Janie") == b"---\nname: Janie\naliases: [JD, Jane Doe]\n---\n"
    vault.write("Bo", "---\naliases:\n  - bobby\n---\n")
    assert run(vault, "rename", "bo", "Bobby").exit_code == 0
    assert vault.read("Bobby") == b"---\naliases:\n  - Bo\n---\n"


@pytest.mark.parametrize("empty", ['""', "null", "~", "''"])
def test_an_item_added_to_a_list_field_holding_nothing_replaces_the_nothing(vault, empty):
    vault.write("Ann", f"---\nrole: x\ntags: {empty}  # none yet\n---\n")
    assert run(vault, "tag", "ann", "vip").exit_code == 0
    assert vault.read("Ann") == b"---\nrole: x\ntags:  # none yet\n  - vip\n---\n"
    vault.write("Bo", f"---\naliases: [B]\ntags: {empty}\n---\n")  # a note that writes its lists [a, b]
    assert run(vault, "tag", "bo", "vip").exit_code == 0
    assert vault.read("Bo") == b"---\naliases: [B]\ntags: [vip]\n---\n"
    assert vault.person("Bo").tags == ("vip",)


def test_notes_that_name_the_person_without_a_link_do_not_stop_a_rename(vault):
    vault.write("Jane Doe", "---\nname: Jane Doe\n---\n")
    mid_merge = vault.root / "2026-11-01.md"
    mid_merge.write_bytes(b"<<<<<<< HEAD\nlunch with Jane Doe\n=======\nlunch with jane\n>>>>>>> other\n")
    anchors = vault.root / "2026-11-02.md"
    anchors.write_bytes(b"---\na: &x 1\nb: *x\n---\nJane Doe said hi\n")
    linking = vault.root / "2026-11-03.md"
    linking.write_bytes(b"<<<<<<< HEAD\n[[Jane Doe]]\n=======\n>>>>>>> other\n")
    result = run(vault, "rename", "jane", "Jane Smith")
    assert result.exit_code == 1 and "2026-11-03.md: line 1: holds git conflict markers" in result.output  # it links: refused
    linking.unlink()
    before = {p: p.read_bytes() for p in (mid_merge, anchors)}
    result = run(vault, "rename", "jane", "Jane Smith")
    assert result.exit_code == 0 and "no links to change" in result.output, result.output
    assert {p: p.read_bytes() for p in (mid_merge, anchors)} == before


def test_merge_across_folders_keeps_every_markdown_link_leading_where_it_led(vault):
    vault.config('link_style = "markdown"\n')
    vault.write("Jane Doe", "---\nname: Jane Doe\n---\n# Jane Doe\n")
    vault.write("Bob", "---\nname: Bob\n---\n")
    vault.write("Archive/J Doe", (
        "---\nname: J Doe\nintroduced_by: \"[Bob](../Bob.md)\"\n---\n"
        "See [Bob](../Bob.md), [me](J%20Doe.md#Log) and `[code](../Bob.md)`.\n\n## Log\n- 2026-10-01 call with [Bob](../Bob.md)\n"
    ))
    (vault.root / "Daily").mkdir()
    daily = vault.root / "Daily" / "2026-11-01.md"
    daily.write_text("[J](../People/Archive/J%20Doe.md) [[Archive/J Doe|J]] [[J Doe]]\n", encoding="utf-8")
    result = run(vault, "merge", "jane", "j doe")
    assert result.exit_code == 0, result.output
    assert "introduced_by: [Bob](Bob.md)" in result.output
    assert vault.read("Jane Doe").decode() == (
        "---\nname: Jane Doe\naliases:\n  - J Doe\nintroduced_by: \"[Bob](Bob.md)\"\n---\n# Jane Doe\n\n## Log\n\n"
        "- 2026-10-01 call with [Bob](Bob.md)\n\n## From J Doe (merged 2026-11-23)\n\n"
        "See [Bob](Bob.md), [me](Jane%20Doe.md#Log) and `[code](../Bob.md)`.\n"
    )
    assert daily.read_text(encoding="utf-8") == "[J](../People/Jane%20Doe.md) [[People/Jane Doe|J]] [[Jane Doe]]\n"


def test_a_new_name_with_a_colon_or_hash_is_quoted_where_a_plain_yaml_value_holds_the_link(vault):
    vault.write("Cy", "---\nname: Cy\n---\n")
    vault.write("Bob", (
        "---\nhelped:\n  - 2026-11-20 introduced to [[Cy|Cy]]\n  - 2026-11-21 met [[Cy|Cy]]: why\n"
        "related: plain [[Cy]] text\nintroduced_by: '[[Cy|Cy]]'\n---\n"
    ))
    result = run(vault, "rename", "cy", "Cy: the #1")
    assert result.exit_code == 0, result.output
    stem = vault.names()[1] if vault.names()[0] == "Bob" else vault.names()[0]
    assert vault.read("Bob").decode() == (
        f"---\nhelped:\n  - \"2026-11-20 introduced to [[{stem}|Cy: the #1]]\"\n  - \"2026-11-21 met [[{stem}|Cy: the #1]]\": why\n"
        f"related: plain [[{stem}]] text\nintroduced_by: '[[{stem}|Cy: the #1]]'\n---\n"
    )
    bob = vault.person("Bob")
    assert bob.helped[0].text == f"introduced to [[{stem}|Cy: the #1]]"


def test_merge_run_again_says_it_is_merged_already(vault):
    vault.write("Jane Doe", "---\nname: Jane Doe\n---\n")
    vault.write("J Doe", "---\nname: J Doe\n---\n")
    assert run(vault, "merge", "jane doe", "j doe").exit_code == 0
    before = vault.snapshot()
    again = run(vault, "merge", "jane doe", "j doe")
    assert again.exit_code == 0, again.output
    assert "'j doe' is an alias of Jane Doe (People/Jane Doe.md): merged already; nothing changed" in again.output
    assert vault.snapshot() == before
    same = run(vault, "merge", "jane doe", "jane doe")  # one note named twice is still a mistake
    assert same.exit_code == 2 and "a merge needs two different notes" in same.output
