"""The everyday commands, run through the real CLI on real files in temporary vaults."""

from __future__ import annotations

import json

import pytest


# --- init -----------------------------------------------------------------------------------


def test_init_creates_and_then_leaves_things_alone(tmp_path):
    from tests.conftest import VaultFixture

    root = tmp_path / "new"
    v = VaultFixture.__new__(VaultFixture)
    v.root = root
    result = v.run("init", str(root))
    assert result.exit_code == 0, result.output
    assert (root / "vaultnet.toml").is_file() and (root / "People").is_dir()
    assert ".vaultnet/cache/" in (root / ".gitignore").read_text()
    (root / "vaultnet.toml").write_text('default_cadence = "30d"\n')
    (root / ".gitignore").write_text("node_modules/\n")
    result = v.run("init", str(root))
    assert result.exit_code == 0
    assert (root / "vaultnet.toml").read_text() == 'default_cadence = "30d"\n'
    ignore = (root / ".gitignore").read_text()
    assert ignore.startswith("node_modules/\n") and ignore.count(".vaultnet/cache/") == 1
    v.run("init", str(root))
    assert (root / ".gitignore").read_text() == ignore


def test_the_config_init_writes_is_valid_and_all_defaults(tmp_path):
    from vaultnet.model.config import Config, load_config

    from tests.conftest import VaultFixture

    v = VaultFixture.__new__(VaultFixture)
    v.root = tmp_path
    v.run("init", str(tmp_path))
    config = load_config(tmp_path)
    assert config.default_cadence == Config(root=tmp_path).default_cadence
    assert config.circles == Config(root=tmp_path).circles


# --- add ------------------------------------------------------------------------------------


def test_add_writes_a_note_from_the_template(vault):
    result = vault.run("add", "Jane Doe", "--org", "[[Acme]]", "--role", "CTO", "--email", "jane@acme.io",
                       "--tag", "founder", "--tag", "climate", "--circle", "close", "--met", "2026-11-01",
                       "--met-at", "Climate Week: NYC", "--needs", "seed investors", "--offers", "battery chemistry")
    assert result.exit_code == 0, result.output
    assert vault.read("Jane Doe").decode() == (
        "---\n"
        "tags:\n  - founder\n  - climate\n"
        "org: \"[[Acme]]\"\n"
        "role: CTO\n"
        "email: jane@acme.io\n"
        "circle: close\n"
        "met: 2026-11-01\n"
        "met_at: \"Climate Week: NYC\"\n"
        "needs:\n  - seed investors\n"
        "offers:\n  - battery chemistry\n"
        "---\n"
        "# Jane Doe\n\n## Log\n"
    )
    shown = json.loads(vault.run("show", "jane", "--json").stdout)
    assert shown["org"] == "[[Acme]]" and shown["role"] == "CTO" and shown["email"] == ["jane@acme.io"]
    assert shown["tags"] == ["founder", "climate"] and shown["circle"] == "close"
    assert shown["met"] == "2026-11-01" and shown["met_at"] == "Climate Week: NYC"
    assert shown["needs"] == ["seed investors"] and shown["offers"] == ["battery chemistry"]


def test_add_makes_unsafe_names_safe_and_keeps_the_original(vault):
    result = vault.run("add", "AT&T: Bob/Smith [ops]")
    assert result.exit_code == 0
    assert "made safe" in result.stdout
    path = vault.people / "AT&T- Bob-Smith -ops-.md"
    assert path.is_file()
    assert json.loads(vault.run("show", "AT&T: Bob", "--json").stdout)["name"] == "AT&T: Bob/Smith [ops]"
    assert [p.name for p in vault.root.rglob("*.md")] == [path.name]


def test_add_refuses_an_existing_person_and_a_case_collision(vault):
    vault.write("Jane Doe", "---\naliases: [JD]\n---\n")
    before = vault.snapshot()
    for name in ("Jane Doe", "jane doe", "JD"):
        result = vault.run("add", name)
        assert result.exit_code == 1 and "already" in result.stderr, name
    vault.write("sam lee", "")  # another person's file name, in other letter case
    result = vault.run("add", "Sam Lee")
    assert result.exit_code == 1 and "People/sam lee.md: sam lee is already in the vault" in result.stderr
    assert vault.snapshot() == {**before, "People/sam lee.md": b""}


