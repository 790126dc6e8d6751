"""Likely duplicates caught by `check`, `add` and every import; job changes reported by imports."""

from __future__ import annotations

import json

import pytest

LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
GOOGLE_HEADER = "First Name,Middle Name,Last Name,Organization Name,Organization Title,E-mail 1 - Label,E-mail 1 - Value"


def linkedin(tmp_path, *rows):
    file = tmp_path / "Connections.csv"
    lines = ["\ufeffNotes:", '"When exporting your connection data, some emails are missing."', "", LINKEDIN_HEADER, *rows]
    file.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return file


def google(tmp_path, *rows):
    file = tmp_path / "contacts.csv"
    file.write_bytes(("\r\n".join([GOOGLE_HEADER, *rows]) + "\r\n").encode())
    return file


def vcard(tmp_path, *cards):
    file = tmp_path / "contacts.vcf"
    body = "".join(f"BEGIN:VCARD\r\nVERSION:4.0\r\n{card}END:VCARD\r\n" for card in cards)
    file.write_bytes(body.encode())
    return file


def test_check_warns_of_likely_duplicates_with_both_files_and_the_fix(vault):
    vault.write("Sam O'Brien", "# Sam\n")
    vault.write("Sam O’Brien", "# Sam again\n")
    vault.write("Maria Rossi", "# Maria\n")
    vault.write("Maria 🚀 Rossi", "# Maria\n")
    vault.write("Priya Natarajan", "---\naliases: [Priya N]\n---\n")
    vault.write("Priya Natarajan, PhD", "# Priya\n")
    vault.write("Priya N.", "# the alias rule, folded\n")
    result = vault.run("check", "--json")
    findings = [f for f in json.loads(result.output)["findings"] if f["code"] == "likely-duplicate"]
    got = {(f["path"], f["message"].split(": ")[0]) for f in findings}
    assert got == {
        ("People/Sam O'Brien.md", "likely the same person as People/Sam O’Brien.md"),
        ("People/Maria Rossi.md", "likely the same person as People/Maria 🚀 Rossi.md"),
        ("People/Priya Natarajan, PhD.md", "likely the same person as People/Priya Natarajan.md"),
        ("People/Priya N..md", "likely the same person as People/Priya Natarajan.md"),
    }
    assert all(f["severity"] == "warning" for f in findings)
    sam = next(f for f in findings if f["path"] == "People/Sam O'Brien.md")
    assert sam["fix"].startswith('merge them: vaultnet merge "Sam O\'Brien" "Sam O’Brien"')


def test_check_does_not_repeat_an_exact_duplicate_as_likely(vault):
    vault.write("Vera Lind", "---\nemail: vera@lind.se\n---\n")
    vault.write("V Lind", "---\nemail: VERA@lind.se\n---\n")
    findings = json.loads(vault.run("check", "--json").output)["findings"]
    codes = sorted(f["code"] for f in findings)
    assert "likely-duplicate" not in codes and codes.count("duplicate-email") == 2


@pytest.mark.parametrize(
    "args, existing",
    [
        (["Sam O’Brien"], "People/Sam O'Brien.md"),
        (["SAM OBRIEN, PhD"], "People/Sam O'Brien.md"),
        (["Dr. Sam O'Brien 🚀"], "People/Sam O'Brien.md"),
        (["Samuel", "--alias", "Sam OBrien"], "People/Sam O'Brien.md"),
    ],
)
def test_add_refuses_a_likely_duplicate_naming_the_note(vault, args, existing):
    vault.write("Sam O'Brien", "# Sam\n")
    vault.write("Vera Lind", "---\nemail: vera@lind.se\n---\n")
    before = vault.snapshot()
    result = vault.run("add", *args)
    assert result.exit_code == 2
    assert "likely already in the vault" in result.output and existing in result.output and "--force" in result.output
    assert vault.snapshot() == before
    forced = vault.run("add", *args, "--force")
    assert forced.exit_code == 0, forced.output
    assert len(vault.names()) == 3


def test_add_with_a_known_email_is_refused_once_and_force_accepts_it(vault):
    """The same email in any case is its own refusal (naming the owner); --force, like
    --shared-email, accepts it."""
    vault.write("Vera Lind", "---\nemail: vera@lind.se\n---\n")
    result = vault.run("add", "Vera", "--email", "VERA@lind.se")
    assert result.exit_code != 0 and "already the email of Vera Lind (People/Vera Lind.md)" in result.output
    assert len(vault.names()) == 1
    assert vault.run("add", "Vera", "--email", "VERA@lind.se", "--force").exit_code == 0
    assert len(vault.names()) == 2


def test_add_of_someone_new_is_not_stopped(vault):
    vault.write("Sam O'Brien", "# Sam\n")
    assert vault.run("add", "Sam Brien").exit_code == 0


