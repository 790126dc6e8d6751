"""vaultnet plan: the next days of follow-ups, each with reasons to reach out."""

from __future__ import annotations

import json

import icalendar


def plan_json(vault, *args, today="2026-11-23"):
    result = vault.run("plan", "--json", *args, today=today)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def reasons_of(vault, name, *args):
    for day in plan_json(vault, *args):
        for person in day["people"]:
            if person["name"] == name:
                return day["date"], person["reasons"]
    raise AssertionError(f"{name} is not in the plan")


def kinds(reasons):
    return [r["kind"] for r in reasons]


def test_an_introduction_to_make_names_the_other_person_and_the_words(vault):
    vault.write("Ann", "---\nlast_contact: 2026-01-01\nneeds: [a patent lawyer]\n---\n")
    vault.write("Bob", "---\nlast_contact: 2026-11-01\noffers: [patent lawyer intros]\n---\n")
    vault.write("Cy", "---\nlast_contact: 2026-01-02\noffers: [climate deal flow]\n---\n")
    vault.write("Dee", "---\nlast_contact: 2026-11-01\nneeds: [deal flow in climate tech]\n---\n")
    vault.write("Eve", "---\nlast_contact: 2026-11-01\noffers: [brand design]\nneeds: [design partners]\n---\n")
    _day, reasons = reasons_of(vault, "Ann")
    assert reasons[0]["kind"] == "introduce" and reasons[0]["other"] == "Bob"
    assert reasons[0]["words"] == ["patent", "lawyer"]
    assert "Bob" in reasons[0]["text"] and "patent lawyer intros" in reasons[0]["text"]
    _day, reasons = reasons_of(vault, "Cy")  # the reverse: their offer meets someone's need
    assert reasons[0]["kind"] == "introduce" and reasons[0]["other"] == "Dee" and "needs" in reasons[0]["text"]
    assert reasons[0]["text"] == ("Introduce them to Dee, who needs “deal flow in climate tech”: they offer “climate deal flow” "
                                  "(strong: deal, flow, climate)")
    assert [r for r in reasons if r["kind"] == "introduce"] == reasons[:1]  # one shared word is no strong match


def test_already_introduced_pairs_are_not_suggested_again(vault):
    vault.write("Ann", "---\nlast_contact: 2026-01-01\nneeds: [a patent lawyer]\n"
                       "helped: [\"2026-11-01 introduced to [[Bob]]\"]\n---\n")
    vault.write("Bob", "---\nlast_contact: 2026-11-01\noffers: [patent lawyer]\n---\n")
    _day, reasons = reasons_of(vault, "Ann")
    assert "introduce" not in kinds(reasons)


def test_needs_now_and_needs_to_reconfirm(vault):
    vault.write("Ann", "---\nlast_contact: 2026-01-01\nneeds:\n  - 2026-03-01 a fractional CFO\n"
                       "  - 2026-11-01 office space\n  - a designer\n---\n")
    _day, reasons = reasons_of(vault, "Ann")
    assert kinds(reasons) == ["reconfirm", "need"]
    assert reasons[0]["text"] == "Still looking for a fractional CFO? (last confirmed 2026-03-01)"
    assert reasons[1]["text"] == "They need: office space; a designer: can you help?"
    vault.config('needs_confirm_after = "1y"\n')
    assert kinds(reasons_of(vault, "Ann")[1]) == ["need"]
    assert "2026-03-01" not in reasons_of(vault, "Ann")[1][0]["text"]  # the date is not part of the need


def test_a_check_in_on_an_introduction_and_recording_its_outcome(vault):
    vault.write("Ann", "---\nfollow_up: 2026-11-23\n---\n")  # due today, whatever the contacts
    vault.write("Priya", "---\nlast_contact: 2026-11-20\n---\n")
    assert vault.run("intro", "Ann", "Priya", "--date", "2026-10-01", "--why", "CFO").exit_code == 0
    _day, reasons = reasons_of(vault, "Ann")
    assert kinds(reasons) == ["intro-check"] and reasons[0]["other"] == "Priya"
    assert reasons[0]["text"].startswith("Did the intro to Priya help? (introduced 2026-10-01")
    result = vault.run("intro", "Ann", "Priya", "--outcome", "she hired Priya", "--date", "2026-11-22")
    assert result.exit_code == 0, result.output
    for name, other in (("Ann", "Priya"), ("Priya", "Ann")):
        assert f"- 2026-11-22 intro outcome: [[{other}]]: she hired Priya".encode() in vault.read(name)
    again = vault.run("intro", "Ann", "Priya", "--outcome", "she hired Priya", "--date", "2026-11-22")
    assert "nothing changed" in again.output
    _day, reasons = reasons_of(vault, "Ann")
    assert "intro-check" not in kinds(reasons)  # the outcome is recorded: not asked again
    assert vault.run("intro", "Ann", "Priya", "--outcome", "x", "--why", "y").exit_code != 0


def test_a_recent_introduction_is_not_checked_on_yet(vault):
    vault.write("Ann", "---\nlast_contact: 2026-01-01\nhelped: [\"2026-11-10 introduced to [[Priya]]\"]\n---\n")
    assert "intro-check" not in kinds(reasons_of(vault, "Ann")[1])