def test_add_links_a_known_introducer_and_keeps_an_unknown_one_as_text(vault):
    vault.write("Lena Fischer", "---\ntags: [mentor]\n---\n")
    assert vault.run("add", "Priya", "--introduced-by", "lena").exit_code == 0
    assert b'introduced_by: "[[Lena Fischer]]"' in vault.read("Priya")
    result = vault.run("add", "Omar", "--introduced-by", "Someone New")
    assert "not in the vault" in result.stdout
    assert b"introduced_by: Someone New" in vault.read("Omar")


def test_add_rejects_bad_dates_and_cadences(vault):
    assert vault.run("add", "X", "--met", "2026-02-30").exit_code == 2
    assert vault.run("add", "X", "--cadence", "often").exit_code == 2
    assert vault.run("add", "X", "--birthday", "--13-01").exit_code == 2
    assert not list(vault.people.iterdir())


# --- log ------------------------------------------------------------------------------------


NOTE = """\
---
name: Jane Doe   # full name
tags: [founder]
last_contact: 2026-10-01
follow_up: 2026-11-20
needs:
  - 'seed round'
---
# Jane

Some notes.

## Log
- 2026-09-01 call: intro
- 2026-10-01 coffee: deck

## Ideas
keep this
"""


def test_log_changes_exactly_the_lines_it_must(vault):
    vault.write("Jane Doe", NOTE, dedent=False)
    result = vault.run("log", "jane", "lunch:", "talked", "about", "hiring")
    assert result.exit_code == 0, result.output
    assert "follow-up of 2026-11-20 done and cleared" in result.stdout
    assert vault.read("Jane Doe").decode() == NOTE.replace(
        "last_contact: 2026-10-01\nfollow_up: 2026-11-20\n", "last_contact: 2026-11-23\n"
    ).replace("- 2026-10-01 coffee: deck\n", "- 2026-10-01 coffee: deck\n- 2026-11-23 lunch: talked about hiring\n")


def test_log_never_moves_last_contact_back_and_keeps_a_later_follow_up(vault):
    vault.write("Jane Doe", NOTE, dedent=False)
    result = vault.run("log", "Jane", "old call", "--date", "2026-09-15")
    assert result.exit_code == 0
    assert "stays 2026-10-01" in result.stdout
    text = vault.read("Jane Doe").decode()
    assert "last_contact: 2026-10-01\nfollow_up: 2026-11-20\n" in text
    assert "- 2026-09-01 call: intro\n- 2026-09-15 old call\n- 2026-10-01 coffee: deck\n" in text


@pytest.mark.parametrize("command", ["log", "helped", "received"])
def test_future_dates_are_refused(vault, command):
    vault.write("Ann", "---\n---\n")
    result = vault.run(command, "ann", "lunch", "--date", "2026-11-24")
    assert result.exit_code == 2 and "in the future" in result.stderr and "snooze" in result.stderr
    assert vault.read("Ann") == b"---\n---\n"


def test_log_creates_the_log_section_when_missing(vault):
    vault.write("Ann", "---\ncircle: inner\n---\n# Ann\n\nLikes tea.\n")
    vault.run("log", "Ann", "tea")
    assert vault.read("Ann") == b"---\ncircle: inner\nlast_contact: 2026-11-23\n---\n# Ann\n\nLikes tea.\n\n## Log\n\n- 2026-11-23 tea\n"


def test_log_on_a_note_without_front_matter(vault):
    vault.write("Yuki", "Runs the founders dinner.")
    assert vault.run("log", "yuki", "dinner").exit_code == 0
    assert vault.read("Yuki") == b"---\nlast_contact: 2026-11-23\n---\nRuns the founders dinner.\n\n## Log\n\n- 2026-11-23 dinner\n"


