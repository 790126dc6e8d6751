"""Log sections as people write them: every common style is read, `log` writes in the section's
own style, and `check` names a list item whose date cannot be read. Real CLI on real files."""

from __future__ import annotations

import json

import pytest


def _log(vault, name):
    result = vault.run("show", name, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return [(item["date"], item["text"]) for item in data["log"]], data["last_contact"]


@pytest.mark.parametrize("line, text", [
    ("- 2026-11-20 coffee", "coffee"),
    ("* 2026-11-20 coffee", "coffee"),
    ("+ 2026-11-20 coffee", "coffee"),
    ("1. 2026-11-20 coffee", "coffee"),
    ("12) 2026-11-20 coffee", "coffee"),
    ("- [[2026-11-20]] coffee", "coffee"),
    ("- [[2026-11-20|Friday]] coffee", "coffee"),
    ("- **2026-11-20** coffee", "coffee"),
    ("- 2026-11-20: coffee", "coffee"),
    ("- [x] 2026-11-20 coffee", "coffee"),
    ("- [X] [[2026-11-20]]: coffee", "coffee"),
])
def test_each_log_style_is_read(vault, line, text):
    vault.write("Jo", f"---\n---\n## Log\n{line}\n")
    assert _log(vault, "Jo") == ([("2026-11-20", text)], "2026-11-20")
    assert vault.run("check").exit_code == 0


@pytest.mark.parametrize("level", ["#", "##", "###", "####"])
def test_a_log_heading_at_any_level_is_read_and_ends_at_its_level(vault, level):
    deeper = "#" * (len(level) + 1)
    vault.write("Jo", f"---\n---\n# Jo\n{level} Log\n- 2026-11-20 coffee\n{deeper} Older\n- 2026-10-01 walk\n"
                      f"{level} Ideas\n- 2026-11-21 not a contact\n")
    assert _log(vault, "Jo")[0] == [("2026-11-20", "coffee"), ("2026-10-01", "walk")]


def test_an_open_task_is_never_a_contact_and_a_done_one_is(vault):
    vault.write("Jo", "---\n---\n## Log\n- [x] 2026-11-02 lent a book\n- [ ] 2026-12-01 send book\n- [ ] call back\n")
    assert _log(vault, "Jo") == ([("2026-11-02", "lent a book")], "2026-11-02")
    result = vault.run("due", "--json")
    assert "2026-12-01" not in result.stdout and vault.run("check").exit_code == 0


def test_log_adds_to_a_deeper_log_heading_instead_of_a_second_one(vault):
    vault.write("Jo", "---\n---\n# Jo\n### Log\n- 2026-11-01 coffee\n\n## Notes\nLikes tea.\n")
    assert vault.run("log", "jo", "lunch").exit_code == 0
    assert vault.read("Jo").decode() == (
        "---\nlast_contact: 2026-11-23\n---\n# Jo\n### Log\n- 2026-11-01 coffee\n- 2026-11-23 lunch\n\n## Notes\nLikes tea.\n"
    )


@pytest.mark.parametrize("old, new", [
    ("* 2026-11-01 coffee\n* 2026-11-10 call\n", "* 2026-11-23 lunch\n"),
    ("+ 2026-11-01 coffee\n+ 2026-11-10 call\n", "+ 2026-11-23 lunch\n"),
    ("- [[2026-11-01]] coffee\n- [[2026-11-10]] call\n", "- [[2026-11-23]] lunch\n"),
    ("- **2026-11-01** coffee\n- **2026-11-10** call\n", "- **2026-11-23** lunch\n"),
    ("- 2026-11-01: coffee\n- 2026-11-10: call\n", "- 2026-11-23: lunch\n"),
    ("- [x] 2026-11-01 coffee\n- [x] 2026-11-10 call\n", "- [x] 2026-11-23 lunch\n"),
    ("1. 2026-11-01 coffee\n2. 2026-11-10 call\n", "3. 2026-11-23 lunch\n"),
    ("* [[2026-11-01]]: coffee\n", "* [[2026-11-23]]: lunch\n"),
])
def test_log_writes_in_the_sections_own_style_oldest_first(vault, old, new):
    vault.write("Jo", f"---\n---\n## Log\n{old}")
    assert vault.run("log", "jo", "lunch").exit_code == 0
    assert vault.read("Jo").decode() == f"---\nlast_contact: 2026-11-23\n---\n## Log\n{old}{new}"
    assert _log(vault, "Jo")[1] == "2026-11-23"


def test_log_puts_the_new_line_on_top_of_a_newest_first_section_in_its_style(vault):
    vault.write("Jo", "---\n---\n## Log\n* **2026-11-18** call\n* **2026-11-01** coffee\n")
    assert vault.run("log", "jo", "lunch").exit_code == 0
    assert vault.read("Jo").decode() == (
        "---\nlast_contact: 2026-11-23\n---\n## Log\n* **2026-11-23** lunch\n* **2026-11-18** call\n* **2026-11-01** coffee\n"
    )


def test_a_numbered_newest_first_section_gets_the_top_number(vault):
    vault.write("Jo", "---\n---\n## Log\n1. 2026-11-18 call\n2. 2026-11-01 coffee\n")
    assert vault.run("log", "jo", "lunch").exit_code == 0
    assert "## Log\n1. 2026-11-23 lunch\n1. 2026-11-18 call\n2. 2026-11-01 coffee\n" in vault.read("Jo").decode()


def test_log_after_open_tasks_writes_a_contact_not_a_task(vault):
    vault.write("Jo", "---\n---\n## Log\n- [x] 2026-11-01 coffee\n- [ ] 2026-11-20 send book\n")
    assert vault.run("log", "jo", "lunch").exit_code == 0
    text = vault.read("Jo").decode()
    assert text.endswith("- [ ] 2026-11-20 send book\n- [x] 2026-11-23 lunch\n")
    assert _log(vault, "Jo")[1] == "2026-11-23"


def test_check_names_a_log_item_whose_date_cannot_be_read(vault):
    vault.write("Jo", "---\n---\n## Log\n- 2026-11-01 coffee\n- lunch last week\n  - a detail, not a log line\n"
                      "- [ ] call back\n\n* * *\n- 2026-02-30 bad day\n")
    result = vault.run("check", "--json")
    assert result.exit_code == 1  # the impossible date is an error
    found = [(f["severity"], f["code"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    assert sorted(found, key=lambda f: f[2]) == [
        ("warning", "undated-log-line", 5, "log line: no date that can be read in '- lunch last week'"),
        ("error", "bad-log-line", 10, "log line: '2026-02-30' is not a real date (day is out of range for month)"),
    ]
    vault.write("Jo", "---\n---\n## Log\n- 2026-11-01 coffee\n- lunch last week\n")
    assert vault.run("check").exit_code == 0  # an undated line alone is only a warning
    assert _log(vault, "Jo")[0] == [("2026-11-01", "coffee")]
