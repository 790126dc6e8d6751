"""Counts in words, as every message and generated note writes them."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """``1 day``, ``3 days``: the count and the word, with an ``s`` unless the count is one."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
