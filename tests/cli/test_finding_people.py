"""Finding people as they are typed: without case or accents, by email, and `list` searching the
Log lines too. Real CLI on real files."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def people(vault):
    vault.write("José Álvarez", "---\nemail: [jose@example.org]\n---\n## Log\n- 2026-11-01 paella in Valencia\n")
    vault.write("Zoë Quinn", "---\nemail: zoe@example.org\n---\n")
    vault.write("Tomás Ruiz", "---\n---\n")
    vault.write("Jane Doe", "---\nemail: [jane@acme.io, j.doe@home.net]\n---\n## Log\n- 2026-10-01 coffee: the Café Móvil pilot\n")
    vault.write("Janet Acme", "---\norg: Acme\n---\n")
    return vault


def _shown(vault, query):
    result = vault.run("show", query, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["name"]


def _listed(vault, *args):
    result = vault.run("list", *args, "--json")
    assert result.exit_code == 0, result.output
    return sorted(item["name"] for item in json.loads(result.stdout))


@pytest.mark.parametrize("query, name", [
    ("jose", "José Álvarez"), ("JOSÉ", "José Álvarez"), ("alvarez", "José Álvarez"), ("José Alvarez", "José Álvarez"),
    ("zoe", "Zoë Quinn"), ("tomas", "Tomás Ruiz"), ("TOMAS RUIZ", "Tomás Ruiz"),
])
def test_show_finds_people_without_case_or_accents(people, query, name):
    assert _shown(people, query) == name


def test_show_finds_a_person_by_an_email_in_full_only(people):
    assert _shown(people, "jane@acme.io") == "Jane Doe"
    assert _shown(people, "J.Doe@Home.net") == "Jane Doe"
    assert _shown(people, "zoe@example.org") == "Zoë Quinn"
    result = people.run("show", "acme.io")
    assert result.exit_code == 2 and "no person matches" in result.stderr


def test_log_reaches_an_accented_name_typed_without_accents(people):
    assert people.run("log", "zoe", "tea").exit_code == 0
    assert "- 2026-11-23 tea" in people.read("Zoë Quinn").decode()


def test_an_unknown_name_suggests_the_accented_one(people):
    result = people.run("show", "Tomas Ruis")
    assert result.exit_code == 2 and "Tomás Ruiz" in result.stderr


def test_list_query_ignores_accents_and_searches_the_log(people):
    assert _listed(people, "alvarez") == ["José Álvarez"]
    assert _listed(people, "valencia") == ["José Álvarez"]
    assert _listed(people, "cafe movil") == ["Jane Doe"]
    assert _listed(people, "acme") == ["Jane Doe", "Janet Acme"]
    assert _listed(people, "paella coffee") == []
