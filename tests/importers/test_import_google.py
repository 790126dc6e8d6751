"""`vaultnet import google`: Google Contacts' CSV export, current and older column names."""

from __future__ import annotations

import csv
import io

from vaultnet.model.dates import Birthday

from tests.support import DATA


def test_the_current_export(vault):
    result = vault.run("import", "google", str(DATA / "google_contacts.csv"))
    assert result.exit_code == 0, result.output
    assert vault.names() == ["Ada Lovelace", "Dr. Jekyll", "Grace Hopper", "Zoë Østergaard-Łukasiewicz"]
    ada = vault.person("Ada Lovelace")
    assert ada.emails == ("ada@analytical.example", "ada.home@example.org")  # two values in one cell, ' ::: '
    assert ada.phones == ("+44 20 7946 0000",)
    assert (ada.org, ada.role, ada.birthday) == ("Analytical Engines Ltd", "Mathematician", Birthday(12, 10, 1815))
    assert ada.tags == ("Mathematicians",)  # * myContacts and * starred are Google's, not yours
    grace = vault.person("Grace Hopper")
    assert grace.birthday == Birthday(12, 9)  # --12-09: no year
    assert grace.tags == ("Work", "Tennis-Club")
    assert grace.aliases == ("Grace Brewster Hopper", "Amazing Grace")  # full name with middle name, nickname
    assert grace.phones == ("(202) 555-0199", "+1 202 555 0123", "+1-202-555-0199")
    assert grace.org == "US Navy, Reserve"
    assert dict(grace.extra)["linkedin"] == "https://www.linkedin.com/in/gracehopper"
    assert vault.person("Dr. Jekyll").birthday is None
    zoe = vault.person("Zoë Østergaard-Łukasiewicz")  # after the malformed row: the rest imports
    assert zoe.tags == ("Data-People",) and zoe.emails == ("zoe@example.dk",)
    assert "line 7: no name, and no email of anyone in the vault; skipped" in result.stderr  # a company card
    assert "line 8: Birthday '12/31/1886' is not a date" in result.stderr
    assert "line 9: 35 fields where the header has 32; row skipped" in result.stderr
    assert "5 contacts read; 4 created" in result.stdout


def test_notes_become_a_section_of_the_new_note(vault):
    vault.run("import", "google", str(DATA / "google_contacts.csv"))
    text = vault.read("Ada Lovelace").decode()
    assert text.endswith(
        "---\n# Ada Lovelace\n\n## Notes\n\n"
        "Wrote the first program.\n"
        "Ask her about the Difference Engine, and about poetry.\n"
        "\\# not a heading\n"  # a line of the notes cannot become a heading of the note
        "\n## Log\n"
    )
    assert "\n## Notes" not in vault.read("Grace Hopper").decode()  # no notes, no section


def test_the_older_export(vault):
    result = vault.run("import", "google", str(DATA / "google_contacts_old.csv"))
    assert result.exit_code == 0, result.output
    alan = vault.person("Alan Turing")
    assert alan.emails == ("alan@bletchley.example", "alan@home.example", "Alan.Turing@Manchester.example")
    assert (alan.org, alan.role) == ("Bletchley Park", "Cryptanalyst")  # Organization 1 - Name / Title
    assert alan.tags == ("Codebreakers",)  # from Group Membership
    assert alan.birthday == Birthday(6, 23, 1912)
    assert "## Notes\n\nRuns marathons.\n" in vault.read("Alan Turing").decode()
    joan = vault.person("Joan Clarke")
    assert joan.birthday == Birthday(6, 24) and joan.tags == ("Codebreakers",)


def test_any_number_of_numbered_groups_in_any_order(vault, tmp_path):
    header = ["Given Name", "Family Name", "E-mail 3 - Value", "Phone 1 - Value", "E-mail 1 - Value",
              "E-mail 12 - Value", "E-mail 2 - Value"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow(["Hedy", "Lamarr", "c@x.example", "+1 555 0100 ::: +1 555 0101", "a@x.example", "l@x.example",
                     "b@x.example ::: B@X.example"])
    file = tmp_path / "contacts.csv"
    file.write_text(buf.getvalue(), encoding="utf-8")
    result = vault.run("import", "google", str(file))
    assert result.exit_code == 0, result.output
    hedy = vault.person("Hedy Lamarr")
    assert hedy.emails == ("a@x.example", "b@x.example", "c@x.example", "l@x.example")  # by number; case duplicates once
    assert hedy.phones == ("+1 555 0100", "+1 555 0101")


def test_not_a_google_export(vault, tmp_path):
    file = tmp_path / "contacts.csv"
    file.write_text("Vorname,Nachname\nAda,Lovelace\n", encoding="utf-8")
    result = vault.run("import", "google", str(file))
    assert result.exit_code == 1
    assert "line 1: this header does not look like a Google Contacts export" in result.stderr
    assert vault.names() == []


def test_an_empty_file(vault, tmp_path):
    file = tmp_path / "contacts.csv"
    file.write_bytes(b"")
    result = vault.run("import", "google", str(file))
    assert result.exit_code == 1 and "the file is empty" in result.stderr
