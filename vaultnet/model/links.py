"""Links to person notes, in the vault's ``link_style``.

``wikilink``: ``[[Jane Doe]]`` (``[[Jane Doe|Jane]]`` when the display name
differs from the file name), what Obsidian resolves. ``markdown``: a relative
link with the path percent-encoded, which renders on GitHub and in VS Code.
Characters that would break a link or a table cell are escaped or kept out.
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from .config import Config
from .person import Person


def _label(text: str) -> str:
    """Link text safe inside a Markdown link and a table cell."""
    out = []
    for ch in " ".join(text.split()):
        out.append("\\" + ch if ch in "[]|\\*_`<>" else ch)
    return "".join(out)


def wikilink(stem: str, name: str | None = None) -> str:
    label = name if name and name != stem else None
    return f"[[{stem}|{_wiki_label(label)}]]" if label else f"[[{stem}]]"


def _wiki_label(text: str) -> str:
    return " ".join(text.replace("]]", "] ]").replace("|", "/").replace("[[", "[ [").split())


def person_link(config: Config, person: Person, from_file: str | None = None, in_table: bool = False) -> str:
    """A link to ``person`` from the vault-relative file ``from_file`` (default: the people folder)."""
    if config.link_style == "wikilink":
        link = wikilink(person.stem, person.name)
        return link.replace("|", "\\|") if in_table else link
    base = posixpath.dirname(from_file) if from_file else config.people_dir
    target = posixpath.relpath(person.path, base or ".")
    return f"[{_label(person.name)}]({quote(target)})"


def field_link(config: Config, person: Person) -> str:
    """A link written into another person's note (``introduced_by``, ``helped``)."""
    return person_link(config, person, from_file=person.path)
