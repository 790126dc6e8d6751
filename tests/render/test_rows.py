"""Which row macros may have their rows kept: only those whose text is a function of their
argument (and of what a kept row's key holds). Anything else is rendered every time."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader

from vaultnet.model.config import load_config
from vaultnet.render.rows import PersonRows, macro_is_pure
from vaultnet.render.templating import environment

CASES = {
    "argument and today": ("{% macro r(p) %}{{ p.link }} {{ today }}{% for x in p.items %}{{ x }}{% endfor %}{% endmacro %}", True),
    "a name of the template read before the macro sets it": ("{% macro r(p) %}{{ x }}{% for x in p.items %}{% endfor %}{% endmacro %}", False),
    "the count of people": ("{% macro r(p) %}{{ people_count }}{% endmacro %}", False),
    "a template that imports another": ("{% from 'other' import y %}{% macro r(p) %}{{ p }}{% endmacro %}", False),
    "a template that includes another": ("{% macro r(p) %}{% include 'other' %}{% endmacro %}", False),
    "a default read from the template": ("{% macro r(p, q=people) %}{{ p }}{% endmacro %}", False),
    "a call block's caller": ("{% macro r(p) %}{{ caller() }}{% endmacro %}", False),
    "another macro": ("{% macro s(p) %}{{ p }}{% endmacro %}{% macro r(p) %}{{ s(p) }}{% endmacro %}", False),
    "defined twice": ("{% if a %}{% macro r(p) %}1{% endmacro %}{% else %}{% macro r(p) %}2{% endmacro %}{% endif %}", False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_macro_is_pure_only_when_its_text_depends_on_its_row(tmp_path, name):
    env = environment(load_config(tmp_path))
    env.loader = DictLoader({name: CASES[name][0], "other": "{{ people_count }}"})
    assert macro_is_pure(env, name, "r", frozenset({"people", "people_count", "x"} - ({"x"} if "before" not in name else set()))) is CASES[name][1]


def test_the_lists_stand_for_plain_lists():
    made = []
    rows = PersonRows("N.md", "people", [("a", "1", 1), ("b", None, 2)], lambda n: made.append(n) or {"n": n})
    assert len(rows) == 2 and made == []  # counting makes nothing
    assert rows == [{"n": 1}, {"n": 2}] and rows[1:] == [{"n": 2}] and rows + [3] == [{"n": 1}, {"n": 2}, 3]
    assert made == [1, 2]  # each item made once
