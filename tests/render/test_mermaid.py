"""Mermaid diagrams in the index notes, read back strictly: fenced, every node defined once,
every edge between defined nodes, every name escaped whatever it holds, the cap kept."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from vaultnet.load.vault import load_vault
from vaultnet.model.config import load_config
from vaultnet.render import mermaid

from tests.support import HOSTILE_NAMES, mermaid_blocks, mermaid_text, parse_flowchart


def shown(name: str) -> str:
    """What a label should say: whitespace collapsed, control and format characters gone."""
    kept = "".join(
        " " if c.isspace() else c for c in name if c.isspace() or c == "\u200d" or unicodedata.category(c) not in ("Cc", "Cf")
    )
    return " ".join(kept.split())


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_label_holds_only_letters_digits_spaces_and_codes_and_reads_back(name):
    label = mermaid.text(name, limit=1000)
    assert re.fullmatch(r"(?:[^\W_]| |#\d+;)*", label)
    assert mermaid_text(label) == shown(name)


def test_a_long_label_is_cut_with_an_ellipsis():
    assert mermaid_text(mermaid.text("x" * 100)) == "x" * (mermaid.LABEL_MAX - 1) + "…"


def yaml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # JSON is YAML: any text, quoted and escaped


def test_introductions_draws_hostile_names_as_one_box_each(vault):
    # Person i was introduced by person i-1; everyone also met through "Nobody Known" (no note).
    for i, name in enumerate(HOSTILE_NAMES):
        introducer = f"[[p{i - 1}]]" if i else 'Nobody "Known" <b>'
        vault.write(f"p{i}", f"---\nname: {yaml_string(name)}\nintroduced_by: {yaml_string(introducer)}\n"
                    f"helped: [{yaml_string(f'2026-01-0{1 + i % 9} introduced to [[p{(i + 3) % len(HOSTILE_NAMES)}]]')}]\n---\n",
                    dedent=False)
    result = vault.run("build")
    assert result.exit_code == 0, result.output
    note = (vault.root / "Index" / "Introductions.md").read_text()
    [chart] = mermaid_blocks(note)
    labels, edges, missing = parse_flowchart(chart)
    # Names as the notes read them (a direction override is shown as a space there).
    read = {p.path: p.name for p in load_vault(load_config(vault.root)).people}
    names = [read[f"People/p{i}.md"] for i in range(len(HOSTILE_NAMES))]
    assert names[0] == HOSTILE_NAMES[0] and "Ned evil" in shown(names[HOSTILE_NAMES.index("Ned\u202eevil\u202c")])
    people = {shown(n) for n in names}
    assert set(labels.values()) == people | {'Nobody "Known" <b>'}
    assert len(labels) == len(HOSTILE_NAMES) + 1
    assert [labels[m] for m in missing] == ['Nobody "Known" <b>']
    by_label = {label: node for node, label in labels.items()}
    solid = {(a, b) for a, kind, b in edges if kind == "-->"}
    dashed = {(a, b) for a, kind, b in edges if kind == "-.-"}
    for i, name in enumerate(names):
        source = shown(names[i - 1]) if i else 'Nobody "Known" <b>'
        assert (by_label[source], by_label[shown(name)]) in solid
        other = shown(names[(i + 3) % len(names)])
        assert (by_label[shown(name)], by_label[other]) in dashed or (by_label[other], by_label[shown(name)]) in dashed
    assert len(solid) == len(HOSTILE_NAMES)
    # Ids follow the names' order, so the same vault always draws the same text.
    assert "Nothing changed" in vault.run("build").output


def test_ids_are_given_by_name_then_path(vault):
    vault.write("b", "---\nname: Same\nintroduced_by: '[[c]]'\n---\n", dedent=False)
    vault.write("a", "---\nname: Same\nintroduced_by: '[[c]]'\n---\n", dedent=False)
    vault.write("c", "---\nname: Able\n---\n", dedent=False)
    vault.run("build")
    [chart] = mermaid_blocks((vault.root / "Index" / "Introductions.md").read_text())
    assert chart[1:4] == ['    n1["Able"]', '    n2["Same"]', '    n3["Same"]']
    assert chart[4:6] == ["    n1 --> n2", "    n1 --> n3"]  # n2 is People/a.md: paths break the tie


def test_no_introductions_no_diagram(vault):
    vault.write("Ann", "---\nname: Ann\n---\n", dedent=False)
    vault.run("build")
    note = (vault.root / "Index" / "Introductions.md").read_text()
    assert mermaid_blocks(note) == []
    assert "mermaid" not in note


def test_a_big_vault_draws_the_busiest_introducers_and_says_what_it_left_out(vault):
    # 30 introducers: introducer k brought in k+1 people, so the busiest is k=29 (30 people).
    count = 0
    for k in range(30):
        vault.write(f"intro{k:02}", f"---\nname: Introducer {k:02}\n---\n", dedent=False)
        for j in range(k + 1):
            vault.write(f"p{k:02}-{j:02}", f"---\nintroduced_by: '[[intro{k:02}]]'\n---\n", dedent=False)
            count += 1
    assert vault.run("build").exit_code == 0
    note = (vault.root / "Index" / "Introductions.md").read_text()
    [chart] = mermaid_blocks(note)
    labels, edges, _missing = parse_flowchart(chart)
    assert len(labels) <= mermaid.MAX_NODES
    introducers = sorted(label for label in labels.values() if label.startswith("Introducer"))
    # 31 + 30 + 29 = 90 people fit; the next (28 + 1) would pass 100; then introducer 08 and their 9 fill it to 100.
    assert introducers == ["Introducer 08", "Introducer 27", "Introducer 28", "Introducer 29"]
    assert len(edges) == 30 + 29 + 28 + 9
    left_people = count - len(edges)
    assert f"left out: 26 introducers (and {left_people} people they brought in)" in note
    assert "The tables below list everyone." in note
