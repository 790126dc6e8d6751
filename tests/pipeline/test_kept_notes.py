"""`vaultnet build` keeps the index notes that read a small part of each record in the store
(Introductions.md) and renders one again only when what it reads, the templates, the config or
the day changed; the notes that list people row by row keep their rows instead
(test_kept_rows.py). tests/pipeline/test_never_stale.py holds the bytes to a build without the store."""

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


def test_a_new_log_line_does_not_render_the_introductions_again(rendered):
    assert rendered.run("build").exit_code == 0
    assert len(rendered.rendered) == 6
    rendered.rendered.clear()
    with (rendered.people / "Lena Fischer.md").open("a", encoding="utf-8") as note:
        note.write("- 2026-11-20 call: the workshop's speakers\n")
    assert rendered.run("build").exit_code == 0
    # The notes listing people row by row are rendered (their unchanged rows kept: test_kept_rows.py);
    # the introductions are as they were.
    assert sorted(rendered.rendered) == ["Follow-ups.md", "Giving.md", "Needs and offers.md", "Network.md", "People.md"]


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
