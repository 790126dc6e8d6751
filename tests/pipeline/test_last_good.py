"""A person note that cannot be read (a merge conflict in its front matter is the everyday
case) keeps its last good record in the outputs, with a warning, and fails the build so a
hook notices; a note never read well is skipped, and fails the build too."""

from __future__ import annotations

from datetime import date

from vaultnet.model.config import load_config
from vaultnet.serve import Site

CONFLICTED = (
    "---\nname: Amara Okafor\n<<<<<<< HEAD\norg: Acme\n=======\norg: Beta Corp\n>>>>>>> theirs\n"
    "last_contact: 2026-10-01\n---\n# Amara\n"
)


def small_vault(vault):
    vault.write("Amara Okafor", "---\norg: Acme\ncircle: inner\nlast_contact: 2026-10-01\n---\n# Amara\n")
    vault.write("Bo Beta", "---\nlast_contact: 2026-09-01\n---\n")


def outputs(vault) -> dict[str, bytes]:
    return {rel: data for rel, data in vault.snapshot().items() if rel.startswith("Index/") or rel == "followups.ics"}


def test_a_conflicted_note_keeps_its_last_good_record_in_the_outputs(vault):
    small_vault(vault)
    assert vault.run("build").exit_code == 0
    before = outputs(vault)
    assert b"Amara Okafor" in before["followups.ics"]
    vault.write("Amara Okafor", CONFLICTED)
    for _ in range(2):  # a full build, then one the build stamp answers
        result = vault.run("build")
        assert result.exit_code == 1, result.output
        assert "skipped: People/Amara Okafor.md" in result.stderr
        assert "warning: People/Amara Okafor.md: the outputs keep the last version of this note that was read well" in result.stderr
        assert "1 note could not be read; the outputs keep its last good version" in result.stderr
        assert outputs(vault) == before
    # Only the outputs use it: the commands that show people say the note cannot be read.
    assert "Amara" not in vault.run("list").stdout


def test_the_last_good_record_survives_further_broken_edits_and_a_new_day(vault):
    small_vault(vault)
    assert vault.run("build").exit_code == 0
    vault.write("Amara Okafor", CONFLICTED)
    assert vault.run("build").exit_code == 1
    vault.write("Amara Okafor", CONFLICTED + "more text while still conflicted\n")
    result = vault.run("build", today="2026-11-24")
    assert result.exit_code == 1
    assert "[[Amara Okafor]] | Acme" in (vault.root / "Index" / "People.md").read_text(encoding="utf-8")


def test_a_fixed_note_is_read_again_and_a_deleted_one_leaves(vault):
    small_vault(vault)
    assert vault.run("build").exit_code == 0
    vault.write("Amara Okafor", CONFLICTED)
    assert vault.run("build").exit_code == 1
    vault.write("Amara Okafor", "---\norg: Beta Corp\nlast_contact: 2026-10-01\n---\n")
    result = vault.run("build")
    assert result.exit_code == 0, result.output
    assert "[[Amara Okafor]] | Beta Corp" in (vault.root / "Index" / "People.md").read_text(encoding="utf-8")
    vault.write("Amara Okafor", CONFLICTED)
    assert vault.run("build").exit_code == 1
    assert "Beta Corp" in (vault.root / "Index" / "People.md").read_text(encoding="utf-8")  # the newest good one
    (vault.people / "Amara Okafor.md").unlink()
    result = vault.run("build")
    assert result.exit_code == 0
    assert b"Amara" not in (vault.root / "followups.ics").read_bytes()


def test_a_note_never_read_well_is_skipped_and_fails_the_build(vault):
    small_vault(vault)
    vault.write("Nova New", "---\nname: [unclosed\n---\n")
    result = vault.run("build")
    assert result.exit_code == 1
    assert "skipped: People/Nova New.md" in result.stderr and "1 note was skipped for errors" in result.stderr
    assert "last version" not in result.stderr
    assert b"Nova" not in (vault.root / "followups.ics").read_bytes()
    assert b"Amara" in (vault.root / "followups.ics").read_bytes()  # everyone else is built


def test_serve_keeps_the_last_good_record_too(vault):
    small_vault(vault)
    site = Site(load_config(vault.root), today=lambda: date(2026, 11, 23), write=False, log=lambda m: None)
    site.refresh()
    feed = site.files["/followups.ics"].data
    assert b"Amara Okafor" in feed
    vault.write("Amara Okafor", CONFLICTED)
    site.refresh()
    assert site.builds == 2 and site.files["/followups.ics"].data == feed
