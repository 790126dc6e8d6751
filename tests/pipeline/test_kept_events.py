"""`vaultnet build` keeps each calendar event's bytes in the store and encodes again only the
events whose inputs changed: the feed is always the one a build without the store writes."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import icalendar

from tests.support import EXAMPLES



def _kept(root: Path) -> dict[str, tuple[str, bytes]]:
    db = sqlite3.connect(root / ".vaultnet" / "cache" / "store.sqlite3")
    try:
        return {uid: (key, data) for uid, key, data in db.execute("SELECT path, key, data FROM fragments WHERE kind = 'vevent'")}
    finally:
        db.close()


def _feed_without_store(vault, monkeypatch, today: str) -> bytes:
    copy = vault.root.parent / "copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(vault.root, copy, ignore=shutil.ignore_patterns(".vaultnet", "Index", "followups.ics"))
    with monkeypatch.context() as patch:
        patch.setenv("VAULTNET_NO_CACHE", "1")
        result = vault.__class__(copy).run("build", today=today)
    assert result.exit_code == 0, result.output
    return (copy / "followups.ics").read_bytes()


def _age(path: Path) -> None:
    """Out of the racy window, so the store trusts the note's stat key at once."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 3_600_000_000_000))


def test_an_edit_encodes_that_person_s_event_again_and_the_feed_is_as_without_the_store(vault, monkeypatch):
    shutil.rmtree(vault.root)
    shutil.copytree(EXAMPLES, vault.root)
    for note in vault.people.glob("*.md"):
        _age(note)
    assert vault.run("build").exit_code == 0
    first = _kept(vault.root)
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical((vault.root / "followups.ics").read_bytes()).walk("VEVENT")}
    assert set(first) == uids  # every event of the feed is kept, by its UID

    note = vault.people / "Lena Fischer.md"
    # Contacted today, as planned: her follow-up moves on, and she still counts against
    # today's cap, so nobody planned for tomorrow moves up into her place.
    note.write_bytes(note.read_bytes().replace(b"last_contact: 2026-08-15", b"last_contact: 2026-11-23"))
    _age(note)
    assert vault.run("build").exit_code == 0
    second = _kept(vault.root)
    changed = sorted(uid for uid in second if second[uid] != first.get(uid))
    assert len(changed) == 1 and changed[0].startswith("followup-")  # her follow-up, nobody else's
    assert (vault.root / "followups.ics").read_bytes() == _feed_without_store(vault, monkeypatch, "2026-11-23")


def test_a_new_day_and_a_removed_person_keep_the_feed_exact(vault, monkeypatch):
    shutil.rmtree(vault.root)
    shutil.copytree(EXAMPLES, vault.root)
    assert vault.run("build").exit_code == 0
    (vault.people / "Hannah Lee.md").unlink()
    result = vault.run("build", today="2026-12-01")  # overdue events move to the new today
    assert result.exit_code == 0, result.output
    assert (vault.root / "followups.ics").read_bytes() == _feed_without_store(vault, monkeypatch, "2026-12-01")
    feed = icalendar.Calendar.from_ical((vault.root / "followups.ics").read_bytes())
    assert set(_kept(vault.root)) == {str(e["UID"]) for e in feed.walk("VEVENT")}  # Hannah's event left the store


def test_a_kept_event_under_a_stale_key_is_never_used(vault, monkeypatch):
    shutil.rmtree(vault.root)
    shutil.copytree(EXAMPLES, vault.root)
    assert vault.run("build").exit_code == 0
    db = sqlite3.connect(vault.root / ".vaultnet" / "cache" / "store.sqlite3")
    with db:
        db.execute("UPDATE fragments SET key = 'stale', data = X'00' WHERE kind = 'vevent'")
    db.close()
    (vault.root / "followups.ics").unlink()
    assert vault.run("build", "--force").exit_code == 0
    assert (vault.root / "followups.ics").read_bytes() == _feed_without_store(vault, monkeypatch, "2026-11-23")


def test_a_linked_note_renamed_in_case_only_names_its_new_path(vault, monkeypatch):
    """A person note may be a link to a file elsewhere in the vault. Renaming the link
    ``Zed.md`` -> ``zed.md`` keeps its stat key (that of the file it leads to) and its
    events' UIDs (made of the path folded), but the events name the note and the person
    by the new path: they must not be taken from what was kept under the old one."""
    from vaultnet.load import store

    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)  # every note trusted by its stat key at once
    (vault.root / "Shared").mkdir()
    target = vault.root / "Shared" / "zed.md"
    target.write_text("---\ncircle: inner\nlast_contact: 2026-10-01\nbirthday: --12-01\n---\n", encoding="utf-8")
    os.symlink("../Shared/zed.md", vault.people / "Zed.md")
    assert vault.run("build").exit_code == 0
    assert b"Note: People/Zed.md" in (vault.root / "followups.ics").read_bytes()
    (vault.people / "Zed.md").rename(vault.people / "zed.md")
    assert vault.run("build").exit_code == 0
    feed = (vault.root / "followups.ics").read_bytes()
    assert feed == _feed_without_store(vault, monkeypatch, "2026-11-23")
    assert b"Note: People/zed.md" in feed and b"SUMMARY:Birthday: zed" in feed
