"""The follow-up figures of ``Network.md`` taken from the plan a build has already made
(``network(plan=...)``) equal those made from the records alone, whoever is archived,
contacted today, capped or due far ahead."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from vaultnet.derive.network import network
from vaultnet.derive.schedule import contacted_on, due_of, plan_days
from vaultnet.model.config import Config
from vaultnet.model.person import Person

TODAY = date(2026, 11, 23)
day = st.integers(-400, 200).map(lambda n: TODAY + timedelta(days=n))
person = st.tuples(st.none() | day, st.none() | day, st.sampled_from([None, True, TODAY]), st.sampled_from(["inner", "close", "network", None]))


@settings(max_examples=150, deadline=None)
@given(st.lists(person, max_size=30), st.integers(0, 4))
# An archived person in touch today takes none of today's room: the build's plan, made with
# them counted, puts the seventh overdue person in next week, the figures' plan does not.
@example([(TODAY, None, True, None)] + [(None, TODAY - timedelta(days=10), None, "close")] * 7, 1)
def test_network_from_the_build_plan_equals_network_from_the_records(people, cap):
    config = dataclasses.replace(Config(root=Path("/nonexistent-vault")), follow_ups_per_day=cap)
    records = [
        Person(f"People/p{i}.md", f"P{i}", last_contact=seen, follow_up=follow_up, archived=archived, circle=circle)
        for i, (seen, follow_up, archived, circle) in enumerate(people)
    ]
    dues = [due_of(p, config, TODAY) for p in records]
    taken = contacted_on(records, TODAY)
    plan = plan_days([d for d in dues if d is not None], config, TODAY, taken)
    assert network(records, config, TODAY, dues=dues, plan=(plan, taken)) == network(records, config, TODAY, dues=dues)
