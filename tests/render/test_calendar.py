"""The follow-up calendar: valid for icalendar, the strict `ical` parser and khal; stable UIDs;
deterministic DTSTAMPs; no property injection from a note."""

from __future__ import annotations

import os
import re
import shutil
import sys
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

from vaultnet.render.calendar import (
    PRODID,
    Event,
    build_calendar,
    event_bytes,
    feed_name,
    follow_up_event,
    head_bytes,
)
from vaultnet.model.config import Config, load_config
from vaultnet.load.vault import load_vault, parse_note
from vaultnet.model.yamltext import double_quoted

from tests.reference import calendar as reference
from tests.support import BENCH, EXAMPLES, KHAL, khal, khal_config, khal_events

TODAY = date(2026, 11, 23)  # a Monday; conftest pins the CLI to it


# --- helpers ----------------------------------------------------------------------------------


def validate(data: bytes) -> icalendar.Calendar:
    """Every check a subscriber's client relies on; returns the icalendar parse."""
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines), "bare LF or CR inside a line"
    for line in lines:
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
        line.decode("utf-8")  # folding never cuts a UTF-8 sequence
    text = data.decode("utf-8")
    # The strict parser: invalid dates, mixed DATE/DATE-TIME, duplicated properties are errors.
    strict = IcsCalendarStream.calendar_from_ics(text)
    cal = icalendar.Calendar.from_ical(data)
    for component in cal.walk():
        assert not component.errors, (component.name, component.errors)
    assert str(cal["PRODID"]) == PRODID and str(cal["VERSION"]) == "2.0"
    assert cal["X-PUBLISHED-TTL"].to_ical() == b"PT12H"
    assert icalendar.vDuration.from_ical("PT12H") == timedelta(hours=12)
    assert re.search(rb"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n", data)
    unfolded = data.replace(b"\r\n ", b"")
    names = re.findall(rb"(?m)^(?:NAME|X-WR-CALNAME):(.*)\r$", unfolded)
    assert len(names) == 2 and names[0] == names[1], "NAME and X-WR-CALNAME say the same"
    events = cal.walk("VEVENT")
    assert len(events) == len(strict.events)
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)), "UIDs must be unique"
    for event in events:
        stamp = event["DTSTAMP"].dt
        assert isinstance(stamp, datetime) and stamp.tzinfo is not None and stamp.utcoffset() == timedelta(0)
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert type(start) is date and type(end) is date, "all-day events: DATE values"
        assert end == start + timedelta(days=1), "DTEND is the exclusive next day"
        assert "TZID" not in event["DTSTART"].params
    assert b"VTODO" not in data
    return cal


