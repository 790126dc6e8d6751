"""`vaultnet stats` on a hand-made vault; every figure worked out by hand (today: 2026-11-23)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def seven(vault):
    # Default circles: inner 14d, close 30d, network 90d; default cadence 90d.
    vault.write("Ann", """\
        ---
        circle: inner
        last_contact: 2026-11-20
        helped: [2026-01-01 a, 2026-02-01 b, 2026-03-01 c]
        ---
        """)  # due 2026-12-04: not due; contacted recently; gave 3, got 0
    vault.write("Bob", """\
        ---
        circle: close
        last_contact: 2026-10-01
        helped: [2026-01-01 a]
        received: [2026-01-02 b, 2026-01-03 c]
        ---
        """)  # due 2026-10-31: overdue; recent (53 days ago); gave 1, got 2
    vault.write("Cy", """\
        ---
        circle: network
        last_contact: 2026-01-10
        received: [2026-01-02 a, 2026-01-03 b, 2026-01-04 c]
        ---
        """)  # due 2026-04-10: overdue; 317 days ago; gave 0, got 3
    vault.write("Dee", """\
        ---
        circle: Network
        cadence: none
        last_contact: 2024-05-01
        helped: [2026-01-01 a, 2026-01-02 b]
        received: [2026-01-02 c, 2026-01-03 d]
        ---
        """)  # never due, not "cold" (cadence none); balanced
    vault.write("Eve", """\
        ---
        helped: [2026-01-01 a]
        ---
        """)  # no circle; never contacted: due today, not overdue; gave 1
    vault.write("Fay", """\
        ---
        circle: mentors
        last_contact: 2026-06-01
        follow_up: 2026-11-23
        ---
        ## Log
        - 2026-11-23 call: typed by hand, last_contact not updated
        """)  # follow-up today: due, not overdue; last seen today (the log line)
    vault.write("Gus", """\
        ---
        circle: close
        last_contact: 2026-08-25
        received: [2026-01-02 a]
        ---
        """)  # exactly 90 days ago: still "recent"; due 2026-09-24: overdue; got 1
    return vault


def test_stats_json_figures(seven):
    result = seven.run("stats", "--json")
    assert result.exit_code == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["people"] == 7
    assert figures["circles"] == {"inner": 1, "close": 2, "network": 2, "mentors": 1, "(none)": 1}
    assert (figures["due_now"], figures["overdue"]) == (4, 3)  # Bob Cy Eve Gus (Fay called on her follow-up day); Bob Cy Gus
    assert figures["contacted_recently"] == {"window_days": 90, "count": 4, "share": round(4 / 7, 4)}  # Ann Bob Fay Gus
    giving = figures["giving"]
    assert (giving["helped"], giving["received"], giving["net"]) == (7, 8, -1)
    assert [(b["name"], b["helped"], b["received"], b["net"]) for b in giving["you_gave_more"]] == [("Ann", 3, 0, 3), ("Eve", 1, 0, 1)]
    # Bob and Gus are both -1; Bob gave more to you in absolute terms, so he ranks first.
    assert [(b["name"], b["net"]) for b in giving["they_gave_more"]] == [("Cy", -3), ("Bob", -1), ("Gus", -1)]
    assert [(c["name"], c["last_contact"], c["days"]) for c in figures["coldest"]] == [
        ("Cy", "2026-01-10", 317), ("Gus", "2026-08-25", 90), ("Bob", "2026-10-01", 53), ("Ann", "2026-11-20", 3), ("Fay", "2026-11-23", 0),
    ]  # Dee (cadence none) is not "cold": you chose not to keep in touch
    assert figures["never_contacted"] == [{"name": "Eve", "path": "People/Eve.md"}]


def test_stats_text(seven):
    result = seven.run("stats", "--top", "2")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    charts = lines.index("")  # the charts follow (tests/render/test_network.py)
    assert lines[charts + 1] == "Contacts per month (days in touch: log lines and mentions):"
    assert lines[:charts] == [
        "People: 7",
        "  inner 1 · close 2 · network 2 · mentors 1 · no circle 1",
        "Due now: 4 (overdue: 3) — `vaultnet due` lists them",
        "Contacted in the last 90 days: 4 of 7 (57%)",
        "Giving: you helped 7 times, received help 8 times (balance -1)",
        "  You gave more to:",
        "    Ann: helped 3, received 0 (+3)",
        "    Eve: helped 1, received 0 (+1)",
        "  They gave more to you:",
        "    Cy: helped 0, received 3 (-3)",
        "    Bob: helped 1, received 2 (-1)",
        "Gone cold longest:",
        "  Name  Last contact  Since",
        "  ----  ------------  --------",
        "  Cy    2026-01-10    317d ago",
        "  Gus   2026-08-25    90d ago",
        "No contact logged yet: 1 (Eve)",
    ]


def test_due_now_agrees_with_vaultnet_due(seven):
    due = json.loads(seven.run("due", "--json").stdout)
    figures = json.loads(seven.run("stats", "--json").stdout)
    assert figures["due_now"] == len(due)
    assert figures["overdue"] == sum(1 for d in due if d["days_overdue"] > 0)


def test_a_configured_circle_with_nobody_shows_zero_and_bad_notes_are_reported(seven):
    seven.config('[circles]\nfamily = "7d"\ninner = "14d"\n')
    seven.write("Zed", "---\nneeds: [unclosed\n---\n")
    result = seven.run("stats", "--json")
    assert result.exit_code == 0
    assert "People/Zed.md" in result.stderr
    circles = json.loads(result.stdout)["circles"]
    # Configured circles first (the defaults, then the vault's own; an empty one as 0), then the rest by name.
    assert list(circles.items()) == [("inner", 1), ("close", 2), ("network", 2), ("family", 0), ("mentors", 1), ("(none)", 1)]


def test_empty_vault(vault):
    result = vault.run("stats")
    assert result.exit_code == 0
    assert "no people yet" in result.stdout
    assert json.loads(vault.run("stats", "--json").stdout)["contacted_recently"]["share"] == 0.0
