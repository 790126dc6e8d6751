"""`vaultnet build` keeps each person's rows of the index notes in the store, under the
person's identity (their note's stat key and the mentions of them), and renders again only
the rows of people who changed; a template that renders its rows otherwise gets the same
bytes, rendered in full (tests/pipeline/test_never_stale.py holds every sequence of changes
to a build without the store)."""

from __future__ import annotations

import shutil

import pytest

from tests.support import EXAMPLES
from vaultnet import pipeline
from vaultnet.load import store
from vaultnet.render.templating import default_templates_dir


@pytest.fixture
def kept(vault, monkeypatch):
    """The examples vault; ``vault.keepers`` collects each build's ``RowKeeper``. Notes are
    trusted by their stat key a moment after they change (the racy window made short), so
    that a test need not wait for it."""
    shutil.rmtree(vault.root)
    shutil.copytree(EXAMPLES, vault.root)
    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)
    keepers = []
    real = pipeline.kept_rows
    monkeypatch.setattr(pipeline, "kept_rows", lambda *args: keepers.append(real(*args)) or keepers[-1])
    vault.keepers = keepers
    return vault


def outputs(vault) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (vault.root / "Index").glob("*.md")}


def full_build(vault, tmp_path) -> dict[str, bytes]:
    copy = tmp_path / "copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(vault.root, copy, ignore=shutil.ignore_patterns("cache", "Index", "followups.ics"))
    from click.testing import CliRunner

    from vaultnet.cli import main

    result = CliRunner().invoke(main, ["--vault", str(copy), "--today", "2026-11-23", "build"], env={"VAULTNET_NO_CACHE": "1"})
    assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in (copy / "Index").glob("*.md")}


def test_a_new_log_line_renders_only_that_persons_rows(kept, tmp_path):
    assert kept.run("build").exit_code == 0
    first = kept.keepers[-1].rendered
    assert first > 12  # everyone's rows, in every note
    with (kept.people / "Lena Fischer.md").open("a", encoding="utf-8") as note:
        note.write("- 2026-11-20 call: the workshop's speakers\n")
    assert kept.run("build").exit_code == 0
    # Her row of People.md and of the follow-ups; her entries in the giving ledger and the
    # needs and offers (the same note, so the same identity) — nobody else's.
    assert 0 < kept.keepers[-1].rendered <= 8
    assert outputs(kept) == full_build(kept, tmp_path)
    assert b"2026-11-20" in outputs(kept)["People.md"]
    # Nothing changed: every row is kept.
    assert kept.run("build", "--force").exit_code == 0
    assert kept.keepers[-1].rendered == 0


def test_a_mention_in_a_daily_note_renders_that_persons_rows_again(kept, tmp_path):
    assert kept.run("build").exit_code == 0
    (kept.root / "Daily").mkdir(exist_ok=True)
    (kept.root / "Daily" / "2026-11-22.md").write_text("Lunch with [[Marcus Bell]].\n", encoding="utf-8")
    assert kept.run("build").exit_code == 0
    assert 0 < kept.keepers[-1].rendered <= 8
    assert outputs(kept) == full_build(kept, tmp_path)


@pytest.mark.parametrize("how", ["loop", "impure"])
def test_a_template_without_kept_rows_renders_everything_with_the_same_bytes(kept, tmp_path, how):
    """A vault's People.md that loops over the people itself, or whose row macro reads the
    count of people (not part of a row's key): every row is rendered on every build."""
    default = (default_templates_dir() / "People.md").read_text(encoding="utf-8")
    if how == "loop":
        text = default.replace("{% for row in people | rows(people_row) %}{{ row }}{% endfor %}",
                               "{% for p in people %}{{ people_row(p) }}{% endfor %}")
    else:
        text = default.replace("| {{ p.next }} |\n{% endmacro %}", "| {{ p.next }} | {{ people_count }} |\n{% endmacro %}")
    assert text != default
    folder = kept.root / ".vaultnet" / "templates"
    folder.mkdir(parents=True)
    (folder / "People.md").write_text(text, encoding="utf-8")
    assert kept.run("build").exit_code == 0
    kept.write("Zoe New", "---\norg: Acme\n---\n")
    assert kept.run("build").exit_code == 0
    people = outputs(kept)["People.md"]
    assert people == full_build(kept, tmp_path)["People.md"]
    if how == "impure":
        assert people.count(b"| 13 |") == 13  # every row says the new count
    else:
        assert b"| [[Zoe New]] | Acme |" in people


def test_the_default_rows_equal_a_loop_over_the_people(kept):
    """The ``rows`` filter gives what a plain loop over the list with the same macro gives."""
    assert kept.run("build").exit_code == 0
    mine = outputs(kept)
    folder = kept.root / ".vaultnet" / "templates"
    folder.mkdir(parents=True)
    for name in ("People.md", "Giving.md", "Follow-ups.md", "Needs and offers.md"):
        default = (default_templates_dir() / name).read_text(encoding="utf-8")
        looped = default
        for rows, macro in [("people", "people_row"), ("helped", "ledger_row"), ("received", "ledger_row"),
                            ("reciprocity", "reciprocity_row"), ("due", "due_row"), ("never_contacted", "never_row"),
                            ("unscheduled", "unscheduled_row"), ("needs", "person_entry"), ("offers", "person_entry")]:
            looped = looped.replace(f"{{% for row in {rows} | rows({macro}) %}}{{{{ row }}}}", f"{{% for p in {rows} %}}{{{{ {macro}(p) }}}}")
        assert "| rows(" not in looped
        (folder / name).write_text(looped, encoding="utf-8")
    assert kept.run("build").exit_code == 0
    assert outputs(kept) == mine


def test_a_template_uses_the_lists_as_lists(kept, tmp_path):
    """The lists made on first use behave as the lists they stand for: joined, counted,
    sorted, written as JSON."""
    folder = kept.root / ".vaultnet" / "templates"
    folder.mkdir(parents=True)
    (folder / "Follow-ups.md").write_text(
        "{{ notice }}\n\n{{ (overdue + this_week) | length }} {{ (overdue | list + next_30_days) | length }}\n"
        "{% for r in never_contacted | sort(attribute='name') %}- {{ r.link }}\n{% endfor %}"
        "{{ unscheduled | tojson }}\n",
        encoding="utf-8",
    )
    assert kept.run("build").exit_code == 0
    text = (kept.root / "Index" / "Follow-ups.md").read_bytes()
    assert text == full_build(kept, tmp_path)["Follow-ups.md"]
    assert b"[]" in text or b'"link"' in text


def test_a_note_changed_just_before_the_walk_has_no_identity_however_long_the_build_takes(vault):
    """The racy window counts back from when the walk began (the note was read after it), not
    from when rendering starts: a build that reads a note a moment after it changed and
    renders seconds later must not keep that note's rows under its stat key."""
    import time
    from datetime import date

    from vaultnet.load.discover import walk
    from vaultnet.load.vault import load_vault
    from vaultnet.model.config import load_config

    vault.write("Ann Lee", "---\nname: Ann Lee\n---\n")
    walked_at = time.time_ns()
    config = load_config(vault.root)
    notes = list(walk(config))
    loaded = load_vault(config, date(2026, 11, 23), notes=notes)
    assert pipeline.person_identities(loaded, notes, walked_at) == {}  # however late this runs
    settled = walked_at + int((store.RACY_SECONDS + 1) * 1e9)  # a walk begun once the note had settled
    assert list(pipeline.person_identities(loaded, notes, settled)) == ["People/Ann Lee.md"]
