"""`vaultnet export vcard`: valid vCard 4.0 that vobject and the real khard read, deterministic,
with stable UIDs, and a round trip back through `import vcard` that loses nothing it carries."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vaultnet.model.config import load_config
from vaultnet.load.vault import load_vault
from vaultnet.model.links import link_target

from tests.conftest import VaultFixture

KHARD = Path(sys.executable).with_name("khard")


@pytest.fixture
def network(vault):
    vault.write("Ada Lovelace", """\
        ---
        aliases: [Countess of Lovelace]
        org: "[[Analytical Society]]"
        role: Mathematician
        email:
          - ada@analytical.example
          - Ada.Home@example.org
        phone: +44 20 7946 0000
        birthday: 1815-12-10
        tags: [maths, history/computing]
        needs:
          - funding for the engine
        offers:
          - "programs; poetry, math"
        linkedin: https://www.linkedin.com/in/ada-lovelace
        ---
        Body text is private: never exported.
        """)
    vault.write("AC-DC", "---\nname: \"AC/DC; the band, live\"\norg: \"Albert Productions; Sydney, AU\"\n---\n")
    vault.write("Grace Hopper", (
        "---\r\nbirthday: --12-09\r\nemail: grace@navy.example\r\n"
        "role: Konteradmiralin — Pionierin der Compilertechnik, Erfinderin von COBOL und überhaupt großartig\r\n"
        "tags: navy\r\n---\r\n").encode())
    vault.write("Nobody", "Just a name.\n")
    vault.write("Broken Birthday", "---\nbirthday: 2026-13-45\nemail: bb@example.org\n---\n")
    return vault


def export(vault, *args) -> bytes:
    result = vault.run("export", "vcard", *args)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_valid_vcard_4_read_by_vobject(network):
    import vobject

    data = export(network)
    text = data.decode("utf-8")
    assert text.endswith("END:VCARD\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded at 75 octets
    assert any(line.startswith(" ") for line in text.split("\r\n"))  # the long role was folded
    cards = list(vobject.readComponents(text))
    assert [c.fn.value for c in cards] == ["AC/DC; the band, live", "Ada Lovelace", "Broken Birthday", "Grace Hopper", "Nobody"]
    for card in cards:
        assert card.version.value == "4.0"
        assert text.count(f"UID:{card.uid.value}\r\n") == 1
    acdc, ada, broken, grace, nobody = cards
    assert acdc.org.value == ["Albert Productions; Sydney, AU"]  # escaped ';' and ','
    assert ada.org.value == ["Analytical Society"]  # the [[link]] is the note's business
    assert [e.value for e in ada.contents["email"]] == ["ada@analytical.example", "Ada.Home@example.org"]
    assert ada.contents["email"][0].params["PREF"] == ["1"]
    assert ada.tel.value == "+44 20 7946 0000" and ada.bday.value == "18151210"
    assert ada.nickname.value == "Countess of Lovelace"
    assert ada.categories.value == ["maths", "history/computing"]
    assert ada.note.value == "Needs: funding for the engine\nOffers: programs; poetry, math"
    assert ada.url.value == "https://www.linkedin.com/in/ada-lovelace"
    assert "Body text" not in text
    assert ada.n.value.family == "Lovelace" and ada.n.value.given == "Ada"
    assert grace.bday.value == "--1209"
    assert grace.title.value.startswith("Konteradmiralin — Pionierin") and grace.title.value.endswith("großartig")
    assert "bday" not in broken.contents and broken.email.value == "bb@example.org"
    assert set(nobody.contents) == {"version", "prodid", "uid", "kind", "fn", "n"}


def test_deterministic_and_not_rewritten(network, tmp_path):
    first = export(network)
    assert export(network) == first
    out = tmp_path / "everyone.vcf"
    result = network.run("export", "vcard", "-o", str(out))
    assert result.exit_code == 0 and "5 cards written" in result.stdout
    assert out.read_bytes() == first
    os.utime(out, ns=(1_000_000_000, 1_000_000_000))
    result = network.run("export", "vcard", "-o", str(out))
    assert "5 cards unchanged, not rewritten" in result.stdout
    assert out.stat().st_mtime_ns == 1_000_000_000


def test_uids_are_stable_per_person(network):
    import vobject

    def uids():
        return {c.fn.value: c.uid.value for c in vobject.readComponents(export(network).decode())}

    before = uids()
    network.run("log", "Ada", "coffee")
    network.write("Zed", "---\nemail: z@example.org\n---\n")
    after = uids()
    assert {k: after[k] for k in before} == before
    assert len(set(after.values())) == len(after) == 6


def test_twins_but_for_case_or_unicode_form_get_their_own_cards(vault, tmp_path):
    """A card's UID is made of the note's exact path, so two notes whose names differ only in
    case or Unicode form (which the calendar had to tell apart) never share a card."""
    import unicodedata

    import vobject

    stems = ["Amara Okafor", "amara okafor", unicodedata.normalize("NFC", "Café"), unicodedata.normalize("NFD", "Café")]
    for i, stem in enumerate(stems):
        vault.write(stem, f"---\nname: Twin {i}\nemail: twin{i}@example.org\n---\n")
    cards = {c.fn.value: c.uid.value for c in vobject.readComponents(export(vault).decode())}
    assert sorted(cards) == [f"Twin {i}" for i in range(4)] and len(set(cards.values())) == 4
    folder = tmp_path / "contacts"
    assert vault.run("export", "vcard", "--vdir", str(folder)).exit_code == 0
    assert len(list(folder.glob("*.vcf"))) == 4


def khard(config: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KHARD_CONFIG": str(config), "HOME": str(config.parent), "LANG": "C.UTF-8"}
    return subprocess.run([str(KHARD), *args], capture_output=True, text=True, env=env, timeout=60)


def test_khard_reads_the_cards(network, tmp_path):
    folder = tmp_path / "contacts"
    result = network.run("export", "vcard", "--vdir", str(folder))
    assert result.exit_code == 0, result.output
    assert "5 cards; 5 written, 0 unchanged, 0 removed" in result.stdout
    # the vdir holds exactly the cards of the single-file export, so what khard reads is what -o writes
    single = export(network).decode()
    cards = ["BEGIN:VCARD" + part for part in single.split("BEGIN:VCARD")[1:]]
    assert sorted(cards) == sorted(p.read_bytes().decode("utf-8") for p in folder.glob("*.vcf"))
    config = tmp_path / "khard.conf"
    config.write_text(textwrap.dedent(f"""\
        [addressbooks]
        [[vault]]
        path = {folder}
        [general]
        default_action = list
        [contact table]
        display = formatted_name
        localize_dates = no
        [vcard]
        skip_unparsable = no
        """))
    listed = khard(config, "list")
    assert listed.returncode == 0, listed.stderr
    for name in ("Ada Lovelace", "AC/DC; the band, live", "Grace Hopper", "Nobody", "Broken Birthday"):
        assert name in listed.stdout
    assert "ada@analytical.example" in listed.stdout
    shown = khard(config, "show", "Ada Lovelace")
    assert shown.returncode == 0, shown.stderr
    for expected in ("Organisation: Analytical Society", "Birthday: 1815-12-10", "Title: Mathematician",
                     "Ada.Home@example.org", "+44 20 7946 0000", "history/computing", "Countess of Lovelace"):
        assert expected in shown.stdout, (expected, shown.stdout)
    grace = khard(config, "show", "Grace Hopper")
    assert grace.returncode == 0 and "Birthday: --12-09" in grace.stdout
    emails = khard(config, "email", "--parsable")
    assert emails.returncode == 0 and "grace@navy.example\tGrace Hopper" in emails.stdout


def test_vdir_updates_only_what_changed(network, tmp_path):
    folder = tmp_path / "contacts"
    network.run("export", "vcard", "--vdir", str(folder))
    (folder / "someone-else.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Not Ours\r\nEND:VCARD\r\n")
    (network.people / "Nobody.md").unlink()
    network.run("log", "Ada", "coffee")  # no exported field changes
    result = network.run("export", "vcard", "--vdir", str(folder))
    assert "4 cards; 0 written, 4 unchanged, 1 removed" in result.stdout
    assert (folder / "someone-else.vcf").exists() and len(list(folder.glob("*.vcf"))) == 5


def _facts(root: Path) -> dict:
    vault = load_vault(load_config(root))
    return {
        p.name: (p.emails, link_target(p.org), p.role, p.tags, str(p.birthday) if p.birthday else None, p.phones, p.aliases,
                 dict(p.extra).get("linkedin"))
        for p in vault.people
    }


def test_round_trip_into_an_empty_vault(network, tmp_path):
    file = tmp_path / "everyone.vcf"
    network.run("export", "vcard", "-o", str(file))
    empty = VaultFixture(tmp_path / "empty")
    result = empty.run("import", "vcard", str(file))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert _facts(empty.root) == _facts(network.root)
    # and importing one's own export changes nothing
    before = network.snapshot()
    again = network.run("import", "vcard", str(file))
    assert again.exit_code == 0 and "nothing to change" in again.stdout
    assert network.snapshot() == before


def test_an_empty_vault_exports_nothing(vault):
    assert export(vault) == b""
