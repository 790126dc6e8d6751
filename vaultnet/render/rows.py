"""Per-person rows of the index notes, each rendered once and kept between builds.

An index note lists thousands of people, and one edit changes one of them. So a note's
per-person lists (``people``, ``needs``, ``overdue`` …) are ``PersonRows``: each item
knows the person it shows and that person's *identity* (what the person's record is made
of: the note's stat key and the mentions of them, see ``pipeline.person_identities``),
and makes its variables (a dict, as before) only when something asks for them. A template
renders such a list through a macro and the ``rows`` filter:

    {% macro people_row(p) %}
    | {{ p.link }} | {{ p.org }} |
    {% endmacro %}
    {% for row in people | rows(people_row) %}{{ row }}{% endfor %}

``rows`` calls the macro for each item and returns the texts, so the note reads exactly as
``{% for p in people %}{{ people_row(p) }}{% endfor %}`` would. What it adds: the text of
each item is kept (``RowKeeper``, stored by ``pipeline``) under the person's identity, and
a later build whose templates, config, day and code are the same (the slot's key, made by
the caller) reuses the text of every item whose identity is unchanged, without making its
variables or calling the macro. Only what the macro's text can depend on may decide it:
its argument, and variables that are part of the slot's key (``today``, ``notice`` …); a
macro reading anything else (``people_count``, another list, an included template) is
called for every item every time (``macro_is_pure``), which gives the same bytes, only
slower. A template that loops over a list itself makes every item's variables, as before.

Jinja2 is imported only where a template is looked at (``macro_is_pure``, ``rows_filter``):
``indexnotes`` imports this module, and a build with nothing to do renders nothing.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Sequence
from typing import Any

# Variables a row macro may read besides its arguments: each is fixed by what the slot's
# key holds (the config, the day), or a pure helper Jinja gives every template.
KEYED_NAMES = frozenset({"today", "notice", "title", "people_dir", "range", "dict", "cycler", "joiner", "namespace", "loop"})
# Tags that read other templates: a macro in a template holding one is never taken as pure.
_OPEN_NODES = ("Include", "Import", "FromImport", "Extends", "Block")


class PersonRows(Sequence):
    """A per-person list of a note's variables whose items are made on first use.

    ``entries``: ``(key, identity, source)`` per item in the note's order, where ``key``
    names the item among the list's (a person's path, or the path and an entry's number),
    ``identity`` is what the item's variables are made of beyond the slot's key (None:
    unknown, so never kept) and ``make(source)`` makes the item's variables. To a template it
    is a read-only list of those variables (its own attributes are private, so the sandbox
    keeps them from templates); ``+`` with a list gives a list.
    """

    def __init__(self, note: str, name: str, entries: list[tuple[str, str | None, Any]], make: Callable[[Any], dict]):
        self._note = note
        self._name = name
        self._entries = entries
        self._make = make
        self._made: list[dict | None] = [None] * len(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._entries)))]
        made = self._made[index]
        if made is None:
            made = self._made[index] = self._make(self._entries[index][2])
        return made

    def __iter__(self):
        for i in range(len(self._entries)):
            yield self[i]

    def __eq__(self, other):  # as the plain list it stands for
        return list(self) == (list(other) if isinstance(other, PersonRows) else other)

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other):
        return list(self) + list(other)

    def __radd__(self, other):
        return list(other) + list(self)

    def __repr__(self) -> str:
        return repr(list(self))


def json_default(value: Any) -> Any:
    """For Jinja's ``tojson``: a ``PersonRows`` is written as the list it stands for."""
    if isinstance(value, PersonRows):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class RowKeeper:
    """The texts of the rows of earlier builds, by slot, and those of this build.

    A slot is one list of one note rendered by one macro (``slot_name``). ``fetch(slot)``
    gives the bytes kept for it (``encode_slot``: the keys, identities and texts of its
    items in the list's order), or None (nothing kept, or under another slot key). When
    the keys and identities are exactly those of this build, the texts are the list's; else
    each item whose identity is unchanged takes its text. After the render, ``fresh`` holds
    the bytes of each slot whose texts changed (the items that have an identity), made as
    soon as the slot is rendered so that its texts need not outlive the note; ``used``
    every slot rendered through ``rows``.
    """

    def __init__(self, fetch: Callable[[str], bytes | None] | None = None):
        self.fetch = fetch or (lambda slot: None)
        self.fresh: dict[str, bytes] = {}
        self.used: set[str] = set()
        self.rendered = 0  # items whose macro was called (for tests and the benchmark's story)
        self._pure: dict[tuple[str, str], bool] = {}

    def texts(self, env, template: str | None, items: PersonRows, macro, context_names=frozenset()) -> list[str]:
        """Each item's text, by ``macro`` (see the module docstring); ``context_names``: the
        variables of the template's render."""
        name = getattr(macro, "name", None)
        if template is None or name is None:
            self.rendered += len(items)
            return [str(macro(item)) for item in items]
        slot = slot_name(items._note, items._name, template, name)
        data = self.fetch(slot)
        old = decode_slot(data) if data is not None else None
        # A slot is kept only for a pure macro, under a key of the template files, the config
        # and the code (``fetch``): one found was judged pure with these same templates.
        if old is None and not self._is_pure(env, template, name, context_names):
            self.rendered += len(items)
            return [str(macro(item)) for item in items]
        self.used.add(slot)
        keys = [entry[0] for entry in items._entries]
        identities = [entry[1] for entry in items._entries]
        if old is not None and old[0] == keys and old[1] == identities and None not in identities:
            return old[2]  # nobody in the list changed
        kept = {}
        if old is not None:
            kept = {key: (identity, text) for key, identity, text in zip(*old)}
        out: list[str] = []
        make, entries = items._make, items._entries
        for i, key in enumerate(keys):
            identity = identities[i]
            hit = kept.get(key)
            if identity is not None and hit is not None and hit[0] == identity:
                out.append(hit[1])
            else:
                # The item's variables are made for the macro and dropped (not kept in the list).
                out.append(str(macro(items._made[i] or make(entries[i][2]))))
                self.rendered += 1
        del kept, old
        self.fresh[slot] = encode_slot([
            [k for k, i in zip(keys, identities) if i is not None],
            [i for i in identities if i is not None],
            [t for t, i in zip(out, identities) if i is not None],
        ])
        return out

    def _is_pure(self, env, template: str, macro: str, context_names) -> bool:
        found = self._pure.get((template, macro))
        if found is None:
            found = self._pure[(template, macro)] = macro_is_pure(env, template, macro, frozenset(context_names))
        return found