def test_log_keeps_crlf_and_bom(vault):
    original = NOTE.replace("\n", "\r\n").encode()
    vault.write("Jane Doe", b"\xef\xbb\xbf" + original)
    vault.run("log", "jane", "call")
    data = vault.read("Jane Doe")
    assert data.startswith(b"\xef\xbb\xbf---\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"last_contact: 2026-11-23\r\n" in data and b"- 2026-11-23 call\r\n" in data


def test_log_refuses_conflict_markers_and_broken_yaml(vault):
    vault.write("Jane Doe", NOTE.replace("## Ideas", "<<<<<<< HEAD\n## Ideas\n=======\n## Thoughts\n>>>>>>> other"), dedent=False)
    vault.write("Bob", "---\nname: [Bob\n---\n")
    before = vault.snapshot()
    result = vault.run("log", "jane", "call")
    assert result.exit_code == 1
    assert "People/Jane Doe.md: line 17: " in result.stderr and "conflict" in result.stderr
    result = vault.run("log", "bob", "call")
    assert result.exit_code == 1
    assert "People/Bob.md: line 3: " in result.stderr and "YAML" in result.stderr
    assert vault.snapshot() == before


def test_unknown_and_ambiguous_people_exit_2_and_change_nothing(vault):
    vault.write("Jane Doe", "---\n---\n")
    vault.write("Jane Smith", "---\n---\n")
    vault.write("Bob Stone", "---\naliases: [Bobby]\n---\n")
    before = vault.snapshot()
    result = vault.run("log", "jane", "x")
    assert result.exit_code == 2 and "Jane Doe" in result.stderr and "Jane Smith" in result.stderr
    result = vault.run("log", "Bobbi", "x")
    assert result.exit_code == 2 and "Did you mean 'Bob Stone'" in result.stderr  # found by the alias
    result = vault.run("log", "zzz", "x")
    assert result.exit_code == 2 and "no person matches" in result.stderr
    assert vault.snapshot() == before


def test_exact_match_beats_prefix_and_aliases_and_file_names_count(vault):
    vault.write("Jan", "---\n---\n")
    vault.write("Jane Doe", "---\naliases: [JD]\n---\n")
    vault.write("Safe-Name", "---\nname: Safe/Name\n---\n")
    assert vault.run("log", "jan", "x").exit_code == 0
    assert b"last_contact" in vault.read("Jan") and b"last_contact" not in vault.read("Jane Doe")
    assert vault.run("log", "jd", "x").exit_code == 0
    assert vault.run("log", "safe-name", "x").exit_code == 0
    assert vault.run("log", "doe", "x").exit_code == 0  # a word prefix


# --- helped / received / snooze --------------------------------------------------------------


def test_helped_and_received_append_dated_items_in_the_notes_style(vault):
    vault.write("Ann", "---\nhelped: [2026-01-01 deck review]\nreceived:\n- 2026-02-01 a referral\n---\n")
    assert vault.run("helped", "ann", "introduced to [[Bob]]: hiring", "--date", "2026-11-01").exit_code == 0
    assert vault.run("received", "ann", "coffee, and advice").exit_code == 0
    assert vault.read("Ann") == (
        b'---\nhelped: [2026-01-01 deck review, "2026-11-01 introduced to [[Bob]]: hiring"]\n'
        b"received:\n- 2026-02-01 a referral\n- 2026-11-23 coffee, and advice\n---\n"
    )
    shown = json.loads(vault.run("show", "ann", "--json").stdout)
    assert shown["helped"][-1] == {"date": "2026-11-01", "text": "introduced to [[Bob]]: hiring"}
    assert shown["last_contact"] is None  # helping is not a contact unless you log one


def test_snooze_takes_a_date_or_a_duration(vault):
    vault.write("Ann", "---\nlast_contact: 2026-01-01\n---\n")
    assert vault.run("snooze", "ann", "2w").exit_code == 0
    assert b"follow_up: 2026-12-07\n" in vault.read("Ann")
    assert vault.run("snooze", "ann", "2027-01-15").exit_code == 0
    assert vault.read("Ann") == b"---\nlast_contact: 2026-01-01\nfollow_up: 2027-01-15\n---\n"
    assert vault.run("snooze", "ann", "later").exit_code == 2
    assert vault.run("snooze", "ann", "none").exit_code == 2


# --- due --------------------------------------------------------------------------------------


def _due_vault(vault):
    vault.config('default_cadence = "90d"\n[circles]\ninner = "14d"\n')
    vault.write("Inner", "---\ncircle: inner\nlast_contact: 2026-11-01\n---\n")  # due 11-15: 8 days overdue
    vault.write("Own", "---\ncadence: 1m\nlast_contact: 2026-10-10\ncircle: inner\n---\n")  # 11-10: 13 overdue
    vault.write("Snoozed", "---\nfollow_up: 2026-11-30\nlast_contact: 2020-01-01\n---\n")  # in 7 days
    vault.write("Never", "---\ntags: [x]\n---\n")  # due today, never contacted
    vault.write("Met", "---\nmet: 2026-10-01\nmet_at: Web Summit\n---\n")  # met + first_follow_up 3d = 10-04
    vault.write("Quiet", "---\ncadence: none\nlast_contact: 2020-01-01\n---\n")  # never due
    vault.write("Logged", "---\nlast_contact: 2026-01-01\n---\n## Log\n- 2026-11-20 typed by hand\n")  # 2027-02-18


def test_due_lists_the_overdue_most_overdue_first(vault):
    _due_vault(vault)
    result = vault.run("due")
    lines = result.stdout.splitlines()
    names = [line.split()[0] for line in lines[2:]]
    assert names == ["Met", "Own", "Inner", "Never"]
    assert "50d overdue" in lines[2] and "met 2026-10-01 at Web Summit: write and ask how you can help" in lines[2]
    assert "13d overdue" in lines[3] and "every 1m" in lines[3]
    assert "never contacted" in lines[5]


def test_due_within_and_json(vault):
    _due_vault(vault)
    data = json.loads(vault.run("due", "--within", "2w", "--json").stdout)
    assert [(d["name"], d["days_overdue"], d["reason"]) for d in data] == [
        ("Met", 50, "first_follow_up"), ("Own", 13, "cadence"), ("Inner", 8, "cadence"), ("Never", 0, "never contacted"),
        ("Snoozed", -7, "follow_up")]
    data = json.loads(vault.run("due", "--within", "3m", "--json").stdout)
    assert [d["name"] for d in data] == ["Met", "Own", "Inner", "Never", "Snoozed", "Logged"]
    assert data[-1]["last_contact"] == "2026-11-20"  # a hand-typed log line counts as a contact


def test_due_reports_a_broken_note_and_lists_everyone_else(vault):
    _due_vault(vault)
    vault.write("Broken", "---\nlast_contact: [2026\n---\n")
    vault.write("Bad date", "---\nlast_contact: 2026-02-31\ncircle: inner\n---\n")
    result = vault.run("due")
    assert result.exit_code == 0
    assert "People/Broken.md: line 3: the front matter is not valid YAML" in result.stderr
    assert "People/Bad date.md: line 2: field 'last_contact': '2026-02-31' is not a real date" in result.stderr
    assert "Own" in result.stdout and "Bad date" in result.stdout  # read as never contacted meanwhile


def test_nobody_due(vault):
    vault.write("Ann", "---\nlast_contact: 2026-11-20\n---\n")
    assert "Nobody is due" in vault.run("due").stdout


# --- show / list ------------------------------------------------------------------------------


def test_show_prints_the_facts(vault):
    vault.write("Ann", """\
        ---
        org: "[[Acme]]"
        circle: close
        last_contact: 2026-11-01
        needs: [a designer]
        helped:
          - {date: 2026-05-01, what: deck review}
        custom_field: kept
        ---
        ## Log
        - 2026-11-01 coffee: big news
        """)
    out = vault.run("show", "ann").stdout
    for expected in ("org: [[Acme]]", "circle: close", "2026-11-01 (22d ago) — coffee: big news",
                     "next follow-up: 2026-12-01", "a designer", "2026-05-01 deck review", "custom_field: kept"):
        assert expected in out, expected
    data = json.loads(vault.run("show", "ann", "--json").stdout)
    assert data["due"] == {"date": "2026-12-01", "days_overdue": -8, "reason": "cadence", "cadence": "30d",
                           "since": "2026-11-01"}


def test_list_filters(vault):
    vault.write("Ann", "---\ntags: [founder]\norg: '[[Acme Corp]]'\ncircle: inner\nneeds: [seed investors]\n---\n")
    vault.write("Bob", "---\ntags: [investor]\norg: Northlight\ncircle: network\n---\n")
    vault.write("Cy", "---\ntags: ['#founder']\norg: Acme Corp\n---\n")

    def names(*args):
        return [p["name"] for p in json.loads(vault.run("list", *args, "--json").stdout)]

    assert names() == ["Ann", "Bob", "Cy"]
    assert names("--tag", "founder") == ["Ann", "Cy"]
    assert names("--org", "acme") == ["Ann", "Cy"]
    assert names("--circle", "network") == ["Bob"]
    assert names("seed") == ["Ann"]
    assert "3 people" in vault.run("list").stdout
    assert "No one matches" in vault.run("list", "zzz").stdout


@pytest.mark.parametrize("command", [["due"], ["list"], ["show", "ok"]])
def test_read_commands_change_nothing(vault, command):
    vault.write("Ok", "---\nlast_contact: 2026-01-01\n---\n")
    before = vault.snapshot()
    assert vault.run(*command).exit_code == 0
    after = {k: v for k, v in vault.snapshot().items() if not k.startswith(".vaultnet/")}
    assert after == before
