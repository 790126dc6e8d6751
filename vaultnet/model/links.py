"""Links between notes: the one grammar vaultnet reads them with, and how it writes them.

Two styles, as the vault's ``link_style`` says:

- ``wikilink``: ``[[Jane Doe]]``, ``[[Jane Doe|Jane]]`` (a label), ``[[Jane Doe#Work]]``
  (a heading or ``^block`` in the note); what Obsidian resolves.
- ``markdown``: ``[Jane](Jane%20Doe.md)`` or ``[Jane](../People/Jane%20Doe.md)``, a
  relative link with the path percent-encoded, which renders on GitHub and in VS Code.

Reading: ``LINK`` matches both. A link's parts hold no ``[`` or ``]``; a Markdown
destination holds no space or parenthesis unless it is in angle brackets, and may be
followed by a quoted title (as in CommonMark: ``[Jane](<Jane Doe.md> "title")``). So a
failed match stops at the next bracket and every scan is linear in the text, whatever a
note holds (a run of 20,000 ``[`` included). What the readers want of a link differs, and each has its name:
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
from .names import nfc_casefold as _fold  # file names as Obsidian and macOS compare them


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
# A Markdown destination: a path with no space or parenthesis, or any path in angle brackets
# (``[Jane](<Jane Doe.md>)``, as VS Code writes one with spaces), then an optional title
# (``[Jane](Jane%20Doe.md "Jane at Acme")``). No repeat crosses a ``[``, where other scans start.
_DEST = r"\((?:<(?P<angle>[^<>\n\[]*)>|(?P<dest>[^()\s]*))(?P<title>\s+(?:\"[^\"\n\[]*\"|'[^'\n\[]*'))?\)"
LINK = re.compile(_WIKI + "|" + _TEXT + _DEST)
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
        target = _destination(match)
        if target.endswith(".md") and len(target) > 3:
            target = target[:-3]
        target = unquote(target)  # what ``person_link`` percent-encoded
    else:
        target = _unescaped(match).replace("%20", " ")
    if not target:
        return None
    return target.rsplit("/", 1)[-1]


def _destination(match: re.Match) -> str | None:
    """A Markdown link's destination as written, without angle brackets or title; None for a wikilink."""
    dest = match["dest"]
    return match["angle"] if dest is None else dest


def _markdown_link(match: re.Match, text: str, dest: str) -> str:
    """A Markdown link written as ``match`` was (angle brackets, title), with new text and destination.

    A destination that angle brackets cannot hold is written percent-encoded without them."""
    if match["angle"] is not None:
        if any(c in dest for c in "<>[\n"):
            dest = quote(unquote(dest), safe="/#")
        else:
            dest = f"<{dest}>"
    return f"[{text}]({dest}{match['title'] or ''})"


def _unescaped(match: re.Match) -> str:
    """A wikilink's target without the backslash of ``[[Jane Doe\\|Jane]]``, the form a label
    takes inside a table (Obsidian writes it so, and so does ``person_link``)."""
    target = match["target"]
    if match["label"] is not None and match["heading"] is None and target.endswith("\\"):
        return target[:-1]
    return target


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
    if match["text"] is not None:
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


# --- retargeting (rename, merge) ------------------------------------------------------------------

_FENCE = re.compile(r"[ \t>]*(`{3,}|~{3,})")  # a fence may sit in a list item or a quote, indented
_TICKS = re.compile(r"`+")


