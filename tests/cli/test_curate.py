"""Curating notes from the command line (set, unset, the list commands, snooze clear, log with
several people, met), run through the real CLI on real notes in temporary vaults."""

from __future__ import annotations

import json
import os

import pytest

CONFLICT = "---\nlast_contact: 2026-01-01\n---\n<<<<<<< ours\n- a\n=======\n- b\n>>>>>>> theirs\n"


def unchanged(vault, result, code: int | None = None, before: dict | None = None):
    """The command failed (with ``code`` when given) and no file of the vault changed."""
    assert result.exit_code != 0, result.output
    if code is not None:
        assert result.exit_code == code, result.output
    if before is not None:
        assert vault.snapshot() == before


# --- set and unset --------------------------------------------------------------------------------


def test_set_changes_only_the_line_of_the_field(vault):
    note = "---\n# who\norg: Acme   # since 2024\nrole: 'CTO'\ncircle: close\n---\n# Ann\n\nBody.\n"
    vault.write("Ann", note, dedent=False)
    result = vault.run("set", "ann", "circle", "inner")
    assert result.exit_code == 0, result.output
    assert "circle: close → inner" in result.stdout
    assert vault.read("Ann").decode() == note.replace("circle: close", "circle: inner")
    vault.run("set", "ann", "org", "[[Northlight]]")
    vault.run("set", "ann", "role", "General Partner")
    assert vault.read("Ann").decode() == (
        "---\n# who\norg: \"[[Northlight]]\"   # since 2024\nrole: General Partner\ncircle: inner\n---\n# Ann\n\nBody.\n"
    )


def test_set_adds_a_missing_field_at_the_end_of_the_front_matter_and_keeps_crlf_and_bom(vault):
    vault.write("Ann", b"\xef\xbb\xbf---\r\nrole: CTO\r\n---\r\n# Ann\r\n")
    for args in (("cadence", "2w"), ("follow-up", "2026-12-01"), ("met", "2026-01-02"), ("met_at", "Web Summit: Lisbon"),
                 ("birthday", "--", "--03-14"), ("last_contact", "2026-11-01")):
        result = vault.run("set", "ann", *args)
        assert result.exit_code == 0, result.output
    assert vault.read("Ann") == (
        b"\xef\xbb\xbf---\r\nrole: CTO\r\ncadence: 2w\r\nfollow_up: 2026-12-01\r\nmet: 2026-01-02\r\n"
        b"met_at: \"Web Summit: Lisbon\"\r\nbirthday: --03-14\r\nlast_contact: 2026-11-01\r\n---\r\n# Ann\r\n"
    )
    shown = json.loads(vault.run("show", "ann", "--json").stdout)
    assert shown["cadence"] == "2w" and shown["met_at"] == "Web Summit: Lisbon" and shown["follow_up"] == "2026-12-01"


def test_set_the_same_value_changes_nothing(vault):
    vault.write("Ann", "---\nmet: '2026-01-02'\n---\n")
    result = vault.run("set", "ann", "met", "2026-01-02")
    assert result.exit_code == 0 and "already 2026-01-02; nothing changed" in result.stdout
    assert vault.read("Ann") == b"---\nmet: '2026-01-02'\n---\n"


