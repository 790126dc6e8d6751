"""The wide roster: a warm ``plan``, ``due --tag`` and ``due --json`` read the roster, the
store's lists of tags, emails, aliases, needs and offers, and whole records only for the
people planned; they never show stale data.

The yardstick is the same command with every cache turned off (``VAULTNET_NO_CACHE=1``).
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from vaultnet.load import store, wideroster
from vaultnet.load.vault import load_vault
from vaultnet.model.config import load_config

NOTES = {
    "Ada Byrne": """---
aliases: [Ace]
tags: [founder, climate/energy]
email: [ada@example.org]
circle: inner
last_contact: 2026-08-01
needs:
  - seed investors for a battery startup
  - 2026-01-10 a fractional CFO
offers: [battery chemistry advice]
helped:
  - 2026-09-01 introduced to [[Bo Chen]]
received:
  - 2026-10-01 reviewed my deck
birthday: --11-27
---
## Log
- 2026-10-15 job change: joined [[Gridline]] as CTO
""",
    "Bo Chen": """---
aliases: [Bo]
tags: [investor]
email: [bo@example.org, bo@work.example]
last_contact: 2026-06-01
offers: [seed investors for climate startups, a fractional CFO]
---
""",
    "Cleo Diaz": """---
tags: [climate]
met: 2026-11-10
follow_up: 2026-11-26
met_at: Web Summit
needs: [battery chemistry advice]
---
""",
    "Dev Patel": """---
tags: [Investor]
last_contact: 2026-01-01
offers: [seed investors for a battery startup]
archived: 2026-10-01
---
""",
    "Eve Okoro": """---
cadence: 2w
last_contact: 2026-11-01
needs: [a fractional CFO]
offers: [grid storage pilots]
---
""",
    "Fay": "---\nlast_contact: 2026-13-01\n---\n",  # a warning
    "Gus": "---\nname: [unclosed\n---\n",  # cannot be read
    "Template": "---\ntype: template\nname: {{title}}\n---\n",  # not a person
}

COMMANDS = [
    ("plan",),
    ("plan", "--json", "--days", "30"),
    ("due", "--json"),
    ("due", "--json", "--within", "30d", "--limit", "2"),
    ("due", "--tag", "climate"),
    ("due", "--tag", "investor", "--json", "--within", "1y"),
    ("due", "--tag", "climat"),  # nobody: the closest tag is suggested
]


@pytest.fixture
def people(vault, monkeypatch):
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)  # the racy rule has tests of its own (test_roster)
    for name, text in NOTES.items():
        vault.write(name, text, dedent=False)
    (vault.root / "Daily").mkdir()
    vault.config("follow_ups_per_day = 2\n")
    return vault


def reference(vault, monkeypatch, *args):
    with monkeypatch.context() as patch:
        patch.setenv("VAULTNET_NO_CACHE", "1")
        result = vault.run(*args)
    return result.exit_code, result.stdout, result.stderr


def run_with_stats(vault, monkeypatch, *args):
    """The command's output, and whether it was served by the roster."""
    with monkeypatch.context() as patch:
        patch.setenv("VAULTNET_CACHE_STATS", "1")
        result = vault.run(*args)
    lines = result.stderr.splitlines(keepends=True)
    used = any("from the roster" in line for line in lines if line.startswith("vaultnet cache:"))
    stderr = "".join(line for line in lines if not line.startswith("vaultnet cache:"))
    return (result.exit_code, result.stdout, stderr), used


def store_file(vault) -> Path:
    return vault.root / ".vaultnet" / "cache" / store.FILE


def test_after_a_full_load_plan_and_due_filters_read_the_roster(people, monkeypatch):
    people.run("list", "--json")  # a full load fills the store
    for args in COMMANDS:
        expected = reference(people, monkeypatch, *args)
        got, used = run_with_stats(people, monkeypatch, *args)
        assert used and got == expected, args
    # The plan has something to say about each kind of fact the store holds beside the roster.
    plan = people.run("plan", "--json", "--days", "30").stdout
    assert "Introduce them to Bo Chen" in plan and "Introduce them to Cleo Diaz" in plan
    assert "job-change" in plan and "reciprocity" in plan and "Introduce them to Dev Patel" not in plan  # archived
    assert "ada@example.org" in people.run("due", "--json", "--within", "30d").stdout


def test_the_wide_roster_holds_what_the_full_load_says(people):
    people.run("list")
    config = load_config(people.root)
    vault = load_vault(config, people_today())
    found = wideroster.read(config, people_today())
    assert found is not None and found.problems == vault.problems
    for wide, person in zip(found.people, vault.people, strict=True):
        for name in ("path", "name", "tags", "emails", "aliases", "needs", "offers", "archived", "last_seen", "stem"):
            assert getattr(wide, name) == getattr(person, name), name
        assert [e.text for e in wide.helped] == [e.text for e in person.helped if "[[" in e.text]
    records = found.records([p.path for p in vault.people])
    assert records == {p.path: p for p in vault.people}
    # Only the lists asked for are read; the others are None, never an empty stand-in.
    tags_only = wideroster.read(config, people_today(), ("tags",))
    assert tags_only is not None
    assert [w.tags for w in tags_only.people] == [p.tags for p in vault.people]
    assert {w.needs for w in tags_only.people} == {w.emails for w in tags_only.people} == {None}


def people_today():
    from datetime import date

    return date(2026, 11, 23)


def _append_need(v):
    note = v.people / "Eve Okoro.md"
    note.write_text(note.read_text().replace("needs: [a fractional CFO]", "needs: [grid storage pilots]"))


