"""`vaultnet merge KEEP OTHER`: two notes of one person made one, links and all, as one change."""

from __future__ import annotations

import pytest

from tests.support import fail_os_call

KEEP = """\
---
name: Sam O'Brien
org: Acme
tags: [vc]
email: sam@acme.com
last_contact: 2026-10-01
met: 2025-05-01
needs:
  - a CTO
---
# Sam O'Brien

Likes sailing.

## Log
- 2026-10-01 coffee
- 2026-11-01 call
"""

OTHER = """\
---
org: acme
role: Partner
aliases: [Sammy]
tags: [VC, founder]
email: SAM@acme.com
last_contact: 2026-11-10
met: 2024-01-01
met_at: WebSummit
needs: [a CTO, a designer]
helped:
  - 2026-03-01 intro to [[Kim]]
---
# Sam O’Brien

Two kids. `[[Sam O’Brien]]` in code stays.

## Log
* 2026-10-01 coffee
- 2026-11-10 dinner, see [[Sam O’Brien#Log]]
  with a continuation line
- [ ] 2026-12-01 send book
"""


def build(vault):
    vault.write("Sam O'Brien", KEEP)
    vault.write("Sam O’Brien", OTHER)
    vault.write("Kim", "---\nintroduced_by: '[[Sam O’Brien]]'\n---\n# Kim\n")
    daily = vault.root / "Daily" / "2026-11-10.md"
    daily.parent.mkdir()
    daily.write_bytes(b"Met [[Sam O\xe2\x80\x99Brien|Sam]] today.\r\n")
    return daily


def test_merge_moves_everything_and_points_every_link_at_keep(vault):
    daily = build(vault)
    result = vault.run("--today", "2026-11-27", "merge", "Sam O'Brien", "Sam O’Brien")
    assert result.exit_code == 0, result.output
    assert vault.names() == ["Kim", "Sam O'Brien"]
    assert vault.read("Sam O'Brien").decode() == """\
---
name: Sam O'Brien
org: Acme
tags: [vc, founder]
email: sam@acme.com
last_contact: 2026-11-10
met: 2024-01-01
needs:
  - a CTO
  - a designer
aliases:
  - Sam O’Brien
  - Sammy
role: Partner
helped:
  - 2026-03-01 intro to [[Kim]]
met_at: WebSummit
---
# Sam O'Brien

Likes sailing.

## Log
- 2026-10-01 coffee
- 2026-11-01 call
- 2026-11-10 dinner, see [[Sam O'Brien#Log]]
  with a continuation line
- [ ] 2026-12-01 send book

## From Sam O’Brien (merged 2026-11-27)

Two kids. `[[Sam O’Brien]]` in code stays.
"""
    assert vault.read("Kim").decode() == "---\nintroduced_by: '[[Sam O''Brien]]'\n---\n# Kim\n"
    assert daily.read_bytes() == b"Met [[Sam O'Brien|Sam]] today.\r\n"
    assert "removed People/Sam O’Brien.md" in result.output
    assert "changed 2 links in 2 files" in result.output
    sam = vault.person("Sam O'Brien")
    assert sam.last_seen.isoformat() == "2026-11-10" and sam.aliases == ("Sam O’Brien", "Sammy")
    assert vault.run("show", "sammy").exit_code == 0


def test_merge_in_a_markdown_link_vault(vault):
    vault.config('link_style = "markdown"\n')
    vault.write("Ann Lee", "---\norg: Acme\n---\n# Ann\n")
    vault.write("Ann Lee, PhD", "---\nrole: CTO\n---\n")
    vault.write("Bob", "---\nintroduced_by: '[Ann Lee, PhD](Ann%20Lee%2C%20PhD.md)'\n---\nSee [her](Ann%20Lee%2C%20PhD.md#Work).\n")
    result = vault.run("merge", "Ann Lee", "Ann Lee, PhD")
    assert result.exit_code == 0, result.output
    assert vault.read("Bob").decode() == "---\nintroduced_by: '[Ann Lee](Ann%20Lee.md)'\n---\nSee [her](Ann%20Lee.md#Work).\n"
    assert vault.read("Ann Lee").decode() == "---\norg: Acme\naliases:\n  - Ann Lee, PhD\nrole: CTO\n---\n# Ann\n"