def test_set_introduced_by_links_a_person_of_the_vault(vault):
    vault.write("Ann", "---\n---\n")
    vault.write("Bob Lee", "---\n---\n")
    assert vault.run("set", "ann", "introduced_by", "bob").exit_code == 0
    assert vault.read("Ann") == b'---\nintroduced_by: "[[Bob Lee]]"\n---\n'
    result = vault.run("set", "ann", "introduced_by", "Carla Diaz")
    assert "not in the vault; kept as plain text" in result.stdout
    assert vault.read("Ann") == b"---\nintroduced_by: Carla Diaz\n---\n"


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("cadence", "fortnightly", ["cadence", "fortnightly"]),
        ("cadence", "0d", ["cadence", "0 days"]),
        ("met", "2026-02-30", ["met", "2026-02-30"]),
        ("met", "2026-11-24", ["future"]),
        ("last_contact", "2027-01-01", ["future"]),
        ("follow_up", "2026-11-22", ["past", "vaultnet log"]),
        ("follow_up", "2w", ["YYYY-MM-DD", "vaultnet snooze PERSON 2w"]),
        ("birthday", "13-40", ["birthday"]),
        ("circle", "networkk", ["networkk", "Did you mean 'network'", "--new-circle", "close, inner, network"]),
        ("name", "Ann B", ["rename"]),
        ("archived", "2026-01-01", ["vaultnet archive"]),
        ("tags", "x", ["vaultnet tag"]),
        ("needs", "x", ["vaultnet need"]),
        ("helped", "x", ["vaultnet helped"]),
        ("cadance", "2w", ["Did you mean 'cadence'"]),
        ("org", "   ", ["empty", "unset"]),
    ],
)
def test_set_refuses_what_the_reader_would_not_read(vault, field, value, words):
    vault.write("Ann", "---\ncircle: close\n---\n")
    before = vault.snapshot()
    result = vault.run("set", "ann", field, value)
    unchanged(vault, result, code=2, before=before)
    for word in words:
        assert word in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_a_new_circle_needs_the_flag_unless_someone_is_in_it(vault):
    vault.write("Ann", "---\n---\n")
    vault.write("Bob", "---\ncircle: Board\n---\n")
    assert vault.run("set", "ann", "circle", "advisors").exit_code == 2
    assert vault.run("set", "ann", "circle", "advisors", "--new-circle").exit_code == 0
    assert vault.run("set", "bob", "circle", "board").exit_code == 0  # in use, in any case
    assert vault.read("Ann") == b"---\ncircle: advisors\n---\n"
    assert vault.run("set", "ann", "circle", "INNER").exit_code == 0  # written as the vault spells it
    assert vault.read("Ann") == b"---\ncircle: inner\n---\n"


def test_unset_removes_the_field_and_its_lines(vault):
    vault.write("Ann", "---\nfollow_up: 2026-12-01 # after the trip\nneeds:\n  - a\n  - b\nrole: CTO\n---\nBody\n")
    assert vault.run("unset", "ann", "follow_up").exit_code == 0
    assert vault.run("unset", "ann", "needs").exit_code == 0
    assert vault.read("Ann") == b"---\nrole: CTO\n---\nBody\n"
    result = vault.run("unset", "ann", "org")
    assert result.exit_code == 0 and "has no 'org'; nothing changed" in result.stdout
    assert result.stdout.count("Ann") <= 1, result.stdout  # the name once, not "Ann: Ann has no"
    result = vault.run("unset", "ann", "name")
    assert result.exit_code == 2 and "rename" in result.stderr


# --- list items -----------------------------------------------------------------------------------


def test_list_items_are_added_and_removed_in_the_lists_own_style(vault):
    note = (
        "---\n"
        "tags: [ founder, 'climate' ]  # keep\n"
        "offers:\n"
        "    - intros   # warm ones\n"
        "    - \"advice: pricing\"\n"
        "aliases: [Annie]\n"
        "---\n"
        "# Ann\n"
    )
    vault.write("Ann", note, dedent=False)
    for args in (("tag", "ann", "#vip"), ("offer", "ann", "board", "seats"), ("alias", "ann", "A. B.")):
        result = vault.run(*args)
        assert result.exit_code == 0, result.output
    assert vault.read("Ann").decode() == (
        "---\n"
        "tags: [ founder, 'climate', vip ]  # keep\n"
        "offers:\n"
        "    - intros   # warm ones\n"
        "    - \"advice: pricing\"\n"
        "    - board seats\n"
        "aliases: [Annie, A. B.]\n"
        "---\n"
        "# Ann\n"
    )
    for args in (("tag", "ann", "--remove", "CLIMATE"), ("offer", "ann", "--remove", "Advice: pricing"),
                 ("alias", "ann", "--remove", "annie")):
        result = vault.run(*args)
        assert result.exit_code == 0, result.output
    assert vault.read("Ann").decode() == (
        "---\n"
        "tags: [ founder, vip ]  # keep\n"
        "offers:\n"
        "    - intros   # warm ones\n"
        "    - board seats\n"
        "aliases: [A. B.]\n"
        "---\n"
        "# Ann\n"
    )
    assert vault.person("Ann").tags == ("founder", "vip") and vault.person("Ann").aliases == ("A. B.",)


