"""`vaultnet check`: every kind of finding, on real files, through the real CLI."""

from __future__ import annotations

import json
import os
import unicodedata

import pytest

CLEAN = """\
    ---
    name: Ann Lee
    aliases: [Annie]
    email: ann@example.com
    circle: inner
    last_contact: 2026-11-01
    introduced_by: "[[Bob Stone]]"
    helped:
      - 2026-10-01 introduced to [[Bob Stone]]
    ---
    # Ann Lee
    """

BOB = """\
    ---
    email: bob@example.com
    circle: close
    ---
    # Bob
    """


def user_files(vault) -> dict[str, bytes]:
    """The vault's files, without vaultnet's own cache (which any read command may refresh)."""
    return {k: v for k, v in vault.snapshot().items() if not k.startswith(".vaultnet/cache/")}


def findings(vault, *args):
    result = vault.run("check", "--json", *args)
    data = json.loads(result.stdout)
    return result.exit_code, data


def codes(data, path=None):
    return sorted({f["code"] for f in data["findings"] if path is None or f["path"] == path})


def one(data, code):
    found = [f for f in data["findings"] if f["code"] == code]
    assert found, f"no {code} finding in {data['findings']}"
    return found[0]


def test_a_clean_vault_passes(vault):
    vault.write("Ann Lee", CLEAN)
    vault.write("Bob Stone", BOB)
    before = user_files(vault)
    result = vault.run("check")
    assert result.exit_code == 0, result.stdout
    assert "All 2 notes look fine." in result.stdout
    code, data = findings(vault)
    assert code == 0 and data == {"notes": 2, "errors": 0, "warnings": 0, "findings": []}
    assert user_files(vault) == before


def test_broken_yaml_names_file_and_line(vault):
    vault.write("Bob Stone", BOB)
    vault.write("Broken", "---\nname: Broken\ntags: [a, b\norg: x\n---\n")
    code, data = findings(vault)
    assert code == 1
    finding = one(data, "unreadable-note")
    assert finding["path"] == "People/Broken.md"
    assert finding["line"] in (3, 4)
    assert "not valid YAML" in finding["message"] and "skipped" in finding["message"]
    assert finding["fix"]
    assert codes(data, "People/Bob Stone.md") == []


def test_wrong_types_and_unreadable_dates_and_cadences(vault):
    vault.write("Typed", """\
        ---
        name: [not, a, name]
        last_contact: soon
        follow_up: 2026-13-45
        cadence: often
        birthday: yesterday
        helped: 12
        ---
        ## Log
        - 2026-02-30 a day that never was
        """)
    code, data = findings(vault)
    assert code == 1
    by_field = {f["field"]: f for f in data["findings"] if f["code"] == "bad-field"}
    assert set(by_field) == {"name", "last_contact", "follow_up", "cadence", "birthday", "helped"}
    assert by_field["last_contact"]["line"] == 3
    assert "YYYY-MM-DD" in by_field["last_contact"]["fix"]
    assert "14d" in by_field["cadence"]["fix"]
    assert "--MM-DD" in by_field["birthday"]["fix"]
    log = one(data, "bad-log-line")
    assert log["line"] == 10 and "2026-02-30" in log["message"]


def test_duplicate_people_by_email_and_by_alias(vault):
    vault.write("Ann Lee", CLEAN)
    vault.write("Bob Stone", BOB)
    vault.write("Ann L", "---\nemail: ANN@example.com\n---\n")
    vault.write("Annie", "---\nname: Annie\n---\n")
    code, data = findings(vault)
    assert code == 1
    email = [f for f in data["findings"] if f["code"] == "duplicate-email"]
    assert {f["path"] for f in email} == {"People/Ann Lee.md", "People/Ann L.md"}
    alias = one(data, "name-is-alias")
    assert alias["path"] == "People/Annie.md" and "People/Ann Lee.md" in alias["message"]
    assert "merge" in alias["fix"]


def test_same_name_in_two_folders(vault):
    vault.write("Bob Stone", BOB)
    vault.write("old/Bob Stone", BOB)
    code, data = findings(vault)
    assert code == 1
    assert {f["path"] for f in data["findings"] if f["code"] == "duplicate-name"} == {
        "People/Bob Stone.md", "People/old/Bob Stone.md"}


