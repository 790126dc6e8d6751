"""The short cuts taken for speed (issue 6) give the same answers as the long way.

- Front matter without a ``*`` skips the alias-bomb walk (no alias can be written
  without one); front matter with one still gets it.
- A field's line number is found only when a problem needs it.
- ``last_seen``/``last_log`` are worked out once per record; a record made from
  another (``dataclasses.replace``) works them out afresh.
- A warm run takes every record from the cache and never imports the YAML parser.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import date

from vaultnet.load.vault import parse_note
from vaultnet.model.person import Entry

from tests.support import imported_by


def test_anchors_without_aliases_and_harmless_aliases_load(vault):
    vault.write("Ana", """\
        ---
        org: R&D at Acme
        tags: &shared [friend, climber]
        role: "*the* expert"
        ---
        """)
    vault.write("Ben", """\
        ---
        tags: &shared [friend, climber]
        needs: *shared
        ---
        """)
    ana = vault.person("Ana")
    assert (ana.org, ana.tags, ana.role) == ("R&D at Acme", ("friend", "climber"), "*the* expert")
    ben = vault.person("Ben")
    assert ben.tags == ben.needs == ("friend", "climber")


def test_an_alias_bomb_is_still_refused():
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(5)]
    person, problems = parse_note("People/Bomb.md", ("---\n" + "\n".join(levels) + "\n---\n").encode())
    assert person is None
    assert "aliases" in problems[0].message and problems[0].fatal


def test_a_field_problem_still_names_its_line():
    text = "---\nname: Cy\norg: Acme\n\ncadence: often\nmet: 2026-02-30\n---\n"
    person, problems = parse_note("People/Cy.md", text.encode())
    assert person is not None and person.org == "Acme"
    assert {(p.field, p.line) for p in problems} == {("cadence", 5), ("met", 6)}


def test_last_seen_follows_the_log_of_each_record():
    text = "---\nlast_contact: 2026-03-01\n---\n## Log\n- 2026-05-02 call\n- 2026-05-02 lunch\n- 2026-01-09 walk\n"
    person, _ = parse_note("People/Di.md", text.encode())
    assert person.last_seen == date(2026, 5, 2) and person.last_log == Entry(date(2026, 5, 2), "lunch")
    assert person.last_seen == date(2026, 5, 2)  # asked again: the kept answer
    older = dataclasses.replace(person, log=(Entry(date(2026, 2, 1), "old"),))
    assert older.last_seen == date(2026, 3, 1) and older.last_log == Entry(date(2026, 2, 1), "old")
    assert older != person and dataclasses.replace(person) == person


def test_a_warm_run_does_not_import_the_yaml_parser(vault, monkeypatch):
    from vaultnet.load import store
    vault.write("Jane Doe", "---\nlast_contact: 2026-01-01\n---\n")
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)  # trust a note written just now
    time.sleep(0.05)  # past the file time granularity
    assert vault.run("due").exit_code == 0  # parses the note, writes the cache
    for command in ("due", "list"):
        modules = imported_by(["--vault", str(vault.root), "--today", "2026-11-23", command])
        assert "vaultnet" in modules and not modules & {"yaml", "frontmatter"}