def test_removing_the_last_item_leaves_the_key_in_its_style(vault):
    vault.write("Ann", "---\ntags: [vip]\nneeds:\n  - 2026-01-01 a CFO\nrole: CTO\n---\n")
    assert vault.run("tag", "ann", "--remove", "vip").exit_code == 0
    assert vault.run("need", "ann", "--remove", "a cfo").exit_code == 0
    assert vault.read("Ann") == b"---\ntags: []\nneeds:\nrole: CTO\n---\n"
    vault.run("tag", "ann", "friend")
    vault.run("need", "ann", "a designer")
    assert vault.read("Ann") == b"---\ntags: [friend]\nneeds:\n  - 2026-11-23 a designer\nrole: CTO\n---\n"


def test_an_item_already_there_is_not_added_twice(vault):
    vault.write("Ann", "---\ntags: [VIP]\nemail: ann@x.org\n---\n")
    before = vault.snapshot()
    for args, word in ((("tag", "ann", "#vip"), "tag 'VIP' is already there"),
                       (("email", "ann", "ANN@X.ORG"), "already there")):
        result = vault.run(*args)
        assert result.exit_code == 0 and word in result.stdout and "nothing changed" in result.stdout
    assert vault.snapshot() == before


def test_removing_an_item_that_is_not_there_says_what_is(vault):
    vault.write("Ann", "---\noffers: [intros, advice]\n---\n")
    before = vault.snapshot()
    result = vault.run("offer", "ann", "--remove", "money")
    unchanged(vault, result, code=1, before=before)
    assert "People/Ann.md" in result.stderr and "'money'" in result.stderr and "intros; advice" in result.stderr


def test_a_need_is_dated_and_a_repeated_need_is_reconfirmed(vault):
    vault.write("Ann", "---\nneeds:\n  - 2026-01-05 a fractional CFO\n  - intros to utilities\n---\n")
    result = vault.run("need", "ann", "A", "fractional", "CFO")
    assert result.exit_code == 0 and "re-confirmed: 2026-11-23 a fractional CFO" in result.stdout
    result = vault.run("need", "ann", "intros to utilities")
    assert "re-confirmed" in result.stdout
    vault.run("need", "ann", "a designer")
    assert vault.read("Ann") == (
        b"---\nneeds:\n  - 2026-11-23 a fractional CFO\n  - 2026-11-23 intros to utilities\n  - 2026-11-23 a designer\n---\n"
    )
    result = vault.run("need", "ann", "a designer")
    assert "confirmed today; nothing changed" in result.stdout
    assert vault.run("need", "ann", "--remove", "A Designer").exit_code == 0
    assert b"designer" not in vault.read("Ann")


def test_a_single_email_becomes_a_list_in_the_notes_style(vault):
    vault.write("Block", "---\nemail: a@x.org  # work\nneeds:\n  - x\n---\n")
    vault.write("Flow", "---\nemail: a@y.org\ntags: [vip]\n---\n")
    assert vault.run("email", "block", "b@x.org").exit_code == 0
    assert vault.run("email", "flow", "b@y.org").exit_code == 0
    assert vault.read("Block") == b"---\nemail:  # work\n  - a@x.org\n  - b@x.org\nneeds:\n  - x\n---\n"
    assert vault.read("Flow") == b"---\nemail: [a@y.org, b@y.org]\ntags: [vip]\n---\n"
    assert vault.run("email", "flow", "--remove", "A@Y.org").exit_code == 0
    assert vault.read("Flow") == b"---\nemail: [b@y.org]\ntags: [vip]\n---\n"


def test_a_phone_number_keeps_its_digits_and_is_compared_by_them(vault):
    vault.write("Ann", "---\nphone: [+49 30 1234]\n---\n")
    assert vault.run("phone", "ann", "0301234").exit_code == 0
    assert vault.read("Ann") == b'---\nphone: [+49 30 1234, "0301234"]\n---\n'
    assert "already there" in vault.run("phone", "ann", "+4930-1234").stdout
    assert vault.run("phone", "ann", "--remove", "030 1234").exit_code == 0
    assert vault.read("Ann") == b"---\nphone: [+49 30 1234]\n---\n"