def events_by_summary(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def write_small_vault(vault) -> None:
    """Six people whose follow-ups are worked out by hand for 2026-11-23 (see each comment)."""
    vault.write("Ann Alpha", """\
        ---
        tags: [founder, Climate]
        org: "[[Acme]]"
        role: CEO
        email: ann@acme.test
        circle: close
        last_contact: 2026-10-01
        needs: [funding, a CFO]
        offers: [design reviews]
        helped:
          - 2026-05-01 intro to [[Bob Beta]]: pilot
        received:
          - 2026-06-01 coffee and advice
        ---
        # Ann Alpha

        ## Log
        - 2026-10-01 call: catch-up, she is raising
        """)  # close = 30d: due 2026-10-31, 23 days overdue
    vault.write("Bob Beta", """\
        ---
        tags: [climate]
        org: Acme
        follow_up: 2026-11-25
        last_contact: 2026-09-01
        birthday: --02-29
        ---
        """)  # follow-up date this week
    vault.write("Cy Gamma", """\
        ---
        cadence: 1m
        last_contact: 2026-11-01
        needs: [a designer]
        ---
        """)  # due 2026-12-01: within 30 days, not this week
    vault.write("Dee Delta", "---\norg: Solo\n---\n")  # no dates: never contacted, due today
    vault.write("Eve Epsilon", "---\ncadence: none\nlast_contact: 2026-01-01\n---\n")  # never due
    vault.write("Fay Far", """\
        ---
        cadence: 1y
        last_contact: 2026-11-20
        birthday: 1990-05-17
        ---
        """)  # due 2027-11-20: beyond the 90-day horizon; birthday yearly


def build(vault, *args: str, today: str = "2026-11-23"):
    result = vault.run("build", *args, today=today)
    assert result.exit_code == 0, result.output + result.stderr
    return result


def ics(vault) -> bytes:
    return (vault.root / "followups.ics").read_bytes()


# --- the small vault, worked out by hand ------------------------------------------------------


def test_small_vault_events_dates_and_summaries(vault):
    write_small_vault(vault)
    build(vault)
    cal = validate(ics(vault))
    events = events_by_summary(cal)
    assert sorted(events) == sorted([
        "Follow up: Ann Alpha (23 days overdue)",
        "Follow up: Dee Delta (never contacted)",
        "Follow up: Bob Beta",
        "Follow up: Cy Gamma",
        "Birthday: Bob Beta",
        "Birthday: Fay Far",
    ])
    start = {s: e["DTSTART"].dt for s, e in events.items()}
    assert start["Follow up: Ann Alpha (23 days overdue)"] == TODAY  # overdue: placed on today
    assert start["Follow up: Dee Delta (never contacted)"] == TODAY
    assert start["Follow up: Bob Beta"] == date(2026, 11, 25)
    assert start["Follow up: Cy Gamma"] == date(2026, 12, 1)
    # Birthdays: yearly; 29 February falls on the last day of February in common years.
    bob = events["Birthday: Bob Beta"]
    assert dict(bob["RRULE"]) == {"FREQ": ["YEARLY"], "BYMONTH": [2], "BYMONTHDAY": [-1]}
    assert bob["DTSTART"].dt == date(2000, 2, 29)
    fay = events["Birthday: Fay Far"]
    assert dict(fay["RRULE"]) == {"FREQ": ["YEARLY"]} and fay["DTSTART"].dt == date(1990, 5, 17)
    # Everything in the feed is transparent (a reminder does not block the day).
    assert all(str(e["TRANSP"]) == "TRANSPARENT" for e in events.values())
    # The calendar name comes from the config default.
    assert str(cal["X-WR-CALNAME"]) == "Follow-ups"


def test_description_carries_what_helps_a_follow_up(vault):
    write_small_vault(vault)
    build(vault)
    ann = events_by_summary(validate(ics(vault)))["Follow up: Ann Alpha (23 days overdue)"]
    description = str(ann["DESCRIPTION"])
    assert description.splitlines() == [
        "Due 2026-10-31, 23 days overdue.",
        "Reasons to reach out:",  # what `vaultnet plan` says, best first
        "- They helped you on 2026-06-01 (coffee and advice) and you have not helped them since: find a way to give back",
        "- They need: funding; a CFO: can you help?",
        "Cadence: every 30d (circle close)",
        "Works: CEO, Acme",
        "Last contact: 2026-10-01 — call: catch-up, she is raising",
        "Needs: funding; a CFO",
        "Offers: design reviews",
        "You last helped: 2026-05-01 intro to Bob Beta: pilot",
        "Contact: ann@acme.test",
        "Note: People/Ann Alpha.md",
    ]
    assert [str(c) for c in ann["CATEGORIES"].cats] == ["founder", "Climate"]
    # Commas and semicolons are escaped on the wire, not swallowed.
    assert b"Due 2026-10-31\\, 23 days overdue." in ics(vault).replace(b"\r\n ", b"")


def test_horizon_and_birthdays_follow_the_config(vault):
    write_small_vault(vault)
    vault.config('calendar_horizon = "400d"\nbirthdays = false\ncalendar_name = "Keep in touch; weekly, really"\n')
    build(vault)
    cal = validate(ics(vault))
    summaries = set(events_by_summary(cal))
    assert "Follow up: Fay Far" in summaries  # 2027-11-20 is within 400 days
    assert not any(s.startswith("Birthday") for s in summaries)
    assert b"\r\nNAME:Keep in touch\\; weekly\\, really\r\n" in ics(vault)
    assert b"X-WR-CALNAME:Keep in touch\\; weekly\\, really\r\n" in ics(vault)
    vault.config('calendar_horizon = "7d"\n')
    build(vault)
    summaries = set(events_by_summary(validate(ics(vault))))
    assert "Follow up: Cy Gamma" not in summaries and "Follow up: Bob Beta" in summaries


# --- stability --------------------------------------------------------------------------------


def uids(vault) -> dict[str, str]:
    return {str(e["SUMMARY"]).split(" (")[0]: str(e["UID"]) for e in validate(ics(vault)).walk("VEVENT")}


def test_rebuild_is_byte_identical_and_uids_are_stable_across_edits(vault):
    write_small_vault(vault)
    build(vault)
    first, before = ics(vault), uids(vault)
    build(vault)
    assert ics(vault) == first
    # Edit everything about Ann except her file: name, needs, last contact.
    path = vault.people / "Ann Alpha.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("tags:", "name: Ann A. Alpha-Smith\ntags:").replace("2026-10-01\nneeds", "2026-11-22\nneeds")
    path.write_text(text.replace("[funding, a CFO]", "[a new job]"), encoding="utf-8")
    build(vault)
    after = uids(vault)
    assert after["Follow up: Ann A. Alpha-Smith"] == before["Follow up: Ann Alpha"]
    assert {k: v for k, v in after.items() if "Ann" not in k} == {k: v for k, v in before.items() if "Ann" not in k}


def test_uid_follows_the_file_case_and_unicode_form_do_not_matter(vault):
    vault.write("Zoë Ångström", "---\nlast_contact: 2026-11-01\ncircle: inner\n---\n")
    build(vault)
    uid = uids(vault)["Follow up: Zoë Ångström"]
    # The same note under an NFD file name (what macOS may hand to git) and another case: same UID.
    import unicodedata

    os.rename(vault.people / "Zoë Ångström.md", vault.people / (unicodedata.normalize("NFD", "zoë ångström") + ".md"))
    build(vault)
    assert list(uids(vault).values()) == [uid]
    # A real rename is a new note: a new UID (the old event simply leaves the feed).
    os.rename(next(vault.people.iterdir()), vault.people / "Zoe Angstrom.md")
    build(vault)
    assert list(uids(vault).values()) != [uid] and len(uids(vault)) == 1


def test_twins_but_for_case_or_unicode_form_get_distinct_uids_and_the_first_keeps_its_own(vault, tmp_path):
    """Two notes whose paths differ only in case or Unicode form would share a UID, and a
    client keeping one event per UID (khal) would drop one of them silently."""
    nfc, nfd = unicodedata.normalize("NFC", "Café Crème"), unicodedata.normalize("NFD", "Café Crème")
    alone = {"Amara Okafor": "2026-11-30", nfd: "2026-12-01"}
    # written later, and sorting after the first ones (lower case after upper, NFC's "é" after NFD's "e")
    twins = {"amara okafor": "2026-12-02", "amara Okafor": "2026-12-03", nfc: "2026-12-04", "café crème": "2026-12-05"}
    for stem, day in alone.items():
        vault.write(stem, f"---\nname: {stem} {day}\nfollow_up: {day}\nbirthday: --{day[5:]}\n---\n")
    build(vault)
    before = {str(e["SUMMARY"]): str(e["UID"]) for e in validate(ics(vault)).walk("VEVENT")}
    assert len(before) == 4
    for stem, day in twins.items():
        vault.write(stem, f"---\nname: {stem} {day}\nfollow_up: {day}\nbirthday: --{day[5:]}\n---\n")
    assert len(list(vault.people.iterdir())) == 6  # six files: a case-sensitive file system
    build(vault)
    data = ics(vault)
    cal = validate(data)  # every UID distinct
    after = {str(e["SUMMARY"]): str(e["UID"]) for e in cal.walk("VEVENT")}
    assert len(after) == len(set(after.values())) == 12
    # The notes that sort first keep the UIDs subscribers already have.
    assert {k: after[k] for k in before} == before
    # Rebuilding gives the same bytes: the twins' UIDs depend on the paths alone.
    build(vault)
    assert ics(vault) == data

    # A real client imports every event.
    assert KHAL.exists(), "khal is a test dependency (pip install -e .[test])"
    config = khal_config(tmp_path / "khal", tmp_path / "khal" / "calendar")
    khal(config, "import", "--batch", "-a", "followups", str(vault.root / "followups.ics"))
    listed = khal_events(config, "2026-11-23", "2026-12-31")
    follow_ups = [row for row in listed if row[1].startswith("Follow up: ")]
    births = [row for row in listed if row[1].startswith("Birthday: ")]
    assert len(follow_ups) == 6 and len(births) == 6, listed
    assert len({row[2] for row in listed}) == 12


def test_dtstamp_comes_from_the_notes_not_the_clock(vault):
    write_small_vault(vault)
    build(vault, today="2026-11-23")
    events = events_by_summary(validate(ics(vault)))
    stamp = {s: e["DTSTAMP"].dt for s, e in events.items()}
    utc = UTC
    assert stamp["Follow up: Cy Gamma"] == datetime(2026, 11, 1, tzinfo=utc)  # its last contact
    assert stamp["Follow up: Bob Beta"] == datetime(2026, 9, 1, tzinfo=utc)
    assert stamp["Follow up: Ann Alpha (23 days overdue)"] == datetime(2026, 11, 23, tzinfo=utc)  # moved to today
    assert stamp["Birthday: Fay Far"] == datetime(1990, 5, 17, tzinfo=utc)
    # A day later, the events that did not move keep their bytes, DTSTAMP included.
    first = {s: e.to_ical() for s, e in events.items()}
    build(vault, today="2026-11-24")
    later = {s: e.to_ical() for s, e in events_by_summary(validate(ics(vault))).items()}
    for summary in ("Follow up: Cy Gamma", "Follow up: Bob Beta", "Birthday: Fay Far", "Birthday: Bob Beta"):
        assert later[summary] == first[summary]
    assert "Follow up: Ann Alpha (24 days overdue)" in later


def test_two_copies_of_a_vault_give_the_same_feed(vault, tmp_path):
    write_small_vault(vault)
    build(vault)
    copy = tmp_path / "elsewhere" / "copy"
    shutil.copytree(vault.root, copy)
    (copy / "followups.ics").unlink()
    from click.testing import CliRunner

    from vaultnet.cli import main

    result = CliRunner().invoke(main, ["--vault", str(copy), "--today", "2026-11-23", "build"])
    assert result.exit_code == 0
    assert (copy / "followups.ics").read_bytes() == ics(vault)


# --- escaping -------------------------------------------------------------------------------


def test_hostile_text_cannot_inject_properties(vault):
    vault.write("Mallory", (
        "---\n"
        'name: "Mal\\r\\nBEGIN:VEVENT\\nUID:evil\\nSUMMARY:pwned, really; yes \\\\ done"\n'
        'needs: ["a\\nEND:VEVENT\\nBEGIN:VEVENT", "x;y,z\\\\n"]\n'
        'tags: ["a,b", "c;d"]\n'
        "---\n"
    ))
    build(vault)
    data = ics(vault)
    cal = validate(data)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    (event,) = events
    assert str(event["SUMMARY"]) == "Follow up: Mal BEGIN:VEVENT UID:evil SUMMARY:pwned, really; yes \\ done (never contacted)"
    assert re.search(r"Needs: a\sEND:VEVENT\sBEGIN:VEVENT; x;y,z\\n\n", str(event["DESCRIPTION"]))
    assert [str(c) for c in event["CATEGORIES"].cats] == ["a,b", "c;d"]
    assert data.count(b"\r\nBEGIN:VEVENT\r\n") == 1
    assert str(event["UID"]).startswith("followup-")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=80),
    need=st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=200),
)
def test_any_text_round_trips_through_the_feed(name, need):
    """Whatever a note holds, the feed parses strictly, holds one event, and says the same text."""
    config = Config(root=Path("/nonexistent"))
    note = f"---\nname: {double_quoted(name)}\nneeds: [{double_quoted(need)}]\n---\n".encode()
    person, problems = parse_note("People/Someone.md", note)
    assert person is not None and not [p for p in problems if p.fatal]
    data = build_calendar([person], config, TODAY)
    cal = validate(data)
    assert data == reference.feed([person], config, TODAY)
    (event,) = cal.walk("VEVENT")
    shown = " ".join(re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", person.name).split()) or "Someone"
    assert str(event["SUMMARY"]) == f"Follow up: {shown} (never contacted)"
    if person.needs:
        expected = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", person.needs[0].replace("\r\n", "\n").replace("\r", "\n"))
        if "[" not in expected:  # links are shown as their text; covered elsewhere
            assert f"Needs: {expected}" in str(event["DESCRIPTION"])


def test_a_literal_backslash_n_stays_text():
    """``\\N`` in a name, a need or a tag is text, not a line break: written ``\\\\N`` (RFC
    5545's escaped backslash, then N), and read back as written by the strict parser.
    icalendar's own escaping would turn it into a line break, so the feed encodes around it."""
    config = Config(root=Path("/nonexistent"))
    note = b'---\nname: "C:\\\\New x\\\\N"\nneeds: ["a\\\\Nb"]\ntags: ["t\\\\Nu"]\n---\n'
    person, _problems = parse_note("People/Someone.md", note)
    assert (person.name, person.needs, person.tags) == ("C:\\New x\\N", ("a\\Nb",), ("t\\Nu",))
    data = build_calendar([person], config, TODAY)
    validate(data)
    assert b"SUMMARY:Follow up: C:\\\\New x\\\\N (never contacted)" in data
    (event,) = IcsCalendarStream.calendar_from_ics(data.decode()).events
    assert event.summary == "Follow up: C:\\New x\\N (never contacted)"
    assert "Needs: a\\Nb\n" in event.description and event.categories == ["t\\Nu"]


# --- a real client: khal ----------------------------------------------------------------------


def test_khal_imports_the_example_feed_and_updates_by_uid(tmp_path):
    """The subscription flow in a real client: import, change a note, import again — khal
    updates the event in place (same UID) instead of duplicating it."""
    assert KHAL.exists(), "khal is a test dependency (pip install -e .[test])"
    root = tmp_path / "vault"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("Index", "*.ics", ".vaultnet"))
    from click.testing import CliRunner

    from vaultnet.cli import main

    def run_build() -> bytes:
        result = CliRunner().invoke(main, ["--vault", str(root), "--today", "2026-11-23", "build"])
        assert result.exit_code == 0, result.output
        config = load_config(root)
        return config.calendar_path.read_bytes()

    data = run_build()
    cal = validate(data)
    feed = root / load_config(root).calendar
    expected = {(e["DTSTART"].dt.isoformat(), str(e["SUMMARY"]), str(e["UID"])) for e in cal.walk("VEVENT") if "RRULE" not in e}
    config = khal_config(tmp_path / "khal", tmp_path / "khal" / "calendar")
    khal(config, "import", "--batch", "-a", "followups", str(feed))
    listed = khal_events(config)
    assert expected <= set(listed)
    assert len(listed) == len(expected) + sum(1 for e in cal.walk("VEVENT") if "RRULE" in e)
    # khal reads the same text we wrote (printics re-parses the file on its own).
    printed = khal(config, "printics", str(feed))
    assert f"{len(cal.walk('VEVENT'))} events found" in printed

    # Move one person's follow-up: contact them "today".
    vault = load_vault(load_config(root))
    person = next(p for p in vault.people if any(str(e["SUMMARY"]).startswith(f"Follow up: {p.name} (") for e in cal.walk("VEVENT")))
    note = root / person.path
    text = note.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^last_contact: .*$", "last_contact: 2026-11-23", text) if "last_contact:" in text else text.replace("---\n", "---\nlast_contact: 2026-11-23\n", 1)
    text = re.sub(r"(?m)^follow_up: .*\n", "", text)
    note.write_text(text, encoding="utf-8")
    run_build()
    khal(config, "import", "--batch", "-a", "followups", str(feed))
    relisted = khal_events(config)
    mine = [row for row in relisted if row[1].startswith(f"Follow up: {person.name}")]
    assert len(mine) <= 1, f"duplicated after re-import: {mine}"
    assert all(row[0] > "2026-11-23" for row in mine)
    assert len(relisted) == len(listed) - (1 - len(mine))


