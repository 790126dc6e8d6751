"""Shell completion of person names, through Click's own completion.

``_VAULTNET_COMPLETE=bash_source vaultnet`` (or ``zsh_source``, ``fish_source``) prints
the script a shell loads once; on each Tab the shell runs ``vaultnet`` again with
``_VAULTNET_COMPLETE=…_complete`` and Click asks the command table for command names
(``LazyGroup.shell_complete``: no command module is imported), the command for its
options, and ``complete_person`` for a PERSON argument.

``complete_person`` offers names, aliases and file names, read from the store's rows
(no note is parsed) or, without a store, from a walk of the people folder's file
names. A word matches when it starts the name or one of its words, whatever the case.
Anything going wrong gives no suggestions rather than an error on the command line.
"""

from __future__ import annotations

import os

import click
from click.shell_completion import CompletionItem


def _candidates(config) -> list[tuple[str, str | None]]:
    """(text to offer, help) for everyone in the vault: names, aliases, file names."""
    from ..load import store

    rows = store.completion_rows(config)
    if rows is None:
        from ..load.discover import walk

        rows = [(found.rel, None, []) for found in walk(config)]
    out: list[tuple[str, str | None]] = []
    for rel, name, aliases in rows:
        stem = rel.rsplit("/", 1)[-1]
        stem = stem[:-3] if stem.lower().endswith(".md") else stem
        shown = name or stem
        out.append((shown, None))
        out.extend((alias, f"alias of {shown}") for alias in aliases if alias != shown)
        if stem != shown:
            out.append((stem, f"file of {shown}"))
    return out


def _matches(text: str, typed: str) -> bool:
    if not typed:
        return True
    folded = text.casefold()
    return folded.startswith(typed) or any(word.startswith(typed) for word in folded.split())


def _for_shell(text: str) -> str:
    """Bash inserts a suggestion as typed text, so its spaces and quotes need a backslash;
    zsh and fish insert the text as it is."""
    if not os.environ.get("_VAULTNET_COMPLETE", "").startswith("bash"):
        return text
    return "".join("\\" + c if c in " \t'\"\\$`!&;|<>()[]{}*?#~" else c for c in text)


def complete_person(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The people whose name, alias or file name ``incomplete`` starts (or starts a word of)."""
    try:
        from ..model.config import find_vault, load_config

        root = ctx.find_root()
        config = load_config(find_vault(root.params.get("vault")))
        typed = incomplete.casefold()
        seen: set[str] = set()
        found = []
        for text, help_text in _candidates(config):
            if text in seen or not text.isprintable() or not _matches(text, typed):
                continue
            seen.add(text)
            found.append((text.casefold(), text, help_text))
        found.sort()
        return [CompletionItem(_for_shell(text), help=help_text) for _key, text, help_text in found]
    except Exception:  # a broken vault or config: no suggestions, never a traceback at a prompt
        return []
