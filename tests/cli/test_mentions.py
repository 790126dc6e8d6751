"""Mentions: a link to a person in a dated note elsewhere in the vault is a contact on that
date. Real CLI on real files in temporary vaults; today is pinned to 2026-11-23."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import icalendar
import pytest


def _note(vault, rel: str, text: str) -> Path:
    path = vault.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def _shown(vault, name: str = "Jane Doe") -> dict:
    result = vault.run("show", name, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _last(vault, name: str = "Jane Doe"):
    return _shown(vault, name)["last_contact"]


@pytest.fixture
def jane(vault):
    vault.write("Jane Doe", "---\norg: Acme\nlast_contact: 2026-01-10\n---\n# Jane Doe\n")
    return vault


@pytest.mark.parametrize("line", [
    "Coffee with [[Jane Doe]].",
    "Coffee with [[Jane Doe|Jane]].",
    "Coffee with [[People/Jane Doe]].",
    "Coffee with [[Jane Doe#Work]].",
    "Coffee with [[Jane Doe.md]].",
    "Coffee with [[jane doe]].",
    "Coffee with [Jane](../People/Jane%20Doe.md).",
    "Coffee with [Jane](People/Jane%20Doe.md).",
    "Coffee with [Jane](/People/Jane%20Doe.md).",
    "Coffee with [Jane](<../People/Jane Doe.md>).",  # angle brackets: a path with spaces, as VS Code writes it
    'Coffee with [Jane](../People/Jane%20Doe.md "Jane at Acme").',  # a title
    "Coffee with [Jane](<../People/Jane Doe.md#Work> 'at work').",
    "- [x] coffee with [[Jane Doe]]",
    "- coffee with [[Jane Doe]]",
    "- the day\n\t- nested: lunch with [[Jane Doe]]",
    "`code` then [[Jane Doe]]",
    "| coffee | [[Jane Doe\\|Jane]] |",  # a label inside a table, its pipe escaped as Obsidian writes it
])
def test_each_link_form_counts(jane, line):
    _note(jane, "Daily/2026-11-20.md", f"# Friday\n\n{line}\n")
    data = _shown(jane)
    assert data["last_contact"] == "2026-11-20"
    line_number = 3 + line.count("\n")
    assert [(m["date"], m["note"], m["line"]) for m in data["mentions"]] == [("2026-11-20", "Daily/2026-11-20.md", line_number)]


@pytest.mark.parametrize("body", [
    "- [ ] call [[Jane Doe]] next week",
    "1. [ ] call [[Jane Doe]]",
    "> [[Jane Doe]] said so",
    "> [!note]\n> [[Jane Doe]]",
    "![[Jane Doe]]",
    "`[[Jane Doe]]`",
    "``a ` [[Jane Doe]] ``",
    "```\n[[Jane Doe]]\n```",
    "~~~md\n[[Jane Doe]]\n~~~",
    "Text.\n\n    [[Jane Doe]] in an indented code block",
    "\t[[Jane Doe]] indented by a tab after a blank line",
    "<!-- [[Jane Doe]] -->",
    "<!--\nold:\n[[Jane Doe]]\n-->",
    "%% [[Jane Doe]] %%",
    "[[#Jane Doe]]",
    "[Jane](https://example.com/Jane%20Doe.md)",
])
def test_non_contact_forms_do_not_count(jane, body):
    _note(jane, "Daily/2026-11-20.md", f"# Friday\n\n{body}\n")
    data = _shown(jane)
    assert data["last_contact"] == "2026-01-10"
    assert data["mentions"] == []


def test_text_after_a_multi_line_comment_counts(jane):
    _note(jane, "Daily/2026-11-20.md", "<!-- a\nb --> then [[Jane Doe]]\n")
    assert _last(jane) == "2026-11-20"


@pytest.mark.parametrize("rel, text", [
    ("Daily/2026-11-30.md", "[[Jane Doe]]\n"),  # after today: a plan
    ("Daily/Friday.md", "[[Jane Doe]]\n"),  # no date
    ("Daily/2026-13-40.md", "[[Jane Doe]]\n"),  # not a real date
    ("Index/2026-11-20.md", "[[Jane Doe]]\n"),  # the index folder
    (".vaultnet/templates/2026-11-20.md", "[[Jane Doe]]\n"),  # the templates folder
    ("Templates/2026-11-20.md", "[[Jane Doe]]\n"),  # an ignored folder
    (".obsidian/2026-11-20.md", "[[Jane Doe]]\n"),
    (".trash/2026-11-20.md", "[[Jane Doe]]\n"),
    ("Daily/.2026-11-20.md", "[[Jane Doe]]\n"),  # hidden
    ("People/2026-11-20 Notes.md", "[[Jane Doe]]\n"),  # the people folder is people, not daily notes
])
def test_notes_that_give_no_contact(jane, rel, text):
    jane.config('ignore = ["Templates"]\n')
    _note(jane, rel, text)
    assert _last(jane) == "2026-01-10"


def test_a_meeting_note_dated_by_its_date_field_with_attendees(jane):
    jane.write("Bob Ray", "---\nmet: 2026-11-01\n---\n")
    _note(jane, "Meetings/Board.md", """
        ---
        date: 2026-11-21T10:30
        attendees:
          - "[[Jane Doe]]"
        # - "[[Bob Ray]]" dropped
        ---
        # Board meeting
        Nothing else.
    """)
    data = _shown(jane)
    assert data["last_contact"] == "2026-11-21"
    assert data["mentions"][0] == {"date": "2026-11-21", "note": "Meetings/Board.md", "line": 4, "text": '- "[[Jane Doe]]"'}
    assert _shown(jane, "Bob Ray")["mentions"] == []


def test_front_matter_links_in_a_comment_or_an_open_task_do_not_count(jane):
    jane.write("Bob Ray", "---\nmet: 2026-11-01\n---\n")
    _note(jane, "Meetings/Standup.md", """
        ---
        date: 2026-11-20
        status: planned  # invite [[Jane Doe]] next time
        agenda: |
          - [ ] ask [[Jane Doe]] for an intro
        host: "[[Bob Ray]] # the host"
        ---
        No one from the list came.
    """)
    assert _shown(jane)["mentions"] == []
    assert [m["line"] for m in _shown(jane, "Bob Ray")["mentions"]] == [6]  # a "#" inside quotes is text


def test_a_date_field_wins_over_the_file_name(jane):
    _note(jane, "Daily/2026-11-01 Standup.md", "---\ndate: 2026-11-22\n---\n[[Jane Doe]]\n")
    assert _last(jane) == "2026-11-22"


def test_a_file_name_with_words_around_the_date(jane):
    _note(jane, "Meetings/2026-11-19 Standup.md", "with [[Jane Doe]]\n")
    assert _last(jane) == "2026-11-19"


def test_an_unreadable_date_field_is_a_warning_and_the_rest_still_counts(jane):
    jane.write("Bob Ray", "---\nmet: 2026-11-01\n---\n")
    _note(jane, "Meetings/Bad.md", "---\ndate: next tuesday\n---\n[[Bob Ray]]\n")
    _note(jane, "Meetings/Broken.md", "---\ndate: [unclosed\n---\n[[Bob Ray]]\n")
    _note(jane, "Daily/2026-11-20.md", "[[Jane Doe]]\n")
    result = jane.run("check", "--json")
    assert result.exit_code == 0, result.output
    findings = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "unreadable-note-date"]
    assert [(f["path"], f["severity"], f["line"], f["field"]) for f in findings] == [
        ("Meetings/Bad.md", "warning", 2, "date"), ("Meetings/Broken.md", "warning", 2, "date"),
    ]
    assert all(f["fix"] for f in findings)
    assert _last(jane) == "2026-11-20"
    assert _shown(jane, "Bob Ray")["last_contact"] is None
    result = jane.run("due")
    assert result.exit_code == 0 and "Traceback" not in result.output


def test_mentions_false_turns_it_off(jane):
    _note(jane, "Daily/2026-11-20.md", "[[Jane Doe]]\n")
    assert _last(jane) == "2026-11-20"
    jane.config("mentions = false\n")
    assert _last(jane) == "2026-01-10"
    assert _shown(jane)["mentions"] == []
    assert "2026-11-20" not in jane.run("due", "--within", "1y").output


def test_a_link_resolves_to_the_person_by_path_when_names_repeat(vault):
    vault.write("Team/Jane Doe", "---\nlast_contact: 2026-01-01\n---\n")
    vault.write("Jane Doe", "---\nlast_contact: 2026-01-01\n---\n")
    _note(vault, "Daily/2026-11-20.md", "[[People/Team/Jane Doe]]\n")
    _note(vault, "Daily/2026-11-21.md", "[[Jane Doe]]\n")
    result = vault.run("list", "--json")
    seen = {p["path"]: p["last_contact"] for p in json.loads(result.stdout)}
    assert seen == {"People/Jane Doe.md": "2026-11-21", "People/Team/Jane Doe.md": "2026-11-20"}


def test_mentions_change_who_is_due_and_every_view_agrees(vault):
    vault.write("Never Met", "---\ncircle: network\n---\n")
    vault.write("Old Friend", "---\nlast_contact: 2026-01-02\n---\n## Log\n- 2026-01-02 coffee\n")
    vault.write("Recent Log", "---\nlast_contact: 2026-11-10\n---\n## Log\n- 2026-11-10 call: the launch\n")
    _note(vault, "Daily/2026-11-20.md", "Lunch with [[Never Met]] and [[Old Friend]] and [[Recent Log]].\n")
    _note(vault, "Daily/2026-11-05.md", "[[Recent Log]]\n")
    due = vault.run("due", "--json")
    assert due.exit_code == 0
    assert json.loads(due.stdout) == []
    listed = vault.run("list")
    assert listed.output.count("2026-11-20") == 3
    both = {p["name"]: p["last_contact"] for p in json.loads(vault.run("list", "--json").stdout)}
    assert both == {"Never Met": "2026-11-20", "Old Friend": "2026-11-20", "Recent Log": "2026-11-20"}
    shown = vault.run("show", "Old Friend").output
    assert "last contact: 2026-11-20 (3d ago) — mentioned in Daily/2026-11-20.md" in shown
    assert "mentioned (1):" in shown and "2026-11-20 Daily/2026-11-20.md:1: Lunch with [[Never Met]]" in shown
    assert [m["date"] for m in _shown(vault, "Recent Log")["mentions"]] == ["2026-11-20", "2026-11-05"]
    assert vault.run("build").exit_code == 0
    people_index = (vault.root / "Index" / "People.md").read_text(encoding="utf-8")
    for name in ("Never Met", "Old Friend", "Recent Log"):
        row = next(line for line in people_index.splitlines() if line.startswith(f"| [[{name}]]"))
        assert "| 2026-11-20 |" in row, row
    feed = icalendar.Calendar.from_ical((vault.root / "followups.ics").read_bytes())
    descriptions = {str(e["SUMMARY"]): str(e["DESCRIPTION"]) for e in feed.walk("VEVENT")}
    old = next(d for s, d in descriptions.items() if "Old Friend" in s)
    assert "Last contact: 2026-11-20 — mentioned in Daily/2026-11-20.md" in old
    recent = next(d for s, d in descriptions.items() if "Recent Log" in s)
    assert "Last contact: 2026-11-20 — mentioned in Daily/2026-11-20.md" in recent
    assert all("never contacted" not in s for s in descriptions)
    stats = json.loads(vault.run("stats", "--json").stdout)
    assert stats["never_contacted"] == [] and stats["contacted_recently"]["count"] == 3
    assert {c["name"]: c["last_contact"] for c in stats["coldest"]} == both


def test_a_mention_the_same_day_as_a_log_line_keeps_the_log_text(vault):
    vault.write("Jo", "---\n---\n## Log\n- 2026-11-20 coffee: the deck\n")
    _note(vault, "Daily/2026-11-20.md", "[[Jo]]\n")
    assert "last contact: 2026-11-20 (3d ago) — coffee: the deck" in vault.run("show", "Jo").output


def test_show_lists_mentions_newest_first_with_control_characters_neutralised(vault):
    vault.write("Jo", "---\n---\n")
    _note(vault, "Daily/2026-11-01.md", "first [[Jo]]\n")
    _note(vault, "Daily/2026-11-21.md", "second [[Jo]] \x1b[31mred\n")
    out = vault.run("show", "Jo").output
    assert "\x1b" not in out
    lines = [line.strip() for line in out.splitlines() if line.strip().startswith("- 2026-11-")]
    assert lines[0].startswith("- 2026-11-21 Daily/2026-11-21.md:1: second [[Jo]]")
    assert lines[1] == "- 2026-11-01 Daily/2026-11-01.md:1: first [[Jo]]"


def test_ignore_leaves_notes_of_the_people_folder_out(vault):
    vault.write("Jane Doe", "---\n---\n")
    vault.write("Templates/Person", "---\nname: {{title}}\nlast_contact: {{date}}\n---\n")
    assert "Person" in vault.run("list").output
    vault.config('ignore = ["People/Templates"]\n')
    result = vault.run("list")
    assert result.exit_code == 0 and "Person" not in result.output and "Jane Doe" in result.output
    assert vault.run("check").exit_code == 0


@pytest.mark.parametrize("value, words", [
    ('"People/Templates"', "must be a list"),
    ('["../outside"]', "inside the vault"),
    ('["/etc"]', "inside the vault"),
    ('[3]', "not a folder name"),
    ('["."]', "the whole vault"),
])
def test_a_bad_ignore_is_a_clear_config_error(vault, value, words):
    vault.write("Jane Doe", "---\n---\n")
    vault.config(f"ignore = {value}\n")
    result = vault.run("list")
    assert result.exit_code != 0
    assert "ignore" in result.output and words in result.output and "Traceback" not in result.output


def test_a_bad_mentions_value_is_a_config_error(vault):
    vault.config('mentions = "yes"\n')
    result = vault.run("list")
    assert result.exit_code != 0 and "mentions" in result.output and "true or false" in result.output


def test_the_warm_roster_sees_a_new_an_edited_and_a_deleted_daily_note(jane, monkeypatch):
    monkeypatch.setenv("VAULTNET_CACHE_STATS", "1")
    assert "Jane Doe" in jane.run("due").output  # due since 2026-04-10
    daily = _note(jane, "Daily/2026-11-20.md", "[[Jane Doe]]\n")
    assert "Jane Doe" not in jane.run("due").output
    daily.write_text("nobody today\n", encoding="utf-8")
    assert "Jane Doe" in jane.run("due").output
    daily.write_text("[[Jane Doe]] again\n", encoding="utf-8")
    assert "Jane Doe" not in jane.run("due").output
    daily.unlink()
    assert "Jane Doe" in jane.run("due").output


def test_build_sees_a_daily_note_change_despite_the_build_stamp(jane):
    assert jane.run("build").exit_code == 0
    assert jane.run("build").exit_code == 0  # from the stamp
    _note(jane, "Daily/2026-11-20.md", "[[Jane Doe]]\n")
    assert jane.run("build").exit_code == 0
    people_index = (jane.root / "Index" / "People.md").read_text(encoding="utf-8")
    assert "| 2026-11-20 |" in people_index
    feed = icalendar.Calendar.from_ical((jane.root / "followups.ics").read_bytes())
    assert "mentioned in Daily/2026-11-20.md" in str(next(iter(feed.walk("VEVENT")))["DESCRIPTION"])


@pytest.mark.parametrize("make", ["binary", "fifo", "folder", "huge-line"])
def test_hostile_notes_elsewhere_do_not_break_a_command(jane, make):
    target = jane.root / "Daily" / "2026-11-20.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    if make == "binary":
        target.write_bytes(b"\x00\xff\xfe[[Jane Doe]]" * 100)
    elif make == "fifo":
        import os

        os.mkfifo(target)
    elif make == "folder":
        target.mkdir()
    else:
        target.write_text("[[" * 200_000 + " [[Jane Doe]]\n" + "`" * 100_000 + "\n", encoding="utf-8")
    _note(jane, "Daily/2026-11-19.md", "[[Jane Doe]]\n")
    for command in (("due",), ("list",), ("show", "Jane Doe"), ("check",), ("build",)):
        result = jane.run(*command)
        assert result.exit_code == 0, (command, result.output)
    expected = "2026-11-20" if make == "huge-line" else "2026-11-19"
    assert _last(jane) == expected


def test_due_and_list_agree_cold_and_warm(vault, monkeypatch):
    """A cold ``due``/``list`` reads the other notes; a warm one takes the mentions from the
    store. Same answers."""
    for n in range(6):
        vault.write(f"P{n}", f"---\nlast_contact: 2026-0{n + 1}-01\n---\n")
        _note(vault, f"Daily/2026-11-{10 + n}.md", f"[[P{n}]] and [[P{(n + 1) % 6}|x]]\n")
    _note(vault, "Daily/2026-11-30.md", "[[P0]]\n")
    _note(vault, "Meetings/Bad.md", "---\ndate: soon\n---\n[[P1]]\n")
    outputs = []
    for _ in range(3):  # cold, then warm from the store
        outputs.append([(r.exit_code, r.output) for r in (vault.run("due", "--within", "1y"), vault.run("list"))])
    assert all(o == outputs[0] for o in outputs)
    assert "2026-11-15" in outputs[0][1][1] and "2026-11-30" not in outputs[0][1][1]
    assert "Meetings/Bad.md" in outputs[0][0][1]  # the warning, on stderr


def test_a_mention_of_a_note_that_cannot_be_read_goes_to_no_namesake_cold_or_warm(vault, monkeypatch):
    """Mid-merge, a person note cannot be read; a daily note's link to it still names that
    note (not another note of the same file name in a subfolder), whether ``due`` loads the
    vault in full or answers from the store's roster."""
    from vaultnet.load import store

    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)
    vault.write("Jane Doe", "---\nname: Jane Doe\ncadence: 30d\nlast_contact: 2026-09-01\n---\n")
    vault.write("Work/Jane Doe", "---\nname: Jane Work\ncadence: 30d\nlast_contact: 2026-09-01\n---\n")
    _note(vault, "Daily/2026-11-20.md", "Coffee with [[Jane Doe]]\n")
    assert vault.run("build").exit_code == 0
    (vault.people / "Jane Doe.md").write_text(
        "---\n<<<<<<< HEAD\nname: Jane Doe\n=======\nname: Jane D\n>>>>>>> other\ncadence: 30d\n---\n", encoding="utf-8"
    )
    first, second = vault.run("due"), vault.run("due")  # the full load, then the roster
    assert first.stdout == second.stdout and "Jane Work" in first.stdout
    assert _shown(vault, "Jane Work")["last_contact"] == "2026-09-01"