def test_an_email_another_person_has_is_refused_unless_shared(vault):
    vault.write("Ann", "---\n---\n")
    vault.write("Vera Lind", "---\nemail: vera@lind.se\n---\n")
    before = vault.snapshot()
    result = vault.run("email", "ann", "VERA@lind.se")
    unchanged(vault, result, code=2, before=before)
    assert "Vera Lind (People/Vera Lind.md)" in result.stderr and "--shared" in result.stderr
    assert vault.run("email", "ann", "VERA@lind.se", "--shared").exit_code == 0
    assert vault.read("Ann") == b"---\nemail: VERA@lind.se\n---\n"


@pytest.mark.parametrize("args, word", [
    (("tag", "ann", "#"), "needs a name"),
    (("tag", "ann", "two words"), "two-words"),
    (("email", "ann", "not-an-address"), "does not look like an email"),
    (("offer", "ann", "  "), "empty"),
])
def test_list_items_that_are_no_items_are_refused(vault, args, word):
    vault.write("Ann", "---\ntags: [a]\n---\n")
    before = vault.snapshot()
    result = vault.run(*args)
    unchanged(vault, result, code=2, before=before)
    assert word in result.stderr


def test_tags_written_as_one_text_are_not_misread(vault):
    vault.write("Ann", "---\ntags: founder climate\n---\n")
    before = vault.snapshot()
    result = vault.run("tag", "ann", "vip")
    unchanged(vault, result, before=before)
    assert "People/Ann.md" in result.stderr and "as a list" in result.stderr


def test_an_edit_refuses_a_note_holding_conflict_markers(vault):
    vault.write("Ann", CONFLICT)
    before = vault.snapshot()
    result = vault.run("tag", "ann", "vip")
    unchanged(vault, result, before=before)
    assert "conflict markers" in result.stderr


# --- snooze ---------------------------------------------------------------------------------------


def test_snooze_clear_removes_the_follow_up(vault):
    vault.write("Ann", "---\nfollow_up: 2026-12-01\ncircle: close\n---\n")
    result = vault.run("snooze", "ann", "clear")
    assert result.exit_code == 0 and "follow-up 2026-12-01 cleared" in result.stdout
    assert vault.read("Ann") == b"---\ncircle: close\n---\n"
    result = vault.run("snooze", "ann", "clear")
    assert result.exit_code == 0 and "no follow-up date; nothing changed" in result.stdout


def test_snooze_none_and_a_past_date_say_what_to_do_instead(vault):
    vault.write("Ann", "---\ncircle: close\n---\n")
    before = vault.snapshot()
    result = vault.run("snooze", "ann", "none")
    unchanged(vault, result, code=2, before=before)
    assert "vaultnet set ann cadence none" in result.stderr and "vaultnet snooze ann clear" in result.stderr
    result = vault.run("snooze", "ann", "2020-01-01")
    unchanged(vault, result, code=2, before=before)
    assert "in the past" in result.stderr and "vaultnet log ann --date 2020-01-01" in result.stderr
    assert vault.run("snooze", "ann", "2026-11-23").exit_code == 0  # today is fine


# --- several people at once -------------------------------------------------------------------------


def test_log_with_text_records_one_contact_on_every_note(vault):
    vault.write("Anna Berg", "---\nfollow_up: 2026-11-20\n---\n# Anna\n\n## Log\n* 2026-01-02 call\n")
    vault.write("José Ruiz", "---\nlast_contact: 2026-11-01\n---\n")
    result = vault.run("log", "anna", "jose", "--text", "robotics roundtable")
    assert result.exit_code == 0, result.output
    assert vault.read("Anna Berg") == b"---\nlast_contact: 2026-11-23\n---\n# Anna\n\n## Log\n* 2026-01-02 call\n* 2026-11-23 robotics roundtable\n"
    assert vault.read("José Ruiz") == b"---\nlast_contact: 2026-11-23\n---\n## Log\n\n- 2026-11-23 robotics roundtable\n"
    assert "Anna Berg: follow-up of 2026-11-20 done and cleared" in result.stdout


def test_log_without_text_keeps_its_old_meaning(vault):
    vault.write("Anna Berg", "---\n---\n")
    vault.write("José Ruiz", "---\n---\n")
    assert vault.run("log", "anna", "jose", "robotics", "roundtable").exit_code == 0
    assert vault.read("Anna Berg").endswith(b"- 2026-11-23 jose robotics roundtable\n")
    assert vault.read("José Ruiz") == b"---\n---\n"
    result = vault.run("log", "anna")
    assert result.exit_code == 2 and "--text" in result.stderr


