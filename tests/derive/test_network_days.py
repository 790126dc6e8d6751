"""The monthly figures of the network's shape, summed from each record's packed days
(``Person.dated``), held to their definition worked out the plain way: every dated Log line
that is no job change, and every mention, counted once per day in the month of its date,
up to today."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultnet.derive.network import contact_days, month_starts, per_month
from vaultnet.model.person import Entry, Mention, Person, days, dated_of, with_mentions

START = date(2025, 6, 1)
day = st.integers(0, 700).map(lambda n: START + timedelta(days=n))
entry = st.tuples(st.none() | day, st.sampled_from(["call", "coffee", "job change: CTO at Acme", "Job Change: CEO"]))
person = st.tuples(
    st.lists(entry, max_size=6), st.lists(entry, max_size=3), st.lists(entry, max_size=3), st.lists(day, max_size=3)
)


def plain_count(dates: list[date], months: list[date], today: date) -> list[int]:
    return [sum(1 for d in dates if d <= today and (d.year, d.month) == (m.year, m.month)) for m in months]


@settings(max_examples=200, deadline=None)
@given(st.lists(person, max_size=8), day)
def test_per_month_counts_the_days_of_every_record_as_defined(people, today):
    records = []
    for i, (log, helped, received, mentioned) in enumerate(people):
        record = Person(
            f"People/p{i}.md", f"P{i}", log=tuple(Entry(*e) for e in log),
            helped=tuple(Entry(*e) for e in helped), received=tuple(Entry(*e) for e in received),
        )
        mentions = tuple(Mention(d, "Daily/x.md", 1, "") for d in sorted(mentioned, reverse=True))
        records.append(with_mentions(record, mentions) if mentions else record)
    months = month_starts(today)
    touched, gave, got = [], [], []
    for record in records:
        touched += {e.date for e in record.log if e.date and not e.text.casefold().startswith("job change: ")} | {
            m.date for m in record.mentions
        }
        gave += [e.date for e in record.helped if e.date]
        got += [e.date for e in record.received if e.date]
        assert list(days(record.dated.helped_days)) == sorted(d.toordinal() for d in [e.date for e in record.helped if e.date])
    assert per_month(map(contact_days, records), months, today) == plain_count(touched, months, today)
    assert per_month((r.dated.helped_days for r in records), months, today) == plain_count(gave, months, today)
    assert per_month((r.dated.received_days for r in records), months, today) == plain_count(got, months, today)


def test_the_newest_log_line_is_the_last_written_of_the_newest_day_and_no_job_change():
    log = (Entry(date(2026, 5, 1), "call"), Entry(date(2026, 5, 3), "lunch"), Entry(None, "undated"),
           Entry(date(2026, 5, 3), "walk"), Entry(date(2026, 6, 1), "job change: CTO at Acme"))
    record = Person("People/a.md", "A", log=log)
    assert dated_of(record).last_log == 3 and record.last_log.text == "walk" and record.last_seen == date(2026, 5, 3)
    assert list(days(record.dated.contact_days)) == [date(2026, 5, 1).toordinal(), date(2026, 5, 3).toordinal()]
    assert dated_of(Person("People/b.md", "B", log=log[4:])).last_log == -1 and Person("People/b.md", "B").last_log is None
