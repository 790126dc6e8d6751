"""`vaultnet build` keeps the index notes that read a small part of each record in the store
and renders one again only when what it reads, the templates, the config or the day changed
(and then only the rows of people who changed: test_kept_rows.py); tests/pipeline/test_never_stale.py
holds the bytes to a build without the store."""

from __future__ import annotations

import shutil

import pytest

from tests.support import EXAMPLES
from vaultnet import pipeline


@pytest.fixture
def rendered(vault, monkeypatch):
    shutil.rmtree(vault.root)
    shutil.copytree(EXAMPLES, vault.root)
    names: list[str] = []
    real = pipeline.render_note
    monkeypatch.setattr(pipeline, "render_note", lambda env, template, context: names.append(template) or real(env, template, context))
    vault.rendered = names
    return vault


def test_a_new_log_line_renders_only_the_notes_that_show_it(rendered):
    assert rendered.run("build").exit_code == 0
    assert len(rendered.rendered) == 6
    rendered.rendered.clear()
    with (rendered.people / "Lena Fischer.md").open("a", encoding="utf-8") as note:
        note.write("- 2026-11-20 call: the workshop's speakers\n")
    assert rendered.run("build").exit_code == 0
    # Her last contact moves (People.md), her follow-up too (Follow-ups.md), the month's count (Network.md);
    # the giving ledger, the needs and offers and the introductions are as they were.
    assert sorted(rendered.rendered) == ["Follow-ups.md", "Network.md", "People.md"]


def test_a_changed_template_renders_again_and_a_new_day_renders_everything(rendered):
    assert rendered.run("build").exit_code == 0
    folder = rendered.root / ".vaultnet" / "templates"
    folder.mkdir(parents=True)
    (folder / "footer.md").write_text("made by me\n", encoding="utf-8")  # any template file takes part
    rendered.rendered.clear()
    assert rendered.run("build").exit_code == 0
    assert len(rendered.rendered) == 6
    rendered.rendered.clear()
    assert rendered.run("build", today="2026-11-24").exit_code == 0
    assert len(rendered.rendered) == 6


def test_a_template_turned_into_a_link_out_of_the_folder_is_refused_not_kept(rendered, tmp_path):
    assert rendered.run("build").exit_code == 0
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the index\n", encoding="utf-8")
    folder = rendered.root / ".vaultnet" / "templates"
    folder.mkdir(parents=True)
    (folder / "Giving.md").symlink_to(secret)
    result = rendered.run("build")
    assert result.exit_code != 0 and "symbolic link leading out" in result.output
    assert b"not for the index" not in (rendered.root / "Index" / "Giving.md").read_bytes()


def test_a_settled_note_keeps_the_parts_of_everyone_else(rendered, monkeypatch):
    """Once notes are out of the racy window, what each person adds to a note's key is kept
    under their identity; a change of one person's ledger renders Giving.md again."""
    from vaultnet.load import store

    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)
    assert rendered.run("build").exit_code == 0
    rendered.rendered.clear()
    assert rendered.run("build", "--force").exit_code == 0
    assert sorted(rendered.rendered) == ["Follow-ups.md", "Network.md"]
    note = rendered.people / "Lena Fischer.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("helped:\n", "helped:\n  - 2026-11-20 read her draft\n"), encoding="utf-8")
    rendered.rendered.clear()
    assert rendered.run("build").exit_code == 0
    # Her ledger changed (Giving.md, and Introductions.md, which shows introductions you made);
    # what People.md and Needs and offers.md show of her did not.
    assert "Giving.md" in rendered.rendered
    assert "People.md" not in rendered.rendered and "Needs and offers.md" not in rendered.rendered
    assert b"read her draft" in (rendered.root / "Index" / "Giving.md").read_bytes()