@pytest.mark.parametrize("horizon", ["none", "90d", "9000y"])
def test_dates_at_the_ends_of_the_calendar(vault, horizon):
    """Year 1 and 9999 in notes, and a horizon past year 9999, still give a valid feed."""
    vault.config(f'calendar_horizon = "{horizon}"\n')
    vault.write("End", "---\nlast_contact: 9999-12-01\ncadence: 1d\nbirthday: 9999-12-31\nfollow_up: 9999-12-31\n---\n")
    vault.write("Start", "---\nbirthday: 0001-01-01\nlast_contact: 0001-01-01\n---\n")
    build(vault)
    events = events_by_summary(validate(ics(vault)))
    assert events["Birthday: End"]["DTSTART"].dt == date(2000, 12, 31)  # 9999 leaves no room for DTEND
    assert events["Birthday: Start"]["DTSTART"].dt == date(1, 1, 1)
    assert events["Follow up: Start (739852 days overdue)"]["DTSTART"].dt == TODAY
    assert "Follow up: End" not in events


# --- serialisation: the feed is exactly what icalendar writes -----------------------------------


def small_vault_events(vault) -> tuple[list, Config]:
    config = load_config(vault.root)
    return reference.events(load_vault(config, TODAY).people, config, TODAY), config


def test_the_feed_is_exactly_what_icalendar_writes(vault):
    """The feed (each value encoded by icalendar, folded by vaultnet) equals icalendar's own
    ``Calendar.to_ical()`` of the same events, built in memory or by the command."""
    write_small_vault(vault)
    vault.write("Mallory", '---\nname: "Mal\\r\\nBEGIN:VEVENT, x; y \\\\ é 😀"\nneeds: ["a\\nb\\x00c", "%s"]\ntags: ["a,b"]\n---\n' % ("é" * 120))
    vault.config('calendar_name = "Keep in touch; weekly, really — ✓"\n')
    events, config = small_vault_events(vault)
    assert len(events) == 7
    expected = reference.calendar(feed_name(config), events).to_ical()
    assert build_calendar(load_vault(config, TODAY).people, config, TODAY) == expected
    build(vault)
    assert ics(vault) == expected
    validate(expected)
    # The calendar-level values icalendar does not know are written with their proper types.
    unfolded = expected.replace(b"\r\n ", b"")
    assert b"\r\nX-PUBLISHED-TTL:PT12H\r\n" in unfolded
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in unfolded
    assert "\r\nNAME:Keep in touch\\; weekly\\, really — ✓\r\n".encode() in unfolded
    assert "\r\nX-WR-CALNAME:Keep in touch\\; weekly\\, really — ✓\r\n".encode() in unfolded
    assert b"icalendar" not in expected  # PRODID is ours, without a version