@pytest.mark.parametrize("kind", ["linkedin", "google", "vcard"])
def test_every_import_matches_a_likely_duplicate_instead_of_a_second_note(vault, tmp_path, kind):
    vault.write("Sam O'Brien", "---\norg: Acme\n---\n# Sam\n")
    vault.write("Priya Natarajan", "# Priya\n")
    file = {
        "linkedin": lambda: linkedin(tmp_path, "Sam,O’Brien,,,,,", 'Priya,"Natarajan, PhD",,,,,'),
        "google": lambda: google(tmp_path, "Sam,,O’Brien,,,,", 'Priya,,"Natarajan, PhD",,,,'),
        "vcard": lambda: vcard(tmp_path, "FN:Sam O’Brien\r\n", "FN:Priya Natarajan\\, PhD\r\n"),
    }[kind]()
    before = vault.snapshot()
    dry = vault.run("import", kind, str(file), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would match Sam O'Brien (People/Sam O'Brien.md), likely the same person" in dry.output
    assert "would match Priya Natarajan (People/Priya Natarajan.md)" in dry.output
    assert vault.snapshot() == before
    real = vault.run("import", kind, str(file))
    assert real.exit_code == 0, real.output
    assert "matched Sam O'Brien (People/Sam O'Brien.md)" in real.output
    assert vault.names() == ["Priya Natarajan", "Sam O'Brien"]
    assert vault.person("Sam O'Brien").aliases == ("Sam O’Brien",)  # the next import matches by name
    assert vault.run("show", "sam").exit_code == 0  # not ambiguous


def test_a_job_change_is_reported_and_logged_once(vault, tmp_path):
    vault.write("Jane Doe", "---\norg: Acme\nrole: Partner\ncadence: 14d\n---\n# Jane\n\n## Log\n- 2026-11-01 coffee\n")
    file = linkedin(tmp_path, "Jane,Doe,,,Northlight,General Partner,01 Feb 2020")
    dry = vault.run("import", "linkedin", str(file), "--dry-run")
    assert "Jane Doe: Partner at Acme → General Partner at Northlight (job change" in dry.output
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 0, result.output
    assert "Jane Doe: Partner at Acme → General Partner at Northlight" in result.output
    text = vault.read("Jane Doe").decode()
    assert text.startswith("---\norg: Acme\nrole: Partner\n")  # never overwritten
    assert text.endswith(
        "## Log\n- 2026-11-01 coffee\n- 2026-11-23 job change: Partner at Acme → General Partner at Northlight (LinkedIn import)\n"
    )
    again = vault.run("--today", "2026-11-30", "import", "linkedin", str(file))
    assert again.exit_code == 0
    assert vault.read("Jane Doe").decode() == text  # the same change is not logged twice
    assert "(job change, already in the Log;" in again.output and "job change, logged" not in again.output
    jane = vault.person("Jane Doe")
    assert jane.log[-1].text.startswith("job change: ")
    assert jane.last_seen.isoformat() == "2026-11-01"  # news about her, not a contact with her
    assert "Jane Doe" in vault.run("due").output  # still due: a reason to reach out


@pytest.mark.parametrize("kind", ["google", "vcard"])
def test_job_changes_from_google_and_vcard(vault, tmp_path, kind):
    vault.write("Jane Doe", "---\norg: \"[[Acme]]\"\nrole: Partner\n---\n# Jane\n")
    file = google(tmp_path, "Jane,,Doe,Acme,General Partner,,") if kind == "google" else vcard(
        tmp_path, "FN:Jane Doe\r\nORG:Acme\r\nTITLE:General Partner\r\n"
    )
    result = vault.run("import", kind, str(file))
    assert result.exit_code == 0, result.output
    origin = {"google": "Google Contacts import", "vcard": "vCard import"}[kind]
    assert f"job change: Partner at Acme → General Partner at Acme ({origin})" in vault.read("Jane Doe").decode()


def test_the_same_org_written_as_a_link_is_no_job_change(vault, tmp_path):
    vault.write("Jane Doe", "---\norg: \"[[Acme]]\"\nrole: Partner\n---\n# Jane\n")
    result = vault.run("import", "linkedin", str(linkedin(tmp_path, "Jane,Doe,,,acme,partner,")))
    assert result.exit_code == 0 and "job change" not in result.output
    assert "job change" not in vault.read("Jane Doe").decode()


def test_an_import_does_not_guess_between_two_likely_matches(vault, tmp_path):
    vault.write("Sam O'Brien", "# Sam\n")
    vault.write("Sam OBrien", "# Sam, a second note\n")
    before = vault.snapshot()
    result = vault.run("import", "linkedin", str(linkedin(tmp_path, "Sam,O’Brien,,,Acme,,")))
    assert result.exit_code == 0, result.output
    assert "matches several people by name (spelled otherwise)" in result.stderr
    assert vault.snapshot() == before