def code_span_ranges(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The (start, end) offsets of the inline code spans in ``text[start:end]``: a run of N
    backticks opens a span that the next run of exactly N closes (CommonMark); a run with
    no partner is literal. Each run's partner is found in one pass from the end, so a line
    of thousands of unmatched backticks costs no more than its length."""
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(text, start, len(text) if end is None else end)]
    partner: list[int | None] = [None] * len(runs)
    later: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        length = runs[i][1] - runs[i][0]
        partner[i] = later.get(length)
        later[length] = i
    ranges = []
    i = 0
    while i < len(runs):
        j = partner[i]
        if j is None:
            i += 1
            continue
        ranges.append((runs[i][0], runs[j][1]))
        i = j + 1
    return ranges


def code_ranges(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of fenced code blocks and inline code spans in a note's body:
    text there shows literally, so a ``[[link]]`` in it is not a link.

    A fence (three or more backticks or tildes) runs to a closing fence of the same
    character at least as long, or to the end. An inline span opens with a run of N
    backticks and closes at the next run of exactly N (CommonMark); an unmatched run is
    literal. Each run is looked up once in a per-length list of later runs, so the scan
    stays linear in the text whatever it holds.
    """
    ranges: list[tuple[int, int]] = []
    fence: tuple[str, int, int] | None = None  # char, length, start offset
    offset = 0
    segments: list[tuple[int, int]] = []  # text outside fences, for the inline pass
    segment_start = 0
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if match and match.group(1)[0] == "`" and "`" in line[match.end():]:
            match = None  # a backtick fence's info string holds no backtick: this is inline code
        if fence is None and match:
            segments.append((segment_start, offset))
            run = match.group(1)
            fence = (run[0], len(run), offset)
        elif fence is not None and match and match.group(1)[0] == fence[0] and len(match.group(1)) >= fence[1] and not line[match.end():].strip():
            ranges.append((fence[2], offset + len(line)))
            fence = None
            segment_start = offset + len(line)
        offset += len(line)
    if fence is not None:
        ranges.append((fence[2], len(text)))
    else:
        segments.append((segment_start, len(text)))
    for start, end in segments:
        ranges += code_span_ranges(text, start, end)
    ranges.sort()
    return ranges


def rebase_links(text: str, from_file: str, to_file: str) -> str:
    """``text`` written in ``from_file``, with each relative Markdown link to a note made
    to lead to the same note from ``to_file`` (text moved to a note in another folder).
    Links in code, wikilinks (resolved by name) and links from the vault's root stay."""
    base, new_base = posixpath.dirname(from_file), posixpath.dirname(to_file)
    if base == new_base or "](" not in text:
        return text
    code = code_ranges(text) if "`" in text or "~~~" in text else []
    out: list[str] = []
    last = 0
    for match in LINK.finditer(text):
        dest = _destination(match)
        if dest is None or any(a <= match.start() < b for a, b in code):
            continue
        path, hash_, fragment = dest.partition("#")
        if not path or ":" in path or path.startswith("/"):
            continue
        target = posixpath.normpath(posixpath.join(base, unquote(path)))
        if target.startswith("../"):
            continue  # outside the vault: not ours to move
        new = posixpath.relpath(target, new_base or ".")
        if match["angle"] is None or "%" in path:
            new = quote(new) if "%" in path or new != quote(new) else new
        out += [text[last : match.start()], _markdown_link(match, match["text"], new + hash_ + fragment)]
        last = match.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


class LinkRetarget:
    """Points links to one note (``old_path``, vault-relative) at another (``new_path``).

    A wikilink names the note by file name (``[[Old]]``, ``[[Old#Work]]``, ``[[Old|Jane]]``,
    ``![[Old]]``) or by a path ending in it (``[[People/Old]]``); a Markdown link by a
    relative path (``[Jane](Old%20Name.md)``, ``[x](../People/Old.md#Work)``). Only the
    file name in the link changes: the folder part, heading and label stay. A label (or a
    Markdown link's text) that is exactly the old display name becomes the new one; any
    other label was chosen by the writer and stays.
    """

    def __init__(self, old_path: str, old_name: str, new_path: str, new_name: str):
        self.old_path = old_path
        self.new_path = new_path
        self._same_folder = posixpath.dirname(old_path) == posixpath.dirname(new_path)
        self.old_stem = posixpath.basename(old_path)[:-3]
        self.old_name = old_name
        self.new_stem = posixpath.basename(new_path)[:-3]
        self.new_name = new_name
        self._folded_stem = _fold(self.old_stem)
        self._folded_path = _fold(old_path[:-3])

    def _names_note(self, target: str) -> bool:
        target = target.strip().replace("%20", " ")
        if target.lower().endswith(".md"):
            target = target[:-3]
        folded = _fold(target)
        if "/" not in folded:
            return folded == self._folded_stem
        folded = folded.lstrip("/")
        return self._folded_path == folded or self._folded_path.endswith("/" + folded)

    def _new_label(self, label: str | None, escape) -> str | None:
        if label is not None and _fold(label) == _fold(self.old_name) and self.old_name != self.new_name:
            return escape(self.new_name)
        return label

    def replacement(self, match: re.Match, from_file: str) -> str | None:
        """The new text of a link that points to the old note, else None."""
        if match["text"] is None:
            target = _unescaped(match)
            if not self._names_note(target):
                return None
            cut = target.rstrip().rfind("/")
            folder = target[: cut + 1]
            if folder and not self._same_folder:  # a path to the note: the new note's path
                folder = ("/" if folder.startswith("/") else "") + posixpath.dirname(self.new_path) + "/"
            stem = self.new_stem.replace(" ", "%20") if "%20" in target else self.new_stem
            label = self._new_label(match["label"], _wiki_label)
            pipe = "\\|" if target != match["target"] else "|"  # a table's escaped pipe stays escaped
            return "[[" + folder + stem + (match["heading"] or "") + (f"{pipe}{label}" if label is not None else "") + "]]"
        dest = _destination(match)
        path, hash_, fragment = dest.partition("#")
        if ":" in path or not path.lower().endswith(".md"):
            return None
        base = posixpath.dirname(from_file)
        resolved = posixpath.normpath(unquote(path).lstrip("/") if path.startswith("/") else posixpath.join(base, unquote(path)))
        if _fold(resolved) != _fold(self.old_path):
            return None
        cut = path.rfind("/")
        # In angle brackets a path is written as it is, unless it was percent-encoded.
        encode = quote if match["angle"] is None or "%" in path else str
        if self._same_folder:
            new_path = path[: cut + 1] + encode(self.new_stem + ".md")
        elif path.startswith("/"):
            new_path = "/" + encode(self.new_path)
        else:  # the new note is elsewhere: the path to it from this file's folder
            new_path = encode(posixpath.relpath(self.new_path, base or "."))
        text = self._new_label(match["text"], _label)
        return _markdown_link(match, text, new_path + hash_ + fragment)

    def rewrite(self, text: str, from_file: str, skip_code: bool = True, escape=None) -> tuple[str, int]:
        """``text`` with every link to the old note pointed at the new one, and how many
        changed. Links in code (``code_ranges``) are left alone when ``skip_code``.
        ``escape`` turns a new link into what its context needs (a quoted YAML scalar)."""
        if "[" not in text:
            return text, 0
        code = code_ranges(text) if skip_code and ("`" in text or "~~~" in text) else []
        out: list[str] = []
        last = 0
        count = 0
        ci = 0
        for match in LINK.finditer(text):
            start = match.start()
            while ci < len(code) and code[ci][1] <= start:
                ci += 1
            if ci < len(code) and code[ci][0] <= start:
                continue
            new = self.replacement(match, from_file)
            if new is None or new == match.group(0):
                continue
            out.append(text[last:start])
            out.append(escape(new) if escape else new)
            last = match.end()
            count += 1
        if not count:
            return text, 0
        out.append(text[last:])
        return "".join(out), count


# --- mentions: which links in a note count as a contact ------------------------------------------
# A dated note (a daily or meeting note) that links to a person records a contact with them
# (``load/mentions``). Not every link is one: a link only in an open task (a plan), a block
# quote (someone else's words), an embed, code or a comment is not. These functions say
# which links count; they see text only, and every scan is linear in it.

_OPEN_TASK = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[ \]")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_COMMENTS = (("<!--", "-->"), ("%%", "%%"))  # HTML comments, and Obsidian's own


def _without_code_spans(text: str) -> str:
    """``text`` with each of its code spans (``code_span_ranges``) blanked to one space."""
    if "`" not in text:
        return text
    out, at = [], 0
    for a, b in code_span_ranges(text):
        out.append(text[at:a])
        out.append(" ")
        at = b
    out.append(text[at:])
    return "".join(out)


def _without_comments(text: str, open_comment: str | None) -> tuple[str, str | None]:
    """``text`` with its comments blanked; ``open_comment`` is the end marker of a comment
    still open from an earlier line (or None). Returns the text and the end marker of a
    comment this line leaves open."""
    if open_comment is None and "<!--" not in text and "%%" not in text:
        return text, None
    out = []
    at = 0
    while True:
        if open_comment is not None:
            end = text.find(open_comment, at)
            if end < 0:
                return "".join(out), open_comment
            at = end + len(open_comment)
            open_comment = None
        starts = [(text.find(start, at), start, end) for start, end in _COMMENTS]
        starts = [s for s in starts if s[0] >= 0]
        if not starts:
            out.append(text[at:])
            return "".join(out), None
        where, start, end = min(starts)
        out.append(text[at:where])
        out.append(" ")
        at = where + len(start)
        open_comment = end


def _indent(line: str) -> int:
    """The line's indentation in columns (a tab to the next multiple of four)."""
    columns = 0
    for ch in line:
        if ch == " ":
            columns += 1
        elif ch == "\t":
            columns += 4 - columns % 4
        else:
            break
    return columns


def line_links(text: str) -> list[tuple[str, bool]]:
    """The links of one line of prose that point at a note, as ``(target, markdown)``: the
    target as written (folders kept; a Markdown link's decoded, its ``#fragment`` and a
    wikilink's ``#heading`` dropped). An embed (``![[x]]``, ``![x](y)``), a link to a web
    page or other scheme, and a link to a heading of the same note are left out."""
    if "[" not in text:
        return []
    found = []
    for match in LINK.finditer(text):
        start = match.start()
        if start and text[start - 1] == "!":
            continue
        if match["target"] is not None:
            target = _unescaped(match).strip()
            if target:
                found.append((target, False))
            continue
        dest = _destination(match).split("#", 1)[0]
        if not dest or ":" in dest:
            continue
        target = unquote(dest).strip()
        if target:
            found.append((target, True))
    return found


def mention_links(lines: list[str]) -> list[tuple[int, list[tuple[str, bool]]]]:
    """Which lines of a note's body link to notes in a way that counts as a contact, with
    those links (``line_links``), as ``(index into lines, links)``.

    Left out: fenced code blocks (any indentation, so one inside a list item too), indented
    code blocks (four columns, after a blank line, not continuing a list), block quotes
    and callouts, open tasks (``- [ ]``), code spans, HTML and ``%%`` comments (also over
    several lines), and embeds."""
    found: list[tuple[int, list[tuple[str, bool]]]] = []
    if "[" not in "".join(lines):
        return found
    fence: str | None = None  # the opening fence of the code block we are in
    comment: str | None = None  # the end marker of a comment open from an earlier line
    indented_code = False
    blank_before = True
    in_list = False
    for index, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        if fence is not None:
            match = _FENCE.match(line)
            if match and match[1][0] == fence[0] and len(match[1]) >= len(fence) and not line[match.end() :].strip():
                fence = None
            continue
        if comment is not None:
            line, comment = _without_comments(line, comment)
            if comment is not None:
                continue
        if not line.strip():
            blank_before = True
            continue
        indent = _indent(line)
        if indented_code and indent >= 4:
            continue
        indented_code = False
        if indent >= 4 and blank_before and not in_list:
            indented_code = True
            continue
        blank_before = False
        match = _FENCE.match(line)
        if match and not (match[1][0] == "`" and "`" in line[match.end() :]):
            fence = match[1]
            continue
        if _LIST_ITEM.match(line):
            in_list = True
        elif indent == 0:
            in_list = False  # a paragraph: what follows a blank line after it may be code again
        if line.lstrip(" \t").startswith(">") or _OPEN_TASK.match(line):
            # A comment opened on a quoted line still runs on.
            _text, comment = _without_comments(_without_code_spans(line), None)
            continue
        text, comment = _without_comments(_without_code_spans(line), None)
        links = line_links(text)
        if links:
            found.append((index, links))
    return found


def _without_yaml_comment(line: str) -> str:
    """A front-matter line without its YAML comment: a ``#`` at the start or after a space
    or tab, outside quotes (``[[Jane#Work]]`` keeps its heading)."""
    if "#" not in line:
        return line
    quote = None
    for i, ch in enumerate(line):
        if quote is not None:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def front_matter_links(line: str) -> list[tuple[str, bool]]:
    """The links of one line of a dated note's front matter that count as a contact (an
    ``attendees:`` list): as ``line_links``, leaving out a YAML comment and an open task
    written in a block of text (``agenda: |`` then ``  - [ ] ask [[Jane]]``)."""
    if "[" not in line or _OPEN_TASK.match(line):
        return []
    return line_links(_without_yaml_comment(line))


def mention_keys(target: str, markdown: bool, from_file: str) -> tuple[str, ...]:
    """The forms a link's target may name a note by, compared with a note's file name and the tails of its path
    (``load.mentions.people_by_key``): a
    wikilink's target as written (a file name, or a path from the vault's root); a
    Markdown link's path from the linking note's folder, and from the vault's root (as
    Obsidian reads both). Case-folded and NFC, without ``.md``."""
    from .names import nfc_casefold

    keys = []
    if markdown:
        base = posixpath.dirname(from_file)
        candidates = [posixpath.normpath(posixpath.join(base, target)), posixpath.normpath(target.lstrip("/"))]
    else:
        candidates = [target.lstrip("/")]
    for candidate in candidates:
        if candidate.lower().endswith(".md"):
            candidate = candidate[:-3]
        key = nfc_casefold(candidate.strip())
        if key and not key.startswith("../") and key != ".." and key not in keys:
            keys.append(key)
    return tuple(keys)