def test_the_example_feed_is_exactly_what_icalendar_writes(tmp_path):
    root = tmp_path / "vault"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("Index", "*.ics", ".vaultnet"))
    from click.testing import CliRunner

    from vaultnet.cli import main

    config = load_config(root)
    expected = reference.feed(load_vault(config, TODAY).people, config, TODAY)
    for _run in ("first", "again"):
        result = CliRunner().invoke(main, ["--vault", str(root), "--today", "2026-11-23", "build", "--force"])
        assert result.exit_code == 0, result.output
        assert config.calendar_path.read_bytes() == expected
    assert validate(expected).walk("VEVENT")


def test_a_benchmark_vault_feed_is_exactly_what_icalendar_writes(tmp_path):
    """A few hundred synthetic people (the benchmark's mix of fields): the whole feed is
    icalendar's, and both parsers read it."""
    sys.path.insert(0, str(BENCH))
    try:
        import generate
    finally:
        sys.path.remove(str(BENCH))
    root = tmp_path / "vault"
    (root / "People").mkdir(parents=True)
    for person in generate.people(300, 5):
        (root / "People" / f"{person['name']}.md").write_text(generate.note_text(person), encoding="utf-8")
    config = load_config(root)
    people = load_vault(config, TODAY).people
    data = build_calendar(people, config, TODAY)
    assert data == reference.feed(people, config, TODAY)
    assert len(validate(data).walk("VEVENT")) > 100


