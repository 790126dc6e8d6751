"""The vault is found as the design notes say, and the config's mistakes are named."""


from click.testing import CliRunner

from vaultnet.cli import main
from vaultnet.model.config import find_vault, load_config


def test_walks_up_to_the_folder_with_vaultnet_toml(tmp_path, monkeypatch):
    (tmp_path / "vaultnet.toml").write_text("")
    deep = tmp_path / "People" / "sub"
    deep.mkdir(parents=True)
    assert find_vault(cwd=deep) == tmp_path.resolve()
    assert find_vault(cwd=tmp_path.parent) == tmp_path.parent.resolve()  # none found: the cwd


def test_env_and_option_choose_the_vault(vault, tmp_path, monkeypatch):
    vault.write("Ann", "---\nlast_contact: 2026-11-01\n---\n")
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)
    monkeypatch.setenv("VAULTNET_VAULT", str(vault.root))
    result = CliRunner().invoke(main, ["list"])
    assert "Ann" in result.stdout
    monkeypatch.delenv("VAULTNET_VAULT")
    result = CliRunner().invoke(main, ["list"])
    assert "no people yet" in result.stdout
    assert "People does not exist; is this the vault?" in result.stderr


def test_defaults_without_a_config(tmp_path):
    config = load_config(tmp_path)
    assert (config.people_dir, config.index_dir, config.calendar, config.link_style) == (
        "People", "Index", "followups.ics", "wikilink")
    assert str(config.default_cadence) == "90d"
    assert {k: str(v) for k, v in config.circles.items()} == {"inner": "14d", "close": "30d", "network": "90d"}


def test_unknown_key_is_named_with_a_suggestion(vault):
    vault.config('people_folder = "Folks"\n')
    result = vault.run("list")
    assert result.exit_code == 1
    assert "unknown key 'people_folder'" in result.stderr and "people_dir" in result.stderr


def test_bad_values_are_named(vault):
    for text, key in [('default_cadence = "soon"', "default_cadence"), ('link_style = "html"', "link_style"),
                      ('people_dir = "../outside"', "people_dir"), ('[circles]\ninner = "0d"', "circles"),
                      ("calendar_horizon = [1]", "calendar_horizon")]:
        vault.config(text + "\n")
        result = vault.run("due")
        assert result.exit_code == 1, text
        assert f"key '{key}'" in result.stderr, (text, result.stderr)


def test_broken_toml_is_reported(vault):
    vault.config("people_dir = \n")
    result = vault.run("due")
    assert result.exit_code == 1 and "not valid TOML" in result.stderr


def test_circles_add_to_the_defaults(vault):
    vault.config('[circles]\nfamily = "7d"\n')
    config = load_config(vault.root)
    assert str(config.circles["family"]) == "7d" and str(config.circles["inner"]) == "14d"


def test_custom_people_dir(vault):
    vault.config('people_dir = "Contacts/People"\n')
    result = vault.run("add", "Ann")
    assert result.exit_code == 0
    assert (vault.root / "Contacts" / "People" / "Ann.md").is_file()