def _offer_removed(v):
    note = v.people / "Bo Chen.md"
    note.write_text(note.read_text().replace(", a fractional CFO]", "]"))


def _retag(v):
    note = v.people / "Cleo Diaz.md"
    note.write_text(note.read_text().replace("tags: [climate]", "tags: [investor]"))


def _email(v):
    note = v.people / "Bo Chen.md"
    note.write_text(note.read_text().replace("bo@work.example", "bo@new.example"))


def _alias_and_link(v):
    # Cleo is now introduced to Ada (a helped item linking Ada by her alias): no introduction suggested.
    note = v.people / "Cleo Diaz.md"
    note.write_text(note.read_text().replace("---\n", "---\nhelped: ['2026-11-01 introduced to [[Ace]]']\n", 1))


def _mention(v):
    # Cleo, met and never contacted (a new contact to thank), is mentioned in a daily note.
    (v.root / "Daily" / "2026-11-20.md").write_text("Coffee with [[Cleo Diaz]]\n")


def _intro_outcome(v):
    note = v.people / "Ada Byrne.md"
    note.write_text(note.read_text() + "- 2026-11-02 intro outcome: [[Bo Chen]]: a term sheet\n")


def _unarchive(v):
    note = v.people / "Dev Patel.md"
    note.write_text(note.read_text().replace("archived: 2026-10-01\n", ""))


CHANGES = {
    "need": _append_need, "offer": _offer_removed, "tag": _retag, "email": _email, "alias-and-link": _alias_and_link,
    "mention": _mention, "intro-outcome": _intro_outcome, "unarchive": _unarchive,
    "delete": lambda v: (v.people / "Bo Chen.md").unlink(),
    "add": lambda v: v.write("Hal", "---\noffers: [grid storage pilots]\ntags: [climate]\n---\n", dedent=False),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_is_never_served_stale(people, monkeypatch, change):
    people.run("plan")
    before = {args: reference(people, monkeypatch, *args) for args in COMMANDS}
    CHANGES[change](people)
    changed = False
    for n, args in enumerate(COMMANDS):
        expected = reference(people, monkeypatch, *args)
        changed = changed or expected != before[args]
        got, used = run_with_stats(people, monkeypatch, *args)
        # A changed note is loaded in full by the first command, which brings the store up to
        # date for the others; a daily note changes no row of the people's notes.
        assert got == expected and used == (n > 0 or change == "mention"), args
    assert changed  # the change shows in at least one of the commands


def test_random_edits_never_serve_stale_output(people, monkeypatch):
    rng = random.Random(7)
    topics = ["seed investors", "a fractional CFO", "battery chemistry advice", "grid storage pilots"]
    names = ["Ada Byrne", "Bo Chen", "Cleo Diaz", "Eve Okoro"]
    for _ in range(15):
        name = rng.choice(names)
        lines = [f"last_contact: 2026-{rng.randint(1, 11):02d}-{rng.randint(10, 28)}"]
        for key in ("needs", "offers", "tags", "email", "aliases"):
            if rng.random() < 0.6:
                pool = {"tags": ["climate", "investor"], "email": ["x@example.org"], "aliases": ["Bo", "Cee"]}.get(key, topics)
                lines.append(f"{key}: {json.dumps(rng.sample(pool, 1))}")
        people.write(name, "---\n" + "\n".join(lines) + "\n---\n", dedent=False)
        for args in (("plan", "--json", "--days", "60"), ("due", "--json", "--within", "1y"), ("due", "--tag", "climate")):
            got, _ = run_with_stats(people, monkeypatch, *args)
            assert got == reference(people, monkeypatch, *args), args


def _set(rel: str, column: str, value):
    def damage(path: Path) -> None:
        db = sqlite3.connect(path)
        with db:
            db.execute(f"UPDATE notes SET {column} = ? WHERE path = ?", (value, f"People/{rel}.md".encode()))
        db.close()

    return damage


DAMAGE = {
    "needs-not-json": _set("Ada Byrne", "needs", "[["),
    "needs-not-a-list": _set("Ada Byrne", "needs", '{"a": 1}'),
    "an-empty-list": _set("Ada Byrne", "offers", "[]"),
    "a-number-in-tags": _set("Bo Chen", "tags", "[1]"),
    "emails-not-text": _set("Bo Chen", "emails", b"[]"),
    "links-not-strings": _set("Ada Byrne", "links", "[null]"),
    "a-planned-record-damaged": _set("Ada Byrne", "record", "[1, 2]"),
    "a-planned-record-missing": _set("Ada Byrne", "record", None),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_fact_or_record_is_not_used(people, monkeypatch, damage):
    people.run("plan")
    DAMAGE[damage](store_file(people))
    for args in (("plan", "--json", "--days", "30"), ("due", "--json", "--within", "1y")):
        got, _used = run_with_stats(people, monkeypatch, *args)
        assert got == reference(people, monkeypatch, *args), args
    assert wideroster.read(load_config(people.root), people_today()) is not None  # rebuilt by the full load


def test_records_refuses_a_note_not_in_the_walk(people):
    people.run("plan")
    config = load_config(people.root)
    found = wideroster.read(config, people_today())
    assert found is not None
    assert found.records(["People/Nobody.md"]) is None
    (people.people / "Bo Chen.md").write_text("---\noffers: [x]\n---\n")  # the store now holds an old key
    again = wideroster.read(config, people_today())
    assert again is None
