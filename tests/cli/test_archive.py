"""Archived people, notes that are not people, and the first follow-up after meeting someone.

Everything runs the real CLI on real notes in a temporary vault; the calendar is read back
with icalendar.
"""

from __future__ import annotations

import json

import icalendar
import pytest

from vaultnet.load import store

TODAY = "2026-11-23"


@pytest.fixture
def settled(monkeypatch):
    """Notes count as settled at once (no racy window), so a second run is served by the roster."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)


def due_names(vault, *args) -> list[str]:
    return [d["name"] for d in json.loads(vault.run("due", "--within", "1y", "--json", *args).stdout)]


def served_by_roster(vault, monkeypatch, *args):
    with monkeypatch.context() as patch:
        patch.setenv("VAULTNET_CACHE_STATS", "1")
        result = vault.run(*args)
    return result, "from the roster" in result.stderr


def calendar_summaries(vault) -> list[str]:
    feed = icalendar.Calendar.from_ical((vault.root / "followups.ics").read_bytes())
    return [str(event["SUMMARY"]) for event in feed.walk("VEVENT")]


# --- notes in the people folder that are not people -----------------------------------------------


NOT_PEOPLE = {
    "README": "---\nvaultnet: ignore\n---\nHow this folder works.\n",
    "Templates/Person": "---\ntype: template\nname: {{title}}\ncreated: {{date}}\ntags: [people]\n---\n## Log\n",
    "People MOC": "---\ntype: moc\n---\n# Everyone\n- [[Ann]]\n",
    "Map": "---\ntype: \"[[Maps]]\"\n---\n",
}


def test_notes_that_say_they_are_not_people_are_left_out_of_everything(vault, settled, monkeypatch):
    vault.write("Ann", "---\nlast_contact: 2026-11-20\n---\n")
    vault.write("Typed", "---\ntype: person\n---\n")  # a person's own type keeps them a person
    vault.write("Linked", "---\ntype: \"[[People]]\"\n---\n")
    vault.write("Listed", "---\ntype: [contact, meeting]\n---\n")
    vault.write("Client", "---\ntype: client\n---\n")  # a kind of person: kept, never dropped unseen
    for name, text in NOT_PEOPLE.items():
        vault.write(name, text, dedent=False)
    first = vault.run("due")
    assert first.exit_code == 0 and first.stderr == ""
    assert due_names(vault) == ["Client", "Linked", "Listed", "Typed", "Ann"]
    for command in (("list", "--all"), ("stats",), ("match",)):
        result = vault.run(*command)
        assert result.exit_code == 0 and result.stderr == "", command
        for name in ("README", "Person", "People MOC", "Map", "{{title}}"):
            assert name not in result.stdout, (command, name)
    assert "People: 5" in vault.run("stats").stdout
    # Served warm from the roster: still nobody of them, and not a word on stderr.
    warm, used = served_by_roster(vault, monkeypatch, "due")
    assert used and warm.stdout == first.stdout
    assert [line for line in warm.stderr.splitlines() if not line.startswith("vaultnet cache:")] == []


def test_check_names_each_note_that_is_not_a_person_once_as_info(vault):
    vault.write("Ann", "---\nlast_contact: 2026-11-20\n---\n")
    for name, text in NOT_PEOPLE.items():
        vault.write(name, text, dedent=False)
    result = vault.run("check", "--strict")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("not-a-person") == 4
    assert "People/README.md\n  info: not a person note (vaultnet: ignore)" in result.stdout
    assert "People/Templates/Person.md\n  info: not a person note (type: template)" in result.stdout
    assert "(type: moc)" in result.stdout and "(type: maps)" in result.stdout
    assert result.stdout.rstrip().endswith("All 5 notes look fine. (4 notes not a person, left out.)")
    data = json.loads(vault.run("check", "--json").stdout)
    assert data["errors"] == 0 and data["warnings"] == 0
    assert sorted(f["path"] for f in data["findings"] if f["severity"] == "info") == [
        "People/Map.md", "People/People MOC.md", "People/README.md", "People/Templates/Person.md"]


def test_looking_up_a_note_that_is_not_a_person_says_why(vault):
    vault.write("Ann", "---\nlast_contact: 2026-11-20\n---\n")
    vault.write("People MOC", NOT_PEOPLE["People MOC"], dedent=False)
    result = vault.run("show", "People MOC")
    assert result.exit_code == 2
    assert "People/People MOC.md: not a person note (type: moc)" in result.stderr


def test_a_note_that_stops_being_a_person_leaves_the_roster_too(vault, settled, monkeypatch):
    vault.write("Ann", "---\nlast_contact: 2026-11-20\n---\n")
    vault.write("Bo", "---\nmet: 2026-01-01\n---\n")
    assert due_names(vault) == ["Bo", "Ann"]
    vault.write("Bo", "---\nmet: 2026-01-01\nvaultnet: ignore\n---\n")
    assert due_names(vault) == ["Ann"]
    warm, used = served_by_roster(vault, monkeypatch, "due", "--within", "1y")
    assert used and "Ann" in warm.stdout and "Bo" not in warm.stdout


# --- archived people ---------------------------------------------------------------------------------


def archive_vault(vault):
    vault.write("Ann", "---\nlast_contact: 2026-08-01\nneeds: [a fractional CFO, design help]\nbirthday: 1980-12-01\n---\n")
    vault.write("Old", """\
        ---
        last_contact: 2026-01-01
        offers: [fractional CFO work]
        needs: [a designer]
        birthday: 1975-12-02
        introduced_by: "[[Ann]]"
        archived: 2026-06-01
        ---
        """)
    vault.write("Flag", "---\nlast_contact: 2025-01-01\narchived: true\noffers: [design work]\n---\n")
    vault.write("Archive/Gone", "---\nlast_contact: 2024-01-01\nbirthday: --12-03\n---\n")
    vault.write("Bea", "---\nlast_contact: 2026-11-01\noffers: [design help]\n---\n")


def test_archived_people_are_not_due_cold_or_warm(vault, settled, monkeypatch):
    archive_vault(vault)
    assert due_names(vault) == ["Ann", "Bea"]
    plain, used = served_by_roster(vault, monkeypatch, "due", "--within", "1y")
    assert used and "Old" not in plain.stdout and "Gone" not in plain.stdout and "Flag" not in plain.stdout


def test_archived_people_leave_the_calendar_and_the_follow_ups(vault):
    archive_vault(vault)
    assert vault.run("build").exit_code == 0
    summaries = calendar_summaries(vault)
    assert "Follow up: Ann (24 days overdue)" in summaries and "Birthday: Ann" in summaries
    assert not [s for s in summaries if "Old" in s or "Gone" in s or "Flag" in s], summaries
    followups = (vault.root / "Index" / "Follow-ups.md").read_text(encoding="utf-8")
    assert "[[Ann]]" in followups and "Old" not in followups and "Gone" not in followups
    people = (vault.root / "Index" / "People.md").read_text(encoding="utf-8")
    assert "[[Old]]" in people and "archived" in people  # still listed, as archived
    offers = (vault.root / "Index" / "Needs and offers.md").read_text(encoding="utf-8")
    assert "fractional CFO work" not in offers and "design help" in offers


def test_archived_people_are_not_matched_on_either_side(vault):
    archive_vault(vault)
    data = json.loads(vault.run("match", "--json", "--all").stdout)
    pairs = {(m["first"], m["second"]) for m in data}
    assert pairs == {("Ann", "Bea")}, pairs
    result = vault.run("match", "old")
    assert result.exit_code == 2 and "Old is left out of matching: archived since 2026-06-01" in result.stderr


def test_stats_count_archived_people_apart(vault):
    archive_vault(vault)
    out = vault.run("stats").stdout
    assert out.startswith("People: 2 (archived, left out of these figures: 3)\n")
    assert "2024-01-01" not in out and "2026-01-01" not in out and "Old" not in out  # not among the cold
    data = json.loads(vault.run("stats", "--json").stdout)
    assert data["people"] == 2 and data["archived"] == 3


def test_archived_people_stay_in_show_list_all_and_lookups(vault, settled, monkeypatch):
    archive_vault(vault)
    out = vault.run("show", "old").stdout
    assert "[archived]" in out
    assert "next follow-up: none (archived since 2026-06-01; `vaultnet unarchive` brings them back)" in out
    assert "introduced by: [[Ann]]" in out
    assert "introduced Old" in vault.run("show", "ann").stdout or "Old" in vault.run("show", "ann").stdout
    gone = vault.run("show", "gone").stdout
    assert "archived: the note is in People/Archive/; move the note out of it to bring them back" in gone
    assert "(archived; `vaultnet unarchive` brings them back)" in vault.run("show", "flag").stdout
    assert json.loads(vault.run("show", "old", "--json").stdout)["archived"] == "2026-06-01"
    assert json.loads(vault.run("show", "flag", "--json").stdout)["archived"] is True
    listed, used = served_by_roster(vault, monkeypatch, "list")
    assert used
    assert [line.split()[0] for line in listed.stdout.splitlines()[2:-1]] == ["Ann", "Bea"]
    assert listed.stdout.splitlines()[-1] == "2 people (3 archived not shown: `vaultnet list --all`)"
    everyone = vault.run("list", "--all").stdout
    assert [line.split()[0] for line in everyone.splitlines()[2:-1]] == ["Ann", "Bea", "Flag", "Gone", "Old"]
    assert everyone.splitlines()[-1] == "5 people"
    assert [p["name"] for p in json.loads(vault.run("list", "--json").stdout)] == ["Ann", "Bea"]
    assert len(json.loads(vault.run("list", "--all", "--json").stdout)) == 5
    assert vault.run("log", "old", "ran into them").exit_code == 0  # lookups still find them


def test_a_bad_archived_value_is_a_finding_with_file_line_and_fix(vault):
    vault.write("Ann", "---\nname: Ann\narchived: someday\n---\n")
    result = vault.run("check")
    assert result.exit_code == 1
    assert "People/Ann.md\n  error: line 3, field 'archived':" in result.stdout
    assert "fix: write the day you archived them as YYYY-MM-DD, or true" in result.stdout
    due = vault.run("due")
    assert "People/Ann.md: line 3: field 'archived'" in due.stderr
    assert "Ann" in due.stdout  # read as not archived meanwhile


# --- archive and unarchive -------------------------------------------------------------------------


FANCY = (
    "\ufeff---\r\n"
    "# people I owe a call\r\n"
    "name: 'Zoë Old'\r\n"
    "tags: [friend, 'vip']   # flow list\r\n"
    "last_contact: 2026-01-01\r\n"
    "offers:\r\n"
    "  - design\r\n"
    "---\r\n"
    "Body text \u2014 kept.\r\n"
    "## Log\r\n"
    "- 2026-01-01 coffee\r\n"
)


def test_archive_and_unarchive_change_only_their_line(vault):
    path = vault.write("Zoë Old", FANCY.encode("utf-8"))
    before = vault.snapshot()
    result = vault.run("archive", "zoe", "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert result.stdout == "archived Zoë Old since 2026-11-20 (People/Zoë Old.md)\n"
    expected = FANCY.replace("    - design\r\n---", "").replace("  - design\r\n---\r\n", "  - design\r\narchived: 2026-11-20\r\n---\r\n")
    assert path.read_bytes() == expected.encode("utf-8")
    assert {k: v for k, v in vault.snapshot().items() if k != "People/Zoë Old.md"} == {
        k: v for k, v in before.items() if k != "People/Zoë Old.md"}
    assert due_names(vault) == []
    again = vault.run("archive", "zoe")
    assert again.exit_code == 0 and again.stdout == "Zoë Old: already archived since 2026-11-20; nothing changed\n"
    assert path.read_bytes() == expected.encode("utf-8")
    back = vault.run("unarchive", "zoe")
    assert back.exit_code == 0 and back.stdout == "unarchived Zoë Old (People/Zoë Old.md)\n"
    assert path.read_bytes() == FANCY.encode("utf-8")
    assert due_names(vault) == ["Zoë Old"]
    twice = vault.run("unarchive", "zoe")
    assert twice.exit_code == 0 and twice.stdout == "Zoë Old: not archived; nothing changed\n"
    assert path.read_bytes() == FANCY.encode("utf-8")


def test_archive_defaults_to_today_and_refuses_the_future(vault):
    path = vault.write("Ann", "---\nlast_contact: 2026-01-01\narchived: false\n---\n")
    future = vault.run("archive", "ann", "--date", "2026-12-01")
    assert future.exit_code == 2 and "in the future" in future.stderr
    assert vault.run("unarchive", "ann").stdout == "Ann: not archived (the note says archived: false); nothing changed\n"
    assert vault.run("archive", "ann").exit_code == 0
    assert path.read_bytes() == f"---\nlast_contact: 2026-01-01\narchived: {TODAY}\n---\n".encode()


def test_a_note_in_the_archive_folder_is_unarchived_by_moving_it(vault):
    path = vault.write("Archive/Gone", "---\nlast_contact: 2024-01-01\n---\n")
    before = path.read_bytes()
    result = vault.run("unarchive", "gone")
    assert result.exit_code == 1
    assert "the note is in People/Archive/, and every note there is archived" in result.stderr
    assert "move the note to People/" in result.stderr and "Nothing was written" in result.stderr
    assert vault.run("archive", "gone").stdout == "Gone is already archived: the note is in People/Archive/; nothing changed\n"
    assert path.read_bytes() == before


def test_archive_refuses_a_note_with_conflict_markers(vault):
    text = "---\nlast_contact: 2026-01-01\n---\n<<<<<<< ours\n- a\n=======\n- b\n>>>>>>> theirs\n"
    path = vault.write("Ann", text, dedent=False)
    result = vault.run("archive", "ann")
    assert result.exit_code != 0 and "conflict markers" in result.stderr
    assert path.read_text() == text


# --- the first follow-up after meeting someone -----------------------------------------------------


def test_someone_met_but_never_contacted_is_due_at_met_plus_first_follow_up(vault):
    vault.write("Met", "---\nmet: 2026-11-20\nmet_at: Web Summit\ncircle: network\n---\n")
    vault.write("Talked", "---\nmet: 2026-11-20\nlast_contact: 2026-11-21\n---\n")
    data = json.loads(vault.run("due", "--within", "1y", "--json").stdout)
    assert [(d["name"], d["due"], d["reason"]) for d in data] == [
        ("Met", "2026-11-23", "first_follow_up"), ("Talked", "2027-02-19", "cadence")]
    table = vault.run("due").stdout
    assert "met 2026-11-20 at Web Summit: write and ask how you can help" in table
    assert "next follow-up: 2026-11-23 — due today (met 2026-11-20 at Web Summit: write and ask how you can help)" in vault.run(
        "show", "met").stdout
    assert vault.run("build").exit_code == 0
    feed = icalendar.Calendar.from_ical((vault.root / "followups.ics").read_bytes())
    event = next(e for e in feed.walk("VEVENT") if str(e["SUMMARY"]) == "Follow up: Met")
    assert event.decoded("DTSTART").isoformat() == "2026-11-23"
    assert "Met 2026-11-20 at Web Summit, not contacted since: write and ask how you can help." in str(event["DESCRIPTION"])
    followups = (vault.root / "Index" / "Follow-ups.md").read_text(encoding="utf-8")
    assert "met 2026-11-20 at Web Summit: write and ask how you can help" in followups


def test_first_follow_up_is_configurable_and_none_counts_the_cadence(vault):
    vault.write("Met", "---\nmet: 2026-11-20\n---\n")
    vault.config('first_follow_up = "1w"\n')
    assert json.loads(vault.run("due", "--within", "1y", "--json").stdout)[0]["due"] == "2026-11-27"
    vault.config('first_follow_up = "none"\n')
    data = json.loads(vault.run("due", "--within", "1y", "--json").stdout)
    assert [(d["due"], d["reason"]) for d in data] == [("2027-02-18", "cadence")]
    vault.config('first_follow_up = "soon"\n')
    result = vault.run("due")
    assert result.exit_code != 0 and "first_follow_up" in result.stderr


def test_an_archived_date_in_the_future_is_a_warning(vault):
    vault.write("Ann", "---\nlast_contact: 2026-01-01\narchived: 2027-01-01\n---\n")
    result = vault.run("check")
    assert "field 'archived': archived is 2027-01-01, after today (2026-11-23) [future-date]" in result.stdout
    assert due_names(vault) == []  # archived all the same


def test_logging_or_snoozing_an_archived_person_says_they_stay_archived(vault):
    vault.write("Old", "---\nlast_contact: 2026-01-01\narchived: 2026-06-01\n---\n")
    logged = vault.run("log", "old", "ran into them")
    assert logged.exit_code == 0 and "Old is archived, so never due" in logged.stdout
    snoozed = vault.run("snooze", "old", "2w")
    assert snoozed.exit_code == 0 and "Old is archived, so never due" in snoozed.stdout
    assert due_names(vault) == []


def test_add_refuses_a_person_template_that_marks_its_notes_as_no_person(vault):
    folder = vault.root / ".vaultnet" / "templates"
    folder.mkdir(parents=True)
    (folder / "person.md").write_text("---\nname: {{ name }}\ntype: template\n---\n", encoding="utf-8")
    result = vault.run("add", "Ann Lee")
    assert result.exit_code == 1
    assert "the person.md template makes notes that are not people (not a person note (type: template)" in result.stderr
    assert not (vault.people / "Ann Lee.md").exists()


def test_when_everyone_is_archived_stats_and_list_say_so(vault):
    vault.write("Old", "---\nlast_contact: 2026-01-01\narchived: true\n---\n")
    assert vault.run("stats").stdout == "Everyone is archived (1); `vaultnet list --all` lists them.\n"
    assert vault.run("list").stdout == "No one to list (1 archived not shown: `vaultnet list --all`).\n"
    assert vault.run("due").stdout.startswith("Nobody is due.")
