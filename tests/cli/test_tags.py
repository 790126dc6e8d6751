"""Tags as Obsidian has them: nested tags found by their parent, and the '#' of a tag typed as in
text dropped when written and ignored when read. Real CLI on real files."""

from __future__ import annotations

import json


def _listed(vault, *args):
    result = vault.run("list", *args, "--json")
    assert result.exit_code == 0, result.output
    return sorted(item["name"] for item in json.loads(result.stdout))


def test_a_tag_finds_its_nested_tags_and_only_them(vault):
    vault.write("Ann", "---\ntags: [people/friend]\n---\n")
    vault.write("Bo", "---\ntags: [People]\n---\n")
    vault.write("Cy", "---\ntags: [people/work/old]\n---\n")
    vault.write("Di", "---\ntags: [peoplepower, other/people]\n---\n")
    assert _listed(vault, "--tag", "people") == ["Ann", "Bo", "Cy"]
    assert _listed(vault, "--tag", "#people/") == ["Ann", "Bo", "Cy"]
    assert _listed(vault, "--tag", "people/work") == ["Cy"]
    assert _listed(vault, "--tag", "people/friend") == ["Ann"]


def test_add_drops_the_hash_of_a_tag(vault):
    result = vault.run("add", "Vi Park", "--tag", "#vip", "--tag", "friend")
    assert result.exit_code == 0, result.output
    text = vault.read("Vi Park").decode()
    assert "tags:\n  - vip\n  - friend\n" in text and "#" not in text.split("---")[1]
    assert _listed(vault, "--tag", "vip") == ["Vi Park"]


def test_add_refuses_a_tag_that_is_only_a_hash(vault):
    result = vault.run("add", "Vi Park", "--tag", "#")
    assert result.exit_code == 2 and "--tag" in result.stderr
    assert vault.names() == []


def test_a_hash_in_a_notes_tags_is_read_as_the_tag(vault):
    vault.write("Ann", '---\ntags: ["#vip", "#people/friend"]\n---\n')
    assert _listed(vault, "--tag", "vip") == ["Ann"]
    assert _listed(vault, "--tag", "#vip") == ["Ann"]
    assert _listed(vault, "--tag", "people") == ["Ann"]
    shown = json.loads(vault.run("show", "ann", "--json").stdout)
    assert shown["tags"] == ["vip", "people/friend"]
