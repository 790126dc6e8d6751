"""The schedule works out each circle's cadence and each cadence-from-a-day sum once per
listing: what it answers for a crowd sharing them is what it answers for each alone."""

from datetime import date, timedelta
from itertools import cycle, islice
from pathlib import Path

from vaultnet.derive.schedule import due_by, due_of, next_date, planned_by
from vaultnet.load.roster import Brief
from vaultnet.model.config import parse_config
from vaultnet.model.durations import Duration

TODAY = date(2026, 11, 23)


def _crowd() -> list[Brief]:
    circles = cycle([None, "inner", "close", "network", "Close ", "book club"])
    cadences = cycle([None, None, Duration(14, "d"), Duration(1, "m"), Duration(0, "none"), Duration(1, "y")])
    seens = cycle([None, date(2026, 1, 31), date(2026, 10, 31), date(2024, 2, 29), TODAY, date(2026, 8, 30)])
    mets = cycle([None, date(2026, 11, 1), None, date(2025, 1, 31), date(2026, 11, 21)])
    follow_ups = cycle([None, None, None, date(2026, 12, 1), date(2026, 11, 1)])
    people = []
    for i, (circle, cadence, seen, met, follow_up) in enumerate(islice(zip(circles, cadences, seens, mets, follow_ups), 600)):
        people.append(Brief(f"People/P{i:04d}.md", f"P{i:04d}", None, circle, cadence, follow_up, seen, met, None, i % 97 == 0 or None))
    return people


def test_a_crowd_sharing_cadences_and_days_gets_what_each_gets_alone(tmp_path: Path):
    config = parse_config({"circles": {"inner": "2w", "close": "1m", "network": "3m"}, "first_follow_up": "3d"}, tmp_path)
    people = _crowd()
    alone = [due_of(p, config, TODAY) for p in people]
    for within in (None, Duration(0, "d"), Duration(2, "m")):
        limit = TODAY if within is None else within.after(TODAY)
        expected = sorted((d for d in alone if d is not None and d.date <= limit), key=lambda d: (d.date, d.person.name.casefold(), d.person.path))
        assert due_by(people, config, TODAY, within) == expected
        planned = planned_by(people, config, TODAY, within)
        by_path = {d.person.path: tuple(d)[:5] for d in expected}
        assert {d.person.path: tuple(d)[:5] for d in planned} == by_path and len(planned) == len(expected)
    shared: dict = {}
    assert [next_date(p, config, TODAY, shared) for p in people] == [None if d is None else d.date for d in alone]
    assert {d.reason for d in alone if d is not None} == {"follow_up", "cadence", "first_follow_up", "never contacted"}
    assert any(d is not None and d.date - d.since > timedelta(days=300) for d in alone if d is not None and d.since)