# A slot's rows are stored compressed: they repeat the same table cells and links, and a
# 100,000-person build would otherwise hold (and store) them twice over.
_MAX_SLOT = 1 << 30  # a kept slot that inflates beyond this is not one vaultnet wrote


def encode_slot(lists: list[list[str]]) -> bytes:
    """A slot's keys, identities and texts as stored: JSON (a data-only format), compressed."""
    # Compressed list by list: the whole JSON text of a huge note's rows would be held twice
    # over (as text and as UTF-8) beside the rows themselves.
    deflate = zlib.compressobj(1)
    out = [deflate.compress(b"[")]
    for i, part in enumerate(lists):
        if i:
            out.append(deflate.compress(b", "))
        out.append(deflate.compress(json.dumps(part, ensure_ascii=False).encode("utf-8", "surrogatepass")))
    out.append(deflate.compress(b"]"))
    out.append(deflate.flush())
    return b"".join(out)


def decode_slot(data: bytes) -> list[list[str]] | None:
    """What ``encode_slot`` stored, or None when it is not exactly three lists of strings of
    one length (a damaged or foreign value is never used)."""
    try:
        inflate = zlib.decompressobj()
        text = inflate.decompress(data, _MAX_SLOT)
        if inflate.unconsumed_tail or not inflate.eof:
            return None
        kept = json.loads(text)
    except (ValueError, RecursionError, zlib.error):
        return None
    del text
    if not (kept.__class__ is list and len(kept) == 3 and all(part.__class__ is list for part in kept)):
        return None
    if not len(kept[0]) == len(kept[1]) == len(kept[2]):
        return None
    for part in kept:
        if not all(value.__class__ is str for value in part):
            return None
    return kept


def slot_name(note: str, rows: str, template: str, macro: str) -> str:
    return f"{note}\0{rows}\0{template}\0{macro}"


def macro_is_pure(env, template: str, macro: str, context_names=frozenset()) -> bool:
    """Whether the macro ``macro`` of ``template`` makes its text from its arguments alone
    (and ``KEYED_NAMES``): then a row's text is a function of the row and may be kept.

    Conservative: a template that includes, imports or extends another, a macro defined
    twice or elsewhere, or one that reads any other name counts as not pure. A name the
    macro sets itself (a loop's variable, ``{% set %}``) is its own only when the template's
    variables (``context_names``) hold no such name, since Jinja reads a name set later in
    the macro from the template's variables until it is set."""
    from jinja2 import nodes

    try:
        source = env.loader.get_source(env, template)[0]
        tree = env.parse(source)
    except Exception:  # noqa: BLE001 - the render itself reports a broken template
        return False
    if any(True for kind in _OPEN_NODES for _ in tree.find_all(getattr(nodes, kind))):
        return False
    found = [m for m in tree.find_all(nodes.Macro) if m.name == macro]
    if len(found) != 1:
        return False
    definition = found[0]
    arguments = {arg.name for arg in definition.args}
    own = {n.name for n in definition.find_all(nodes.Name) if n.ctx in ("store", "param")} - set(context_names)
    for name in definition.find_all(nodes.Name):
        if name.ctx == "load" and not (name.name in arguments or name.name in own or name.name in KEYED_NAMES):
            return False
    return True


def rows_filter(keeper: RowKeeper) -> Callable[..., list[str]]:
    """The ``rows`` filter of one build: ``items | rows(macro)``, each item's text (see above)."""
    from jinja2 import pass_context

    @pass_context
    def rows(context, items, macro) -> list[str]:
        if not callable(macro):
            raise TypeError("rows: give it the macro that renders one item, e.g. people | rows(people_row)")
        if isinstance(items, PersonRows):
            return keeper.texts(context.environment, context.name, items, macro, context.get_all().keys())
        return [str(macro(item)) for item in items]

    return rows