@pytest.mark.parametrize("spoil", ["conflict", "read-only"])
def test_log_with_several_people_writes_all_or_nothing(vault, spoil):
    vault.write("Anna", "---\n---\n")
    bad = vault.write("Bert", CONFLICT if spoil == "conflict" else "---\n---\n")
    if spoil == "read-only":
        os.chmod(bad, 0o444)
    before = vault.snapshot()
    result = vault.run("log", "anna", "bert", "--text", "lunch")
    unchanged(vault, result, before=before)
    assert "People/Bert.md" in result.stderr


def test_log_refuses_an_ambiguous_or_repeated_name(vault):
    vault.write("Anna Berg", "---\n---\n")
    vault.write("Anna Lind", "---\n---\n")
    before = vault.snapshot()
    result = vault.run("log", "anna", "--text", "lunch")
    unchanged(vault, result, code=2, before=before)
    assert "Anna Berg" in result.stderr and "Anna Lind" in result.stderr
    result = vault.run("log", "berg", "anna berg", "--text", "lunch")
    unchanged(vault, result, code=2, before=before)
    assert "both mean Anna Berg" in result.stderr


def test_met_logs_the_known_and_adds_the_new(vault):
    vault.write("Anna Berg", "---\nlast_contact: 2026-01-01\n---\n")
    before = vault.snapshot()
    result = vault.run("met", "Robotics Roundtable", "anna", "Maria Rossi", "--date", "2026-11-20", "--dry-run")
    assert result.exit_code == 0 and vault.snapshot() == before
    assert "would log 2026-11-20 met at Robotics Roundtable: Anna Berg" in result.stdout
    assert "would add People/Maria Rossi.md" in result.stdout
    result = vault.run("met", "Robotics Roundtable", "anna", "Maria Rossi", "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert vault.read("Anna Berg") == b"---\nlast_contact: 2026-11-20\n---\n## Log\n\n- 2026-11-20 met at Robotics Roundtable\n"
    maria = vault.person("Maria Rossi")
    assert str(maria.met) == "2026-11-20" and maria.met_at == "Robotics Roundtable" and maria.last_contact is None
    # the same note `add` makes
    vault.run("add", "Sam Lee", "--met", "2026-11-20", "--met-at", "Robotics Roundtable")
    assert vault.read("Sam Lee") == vault.read("Maria Rossi").replace(b"Maria Rossi", b"Sam Lee")


def test_met_new_makes_a_note_for_a_name_that_looks_like_someone(vault):
    vault.write("Jonas Weber", "---\n---\n")
    result = vault.run("met", "Demo day", "--new", "Jo")
    assert result.exit_code == 0 and vault.names() == ["Jo", "Jonas Weber"]
    assert vault.read("Jonas Weber") == b"---\n---\n"


@pytest.mark.parametrize("spoil", ["conflict", "read-only"])
def test_met_writes_all_or_nothing(vault, spoil):
    vault.write("Anna", "---\n---\n")
    bad = vault.write("Bert", CONFLICT if spoil == "conflict" else "---\n---\n")
    if spoil == "read-only":
        os.chmod(bad, 0o444)
    before = vault.snapshot()
    result = vault.run("met", "Expo", "anna", "bert", "Carla New")
    unchanged(vault, result, before=before)
    assert "People/Bert.md" in result.stderr and vault.names() == ["Anna", "Bert"]


def test_met_refuses_an_ambiguous_name_a_future_date_and_no_people(vault):
    vault.write("Anna Berg", "---\n---\n")
    vault.write("Anna Lind", "---\n---\n")
    before = vault.snapshot()
    result = vault.run("met", "Expo", "anna", "Carla")
    unchanged(vault, result, code=2, before=before)
    assert "Anna Berg" in result.stderr and "Anna Lind" in result.stderr and "--new" in result.stderr
    result = vault.run("met", "Expo", "Carla", "--date", "2026-12-01")
    unchanged(vault, result, code=2, before=before)
    assert "future" in result.stderr
    assert vault.run("met", "Expo").exit_code == 2


# --- add's guards -----------------------------------------------------------------------------------


def test_add_refuses_an_unknown_circle_unless_new(vault):
    before = vault.snapshot()
    result = vault.run("add", "Ann", "--circle", "networkk")
    unchanged(vault, result, code=2, before=before)
    assert "Did you mean 'network'" in result.stderr and "--new-circle" in result.stderr
    assert vault.run("add", "Ann", "--circle", "advisors", "--new-circle").exit_code == 0
    assert vault.run("add", "Bob", "--circle", "Advisors").exit_code == 0  # Ann is in it now


def test_add_refuses_a_future_met_and_an_empty_name(vault):
    before = vault.snapshot()
    result = vault.run("add", "Ann", "--met", "2027-01-01")
    unchanged(vault, result, code=2, before=before)
    assert "--met" in result.stderr and "future" in result.stderr
    result = vault.run("add", "   ")
    unchanged(vault, result, code=2, before=before)
    assert "the name is empty" in result.stderr


def test_add_refuses_an_email_someone_has(vault):
    vault.write("Vera Lind", "---\nemail: [vera@lind.se]\n---\n")
    before = vault.snapshot()
    result = vault.run("add", "V. Lind", "--email", "VERA@lind.se")
    unchanged(vault, result, code=2, before=before)
    assert "Vera Lind (People/Vera Lind.md)" in result.stderr and "--shared-email" in result.stderr
    assert vault.run("add", "V. Lind", "--email", "VERA@lind.se", "--shared-email").exit_code == 0


def test_add_outside_any_vault_refuses(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from vaultnet.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VAULTNET_VAULT", raising=False)
    result = CliRunner().invoke(main, ["add", "Ann"])
    assert result.exit_code == 2 and "vaultnet init" in result.stderr and "--vault" in result.stderr
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "People").mkdir()  # a people folder here is a vault without a config
    assert CliRunner().invoke(main, ["add", "Ann"]).exit_code == 0
    assert (tmp_path / "People" / "Ann.md").is_file()


def test_a_value_starting_with_a_dash_gets_a_hint(vault):
    result = vault.run("add", "-Jane")
    assert result.exit_code == 2 and "No such option" in result.stderr
    assert "put -- before it" in result.stderr and "vaultnet add -- -Jane" in result.stderr
    assert vault.run("add", "--", "-Jane").exit_code == 0
    result = vault.run("add", "--circel", "x", "Bob")
    assert "Did you mean" in result.stderr and "put --" not in result.stderr


def test_list_edits_keep_crlf_bom_and_quoting(vault):
    vault.write("Ann", b"\xef\xbb\xbf---\r\ntags: ['a', \"b\"]\r\nneeds:\r\n  - \"2026-01-01 a CFO: part-time\"\r\n  - 'x'\r\n---\r\nBody\r\n")
    assert vault.run("need", "ann", "a cfo: part-time").exit_code == 0
    assert vault.run("tag", "ann", "--remove", "a").exit_code == 0
    assert vault.run("need", "ann", "--remove", "x").exit_code == 0
    assert vault.run("tag", "ann", "c").exit_code == 0
    assert vault.read("Ann") == (
        b"\xef\xbb\xbf---\r\ntags: [\"b\", c]\r\nneeds:\r\n  - \"2026-11-23 a CFO: part-time\"\r\n---\r\nBody\r\n"
    )


def test_unset_takes_the_singular_of_a_list(vault):
    vault.write("Ann", "---\nalias: [A]\ntags: [x]\n---\n")
    assert vault.run("unset", "ann", "alias").exit_code == 0
    assert vault.run("unset", "ann", "tag").exit_code == 0
    assert vault.read("Ann") == b"---\n---\n"


def test_a_date_typed_before_a_need_is_the_confirmation_and_becomes_today(vault):
    vault.write("Ann", "---\nneeds: [2026-01-05 a CFO]\n---\n")
    result = vault.run("need", "ann", "2026-02-01 a cfo")
    assert result.exit_code == 0 and "re-confirmed" in result.stdout
    assert vault.read("Ann") == b"---\nneeds: [2026-11-23 a CFO]\n---\n"
    assert vault.run("need", "ann", "2026-02-30 x").exit_code == 2


def test_met_refuses_one_new_name_twice(vault):
    before = vault.snapshot()
    result = vault.run("met", "Expo", "Maria Rossi", "maria  rossi")
    unchanged(vault, result, code=2, before=before)
    assert "named twice" in result.stderr
