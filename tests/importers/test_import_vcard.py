"""`vaultnet import vcard`: vCard 3.0 and 4.0 files as phones and address books write them."""

from __future__ import annotations

from vaultnet.model.dates import Birthday

from tests.support import DATA


def test_vcard_3(vault):
    result = vault.run("import", "vcard", str(DATA / "contacts_v3.vcf"))
    assert result.exit_code == 0, result.output
    assert vault.names() == ["Ada Lovelace", "Grace Hopper", "Joan Clarke", "Zoë Østergaard-Łukasiewicz"]
    ada = vault.person("Ada Lovelace")
    assert (ada.org, ada.role) == ("Analytical Engines Ltd", "Mathematician")  # ORG's unit dropped
    assert ada.emails == ("ada@analytical.example",) and ada.phones == ("+44 20 7946 0000",)
    assert ada.birthday == Birthday(12, 10, 1815)
    assert ada.tags == ("Mathematicians", "History-of-computing")
    # a folded NOTE line with an escaped comma and \n
    assert "## Notes\n\nWrote the first program.\nAsk her about the Difference Engine, and about poetry.\n\n## Log" in vault.read("Ada Lovelace").decode()
    grace = vault.person("Grace Hopper")
    assert (grace.org, grace.role) == ("US Navy, Reserve", "Rear Admiral, Computing")  # escaped commas
    assert grace.birthday == Birthday(12, 9)  # BDAY:--1209
    assert grace.aliases == ("Amazing Grace",) and grace.tags == ("Work", "Tennis-Club")
    assert dict(grace.extra)["linkedin"] == "https://www.linkedin.com/in/gracehopper"
    assert vault.person("Zoë Østergaard-Łukasiewicz").birthday == Birthday(3, 21)  # Apple's year 1604 = no year
    joan = vault.person("Joan Clarke")  # no FN: the name comes from N
    assert joan.birthday == Birthday(6, 24) and joan.org == "Bletchley Park"
    assert "card 4 at line 36: not a valid vCard (Failed to parse line: this line has no colon at all); card skipped" in result.stderr
    assert "4 contacts read; 4 created" in result.stdout


def test_vcard_4(vault):
    result = vault.run("import", "vcard", str(DATA / "contacts_v4.vcf"))
    assert result.exit_code == 0, result.output
    assert vault.names() == ["Katherine Johnson", "Margaret Hamilton", "李小龙"]
    margaret = vault.person("Margaret Hamilton")
    assert margaret.org == "Hamilton Technologies, Inc."
    assert margaret.emails == ("margaret@example.org", "mh@example.net")
    assert margaret.phones == ("+1-617-555-0100",)  # the tel: URI of vCard 4.0 becomes the number
    assert margaret.birthday == Birthday(8, 17)  # --0817
    assert margaret.tags == ("Apollo", "Software-engineering", "Women-in-tech")
    assert ("Lead of the Apollo on-board flight software team; ask about the lunar landing."
            in vault.read("Margaret Hamilton").decode())  # folded mid-word, escaped semicolon
    assert vault.person("Katherine Johnson").birthday == Birthday(8, 26, 1918)  # BDAY:19180826
    bruce = vault.person("李小龙")
    assert bruce.aliases == ("Bruce Lee",) and bruce.birthday == Birthday(11, 27, 1940)
    assert "card 4 at line 36: the file ends before END:VCARD; card skipped" in result.stderr


def test_the_same_person_in_two_files_is_one_note(vault):
    vault.run("import", "vcard", str(DATA / "contacts_v3.vcf"))
    result = vault.run("import", "google", str(DATA / "google_contacts.csv"))
    assert result.exit_code == 0, result.output
    grace = vault.person("Grace Hopper")
    assert grace.aliases == ("Amazing Grace", "Grace Brewster Hopper")
    assert grace.phones == ("(202) 555-0199", "+1 202 555 0123", "+1-202-555-0199")  # (202) 555-0199 not twice
    assert not (vault.people / "Grace Hopper 2.md").exists()


def test_not_a_vcard(vault, tmp_path):
    file = tmp_path / "contacts.vcf"
    file.write_text("Name: Ada\nEmail: ada@x.example\n", encoding="utf-8")
    result = vault.run("import", "vcard", str(file))
    assert result.exit_code == 1
    assert "no BEGIN:VCARD in the file" in result.stderr


def test_only_broken_cards(vault, tmp_path):
    file = tmp_path / "contacts.vcf"
    file.write_text("BEGIN:VCARD\nVERSION:3.0\nFN Ada\nEND:VCARD\nBEGIN:VCARD\nFN:Grace\n", encoding="utf-8")
    result = vault.run("import", "vcard", str(file))
    assert result.exit_code == 1
    assert "card 1 at line 1: not a valid vCard" in result.stderr
    assert "card 2 at line 5: the file ends before END:VCARD" in result.stderr
    assert "no contact could be read (2 skipped" in result.stderr


def test_lf_line_ends_and_lowercase_keywords(vault, tmp_path):
    file = tmp_path / "contacts.vcf"
    file.write_text("begin:vcard\nversion:3.0\nfn:Hedy Lamarr\nemail:hedy@x.example\nend:vcard\n", encoding="utf-8")
    result = vault.run("import", "vcard", str(file))
    assert result.exit_code == 0, result.output
    assert vault.person("Hedy Lamarr").emails == ("hedy@x.example",)


def test_from_standard_input(vault):
    data = (DATA / "contacts_v4.vcf").read_text(encoding="utf-8")
    result = vault.run("import", "vcard", "-", input=data)
    assert result.exit_code == 0, result.output
    assert "<stdin>: card 4 at line 36" in result.stderr
    assert vault.names() == ["Katherine Johnson", "Margaret Hamilton", "李小龙"]


def test_a_folded_line_that_reads_end_vcard_does_not_end_the_card(vault):
    card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nNOTE:the text says \r\n END:VCARD and goes on\r\n"
            "EMAIL:ada@x.example\r\nEND:VCARD\r\n")
    result = vault.run("import", "vcard", "-", input=card)
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert vault.person("Ada Lovelace").emails == ("ada@x.example",)
    assert "## Notes\n\nthe text says END:VCARD and goes on\n" in vault.read("Ada Lovelace").decode()