def test_links_to_people_who_do_not_exist(vault):
    vault.write("Ann Lee", CLEAN.replace("[[Bob Stone]]\"", "[[Bob Stoen]]\""))
    vault.write("Bob Stone", BOB)
    (vault.root / "Orgs").mkdir()
    (vault.root / "Orgs" / "Acme.md").write_text("# Acme\n")
    vault.write("Cy", "---\nreceived:\n  - 2026-01-02 intro to [[Acme]] and [[Nobody Here|N]]\n---\n")
    code, data = findings(vault)
    assert code == 1
    broken = sorted((f["path"], f["field"], f["message"]) for f in data["findings"] if f["code"] == "broken-link")
    assert broken == [
        ("People/Ann Lee.md", "introduced_by", "introduced_by links to 'Bob Stoen', who is not in the vault"),
        ("People/Cy.md", "received", "received links to 'Nobody Here', who is not in the vault"),
    ]
    ann = next(f for f in data["findings"] if f["path"] == "People/Ann Lee.md" and f["code"] == "broken-link")
    assert "did you mean [[Bob Stone]]" in ann["fix"]


def test_links_by_alias_and_markdown_links_resolve(vault):
    vault.write("Ann Lee", CLEAN)
    vault.write("Bob Stone", BOB)
    vault.write("Cy", "---\nintroduced_by: \"[Ann](Ann%20Lee.md)\"\nhelped:\n  - 2026-01-02 met [[Annie]]\n---\n")
    code, data = findings(vault)
    assert code == 0, data


def test_git_conflict_markers_in_front_matter_and_body(vault):
    vault.write("Bob Stone", BOB)
    vault.write("Merged", "---\n<<<<<<< HEAD\nlast_contact: 2026-01-01\n=======\nlast_contact: 2026-02-01\n>>>>>>> other\n---\n")
    vault.write("Body", "---\nname: Body\n---\ntext\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n")
    code, data = findings(vault)
    assert code == 1
    conflicts = {f["path"]: f for f in data["findings"] if f["code"] == "conflict"}
    assert set(conflicts) == {"People/Merged.md", "People/Body.md"}
    assert conflicts["People/Merged.md"]["line"] == 2
    assert conflicts["People/Body.md"]["line"] == 5
    assert "resolve the merge" in conflicts["People/Body.md"]["fix"]


def test_names_colliding_by_case_and_unicode_form(vault):
    vault.write("Bob Stone", BOB)
    vault.write("bob stone", BOB.replace("bob@", "bob2@"))
    nfc = unicodedata.normalize("NFC", "José")
    nfd = unicodedata.normalize("NFD", "José")
    assert nfc != nfd
    vault.write(nfc, "---\nname: José A\n---\n")
    vault.write(nfd, "---\nname: José B\n---\n")
    code, data = findings(vault)
    assert code == 1
    collisions = [f for f in data["findings"] if f["code"] == "name-collision"]
    assert {f["path"] for f in collisions} == {"People/Bob Stone.md", "People/bob stone.md", f"People/{nfc}.md", f"People/{nfd}.md"}
    assert any("letter case" in f["message"] for f in collisions)
    assert any("NFC/NFD" in f["message"] for f in collisions)


def test_duplicate_keys_are_reported(vault):
    vault.write("Twice", "---\nlast_contact: 2026-01-01\norg: A\nlast_contact: 2026-02-01\n---\n")
    code, data = findings(vault)
    assert code == 1
    dup = one(data, "duplicate-key")
    assert dup["line"] == 4 and dup["field"] == "last_contact" and "lines 2 and 4" in dup["message"]


def test_warnings_alone_exit_zero_unless_strict(vault):
    vault.write("Bob Stone", BOB.replace("circle: close", "circle: clse"))
    vault.write("Future", "---\nlast_contact: 2036-01-01\n---\n")
    (vault.people / "Stray.markdown").write_text("# stray\n")
    code, data = findings(vault)
    assert code == 0
    assert codes(data) == ["future-date", "not-a-note", "unknown-circle"]
    assert all(f["severity"] == "warning" for f in data["findings"])
    assert "did you mean 'close'" in one(data, "unknown-circle")["fix"]
    code, _ = findings(vault, "--strict")
    assert code == 1


def test_custom_circles_from_config_are_known(vault):
    vault.config('[circles]\nmentors = "60d"\n')
    vault.write("Bob Stone", BOB.replace("circle: close", "circle: Mentors"))
    code, data = findings(vault)
    assert code == 0 and data["findings"] == []


