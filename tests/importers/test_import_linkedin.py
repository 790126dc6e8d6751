"""`vaultnet import linkedin`: LinkedIn's Connections.csv, with every awkward shape it comes in."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support import DATA


MAIN = DATA / "linkedin_connections.csv"
HEADER = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On"
ROWS = [
    b"Ada,Lovelace,https://www.linkedin.com/in/ada-lovelace,ada@analytical.example,Analytical Engines Ltd,Mathematician,14 Mar 2024",
    b'Grace,Hopper,https://www.linkedin.com/in/gracehopper,,"US Navy, Reserve","Rear Admiral, Computing",02 Jan 2023',
]
DISCLAIMER = (b'"When exporting your connection data, you may notice that some of the email addresses are missing. '
              b'You will only see email addresses for connections who have allowed their connections to see or '
              b'download their email address using this setting https://www.linkedin.com/psettings/privacy/email."')


def test_the_real_export_shape(vault):
    assert MAIN.read_bytes().startswith(b"\xef\xbb\xbfNotes:\r\n\"When exporting")  # the sample is what it claims
    result = vault.run("import", "linkedin", str(MAIN))
    assert result.exit_code == 0, result.output
    assert vault.names() == sorted([
        "Ada Lovelace", "Grace Hopper", "José García Márquez", "Katherine Johnson", "Margaret Hamilton",
        "Seán O'Brien, Jr", "Zoë Østergaard-Łukasiewicz", "李 小龙",
    ])
    ada = vault.person("Ada Lovelace")
    assert (ada.org, ada.role, ada.met, ada.met_at) == ("Analytical Engines Ltd", "Mathematician", date(2024, 3, 14), "LinkedIn")
    assert ada.emails == ("ada@analytical.example",)
    assert dict(ada.extra)["linkedin"] == "https://www.linkedin.com/in/ada-lovelace"
    grace = vault.person("Grace Hopper")  # quoted fields holding commas
    assert (grace.org, grace.role, grace.met, grace.emails) == ("US Navy, Reserve", "Rear Admiral, Computing", date(2023, 1, 2), ())
    sean = vault.person("Seán O'Brien, Jr")  # the file name lost its final dot; the name keeps it
    assert sean.name == "Seán O'Brien, Jr." and sean.org == "Guinness & Co, Dublin" and sean.met == date(2019, 12, 31)
    zoe = vault.person("Zoë Østergaard-Łukasiewicz")
    assert zoe.emails == ("Zoe@Example.dk",) and zoe.role == "Head of Data, Platform"
    assert vault.person("李 小龙").role == "Actor"
    katherine = vault.person("Katherine Johnson")
    assert katherine.met is None and katherine.org == "NASA"  # the bad date was left out, the rest kept
    # what could not be used is reported with its line, on stderr
    assert "line 8: no name" in result.stderr
    assert "line 12: 8 fields where the header has 7" in result.stderr
    assert "line 13: Connected On: 'sometime in 2019' is not a date" in result.stderr
    assert result.stdout.count("created ") == 8
    assert "10 contacts read; 8 created, 0 changed" in result.stdout
    assert "1 more row for people listed earlier in the file" in result.stdout  # Ada twice: one note


def test_a_new_note_is_plain_and_complete(vault):
    vault.run("import", "linkedin", str(MAIN))
    assert vault.read("Ada Lovelace").decode() == (
        "---\n"
        "org: Analytical Engines Ltd\n"
        "role: Mathematician\n"
        "email: ada@analytical.example\n"
        "met: 2024-03-14\n"
        "met_at: LinkedIn\n"
        "linkedin: https://www.linkedin.com/in/ada-lovelace\n"
        "---\n"
        "# Ada Lovelace\n"
        "\n"
        "## Log\n"
    )


@pytest.mark.parametrize("preamble, newline", [
    (b"\xef\xbb\xbfNotes:\r\n" + DISCLAIMER + b"\r\n\r\n", b"\r\n"),  # 2023+: BOM, quoted disclaimer, blank line
    (b"Notes:\r\n" + DISCLAIMER + b"\r\n\r\n", b"\r\n"),  # the same without the BOM
    (b"Notes:\r\n\r\n", b"\r\n"),  # a bare Notes: line and a blank line
    (b"\xef\xbb\xbf", b"\r\n"),  # no preamble; BOM right before the header
    (b"", b"\n"),  # no preamble, LF line ends (re-saved by an editor)
    (b"Notes:\n\"A disclaimer, with commas, about First Name and Last Name\"\n\n", b"\n"),
])
def test_the_header_is_found_whatever_the_preamble(vault, tmp_path, preamble, newline):
    file = tmp_path / "Connections.csv"
    file.write_bytes(preamble + newline.join([HEADER, *ROWS]) + newline)
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 0, result.output
    assert vault.names() == ["Ada Lovelace", "Grace Hopper"]
    assert vault.person("Grace Hopper").org == "US Navy, Reserve"


def test_the_older_export_without_url_column(vault):
    result = vault.run("import", "linkedin", str(DATA / "linkedin_connections_old.csv"))
    assert result.exit_code == 0, result.output
    alan = vault.person("Alan Turing")
    assert (alan.org, alan.role, alan.met, alan.emails) == ("Bletchley Park", "Cryptanalyst", date(2018, 6, 23), ("alan@bletchley.example",))
    assert "linkedin" not in dict(alan.extra)


def test_an_existing_met_at_is_kept_and_the_missing_fields_added(vault):
    original = "---\nmet_at: Strange Loop 2019\nemail: ada@analytical.example\n---\nMet her at the bar.\n"
    vault.write("Ada Lovelace", original)
    result = vault.run("import", "linkedin", str(MAIN))
    assert result.exit_code == 0, result.output
    assert vault.read("Ada Lovelace").decode() == (
        "---\nmet_at: Strange Loop 2019\nemail: ada@analytical.example\n"
        "org: Analytical Engines Ltd\nrole: Mathematician\nmet: 2024-03-14\n"
        "linkedin: https://www.linkedin.com/in/ada-lovelace\n---\nMet her at the bar.\n"
    )


def test_not_a_linkedin_file_is_refused_and_nothing_written(vault, tmp_path):
    file = tmp_path / "contacts.csv"
    # Google's export has First Name and Last Name columns too: it must not pass for LinkedIn's
    file.write_text("First Name,Middle Name,Last Name,E-mail 1 - Value\nAda,,Lovelace,ada@x.example\n")
    before = vault.snapshot()
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 1
    assert f"{file}: no header row like 'First Name,Last Name,URL" in result.stderr
    assert "use `vaultnet import google`" in result.stderr
    assert vault.snapshot() == before


@pytest.mark.parametrize("data", [MAIN.read_bytes(), HEADER + b"\r\n" + ROWS[0] + b"\r\n"])
def test_a_linkedin_file_given_to_import_google_is_refused(vault, data, tmp_path):
    file = tmp_path / "Connections.csv"
    file.write_bytes(data)
    result = vault.run("import", "google", str(file))
    assert result.exit_code == 1
    assert "this is LinkedIn's Connections.csv; use `vaultnet import linkedin`" in result.stderr
    assert vault.names() == []


def test_a_file_that_is_not_utf8_names_the_line(vault, tmp_path):
    file = tmp_path / "Connections.csv"
    file.write_bytes(HEADER + b"\r\n" + "Zoë,Ørsted,,,,,1 Jan 2020\r\n".encode("latin-1"))
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 1
    assert "line 2: not UTF-8 text" in result.stderr
    assert vault.names() == []


def test_every_row_broken_is_an_error(vault, tmp_path):
    file = tmp_path / "Connections.csv"
    file.write_bytes(HEADER + b"\r\nJane,Doe,url,,Acme, Inc.,CTO,1 Jan 2020\r\n\"Unbalanced,Quote,,,,,\r\n")
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 1
    assert "line 2: 8 fields where the header has 7" in result.stderr
    assert "line 3: " in result.stderr and "unbalanced quote" in result.stderr
    assert "no contact could be read" in result.stderr
    assert vault.names() == []


def test_a_header_only_file_is_not_an_error(vault, tmp_path):
    file = tmp_path / "Connections.csv"
    file.write_bytes(b"Notes:\r\n\r\n" + HEADER + b"\r\n")
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 0
    assert "no contacts in the file" in result.stdout


def test_a_missing_file(vault, tmp_path):
    result = vault.run("import", "linkedin", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert "nope.csv: cannot read" in result.stderr


def test_something_that_is_no_email_is_left_out_and_said(vault, tmp_path):
    file = tmp_path / "Connections.csv"
    file.write_bytes(HEADER + b"\r\nAda,Lovelace,,n/a,Acme,,\r\nGrace,Hopper,,mailto:grace@navy.example,,,\r\n")
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 0, result.output
    assert "line 2: 'n/a' is not an email address; left out (the rest of it is imported)" in result.stderr
    assert vault.person("Ada Lovelace").emails == () and vault.person("Ada Lovelace").org == "Acme"
    assert vault.person("Grace Hopper").emails == ("grace@navy.example",)
