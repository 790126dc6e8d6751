"""`export vcard --vdir` into a folder shared with other vaults or other tools.

A card is removed only when this vault wrote it and no longer has its person: two vaults
exporting into one folder (a synced address book) never delete each other's cards.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import VaultFixture


def make(root: Path, names: list[str]) -> VaultFixture:
    vault = VaultFixture(root)
    for name in names:
        vault.write(name, f"---\nemail: {name.split()[0].lower()}@{root.name}.example\n---\n")
    return vault


def cards(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.glob("*.vcf")}


def test_two_vaults_exporting_into_one_folder_keep_each_others_cards(tmp_path):
    folder = tmp_path / "contacts"
    work = make(tmp_path / "work", ["Ada Lovelace", "Grace Hopper"])
    home = make(tmp_path / "home", ["Mum", "Dad", "Sis"])
    assert "2 cards; 2 written, 0 unchanged, 0 removed" in work.run("export", "vcard", "--vdir", str(folder)).stdout
    after_work = cards(folder)
    result = home.run("export", "vcard", "--vdir", str(folder))
    assert "3 cards; 3 written, 0 unchanged, 0 removed" in result.stdout, result.output
    both = cards(folder)
    assert len(both) == 5 and all(both[name] == data for name, data in after_work.items())
    assert "2 cards; 0 written, 2 unchanged, 0 removed" in work.run("export", "vcard", "--vdir", str(folder)).stdout
    assert cards(folder) == both
    # A person leaves the work vault: only that card goes.
    (work.people / "Grace Hopper.md").unlink()
    assert "1 cards; 0 written, 1 unchanged, 1 removed" in work.run("export", "vcard", "--vdir", str(folder)).stdout
    left = cards(folder)
    assert len(left) == 4 and not any(b"Grace Hopper" in data for data in left.values())
    assert sum(b"FN:Mum" in data or b"FN:Dad" in data or b"FN:Sis" in data for data in left.values()) == 3
    # Address books see only cards: the manifests are not .vcf files.
    assert all(p.suffix == ".vcf" or p.name.startswith(".vaultnet-vdir-") for p in folder.iterdir())


def test_a_card_both_vaults_list_stays_while_either_has_the_person(tmp_path):
    """The same note path in two vaults gives the same UID (and file): the card stays while
    the other vault still exports it."""
    folder = tmp_path / "contacts"
    one = make(tmp_path / "one", ["Ann", "Bob"])
    two = make(tmp_path / "two", ["Ann"])
    one.run("export", "vcard", "--vdir", str(folder))
    two.run("export", "vcard", "--vdir", str(folder))
    (one.people / "Ann.md").unlink()
    result = one.run("export", "vcard", "--vdir", str(folder))
    assert "0 removed" in result.stdout
    assert any(b"FN:Ann" in data for data in cards(folder).values())


def test_only_cards_this_vault_wrote_are_removed(tmp_path):
    folder = tmp_path / "contacts"
    folder.mkdir()
    vault = make(tmp_path / "v", ["Ann", "Bob"])
    # A card vaultnet wrote for another vault (or before it kept a list): its PRODID alone is no licence.
    stranger = b"BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//vaultnet//vaultnet//EN\r\nUID:urn:uuid:x\r\nFN:Stranger\r\nEND:VCARD\r\n"
    (folder / "stranger.vcf").write_bytes(stranger)
    vault.run("export", "vcard", "--vdir", str(folder))
    # The user replaced one of ours with a card of their own: it is theirs now.
    ann = next(name for name, data in cards(folder).items() if b"FN:Ann" in data)
    own = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann (mine)\r\nEND:VCARD\r\n"
    (folder / ann).write_bytes(own)
    (vault.people / "Ann.md").unlink()
    (vault.people / "Bob.md").unlink()
    result = vault.run("export", "vcard", "--vdir", str(folder))
    assert "0 cards; 0 written, 0 unchanged, 1 removed" in result.stdout, result.output
    assert (folder / "stranger.vcf").read_bytes() == stranger and (folder / ann).read_bytes() == own


def manifests(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".vaultnet-vdir-*"))


def test_a_moved_vault_still_removes_the_cards_it_wrote(tmp_path):
    """The vault is known by its path; after a move its old list names a vault that no
    longer exists, so it protects nothing and the moved vault takes it over."""
    folder = tmp_path / "contacts"
    make(tmp_path / "va", ["Ann", "Hannah Lee"]).run("export", "vcard", "--vdir", str(folder))
    (tmp_path / "va").rename(tmp_path / "vb")
    moved = VaultFixture(tmp_path / "vb")
    (moved.people / "Hannah Lee.md").unlink()
    result = moved.run("export", "vcard", "--vdir", str(folder))
    assert "1 cards; 0 written, 1 unchanged, 1 removed" in result.stdout, result.output
    assert not any(b"Hannah Lee" in data for data in cards(folder).values())
    assert len(manifests(folder)) == 1  # the old list is gone; the moved vault's is the one left


def test_a_moved_vault_that_exported_before_the_person_left(tmp_path):
    folder = tmp_path / "contacts"
    make(tmp_path / "va", ["Ann", "Hannah Lee"]).run("export", "vcard", "--vdir", str(folder))
    (tmp_path / "va").rename(tmp_path / "vb")
    moved = VaultFixture(tmp_path / "vb")
    assert "2 cards; 0 written, 2 unchanged, 0 removed" in moved.run("export", "vcard", "--vdir", str(folder)).stdout
    (moved.people / "Hannah Lee.md").unlink()
    assert "1 removed" in moved.run("export", "vcard", "--vdir", str(folder)).stdout
    assert not any(b"Hannah Lee" in data for data in cards(folder).values())
    assert len(manifests(folder)) == 1


def test_a_vault_that_is_gone_protects_nothing_and_its_list_is_dropped(tmp_path):
    """A list whose vault is gone (no folder, or a folder that is no vault any more) is
    vaultnet's own stale file: the next export removes it. Its cards this vault does not
    share stay: they were never this vault's to remove."""
    import shutil

    folder = tmp_path / "contacts"
    one = make(tmp_path / "one", ["Ann", "Bob"])
    gone = make(tmp_path / "gone", ["Ann", "Zoe"])
    emptied = make(tmp_path / "emptied", ["Yan"])
    for vault in (one, gone, emptied):
        vault.run("export", "vcard", "--vdir", str(folder))
    assert len(manifests(folder)) == 3
    shutil.rmtree(gone.root)
    shutil.rmtree(emptied.people)  # the folder is there, but it holds no vault
    (one.people / "Ann.md").unlink()
    result = one.run("export", "vcard", "--vdir", str(folder))
    assert "1 removed" in result.stdout, result.output  # Ann: the vault that also listed her is gone
    assert len(manifests(folder)) == 1
    names = b"".join(cards(folder).values())
    assert b"FN:Ann" not in names and b"FN:Bob" in names
    assert b"FN:Zoe" in names and b"FN:Yan" in names  # no live vault's cards, and not this one's


def test_a_vault_with_its_config_and_no_people_folder_still_counts(tmp_path):
    """A folder with a vaultnet.toml is a vault even while its people folder is missing:
    its list keeps protecting the cards it shares."""
    import shutil

    folder = tmp_path / "contacts"
    one = make(tmp_path / "one", ["Ann", "Bob"])
    two = make(tmp_path / "two", ["Ann"])
    two.config("# mine\n")
    one.run("export", "vcard", "--vdir", str(folder))
    two.run("export", "vcard", "--vdir", str(folder))
    shutil.rmtree(two.people)
    (one.people / "Ann.md").unlink()
    assert "0 removed" in one.run("export", "vcard", "--vdir", str(folder)).stdout
    assert any(b"FN:Ann" in data for data in cards(folder).values()) and len(manifests(folder)) == 2
