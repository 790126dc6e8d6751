"""Durations, dates and safe file names: the small pure pieces everything else stands on."""

from datetime import date

import pytest

from vaultnet.model.dates import Birthday, parse_birthday, parse_date, split_dated_text
from vaultnet.model.durations import NEVER, Duration, parse_duration
from vaultnet.model.names import safe_stem


@pytest.mark.parametrize(
    "text, expected",
    [("14d", Duration(14, "d")), ("2w", Duration(2, "w")), ("3m", Duration(3, "m")), ("1y", Duration(1, "y")),
     ("10", Duration(10, "d")), (10, Duration(10, "d")), (" 2 weeks ", Duration(2, "w")), ("none", NEVER), ("None", NEVER)],
)
def test_durations_read(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("bad", ["", "2x", "-3d", "d", "1.5m", None, True, [], "3 fortnights"])
def test_bad_durations_say_what_is_accepted(bad):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_months_are_calendar_months_clamped_to_the_last_day():
    assert Duration(1, "m").after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert Duration(1, "m").after(date(2028, 1, 31)) == date(2028, 2, 29)
    assert Duration(13, "m").after(date(2026, 11, 30)) == date(2027, 12, 30)
    assert Duration(1, "y").after(date(2028, 2, 29)) == date(2029, 2, 28)
    assert Duration(2, "w").after(date(2026, 12, 25)) == date(2027, 1, 8)


def test_month_lengths_are_the_calendars_leap_years_included():
    import calendar

    from vaultnet.model.durations import days_in_month

    for year in (1, 4, 100, 400, 1900, 2000, 2023, 2024, 2100, 9999):
        for month in range(1, 13):
            assert days_in_month(year, month) == calendar.monthrange(year, month)[1]
    assert Duration(1, "m").after(date(2024, 1, 31)) == date(2024, 2, 29)
    assert Duration(1, "y").after(date(2024, 2, 29)) == date(2025, 2, 28)
    assert Duration(1, "m").after(date(9999, 12, 31)) == date.max


def test_never_has_no_end():
    with pytest.raises(ValueError):
        NEVER.after(date(2026, 1, 1))


@pytest.mark.parametrize(
    "value, expected",
    [("2026-11-20", date(2026, 11, 20)), (date(2026, 1, 2), date(2026, 1, 2)),
     ("2026-11-20T10:30:00Z", date(2026, 11, 20)), ("2026-11-20 10:30", date(2026, 11, 20))],
)
def test_dates_read_tolerantly(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("bad", ["2026-13-01", "20/11/2026", "yesterday", 20261120, ["2026-11-20"]])
def test_bad_dates_are_refused(bad):
    with pytest.raises(ValueError):
        parse_date(bad)


def test_birthdays_with_and_without_year():
    assert parse_birthday("--04-12") == Birthday(4, 12)
    assert parse_birthday(date(1990, 12, 3)) == Birthday(12, 3, 1990)
    assert str(parse_birthday("--02-29")) == "--02-29"
    with pytest.raises(ValueError):
        parse_birthday("--02-30")


def test_dated_text_splits():
    assert split_dated_text("2026-11-20 coffee: talked") == (date(2026, 11, 20), "coffee: talked")
    assert split_dated_text("2026-11-20: intro") == (date(2026, 11, 20), "intro")
    assert split_dated_text("no date here") == (None, "no date here")


@pytest.mark.parametrize(
    "name, stem",
    [("Jane Doe", "Jane Doe"), ("AT&T: Bob/Smith", "AT&T- Bob-Smith"), ("../../etc/passwd", "etc-passwd"),
     ("a|b[c]#d^e", "a-b-c-d-e"), (".hidden", "hidden"), ("CON", "CON_"), ("", "Unnamed"), ("///", "Unnamed"),
     ("line\nbreak", "line break"), ("nul\x00byte", "nul-byte"), ("Zoë", "Zoë")],
)
def test_safe_stems(name, stem):
    assert safe_stem(name) == stem


def test_long_names_fit_a_file_system():
    assert len(safe_stem("é" * 400).encode()) <= 200


def test_week_end_is_the_sunday_or_the_last_day_there_is():
    from vaultnet.derive.schedule import week_end

    assert week_end(date(2026, 11, 23)) == date(2026, 11, 29)  # a Monday
    assert week_end(date(2026, 11, 29)) == date(2026, 11, 29)  # a Sunday is its own week's end
    assert week_end(date(9999, 12, 30)) == date.max  # a Thursday: no Sunday follows in year 9999


def test_templates_read_a_rows_keys_first_and_the_sandbox_still_guards_the_rest(tmp_path):
    from jinja2.exceptions import SecurityError

    from vaultnet.model.config import Config
    from vaultnet.render.templating import environment

    env = environment(Config(root=tmp_path))
    row = {"name": "Ann", "items": 2}  # a key that is also a dict method: the key wins, as a row means
    assert env.from_string("{{ row.name }} {{ row.items }} {{ row['name'] }} {{ n.real }}").render(row=row, n=3) == "Ann 2 Ann 3"
    with pytest.raises(SecurityError):
        env.from_string("{{ row.__class__.__mro__ }}").render(row=row)
    with pytest.raises(SecurityError):
        env.from_string("{{ row.call.__globals__ }}").render(row={"call": _a_function})


def _a_function():
    return None
