"""A crash between the two renames of `intro` leaves one note updated: `check` names the
half-done introduction and the command that finishes it, and that command does."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

TODAY = "2026-11-23"

# Dies (os._exit: no cleanup, like a power cut) at the second rename of a note.
CRASH_AT_SECOND_RENAME = textwrap.dedent("""\
    import os, sys
    real = os.replace
    seen = []
    def replace(src, dst):
        if str(dst).endswith(".md"):
            seen.append(dst)
            if len(seen) == 2:
                os._exit(137)
        return real(src, dst)
    os.replace = replace
    from vaultnet.cli import main
    sys.exit(main())
    """)


def crash_intro(vault, *args: str) -> None:
    command = [sys.executable, "-c", CRASH_AT_SECOND_RENAME, "--vault", str(vault.root), "--today", TODAY, "intro", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 137, result.stderr


@pytest.mark.parametrize("why", [None, "both build looms; one needs a buyer's eye"])
def test_check_names_a_half_done_intro_and_how_to_finish_it(vault, why):
    vault.write("Ada Lovelace", "---\norg: Analytical Society\n---\n# Ada\n\n## Log\n")
    vault.write("Charles Babbage", "---\norg: Difference Engines\n---\n# Charles\n\n## Log\n")
    before = vault.snapshot()
    crash_intro(vault, "Ada", "Charles", *(["--why", why] if why else []), "--date", "2026-11-20")
    after = vault.snapshot()
    changed = sorted(k for k in after if after[k] != before.get(k))
    assert len(changed) == 2 and any(k.endswith(".vaultnet-tmp") for k in changed)  # one note and the other's temp
    [updated] = [k for k in changed if k.endswith(".md")]
    pending = "People/Charles Babbage.md" if updated == "People/Ada Lovelace.md" else "People/Ada Lovelace.md"

    result = vault.run("check", "--json")
    assert result.exit_code == 1
    [finding] = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "half-done-intro"]
    assert finding["path"] == pending and finding["severity"] == "error"
    assert updated in finding["message"] and "2026-11-20" in finding["message"]
    command = finding["fix"].split("`")[1]
    assert command.startswith("vaultnet intro ") and "--date 2026-11-20" in command
    text = vault.run("check").stdout
    assert "half-done-intro" in text and pending in text
    assert "leftover-temp-file" not in text  # its "delete it" would lose the missing half

    # The command it names finishes the introduction: the missing half is added, the other left as it is.
    import shlex

    args = shlex.split(command)[2:]
    done = vault.run("intro", *args)
    assert done.exit_code == 0, done.output
    assert vault.root.joinpath(updated).read_bytes() == after[updated]
    item = "2026-11-20 introduced to [[" + ("Ada Lovelace" if pending.endswith("Babbage.md") else "Charles Babbage") + "]]"
    if why:
        item += ": " + why
    assert item.encode() in vault.root.joinpath(pending).read_bytes()
    assert vault.run("check").exit_code == 0
    assert not any(k.endswith(".vaultnet-tmp") for k in vault.snapshot())


def test_an_intro_written_by_hand_on_one_note_is_not_a_finding(vault):
    vault.write("Ada Lovelace", "---\nhelped:\n  - 2026-11-20 introduced to [[Charles Babbage]]\n---\n")
    vault.write("Charles Babbage", "---\norg: Engines\n---\n")
    result = vault.run("check", "--json")
    assert not any(f["code"] == "half-done-intro" for f in json.loads(result.stdout)["findings"])


def test_a_crash_before_any_rename_is_only_a_leftover_file(vault):
    """Both temporary files written, neither renamed: nothing was recorded, nothing is half-done."""
    vault.write("Ada Lovelace", "---\norg: A\n---\n")
    vault.write("Charles Babbage", "---\norg: B\n---\n")
    script = CRASH_AT_SECOND_RENAME.replace("len(seen) == 2", "len(seen) == 1")
    command = [sys.executable, "-c", script, "--vault", str(vault.root), "--today", TODAY, "intro", "Ada", "Charles"]
    assert subprocess.run(command, capture_output=True, timeout=60).returncode == 137
    codes = [f["code"] for f in json.loads(vault.run("check", "--json").stdout)["findings"]]
    assert "half-done-intro" not in codes and codes.count("leftover-temp-file") == 2
