"""Imports given hostile free text: an unclosed code fence in a vCard NOTE, a huge CSV field.

The imported note must still work with every later command (its ``## Log`` section found,
``log`` lines listed by ``show``), and no input crashes the import.
"""

from __future__ import annotations

import json

import pytest

FENCED = [
    "met at a talk\\n```python\\nprint(1)",  # an opening fence, never closed
    "~~~\\nraw",  # the other fence
    "   ```",  # indented up to three spaces: still a fence
    "```\\nclosed\\n```\\nthen ```` again",  # balanced, then one more
]


@pytest.mark.parametrize("note", FENCED)
def test_an_unclosed_code_fence_in_a_vcard_note_keeps_the_log_working(vault, tmp_path, note):
    card = tmp_path / "card.vcf"
    card.write_bytes(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nNOTE:{note}\r\nEND:VCARD\r\n".encode())
    result = vault.run("import", "vcard", str(card))
    assert result.exit_code == 0, result.output
    for day, text in (("2026-11-20", "call about engines"), ("2026-11-23", "coffee")):
        assert vault.run("log", "Ada", text, today=day).exit_code == 0
    shown = json.loads(vault.run("show", "Ada", "--json").stdout)
    assert sorted(entry["text"] for entry in shown["log"]) == ["call about engines", "coffee"]
    assert vault.person("Ada Lovelace").last_contact.isoformat() == "2026-11-23"
    assert vault.run("check").exit_code == 0
    # The note's text is all still there.
    body = vault.read("Ada Lovelace").decode()
    for line in note.split("\\n"):
        assert line.strip() in body


def test_a_google_notes_cell_with_a_fence_is_neutralised_too(vault, tmp_path):
    csv_file = tmp_path / "google.csv"
    csv_file.write_text('First Name,Last Name,Notes\nAda,Lovelace,"see:\n```\nunfinished"\n', encoding="utf-8")
    assert vault.run("import", "google", str(csv_file)).exit_code == 0
    assert vault.run("log", "Ada", "call").exit_code == 0
    shown = json.loads(vault.run("show", "Ada", "--json").stdout)
    assert [entry["text"] for entry in shown["log"]] == ["call"]


LONG = 140_000  # over the csv module's default field limit of 131,072


def linkedin_csv(company: str) -> str:
    return (
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        f"Ada,Lovelace,,ada@example.org,{company},Engineer,01 Jan 2024\n"
        "Bob,Beta,,bob@example.org,Acme,Boss,02 Jan 2024\n"
    )


def google_csv(notes: str) -> str:
    return f'First Name,Last Name,Notes,E-mail 1 - Value\nAda,Lovelace,"{notes}",ada@example.org\nBob,Beta,,bob@example.org\n'


@pytest.mark.parametrize("source", ["linkedin", "google"])
def test_a_field_over_the_csv_default_limit_is_imported(vault, tmp_path, source):
    file = tmp_path / f"{source}.csv"
    text = linkedin_csv("A" * LONG) if source == "linkedin" else google_csv("n" * LONG)
    file.write_text(text, encoding="utf-8")
    result = vault.run("import", source, str(file))
    assert result.exit_code == 0, result.output[-500:]
    assert sorted(vault.names()) == ["Ada Lovelace", "Bob Beta"]
    assert ("A" * LONG if source == "linkedin" else "n" * LONG).encode() in vault.read("Ada Lovelace")


@pytest.mark.parametrize("source", ["linkedin", "google"])
def test_a_field_longer_than_a_note_may_be_is_a_clear_message(vault, tmp_path, source):
    huge = 4 * 1024 * 1024 + 10
    file = tmp_path / f"{source}.csv"
    text = linkedin_csv("A" * huge) if source == "linkedin" else google_csv("n" * huge)
    file.write_text(text, encoding="utf-8")
    result = vault.run("import", source, str(file))
    assert "line 2" in result.output and "longer than 4 MiB" in result.output, result.output[-500:]
    assert "Ada Lovelace" not in vault.names()
    if source == "linkedin":  # one line per record: the rows after it are still read
        assert result.exit_code == 0 and vault.names() == ["Bob Beta"]