def test_a_contact_on_or_after_the_follow_up_date_has_done_it(vault):
    """A follow-up date is done by a contact on or after it, whether the Log or a daily note
    records it: the cadence applies again. A later follow-up date still stands."""
    vault.write("Jane Doe", "---\ncadence: 30d\nlast_contact: 2026-09-01\nfollow_up: 2026-11-10\n---\n")
    vault.write("Bob Ray", "---\ncadence: 30d\nlast_contact: 2026-09-01\nfollow_up: 2026-11-10\n---\n## Log\n- 2026-11-12 call\n")
    vault.write("Cy Lee", "---\ncadence: 30d\nlast_contact: 2026-11-01\nfollow_up: 2026-11-30\n---\n")
    _note(vault, "Daily/2026-11-15.md", "Lunch with [[Jane Doe]] and [[Cy Lee]].\n")
    due = {d["name"]: d for d in json.loads(vault.run("due", "--within", "60d", "--json").stdout)}
    assert (due["Jane Doe"]["due"], due["Jane Doe"]["reason"]) == ("2026-12-15", "cadence")
    assert (due["Bob Ray"]["due"], due["Bob Ray"]["reason"]) == ("2026-12-12", "cadence")
    assert (due["Cy Lee"]["due"], due["Cy Lee"]["reason"]) == ("2026-11-30", "follow_up")
    assert vault.run("due").stdout == vault.run("due").stdout  # the roster agrees
