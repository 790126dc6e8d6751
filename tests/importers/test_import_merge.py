"""The merge rules of every import: match by email, then name or alias; only add what a
note lacks; never rewrite what the user wrote; safe to repeat; --dry-run writes nothing."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from tests.support import DATA


LINKEDIN = DATA / "linkedin_connections.csv"
GOOGLE = DATA / "google_contacts.csv"
GOOGLE_OLD = DATA / "google_contacts_old.csv"
VCARD3 = DATA / "contacts_v3.vcf"
VCARD4 = DATA / "contacts_v4.vcf"
ALL = [("linkedin", LINKEDIN), ("google", GOOGLE), ("google", GOOGLE_OLD), ("vcard", VCARD3), ("vcard", VCARD4),
       ("linkedin", DATA / "linkedin_connections_old.csv")]

HAND_WRITTEN = (
    "---\n"
    "# my notes on Ada (hand-written)\n"
    "name: Ada Lovelace   # the countess\n"
    "org: \"[[Analytical Society]]\"\n"
    "email: ADA@old.example\n"
    "tags: [maths, history]   # keep these\n"
    "met_at: Babbage's salon\n"
    "---\n"
    "Some body text I wrote.\n"
    "\n"
    "## Log\n"
    "- 2026-01-05 coffee: talked about looms\n"
)


def csv_file(tmp_path, *rows, name="Connections.csv"):
    file = tmp_path / name
    lines = ["Notes:", "", "First Name,Last Name,URL,Email Address,Company,Position,Connected On", *rows]
    file.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return file


def test_a_hand_written_note_only_gains_lines(vault, tmp_path):
    vault.write("Ada Lovelace", HAND_WRITTEN)
    file = csv_file(tmp_path, "Ada,Lovelace,https://www.linkedin.com/in/ada,ada@analytical.example,"
                              "Analytical Engines Ltd,Mathematician,14 Mar 2024")
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 0, result.output
    # org and met_at were the user's: kept. The single email became a list in its own spelling,
    # written `[a, b]` as the note writes its other lists.
    assert vault.read("Ada Lovelace").decode() == (
        "---\n"
        "# my notes on Ada (hand-written)\n"
        "name: Ada Lovelace   # the countess\n"
        "org: \"[[Analytical Society]]\"\n"
        "email: [ADA@old.example, ada@analytical.example]\n"
        "tags: [maths, history]   # keep these\n"
        "met_at: Babbage's salon\n"
        "role: Mathematician\n"
        "met: 2024-03-14\n"
        "linkedin: https://www.linkedin.com/in/ada\n"
        "---\n"
        "Some body text I wrote.\n"
        "\n"
        "## Log\n"
        "- 2026-01-05 coffee: talked about looms\n"
        "- 2026-11-23 job change: Analytical Society → Mathematician at Analytical Engines Ltd (LinkedIn import)\n"
    )  # the file's other org is a job change: logged, never written over the user's
    assert "changed People/Ada Lovelace.md (line 4; matched by name)" in result.stdout
    assert "    email + ada@analytical.example" in result.stdout and "    role: Mathematician" in result.stdout


def test_crlf_bom_flow_lists_and_the_body_survive(vault):
    original = ("\ufeff---\r\nname: Grace Hopper\r\ntags: [navy]\r\nemail: [grace@navy.example]\r\n"
                "role: \"Admiral\"  # not Rear\r\n---\r\n\r\nMy own notes, **never** touched.\r\n").encode()
    vault.write("Grace Hopper", original)
    result = vault.run("import", "google", str(GOOGLE))
    assert result.exit_code == 0, result.output
    assert vault.read("Grace Hopper") == (
        "\ufeff---\r\nname: Grace Hopper\r\ntags: [navy, Work, Tennis-Club]\r\nemail: [grace@navy.example]\r\n"
        "role: \"Admiral\"  # not Rear\r\n"
        "org: US Navy, Reserve\r\n"
        "linkedin: https://www.linkedin.com/in/gracehopper\r\n"
        "birthday: --12-09\r\n"
        "aliases:\r\n  - Grace Brewster Hopper\r\n  - Amazing Grace\r\n"
        "phone:\r\n  - (202) 555-0199\r\n  - +1 202 555 0123\r\n  - +1-202-555-0199\r\n"
        "---\r\n\r\nMy own notes, **never** touched.\r\n"
    ).encode()


def test_notes_never_go_into_an_existing_body(vault):
    vault.write("Alan Turing", "---\nemail: alan@bletchley.example\n---\nMy notes.\n")
    result = vault.run("import", "google", str(GOOGLE_OLD))
    assert result.exit_code == 0, result.output
    text = vault.read("Alan Turing").decode()
    assert text.endswith("---\nMy notes.\n") and "marathons" not in text
    assert "notes from the file not added (an existing note's body is never changed)" in result.stdout


def test_importing_everything_twice_changes_nothing(vault):
    for kind, file in ALL:
        assert vault.run("import", kind, str(file)).exit_code == 0
    first = vault.snapshot()
    assert sorted(first) == sorted(f"People/{n}.md" for n in (
        "Ada Lovelace", "Alan Turing", "Dr. Jekyll", "Grace Hopper", "Joan Clarke", "José García Márquez",
        "Katherine Johnson", "Margaret Hamilton", "Seán O'Brien, Jr", "Zoë Østergaard-Łukasiewicz", "李 小龙", "李小龙"))
    for kind, file in ALL:
        result = vault.run("import", kind, str(file))
        assert result.exit_code == 0, result.output
        assert "nothing to change — the vault already has everything in this file" in result.stdout
        assert not [l for l in result.stdout.splitlines() if l.startswith(("created ", "changed "))]
    assert vault.snapshot() == first


def test_an_overlapping_file_adds_only_the_new(vault):
    vault.run("import", "linkedin", str(LINKEDIN))
    before = vault.snapshot()
    result = vault.run("import", "linkedin", str(DATA / "linkedin_connections_old.csv"))
    assert result.exit_code == 0, result.output
    after = vault.snapshot()
    assert set(after) - set(before) == {"People/Alan Turing.md"}
    assert {k for k in before if before[k] != after[k]} == set()  # Ada: same email, same fields
    assert "1 created, 0 changed, 1 already up to date" in result.stdout


def test_dry_run_writes_nothing_and_says_what_the_real_run_does(vault):
    vault.write("Ada Lovelace", HAND_WRITTEN)
    vault.run("import", "vcard", str(VCARD4))
    before = vault.snapshot()
    dry = vault.run("import", "google", str(GOOGLE), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert vault.snapshot() == before
    assert "Dry run: nothing was written." in dry.stdout
    assert "would create People/Grace Hopper.md (line 6)\n    aliases: Grace Brewster Hopper, Amazing Grace\n" in dry.stdout
    assert "would change People/Ada Lovelace.md (line 2; matched by name)\n" in dry.stdout
    real = vault.run("import", "google", str(GOOGLE))
    assert real.exit_code == 0
    # the same notes in the same order, and for changed notes the same field lines
    def entries(out: str, dry_run: bool) -> list[str]:
        kept, details = [], True
        for line in out.splitlines():
            if line.startswith(("would create ", "created ")):
                kept.append(line.replace("would create ", "created "))
                details = not dry_run  # a dry run lists a new note's fields; the real run does not
            elif line.startswith(("would change ", "changed ", "unchanged ")):
                kept.append(line.replace("would change ", "changed "))
                details = True
            elif line.startswith("    ") and details:
                kept.append(line)
        return kept

    assert entries(dry.stdout, True) == entries(real.stdout, False)
    assert "changed People/Ada Lovelace.md (line 2; matched by name)" in entries(real.stdout, False)
    assert dry.stderr == real.stderr
    assert vault.snapshot() != before


def test_someone_listed_twice_is_one_note(vault, tmp_path):
    file = csv_file(tmp_path,
                    "Jane,Doe,https://www.linkedin.com/in/jane,jane@acme.example,Acme,CTO,1 Feb 2024",
                    "Jane,Doe,,,,,",
                    "JANE,DOE,,jane.doe@personal.example,,,",
                    "Janie,D.,,Jane@ACME.example,,,")
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in vault.people.iterdir()) == ["Jane Doe.md"]
    jane = vault.person("Jane Doe", clean=False)
    assert jane.emails == ("jane@acme.example", "jane.doe@personal.example")
    assert jane.aliases == ("Janie D.",)  # matched by email under another name: now findable by it
    assert "3 more rows for people listed earlier in the file" in result.stdout


def test_match_by_alias_and_by_file_name(vault, tmp_path):
    vault.write("Countess", "---\nname: Augusta Ada King\naliases:\n  - Ada Lovelace\n---\n")
    vault.write("Bob Smith", "---\nname: Robert Smith\n---\n")
    file = csv_file(tmp_path, "Ada,Lovelace,,,Analytical Engines Ltd,,", "bob,SMITH,,,Acme,,")
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in vault.people.iterdir()) == ["Bob Smith.md", "Countess.md"]
    assert vault.read("Countess").decode() == (
        "---\nname: Augusta Ada King\naliases:\n  - Ada Lovelace\norg: Analytical Engines Ltd\nmet_at: LinkedIn\n---\n")
    assert vault.read("Bob Smith").decode() == "---\nname: Robert Smith\norg: Acme\nmet_at: LinkedIn\n---\n"
    assert "0 created, 2 changed" in result.stdout


def test_a_file_name_taken_by_someone_else(vault, tmp_path):
    vault.write("AC-DC", "---\nname: Angus Young\n---\n")
    file = csv_file(tmp_path, '"AC/DC",,,,,,', "Angus,Young,,,AC/DC,Guitar,")
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in vault.people.iterdir()) == ["AC-DC 2.md", "AC-DC.md"]
    assert vault.person("AC-DC 2", clean=False).name == "AC/DC"
    angus = vault.person("AC-DC", clean=False)
    assert (angus.name, angus.org, angus.role) == ("Angus Young", "AC/DC", "Guitar")


def test_ambiguous_matches_are_skipped_not_guessed(vault, tmp_path):
    vault.write("Jane Doe", "---\nemail: shared@family.example\n---\n")
    vault.write("John Doe", "---\nemail: shared@family.example\n---\n")
    file = csv_file(tmp_path, "J.,Doe,,shared@family.example,Acme,,", "Ada,Lovelace,,,,,")
    before = {n: vault.read(n) for n in ("Jane Doe", "John Doe")}
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 0, result.output
    assert "line 4: matches several people by email (People/Jane Doe.md, People/John Doe.md)" in result.stderr
    assert {n: vault.read(n) for n in before} == before
    assert (vault.people / "Ada Lovelace.md").exists()


def test_a_note_that_cannot_be_read_is_not_duplicated(vault, tmp_path):
    broken = b"---\nname: [unclosed\n---\n"
    vault.write("Ada Lovelace", broken)
    file = csv_file(tmp_path, "Ada,Lovelace,,,Acme,,", "Grace,Hopper,,,Navy,,")
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 0, result.output
    assert "line 4: People/Ada Lovelace.md exists but cannot be read" in result.stderr
    assert sorted(p.name for p in vault.people.iterdir()) == ["Ada Lovelace.md", "Grace Hopper.md"]
    assert vault.read("Ada Lovelace") == broken


def test_a_note_in_a_merge_conflict_is_left_alone_and_the_rest_written(vault, tmp_path):
    conflicted = "---\nname: Ada Lovelace\n---\n<<<<<<< HEAD\nmet at a ball\n=======\nmet at a salon\n>>>>>>> other\n"
    vault.write("Ada Lovelace", conflicted)
    vault.write("Grace Hopper", "---\nrole: Admiral\n---\n")
    file = csv_file(tmp_path, "Ada,Lovelace,,,Acme,,", "Grace,Hopper,,,Navy,,")
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 1
    assert vault.read("Ada Lovelace").decode() == conflicted
    assert vault.person("Grace Hopper", clean=False).org == "Navy"
    assert "1 note could not be written" in result.stderr


def test_tags_written_as_one_text_are_not_mangled(vault):
    vault.write("Ada Lovelace", "---\ntags: maths, history\n---\n")
    result = vault.run("import", "vcard", str(VCARD3))
    assert result.exit_code == 0, result.output
    text = vault.read("Ada Lovelace").decode()
    assert text.startswith("---\ntags: maths, history\norg: Analytical Engines Ltd\n")
    assert "tags: Mathematicians not added (the note writes its tags as one text; add it by hand)" in result.stdout


def test_empty_fields_are_filled_but_values_never_replaced(vault):
    vault.write("Margaret Hamilton", "---\norg:\nrole: Director   # really\nbirthday: 1936-08-17\nemail: []\n---\n")
    result = vault.run("import", "vcard", str(VCARD4))
    assert result.exit_code == 0, result.output
    text = vault.read("Margaret Hamilton").decode()
    assert text.startswith(
        "---\norg: Hamilton Technologies, Inc.\nrole: Director   # really\nbirthday: 1936-08-17\n"
        "email: [margaret@example.org, mh@example.net]\n"
    )


def _large_file(tmp_path, count):
    rows = [f"Person,Number {i:04d},,p{i}@example.org,Org {i % 7},,1 Jan 2024" for i in range(count)]
    return csv_file(tmp_path, *rows)


def test_no_progress_bar_when_output_is_not_a_terminal(vault, tmp_path):
    result = vault.run("import", "linkedin", str(_large_file(tmp_path, 100)))
    assert result.exit_code == 0
    assert "Importing" not in result.output and "%" not in result.output
    assert "100 contacts read; 100 created" in result.stdout


def test_a_progress_bar_on_a_terminal_for_a_large_file(vault, tmp_path):
    file = _large_file(tmp_path, 100)
    vault.people.mkdir(exist_ok=True)
    master, slave = pty.openpty()
    exe = Path(sys.executable).with_name("vaultnet")
    proc = subprocess.Popen([str(exe), "--vault", str(vault.root), "import", "linkedin", str(file)],
                            stdin=slave, stdout=slave, stderr=subprocess.PIPE, close_fds=True)
    os.close(slave)
    output = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    proc.wait(timeout=60)
    os.close(master)
    assert proc.returncode == 0, proc.stderr.read()
    text = output.decode()
    assert "Importing Connections.csv" in text and "100%" in text
    assert "100 contacts read; 100 created" in text
    assert len(list(vault.people.glob("*.md"))) == 100


def test_tag_everyone_and_a_cadence_for_new_notes(vault):
    vault.write("Ada Lovelace", "---\nemail: ada@analytical.example\ntags: [maths]\n---\n")
    old = DATA / "linkedin_connections_old.csv"
    result = vault.run("import", "linkedin", str(old), "--tag", "linkedin", "--tag", "#Imported 2026", "--cadence", "none")
    assert result.exit_code == 0, result.output
    assert vault.read("Ada Lovelace").decode() == (
        "---\nemail: ada@analytical.example\ntags: [maths, linkedin, Imported-2026]\n"
        "org: Analytical Engines Ltd\nrole: Mathematician\nmet: 2024-03-14\nmet_at: LinkedIn\n---\n"
    )  # an existing note keeps its own schedule: no cadence added
    alan = vault.person("Alan Turing", clean=False)
    assert alan.tags == ("linkedin", "Imported-2026") and str(alan.cadence) == "none"
    assert "Alan Turing" not in vault.run("due").stdout  # a pile of old connections does not all fall due at once
    again = vault.run("import", "linkedin", str(old), "--tag", "linkedin", "--tag", "#Imported 2026", "--cadence", "none")
    assert "nothing to change" in again.stdout


def test_a_tag_that_is_no_tag_is_refused(vault):
    result = vault.run("import", "linkedin", str(LINKEDIN), "--tag", "###")
    assert result.exit_code == 2 and "--tag" in result.stderr
    assert not list(vault.people.iterdir())


def test_a_shared_email_does_not_file_one_person_under_another(vault, tmp_path):
    vault.write("John Doe", "---\nemail: family@doe.example\n---\n")
    vault.write("Jane Doe", "---\nrole: Nurse\n---\n")
    before = vault.snapshot()
    file = csv_file(tmp_path, "Jane,Doe,,family@doe.example,Hospital,,")
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 0, result.output
    assert "line 4: its email belongs to one person and its name to another (People/Jane Doe.md, People/John Doe.md)" in result.stderr
    assert vault.snapshot() == before


def test_a_nickname_is_a_name_within_the_same_import(vault):
    card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nNICKNAME:Amazing Grace\r\nEND:VCARD\r\n"
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Amazing Grace\r\nTITLE:Admiral\r\nEND:VCARD\r\n")
    result = vault.run("import", "vcard", "-", input=card)
    assert result.exit_code == 0, result.output
    assert [p.name for p in vault.people.iterdir()] == ["Grace Hopper.md"]
    assert vault.person("Grace Hopper", clean=False).role == "Admiral"
    assert "nothing to change" in vault.run("import", "vcard", "-", input=card).stdout


def test_met_at_goes_only_with_its_own_date(vault, tmp_path):
    vault.write("Ada Lovelace", "---\nmet: 2019-05-01\n---\n")  # met elsewhere, before LinkedIn
    vault.write("Grace Hopper", "---\nmet: 2023-01-02\n---\n")  # the day they connected
    file = csv_file(tmp_path, "Ada,Lovelace,,,Acme,,14 Mar 2024", "Grace,Hopper,,,Navy,,02 Jan 2023")
    result = vault.run("import", "linkedin", str(file))
    assert result.exit_code == 0, result.output
    assert vault.read("Ada Lovelace").decode() == "---\nmet: 2019-05-01\norg: Acme\n---\n"
    assert vault.read("Grace Hopper").decode() == "---\nmet: 2023-01-02\norg: Navy\nmet_at: LinkedIn\n---\n"
