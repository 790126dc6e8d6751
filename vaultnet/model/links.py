"""Links between notes: the one grammar vaultnet reads them with, and how it writes them.

Two styles, as the vault's ``link_style`` says:

- ``wikilink``: ``[[Jane Doe]]``, ``[[Jane Doe|Jane]]`` (a label), ``[[Jane Doe#Work]]``
  (a heading or ``^block`` in the note); what Obsidian resolves.
- ``markdown``: ``[Jane](Jane%20Doe.md)`` or ``[Jane](../People/Jane%20Doe.md)``, a
  relative link with the path percent-encoded, which renders on GitHub and in VS Code.

Reading: ``LINK`` matches both. A link's parts hold no ``[`` or ``]`` and a Markdown
destination no space or parenthesis (as in CommonMark), so a failed match stops at the
next bracket and every scan is linear in the text, whatever a note holds (a run of
20,000 ``[`` included). What the readers want of a link differs, and each has its name:
``link_target``/``link_targets`` (the notes a text links to), ``markdown_spans`` (the
links generated Markdown keeps as links), ``plain_text`` (links replaced by their text,
for apps that show Markdown literally) and ``text_after_links``.

Writing: ``wikilink``, ``person_link``, ``field_link``. Characters that would break a
link or a table cell are escaped or kept out.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, unquote

from typing import Protocol

from .config import Config


class Linked(Protocol):
    """What a link to a note needs of a person (``model.person.Person`` has it)."""

    @property
    def path(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def stem(self) -> str: ...

# [[target#heading|label]]: the target and heading together are not empty. A label runs to
# the first ``]]`` and may hold a single bracket, as Obsidian reads it (``wikilink`` writes
# ``[[Ann Lee-Work-|Ann [Work]]]`` for a person named "Ann [Work]").
_TARGET = r"\[\[(?=[^\[\]|])(?P<target>[^\[\]|#^]*)(?P<heading>[#^][^\[\]|]*)?"
_WIKI = _TARGET + r"(?:\|(?P<label>(?:[^\[\]]|\[(?!\[)|\](?!\]))*))?\]\]"
_TEXT = r"\[(?P<text>[^\[\]]*)\]"  # a Markdown link's text
LINK = re.compile(_WIKI + "|" + _TEXT + r"\((?P<dest>[^()\s]*)\)")
# The links generated Markdown keeps as links: a wikilink whose label holds no bracket (one
# could end the link early in some renderers), and a Markdown link to a web page, a mail
# address or a relative note (nothing a ``javascript:`` or other scheme could use).
MARKDOWN_SPAN = re.compile(
    _TARGET + r"(?:\|[^\[\]]*)?\]\]|" + _TEXT + r"\((?:(?:https?://|mailto:)[^\s()<>]+|[^\s()<>:]+\.md)\)"
)
# Characters a file name cannot hold and still be the target of a wikilink.
WIKILINK_BREAKERS = re.compile(r"[\[\]|#^\x00-\x1f\x7f]")


def _note(match: re.Match) -> str | None:
    """The note a link points to: its file name without folder and ``.md``, or None for a
    link to a heading of the same note (``[[#Work]]``) or with no destination (``[a]()``)."""
    target = match["target"]
    if target is None:
        target = match["dest"]
        if target.endswith(".md") and len(target) > 3:
            target = target[:-3]
        target = unquote(target)  # what ``person_link`` percent-encoded
    else:
        target = target.replace("%20", " ")
    if not target:
        return None
    return target.rsplit("/", 1)[-1]


def link_target(text: str | None) -> str | None:
    """The note a ``[[link]]`` or ``[text](path.md)`` in a field points to, else the plain text."""
    if not text:
        return None
    for match in LINK.finditer(text):
        target = _note(match)
        if target is not None:
            return target.strip() or None
    return text.strip() or None


def link_targets(text: str) -> list[str]:
    """Every note a text links to, in order."""
    if "[" not in text:
        return []
    return [target.strip() for target in map(_note, LINK.finditer(text)) if target is not None]


def markdown_spans(text: str) -> list[re.Match]:
    """The links in ``text`` that generated Markdown keeps as they are, in order."""
    if "[" not in text:
        return []
    return list(MARKDOWN_SPAN.finditer(text))


def _shown(match: re.Match) -> str:
    if match["dest"] is not None:
        return match["text"].strip()
    return (match["label"] or (match["target"] + (match["heading"] or ""))).strip()


def plain_text(text: str) -> str:
    """The text with each link replaced by what it shows: the label, else the target."""
    if "[" not in text:
        return text
    return LINK.sub(_shown, text)


def text_after_links(text: str) -> str:
    """What follows the last link in ``text`` (all of it when there is none)."""
    end = 0
    for match in LINK.finditer(text):
        end = match.end()
    return text[end:]


# --- writing ----------------------------------------------------------------------------------


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
    """A wikilink's label that cannot end the link, split it, open another, or open an HTML
    tag (``<`` is backslash-escaped, as in all other Markdown vaultnet writes)."""
    return " ".join(text.replace("]]", "] ]").replace("|", "/").replace("[[", "[ [").replace("<", "\\<").split())


def person_link(config: Config, person: Linked, from_file: str | None = None, in_table: bool = False) -> str:
    """A link to ``person`` from the vault-relative file ``from_file`` (default: the people folder)."""
    if config.link_style == "wikilink":
        link = wikilink(person.stem, person.name)
        return link.replace("|", "\\|") if in_table else link
    base = posixpath.dirname(from_file) if from_file else config.people_dir
    target = posixpath.relpath(person.path, base or ".")
    return f"[{_label(person.name)}]({quote(target)})"


def field_link(config: Config, person: Linked) -> str:
    """A link written into another person's note (``introduced_by``, ``helped``)."""
    return person_link(config, person, from_file=person.path)