def test_a_job_change_a_birthday_and_a_new_contact(vault):
    vault.write("Ann", "---\nlast_contact: 2026-01-01\nbirthday: --11-26\n---\n\n## Log\n\n"
                       "- 2026-01-01 call\n- 2026-11-02 job change: now CTO at [[Acme]]\n")
    vault.write("Bob", "---\nmet: 2026-11-18\nmet_at: a meetup\ncadence: 3d\n---\n")
    vault.write("Old", "---\nmet: 2026-01-18\nlast_contact: 2025-01-01\nbirthday: 1990-12-25\n---\n")
    vault.config('default_cadence = "14d"\n')
    _day, reasons = reasons_of(vault, "Ann")
    assert kinds(reasons) == ["job-change", "birthday"]
    assert reasons[0]["text"] == "New job (2026-11-02): now CTO at Acme: congratulate them"
    assert reasons[1]["text"] == "Birthday on 2026-11-26: wish them well"
    _day, reasons = reasons_of(vault, "Bob")
    assert kinds(reasons) == ["thank"] and "met 2026-11-18 at a meetup" in reasons[0]["text"]
    assert kinds(reasons_of(vault, "Old")[1]) == ["catch-up"]


def test_reciprocity_until_you_help_back(vault):
    vault.write("Ann", "---\nfollow_up: 2026-11-23\nreceived: [\"2026-10-01 intro to a VC\"]\n---\n")
    _day, reasons = reasons_of(vault, "Ann")
    assert kinds(reasons) == ["reciprocity"] and "2026-10-01 (intro to a VC)" in reasons[0]["text"]
    assert vault.run("helped", "Ann", "sent a candidate", "--date", "2026-10-05").exit_code == 0
    assert "reciprocity" not in kinds(reasons_of(vault, "Ann")[1])


def test_days_follow_the_cap_and_the_same_reasons_are_in_the_calendar_and_follow_ups(vault):
    vault.config("follow_ups_per_day = 2\n")
    for n in range(5):
        vault.write(f"P{n}", f"---\nlast_contact: 2026-01-0{n + 1}\nneeds: [help with item {n}]\n---\n")
    found = plan_json(vault, "--days", "3")
    assert [d["date"] for d in found] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert [[p["name"] for p in d["people"]] for d in found] == [["P0", "P1"], ["P2", "P3"], ["P4"]]
    assert plan_json(vault, "--days", "2")[1]["people"][0]["reasons"][0]["text"] == "They need: help with item 2: can you help?"
    assert vault.run("build").exit_code == 0
    calendar = icalendar.Calendar.from_ical((vault.root / "followups.ics").read_bytes())
    p2 = next(e for e in calendar.walk("VEVENT") if "P2" in str(e["SUMMARY"]))
    assert "Reasons to reach out:\n- They need: help with item 2: can you help?" in str(p2["DESCRIPTION"])
    follow_ups = (vault.root / "Index" / "Follow-ups.md").read_text(encoding="utf-8")
    assert "### 2026-11-24 (tomorrow)\n\n- [[P2]]\n  - They need: help with item 2: can you help?" in follow_ups
    text = vault.run("plan", "--days", "3").stdout
    assert text.splitlines()[0] == "2026-11-23 (today)"
    assert "    - They need: help with item 0: can you help?" in text


def test_an_empty_plan_says_so(vault):
    vault.write("Ann", "---\nlast_contact: 2026-11-20\n---\n")
    assert "Nobody is planned in the next 7 days" in vault.run("plan").stdout
    assert all(d["people"] == [] for d in plan_json(vault))


def test_show_flags_a_need_confirmed_long_ago(vault):
    vault.write("Ann", "---\nneeds:\n  - 2026-03-01 a fractional CFO\n  - 2026-11-01 office space\n  - a designer\n---\n")
    text = vault.run("show", "Ann").stdout
    assert "    - a fractional CFO  (confirmed 2026-03-01: still needed? re-confirm)" in text
    assert "    - office space  (confirmed 2026-11-01)" in text
    assert "    - a designer\n" in text
    found = json.loads(vault.run("show", "Ann", "--json").stdout)
    assert found["needs_to_confirm"] == [{"need": "a fractional CFO", "confirmed": "2026-03-01"}]
    vault.config('needs_confirm_after = "none"\n')
    assert "re-confirm" not in vault.run("show", "Ann").stdout
    vault.config('needs_confirm_after = "soon"\n')
    result = vault.run("show", "Ann")
    assert result.exit_code != 0 and "needs_confirm_after" in result.output


def test_the_plan_stops_at_the_last_day_there_is(vault):
    vault.write("Ann", "---\nlast_contact: 2026-01-01\nbirthday: --02-29\nreceived: [\"2026-10-01 advice\"]\n---\n")
    for today in ("9999-12-31", "9999-12-29", "0001-01-01"):
        result = vault.run("plan", "--json", today=today)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)[-1]["date"] <= "9999-12-31"
    assert [d["date"] for d in plan_json(vault, today="9999-12-29")] == ["9999-12-29", "9999-12-30", "9999-12-31"]


def test_init_writes_the_new_keys_so_that_they_read_back(tmp_path):
    from click.testing import CliRunner

    from vaultnet.cli import main

    root = tmp_path / "v"
    root.mkdir()
    assert CliRunner().invoke(main, ["--vault", str(root), "init"]).exit_code == 0
    text = (root / "vaultnet.toml").read_text(encoding="utf-8")
    assert "# follow_ups_per_day = 5\n" in text and '# needs_confirm_after = "6m"\n' in text
    (root / "vaultnet.toml").write_text(text.replace("# follow_ups_per_day", "follow_ups_per_day"), encoding="utf-8")
    assert CliRunner().invoke(main, ["--vault", str(root), "due"]).exit_code == 0