def test_disagreeing_fields_refuse_with_the_list_unless_a_side_is_preferred(vault):
    vault.write("Jane Doe", "---\norg: Acme\nrole: Partner\ncircle: inner\ncadence: 14d\n---\n")
    vault.write("J Doe", "---\norg: Northlight\nrole: Partner\ncircle: close\ncadence: 2w\n---\n")
    before = vault.snapshot()
    result = vault.run("merge", "Jane Doe", "J Doe")
    assert result.exit_code == 1
    assert "org: 'Acme' (KEEP) vs 'Northlight' (OTHER)" in result.output
    assert "circle: 'inner' (KEEP) vs 'close' (OTHER)" in result.output
    assert "cadence: '14d' (KEEP) vs '2w' (OTHER)" in result.output and "role" not in result.output
    assert "--prefer" in result.output
    assert vault.snapshot() == before
    other = vault.run("merge", "Jane Doe", "J Doe", "--prefer", "other")
    assert other.exit_code == 0, other.output
    assert vault.read("Jane Doe").decode() == "---\norg: Northlight\nrole: Partner\ncircle: close\ncadence: 2w\naliases:\n  - J Doe\n---\n"


def test_prefer_keep_keeps_keeps_values(vault):
    vault.write("Jane Doe", "---\norg: Acme\n---\n")
    vault.write("J Doe", "---\norg: Northlight\n---\n")
    result = vault.run("merge", "Jane Doe", "J Doe", "--prefer", "keep")
    assert result.exit_code == 0, result.output
    assert vault.read("Jane Doe").decode() == "---\norg: Acme\naliases:\n  - J Doe\n---\n"
    assert "org: Acme kept (OTHER's Northlight dropped)" in result.output


def test_dry_run_writes_nothing_and_says_what_would_move(vault):
    build(vault)
    before = vault.snapshot()
    result = vault.run("merge", "Sam O'Brien", "Sam O’Brien", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would merge Sam O’Brien (People/Sam O’Brien.md) into Sam O'Brien" in result.output
    assert "would remove People/Sam O’Brien.md" in result.output and "would change 2 links in 2 files" in result.output
    assert vault.snapshot() == before


def test_conflict_markers_in_other_refuse_and_change_nothing(vault):
    build(vault)
    vault.write("Sam O’Brien", OTHER + "<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n")
    before = vault.snapshot()
    result = vault.run("merge", "Sam O'Brien", "Sam O’Brien")
    assert result.exit_code != 0 and "conflict markers" in result.output
    assert vault.snapshot() == before


def test_a_failed_removal_puts_every_file_back(vault, monkeypatch):
    build(vault)
    before = vault.snapshot()
    fail_os_call(monkeypatch, "unlink", PermissionError(13, "Permission denied"), path_end="Sam O’Brien.md")
    result = vault.run("merge", "Sam O'Brien", "Sam O’Brien")
    monkeypatch.undo()
    assert result.exit_code != 0 and "permission denied" in result.output
    assert vault.snapshot() == before


def test_a_failed_write_puts_every_file_back(vault, monkeypatch):
    build(vault)
    before = vault.snapshot()
    fail_os_call(monkeypatch, "replace", OSError(28, "No space left on device"), nth=3)
    result = vault.run("merge", "Sam O'Brien", "Sam O’Brien")
    monkeypatch.undo()
    assert result.exit_code != 0 and "disk is full" in result.output
    assert vault.snapshot() == before


@pytest.mark.parametrize("args", [("Sam O'Brien", "Sam O'Brien"), ("Sam O'Brien", "nobody")])
def test_merge_needs_two_different_known_people(vault, args):
    build(vault)
    before = vault.snapshot()
    result = vault.run("merge", *args)
    assert result.exit_code == 2
    assert vault.snapshot() == before


def test_merging_a_log_without_the_section_creates_it(vault):
    vault.write("Ann", "---\norg: Acme\n---\n# Ann\n")
    vault.write("Ann B", "# Ann B\n\n## Log\n- 2026-11-01 lunch\n")
    result = vault.run("merge", "Ann", "Ann B")
    assert result.exit_code == 0, result.output
    assert vault.read("Ann").decode() == "---\norg: Acme\naliases:\n  - Ann B\n---\n# Ann\n\n## Log\n\n- 2026-11-01 lunch\n"
    assert vault.person("Ann").last_seen.isoformat() == "2026-11-01"


def test_other_saved_by_another_editor_meanwhile_stops_the_merge(vault, monkeypatch):
    from vaultnet.edit import combine

    build(vault)
    other = vault.people / "Sam O’Brien.md"
    real = combine.linking_notes

    def someone_saves_other_first(config, retarget):
        other.write_bytes(other.read_bytes() + b"- 2026-11-26 typed meanwhile\n")
        return real(config, retarget)

    monkeypatch.setattr(combine, "linking_notes", someone_saves_other_first)
    before = vault.snapshot()
    result = vault.run("merge", "Sam O'Brien", "Sam O’Brien")
    assert result.exit_code != 0 and "changed on disk" in result.output
    after = vault.snapshot()
    assert {k for k in after if after[k] != before.get(k)} == {"People/Sam O’Brien.md"}  # only the other editor's save
    assert after["People/Sam O’Brien.md"].endswith(b"typed meanwhile\n")
