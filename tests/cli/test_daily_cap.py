"""The daily cap: follow_ups_per_day spreads follow-ups over the days ahead, in line."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import icalendar
import pytest


def backlog(vault, count: int = 23) -> list[str]:
    """``count`` people overdue by different amounts, a few sharing a due date, some with birthdays."""
    names = []
    for i in range(count):
        name = f"P{i:02d}"
        names.append(name)
        seen = date(2026, 6, 1) + timedelta(days=i // 2)  # two people a day: ties
        birthday = "birthday: 1990-11-24\n" if i % 4 == 0 else ""
        vault.write(name, f"---\nlast_contact: {seen.isoformat()}\n{birthday}email: {name.lower()}@example.org\n---\n")
    return names


def due_json(vault, *args, today="2026-11-23"):
    result = vault.run("due", "--json", *args, today=today)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def feed(vault, today="2026-11-23"):
    assert vault.run("build", today=today).exit_code == 0
    calendar = icalendar.Calendar.from_ical((vault.root / "followups.ics").read_bytes())
    return [(str(e["SUMMARY"]), e["DTSTART"].dt) for e in calendar.walk("VEVENT")]


def test_never_more_than_the_cap_a_day_in_the_feed_and_nobody_lost(vault):
    names = backlog(vault)
    events = feed(vault)
    follow_ups = [(s, d) for s, d in events if s.startswith("Follow up:")]
    per_day = Counter(d for _s, d in follow_ups)
    assert max(per_day.values()) == 5  # the default cap
    assert sorted(per_day) == [date(2026, 11, 23) + timedelta(days=n) for n in range(5)]  # 5+5+5+5+3
    assert {s.split(": ", 1)[1].split(" (")[0] for s, _d in follow_ups} == set(names)
    # Birthdays sit on their own day and do not count against the cap.
    assert sum(s.startswith("Birthday:") for s, _d in events) == 6
    # due lists everyone, each on the day the feed has them.
    planned = {p["name"]: p["planned"] for p in due_json(vault)}
    assert set(planned) == set(names)
    assert all(planned[s.split(": ", 1)[1].split(" (")[0]] == d.isoformat() for s, d in follow_ups)


def test_the_cap_is_configurable_and_0_means_no_cap(vault):
    backlog(vault, 12)
    vault.config("follow_ups_per_day = 2\n")
    assert Counter(p["planned"] for p in due_json(vault)) == {
        (date(2026, 11, 23) + timedelta(days=n)).isoformat(): 2 for n in range(6)
    }
    vault.config("follow_ups_per_day = 0\n")
    assert {p["planned"] for p in due_json(vault)} == {"2026-11-23"}
    vault.config("follow_ups_per_day = -1\n")
    result = vault.run("due")
    assert result.exit_code != 0 and "follow_ups_per_day" in result.output and "Traceback" not in result.output


def test_ties_go_inner_close_network_other_circles_then_name(vault):
    vault.config("follow_ups_per_day = 1\n[circles]\ninner = \"30d\"\nclose = \"30d\"\nnetwork = \"30d\"\nclients = \"30d\"\n")
    for name, circle in [("Zed", "inner"), ("Amy", None), ("Bo", "clients"), ("Cy", "network"), ("Di", "close"), ("Al", "inner")]:
        line = f"circle: {circle}\n" if circle else "cadence: 30d\n"
        vault.write(name, f"---\nlast_contact: 2026-10-01\n{line}---\n")  # all due 2026-10-31
    vault.write("Early", "---\nlast_contact: 2026-09-01\ncadence: 30d\n---\n")  # due first
    found = due_json(vault)
    assert [p["name"] for p in found] == ["Early", "Al", "Zed", "Di", "Cy", "Bo", "Amy"]
    assert [p["planned"] for p in found] == [(date(2026, 11, 23) + timedelta(days=n)).isoformat() for n in range(7)]


def test_someone_due_later_waits_behind_the_backlog_and_keeps_their_place(vault):
    backlog(vault, 12)  # fills 2026-11-23, -24 and two of -25
    vault.write("Later", "---\nfollow_up: 2026-11-24\n---\n")
    vault.write("Far", "---\nfollow_up: 2026-12-20\n---\n")
    planned = {p["name"]: p["planned"] for p in due_json(vault, "--within", "60d")}
    assert planned["Later"] == "2026-11-25"  # 2026-11-24 is full of people due before them
    assert planned["Far"] == "2026-12-20"  # a free day: on their due date


def contact(vault, names, day):
    for name in names:
        path = vault.people / f"{name}.md"
        text = path.read_text(encoding="utf-8")
        start = text.index("last_contact: ")
        path.write_text(text[:start] + f"last_contact: {day}" + text[start + len("last_contact: 2026-06-01"):], encoding="utf-8")


@pytest.mark.parametrize("cap", [5, 3])
def test_the_plan_is_stable_from_day_to_day_as_people_are_contacted(vault, cap):
    backlog(vault)
    vault.config(f"follow_ups_per_day = {cap}\n")
    before = {p["name"]: p["planned"] for p in due_json(vault)}
    todays = [n for n, d in before.items() if d == "2026-11-23"]
    assert len(todays) == cap
    contact(vault, todays, "2026-11-23")
    # The same day, after the day's follow-ups: nobody moves up into the room they leave.
    same_day = {p["name"]: p["planned"] for p in due_json(vault)}
    assert same_day == {n: d for n, d in before.items() if n not in todays}
    # The next day: everyone keeps the day planned for them.
    next_day = {p["name"]: p["planned"] for p in due_json(vault, today="2026-11-24")}
    assert next_day == same_day
    # The next day's people contacted too, then the day after: still the same days.
    tomorrows = [n for n, d in next_day.items() if d == "2026-11-24"]
    contact(vault, tomorrows, "2026-11-24")
    after = {p["name"]: p["planned"] for p in due_json(vault, today="2026-11-25")}
    assert after == {n: d for n, d in next_day.items() if n not in tomorrows}
    # And the calendar agrees, day by day, never more than the cap.
    per_day = Counter(d for s, d in feed(vault, "2026-11-25") if s.startswith("Follow up:"))
    assert max(per_day.values()) <= cap


def test_an_event_planned_later_says_so(vault):
    backlog(vault, 7)
    assert vault.run("build").exit_code == 0
    calendar = icalendar.Calendar.from_ical((vault.root / "followups.ics").read_bytes())
    later = [e for e in calendar.walk("VEVENT") if e["DTSTART"].dt == date(2026, 11, 24)]
    assert len(later) == 2
    text = str(later[0]["DESCRIPTION"])
    assert "Planned for 2026-11-24: at most 5 follow-ups a day (follow_ups_per_day)." in text
    assert "days overdue" in str(later[0]["SUMMARY"])


def test_due_filters(vault):
    vault.write("Ann", "---\nlast_contact: 2026-01-01\ncadence: 30d\ncircle: inner\ntags: [people/friend]\norg: \"[[Acme]]\"\nemail: ann@acme.org\n---\n")
    vault.write("Bob", "---\nlast_contact: 2026-01-02\ncadence: 30d\ncircle: close\ntags: [people]\n---\n")
    vault.write("Cy", "---\nlast_contact: 2026-01-03\ncadence: 30d\ncircle: inner\ntags: [peoplex]\n---\n")
    vault.write("Dee", "---\nlast_contact: 2026-01-04\ncadence: 30d\n---\n")
    names = lambda found: [p["name"] for p in found]  # noqa: E731
    assert names(due_json(vault)) == ["Ann", "Bob", "Cy", "Dee"]
    assert names(due_json(vault, "--circle", "inner")) == ["Ann", "Cy"]
    assert names(due_json(vault, "--circle", "INNER")) == ["Ann", "Cy"]
    assert names(due_json(vault, "--tag", "people")) == ["Ann", "Bob"]  # nested tags, not a prefix of a word
    assert names(due_json(vault, "--tag", "#people/friend")) == ["Ann"]
    assert names(due_json(vault, "--limit", "2")) == ["Ann", "Bob"]
    ann = due_json(vault, "--limit", "1")[0]
    assert (ann["emails"], ann["org"], ann["circle"], ann["tags"]) == (["ann@acme.org"], "Acme", "inner", ["people/friend"])
    text = vault.run("due", "--limit", "1").stdout
    assert "Ann" in text and "Bob" not in text and "The first 1 of 4 shown" in text
    text = vault.run("due", "--tag", "people", today="2026-01-05").stdout
    assert text.strip() == "Nobody due matches."  # a tag people have, no one due
    result = vault.run("due", "--tag", "nobody")  # a tag no one has: a typo, said so
    assert result.exit_code == 2 and "no one has the tag 'nobody'." in result.output
    # A filter shows the planned day everyone has, not a plan of the filtered few.
    vault.config("follow_ups_per_day = 1\n")
    assert [p["planned"] for p in due_json(vault, "--circle", "inner")] == ["2026-11-23", "2026-11-25"]