# Text that breaks writers: what TEXT escapes, what folding must not cut (multi-octet
# characters, an escape's backslash, RFC 6868's caret), icalendar's quirks (``\\N`` read as a
# newline, one leading BOM dropped), control characters, and plain letters to vary the
# place of every fold.
HOSTILE = st.lists(
    st.one_of(
        st.sampled_from(list("\\;,^\n\r\t:\"\ufeff\u2028\x00\x1b\x7f") + ["\\N", "\\n", "\r\n", "é", "€", "😀", "👩‍👩‍👧", "\u0301"]),
        st.characters(blacklist_categories=["Cs"]),
        st.sampled_from(list("abcxyz ")),
    ),
    max_size=120,
).map("".join)


@st.composite
def events(draw):
    """Decided events, and (half the time) events whose text fields were set afterwards, raw,
    so the writer also meets what ``Event`` cleans: CR, control characters."""
    event = Event(
        draw(st.one_of(st.just("followup-0123456789abcdef01234567@vaultnet"), HOSTILE.filter(bool))),
        draw(st.dates(max_value=date(9999, 12, 30))),
        draw(st.dates()),
        draw(HOSTILE),
        draw(HOSTILE),
        tuple(draw(st.lists(HOSTILE, max_size=4))),
        draw(st.sampled_from([None, "FREQ=YEARLY", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"])),
    )
    if draw(st.booleans()):
        event.summary, event.description = draw(HOSTILE), draw(HOSTILE)
        event.categories = tuple(draw(st.lists(HOSTILE, max_size=3)))
    return event


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=events())
def test_event_bytes_is_what_icalendar_writes_for_any_event(event):
    assert event_bytes(event) == reference.vevent(event).to_ical()


@settings(max_examples=200, deadline=None)
@given(prefix=st.integers(0, 80), unit=st.sampled_from(["é", "€", "😀", "\\", "^", "\\,", "\\;", ",", ";", "\n", "a"]), count=st.integers(1, 200))
def test_every_fold_point_is_icalendar_s(prefix, unit, count):
    """Runs of one awkward character after every possible prefix length, so each of them falls
    at every position of a fold (hypothesis alone rarely lines them up)."""
    text = "p" * prefix + unit * count
    event = Event("followup-x@vaultnet", TODAY, TODAY, text, "Due: " + text, (text,))
    assert event_bytes(event) == reference.vevent(event).to_ical()


@st.composite
def crowds(draw):
    """People whose events tie on date, so the order falls to names (case, accents, a lone
    surrogate that the feed shows as U+FFFD, control characters) and then to UIDs."""
    from vaultnet.model.dates import Birthday
    from vaultnet.model.person import Person

    names = st.one_of(st.sampled_from(["ann", "Ann", "ÄNN", "ann\ud800", "ann\ue000", "ann\x00", " ann ", "", "Zoë", "😀"]), HOSTILE)
    # distinct files, some of them twins but for case or Unicode form
    stems = ["P0", "p0", "Q0", "P1", "p1", "P2", "Zoë", "zoë", "ZOË", unicodedata.normalize("NFD", "Zoë")]
    paths = draw(st.lists(st.sampled_from(stems), min_size=1, max_size=8, unique=True))
    people = []
    for stem in paths:
        people.append(Person(
            f"People/{stem}.md", draw(names),
            last_contact=draw(st.sampled_from([None, date(2026, 8, 1), date(2026, 11, 1)])),
            follow_up=draw(st.sampled_from([None, date(2026, 11, 30)])),
            birthday=draw(st.sampled_from([None, Birthday(2, 29), Birthday(5, 17, 1990), Birthday(5, 17)])),
            tags=tuple(draw(st.lists(st.sampled_from(["a", "A", "b,c"]), max_size=2))),
        ))
    return people


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=crowds())
def test_the_streamed_feed_is_the_rendered_feed(people):
    """``build_calendar`` sorts before it decides any event; its order and bytes are those of
    icalendar writing the decided events, sorted."""
    config = Config(root=Path("/nonexistent"))
    data = build_calendar(people, config, TODAY)
    assert data == reference.feed(people, config, TODAY)
    validate(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=crowds(), drop=st.integers(min_value=0, max_value=40))
def test_events_kept_from_an_earlier_build_give_the_same_feed(people, drop):
    """Bytes kept by UID are reused only under an unchanged key: the feed is the same as
    one encoded from scratch, whatever was kept, and a person gone leaves the kept set."""
    from vaultnet.render.calendar import EncodedEvents

    config = Config(root=Path("/nonexistent"))

    def kept_as(kept: dict) -> EncodedEvents:
        return EncodedEvents({uid: key for uid, (key, _) in kept.items()}, lambda uid: kept[uid][1] if uid in kept else None)

    first = EncodedEvents()
    data = build_calendar(people, config, TODAY, encoded=first)
    assert data == build_calendar(people, config, TODAY)
    kept = dict(first.fresh)
    again = kept_as(kept)
    assert build_calendar(people, config, TODAY, encoded=again) == data
    assert again.fresh == {} and again.gone == []
    # A stale key (as after an edit) is encoded again; a stale byte string under it is never used.
    if kept:
        uid = sorted(kept)[drop % len(kept)]
        tampered = {**kept, uid: ("stale", b"BEGIN:VEVENT\r\nSUMMARY:wrong\r\nEND:VEVENT\r\n")}
        redo = kept_as(tampered)
        assert build_calendar(people, config, TODAY, encoded=redo) == data
        assert list(redo.fresh) == [uid]
        # Bytes gone from under a key that still matches are encoded again, not left out.
        vanished = EncodedEvents({u: k for u, (k, _) in kept.items()}, lambda u: None if u == uid else kept[u][1])
        assert build_calendar(people, config, TODAY, encoded=vanished) == data
        assert list(vanished.fresh) == [uid]
    # Someone left the vault: their events are reported gone, the rest reused.
    if people:
        fewer = people[: drop % len(people)]
        left = kept_as(kept)
        smaller = build_calendar(fewer, config, TODAY, encoded=left)
        assert smaller == build_calendar(fewer, config, TODAY)  # a twin left: its pair may change UID
        present = {str(event["UID"]) for event in icalendar.Calendar.from_ical(smaller).walk("VEVENT")}
        assert left.gone == sorted(set(kept) - present)


@settings(max_examples=150, deadline=None)
@given(name=HOSTILE)
def test_the_header_is_what_icalendar_writes_for_any_name(name):
    assert head_bytes(name) + b"END:VCALENDAR\r\n" == reference.calendar(name).to_ical()


def test_a_vault_where_no_cache_folder_can_be_made_still_builds(vault):
    """``.vaultnet`` is a file: the build writes the same feed, says nothing, and leaves
    the file alone; nothing of the calendar is kept outside the feed."""
    write_small_vault(vault)
    build(vault)
    first = ics(vault)
    assert not list((vault.root / ".vaultnet").rglob("calendar*"))
    shutil.rmtree(vault.root / ".vaultnet")
    (vault.root / ".vaultnet").write_text("not a folder", encoding="utf-8")
    (vault.root / "followups.ics").unlink()
    result = build(vault)
    assert result.stderr == ""
    assert ics(vault) == first
    assert (vault.root / ".vaultnet").read_text(encoding="utf-8") == "not a folder"


@settings(max_examples=200, deadline=None)
@given(text=HOSTILE)
def test_the_short_cuts_for_clean_text_answer_as_the_long_way(text):
    """``one_line`` and the text of a decided ``Event`` settle clean text without their regexes
    (str.isprintable): the same answers as the plain definitions, on any text."""
    from vaultnet.render.calendar import one_line

    control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
    assert one_line(text) == " ".join(control.sub(" ", text).split())
    fit = re.sub(r"[\ud800-\udfff]", "\ufffd", control.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n")))
    event = Event("followup-x@vaultnet", TODAY, TODAY, text, text, (text,))
    assert event.summary == event.description == fit
    assert event.categories == (fit,)
    surrogate = text[: len(text) // 2] + "\udc80" + text[len(text) // 2 :]
    assert "\udc80" not in Event("followup-x@vaultnet", TODAY, TODAY, surrogate, surrogate).summary


DAYS = st.one_of(st.none(), st.dates(date(2026, 11, 1), date(2026, 12, 31)))


@settings(max_examples=300, deadline=None)
@given(
    seen=DAYS, met=DAYS, follow_up=DAYS,
    helped=st.lists(st.tuples(DAYS, st.sampled_from(["a", "b", "c [[Ann]]"])), max_size=4),
    received=st.lists(DAYS, max_size=3),
)
def test_dtstamp_and_last_help_loops_answer_as_their_definitions(seen, met, follow_up, helped, received):
    """The single-pass loops behind a future follow-up's DTSTAMP and its "You last helped" pick
    what their plain definitions pick: the newest date not after today (else the earliest
    future one, else today), and the last of the newest dated help (else the last help)."""
    from vaultnet.model.links import plain_text as plain
    from vaultnet.model.person import Entry, Person
    from vaultnet.derive.schedule import Due

    person = Person(
        "People/P.md", "P", last_contact=seen, met=met, follow_up=follow_up,
        helped=tuple(Entry(d, t) for d, t in helped), received=tuple(Entry(d, "r") for d in received),
    )
    assert person.last_seen == seen
    dates = [d for d in (seen, met, follow_up) if d] + [e.date for e in (*person.helped, *person.received) if e.date]
    past = [d for d in dates if d <= TODAY]
    event = follow_up_event(Due(person, date(2026, 12, 20), "cadence", None, None), Config(root=Path("/x")), TODAY)
    assert event.start == date(2026, 12, 20)
    assert event.stamp == (max(past) if past else min(dates) if dates else TODAY)
    dated = [e for e in person.helped if e.date]
    if dated:
        last = max(reversed(dated), key=lambda e: e.date)
        assert f"You last helped: {last.date.isoformat()} {plain(last.text)}".rstrip() in event.description
    elif person.helped:
        assert f"You last helped: {plain(person.helped[-1].text)}" in event.description
    else:
        assert "You last helped" not in event.description


def test_text_that_is_not_fit_for_icalendar_is_made_fit():
    """Control characters and lone surrogates (from a file name that is not UTF-8) would be
    passed through by icalendar; the decided event holds text it can write."""
    event = Event("followup-x@vaultnet", TODAY, TODAY, "S\x00um\u2028", "a\x00b\rc\r\nd\x1be\tf\udcff", ("x\x07y", "z"))
    assert (event.summary, event.description, event.categories) == ("S um\u2028", "a b\nc\nd e\tf\ufffd", ("x y", "z"))
    (parsed,) = validate(head_bytes("Follow-ups") + event_bytes(event) + b"END:VCALENDAR\r\n").walk("VEVENT")
    assert str(parsed["DESCRIPTION"]) == "a b\nc\nd e\tf\ufffd"
    # A note whose file name is not UTF-8 never reaches the calendar: the loader skips it.
    person, problems = parse_note("People/Bad \udcff name.md", b"---\norg: Acme\n---\n")
    assert person is None and "not valid UTF-8" in problems[0].message
