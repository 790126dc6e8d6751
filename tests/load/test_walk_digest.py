"""The digest of a walk: what a warm run compares instead of every note's stat key.

It must change with any change of any note's path or key, and be the same bytes in every
process (a warm run compares it with the one an earlier process kept)."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from vaultnet.load import discover

# Python hashes an integer as the number modulo 2**61 - 1, so numbers that differ by a multiple
# of that hash alike: sizes and times never do, and file systems whose inode numbers are that
# large and random meet it with odds of one in 2**61, those of any 64-bit digest.
NUMBERS = st.integers(min_value=-1, max_value=2**61 - 2)
KEYS = st.tuples(*[NUMBERS] * 4)
WALKS = st.lists(st.tuples(st.text(min_size=1, max_size=12), KEYS), max_size=30, unique_by=lambda pair: pair[0])


@given(WALKS, st.data())
def test_any_change_of_a_key_or_path_changes_the_digest(walk, data):
    walk = sorted(walk)
    before = discover.keys_digest(walk)
    if not walk:
        assert discover.keys_digest([("a.md", (1, 2, 3, 4))]) != before
        return
    i = data.draw(st.integers(0, len(walk) - 1))
    rel, key = walk[i]
    field = data.draw(st.integers(0, 3))
    new = data.draw(NUMBERS.filter(lambda n: n != key[field]))
    changed = list(walk)
    changed[i] = (rel, (*key[:field], new, *key[field + 1 :]))
    assert discover.keys_digest(changed) != before
    assert discover.keys_digest(walk[:i] + walk[i + 1 :]) != before  # a note gone
    assert discover.keys_digest([(rel + "x", key) if j == i else pair for j, pair in enumerate(walk)]) != before


def test_the_digest_is_the_same_in_every_process():
    # Python salts the hashes of strings per process (PYTHONHASHSEED): nothing salted may
    # reach the digest, or no warm run would ever find the one an earlier run kept.
    program = (
        "from vaultnet.load import discover; "
        "print(discover.keys_digest([('People/Ann.md', (12, 1764000000123456789, 1764000000123456789, 77)),"
        " ('People/Zoë.md', (-1, -1, -1, -1))]).hex())"
    )
    found = {
        subprocess.run(
            [sys.executable, "-c", program], env={"PYTHONHASHSEED": seed}, capture_output=True, text=True, check=True
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(found) == 1 and found != {""}