def test_symlink_leading_outside_the_vault_is_reported_not_read(vault, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\nname: Secret\nemail: s@example.com\n---\n")
    os.symlink(secret, vault.people / "Secret.md")
    vault.write("Bob Stone", BOB)
    code, data = findings(vault)
    assert code == 0
    link = one(data, "link-outside-vault")
    assert link["path"] == "People/Secret.md"
    assert "s@example.com" not in json.dumps(data)
    listed = vault.run("list", "--json")
    assert "Secret" not in listed.stdout


def test_a_link_to_another_note_is_one_person_and_check_names_the_link(vault):
    vault.write("Bob Stone", BOB)
    os.symlink(vault.people / "Bob Stone.md", vault.people / "Bobby.md")
    code, data = findings(vault)
    assert code == 0  # a warning, not an error: nothing is wrong with the note itself
    link = one(data, "link-to-note")
    assert link["path"] == "People/Bobby.md" and "People/Bob Stone.md" in link["message"]
    assert not [f for f in data["findings"] if f["code"].startswith("duplicate")]
    listed = json.loads(vault.run("list", "--json").stdout)
    assert [p["path"] for p in listed] == ["People/Bob Stone.md"]
    assert vault.run("log", "Bobby", "call").exit_code == 2  # the link's name finds nobody: no second person


def test_text_output_groups_by_file_with_fixes(vault):
    vault.write("Bob Stone", BOB)
    vault.write("Bad", "---\nlast_contact: soon\ncircle: nowhere\n---\n")
    result = vault.run("check")
    assert result.exit_code == 1
    out = result.stdout
    assert "People/Bad.md\n" in out
    assert "  error: line 2, field 'last_contact': cannot read 'soon' as a date" in out
    assert "    fix: write a date as YYYY-MM-DD" in out
    assert "warning: line 3, field 'circle'" in out
    assert "1 error, 1 warning in 1 of 2 files." in out


def test_every_finding_names_a_file_and_a_fix(vault):
    """All the kinds at once: nothing without a path, a message and a fix."""
    vault.write("Ann Lee", CLEAN)
    vault.write("Bob Stone", BOB)
    vault.write("bob stone", "---\nemail: bob@example.com\nintroduced_by: '[[Zed]]'\ncircle: x\n---\n<<<<<<< a\nx\n=======\ny\n>>>>>>> b\n")
    vault.write("Tab", "---\ntags:\n\t- a\n---\n")
    vault.write("Utf", b"---\nname: \xff\n---\n")
    vault.write("Bad name #1", "# x\n")
    code, data = findings(vault)
    assert code == 1
    assert len(codes(data)) >= 8
    for finding in data["findings"]:
        assert finding["path"].startswith("People/") and finding["message"] and finding["fix"]
        assert finding["severity"] in ("error", "warning")


def test_check_in_a_folder_without_people_fails_and_says_why(vault):
    (vault.people).rmdir()
    result = vault.run("check")
    assert result.exit_code == 1
    assert "the people folder does not exist" in result.stdout and "--vault" in result.stdout


@pytest.mark.parametrize("config_text", ['people_dir = "../outside"', 'people_dir = "/etc"'])
def test_a_people_dir_outside_the_vault_is_refused(vault, config_text):
    vault.config(config_text)
    result = vault.run("check")
    assert result.exit_code == 1
    assert "people_dir" in result.stderr and "inside the vault" in result.stderr


def test_a_temp_file_left_by_a_killed_write_is_reported(vault):
    vault.write("Bob Stone", BOB)
    (vault.people / ".Bob Stone.md.abcd1234.vaultnet-tmp").write_bytes(b"---\nhalf")
    code, data = findings(vault)
    assert code == 0
    temp = one(data, "leftover-temp-file")
    assert temp["path"] == "People/.Bob Stone.md.abcd1234.vaultnet-tmp" and "delete it" in temp["fix"]
    vault.run("log", "Bob", "call")  # the next write of that note removes it
    code, data = findings(vault)
    assert data["findings"] == []


def test_a_setext_heading_underline_is_not_a_conflict(vault):
    vault.write("Setext", "---\nname: Setext\n---\nMy Title\n=======\n\ntext\n")
    code, data = findings(vault)
    assert code == 0 and data["findings"] == []
    assert vault.run("log", "Setext", "call").exit_code == 0


def test_a_need_confirmed_long_ago_is_info_to_re_confirm(vault):
    """A dated need older than needs_confirm_after (default 6m) is listed as info with the
    command that re-confirms it; an undated or recent need is not; it never fails --strict."""
    vault.write("Cy", "---\nneeds:\n  - 2026-01-05 a fractional CFO\n  - 2026-10-01 pilot customers\n  - design help\n---\n")
    code, data = findings(vault, "--strict")
    assert code == 0 and data["errors"] == data["warnings"] == 0
    found = [f for f in data["findings"] if f["code"] == "need-to-confirm"]
    assert len(found) == 1 and found[0]["severity"] == "info" and found[0]["line"] == 2  # the needs field
    assert "a fractional CFO" in found[0]["message"] and 'vaultnet need "Cy" "a fractional CFO"' in found[0]["fix"]
    assert "(1 need to re-confirm.)" in vault.run("check").stdout
    vault.config('needs_confirm_after = "1y"\n')
    assert findings(vault)[1]["findings"] == []
