"""The build stamp and the store see what a warm run cannot read: an upgrade of a library
the outputs are rendered with (its files replaced) means a full build, one of the note
reader's means every note is parsed again, and finding those libraries imports none."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vaultnet.pipeline import LIBRARIES

from tests.conftest import TODAY

# The CLI with notes counting as settled at once, so the stamp is used on the second run.
SETTLED_CLI = "from vaultnet.load import store; store.RACY_SECONDS = 0.0; from vaultnet.cli import main; main()"


def build_json(root: Path, libs: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("VAULTNET_VAULT", "VAULTNET_NO_CACHE")}
    env["PYTHONPATH"] = str(libs)
    result = subprocess.run(
        [sys.executable, "-c", SETTLED_CLI, "--vault", str(root), "--today", TODAY, "build", "--json"],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("library", ["icalendar", "jinja2", "yaml", "frontmatter"])
def test_an_upgraded_library_means_a_full_build(vault, tmp_path, library):
    vault.write("Amara Okafor", "---\norg: Acme\nlast_contact: 2026-10-01\n---\n")
    libs = tmp_path / "libs"
    installed = Path(importlib.util.find_spec(library).submodule_search_locations[0])
    shutil.copytree(installed, libs / library)  # the library as this vault's builds load it
    assert not build_json(vault.root, libs)["from_stamp"]
    assert build_json(vault.root, libs)["from_stamp"]  # nothing changed: the stamp holds
    init = libs / library / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + "\n# upgraded\n", encoding="utf-8")  # what pip -U does to it
    again = build_json(vault.root, libs)
    assert not again["from_stamp"], f"an upgrade of {library} went unseen"
    assert again["unchanged"]  # and the full build found the same outputs


def test_finding_the_libraries_imports_none_of_them():
    code = (
        "import sys; from datetime import date; from vaultnet.model.config import Config; "
        "from vaultnet.load.discover import library_files; from vaultnet.pipeline import LIBRARIES; "
        "files = library_files(LIBRARIES); "
        "print(all(f.is_file() for f in files), sorted(set(LIBRARIES) & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(None, 1) == ["True", "[]\n"]
    assert set(LIBRARIES) >= {"icalendar", "jinja2", "yaml", "frontmatter"}


def cache_stats(root: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("VAULTNET_VAULT", "VAULTNET_NO_CACHE")}
    env["VAULTNET_CACHE_STATS"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", SETTLED_CLI, "--vault", str(root), "--today", TODAY, "list"],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_the_store_is_remade_when_the_note_reader_changes(vault):
    """load/files holds the note size limit, which decides whether a note parses: an edit of
    it (a development checkout) must not leave records the old limit made."""
    from vaultnet.load import files

    vault.write("Amara Okafor", "---\norg: Acme\nlast_contact: 2026-10-01\n---\n")
    cache_stats(vault.root)
    assert "parsed=0" in cache_stats(vault.root)  # the store holds
    path = Path(files.__file__)
    st = path.stat()
    try:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        assert "parsed=1" in cache_stats(vault.root)
    finally:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.parametrize("library", ["yaml", "frontmatter"])
def test_an_upgraded_note_reader_means_the_notes_are_parsed_again(vault, tmp_path, library):
    """Records in the store were made by the installed YAML reader: after an upgrade of
    it, a warm run parses every note again instead of trusting them."""
    vault.write("Amara Okafor", "---\norg: Acme\nlast_contact: 2026-10-01\n---\n")
    libs = tmp_path / "libs"
    installed = Path(importlib.util.find_spec(library).submodule_search_locations[0])
    shutil.copytree(installed, libs / library)
    env = {k: v for k, v in os.environ.items() if k not in ("VAULTNET_VAULT", "VAULTNET_NO_CACHE")}
    env.update(PYTHONPATH=str(libs), VAULTNET_CACHE_STATS="1")

    def parsed() -> int:
        result = subprocess.run(
            [sys.executable, "-c", SETTLED_CLI, "--vault", str(vault.root), "--today", TODAY, "list", "--json"],
            capture_output=True, text=True, timeout=120, env=env,
        )
        assert result.returncode == 0, result.stderr
        return int(result.stderr.split("parsed=")[1].split(",")[0])

    assert parsed() == 1
    assert parsed() == 0  # the store holds the record
    init = libs / library / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + "\n# upgraded\n", encoding="utf-8")
    assert parsed() == 1, f"an upgrade of {library} went unseen"


def test_a_link_to_a_folder_of_templates_pointed_elsewhere_means_a_full_build(vault, monkeypatch):
    """A template may include one through a link to a folder inside the templates folder
    (``parts/current`` -> ``../variants/a``): pointing the link at another folder changes
    what the notes say, though no template file changed and the templates folder's own
    times stay as they were, so the stamp must see the link."""
    from vaultnet.load import store
    from vaultnet.render.templating import default_templates_dir

    monkeypatch.setattr(store, "RACY_SECONDS", 0.0)
    vault.write("Amara Okafor", "---\norg: Acme\nlast_contact: 2026-10-01\n---\n")
    templates = vault.root / ".vaultnet" / "templates"
    for variant in ("a", "b"):
        (templates / "variants" / variant).mkdir(parents=True)
        (templates / "variants" / variant / "extra.md").write_text(f"Variant {variant}.\n", encoding="utf-8")
    (templates / "parts").mkdir()
    os.symlink("../variants/a", templates / "parts" / "current")
    default = (default_templates_dir() / "People.md").read_text(encoding="utf-8")
    (templates / "People.md").write_text(default + '\n{% include "parts/current/extra.md" %}\n', encoding="utf-8")
    assert vault.run("build").exit_code == 0
    people = vault.root / "Index" / "People.md"
    assert people.read_text(encoding="utf-8").endswith("Variant a.\n")
    (templates / "parts" / "current").unlink()
    os.symlink("../variants/b", templates / "parts" / "current")
    result = vault.run("build", "--json")
    assert result.exit_code == 0, result.output
    assert not json.loads(result.output)["from_stamp"]
    assert people.read_text(encoding="utf-8").endswith("Variant b.\n")
