"""Property-based tests of the note parser and the surgical editor (hypothesis).

Each example is a note built from a small model: front matter entries written in
many styles (plain, single- and double-quoted scalars, block lists at several
indents, flow lists, empty values, comments, blank lines), a body with or
without a ``## Log`` section (oldest- or newest-first), LF or CRLF, with or
without a byte-order mark. Because the test wrote the note, it also knows, byte
for byte, what the note must look like after one recorded edit; the editor's
output is compared with that expectation, so "changes only its own lines" is
checked exactly, not approximately.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, replace
from datetime import date

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vaultnet.edit.atomic import edit_notes
from vaultnet.load.frontmatter import NoteLoader, load_fields
from vaultnet.load.vault import parse_note
from vaultnet.edit.noteedit import NoteEditor
from vaultnet.load.notefile import split_note
from vaultnet.model.yamltext import double_quoted, render

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- the model ---------------------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 .,:;#-'\"[]{}&*!|>%@?/éßñ漢字😀")),
    min_size=1,
    max_size=14,
)
KEYS = ["name", "org", "role", "tags", "aliases", "needs", "offers", "email", "x_custom", "notes_2", "helped", "last_contact", "follow_up"]


def _loads(source: str):
    try:
        return yaml.load(source, Loader=NoteLoader)
    except yaml.YAMLError:
        return None


def scalar_source(text: str, style: str, flow: bool = False) -> str | None:
    """``text`` written in a YAML style, or None when that style cannot hold it."""
    if style == "plain":
        source = text
    elif style == "single":
        source = "'" + text.replace("'", "''") + "'"
    else:
        source = double_quoted(text)
    wrapped = f"k: [{source}]" if flow else f"k: {source}"
    want = {"k": [text] if flow else text}
    return source if _loads(wrapped) == want else None


@dataclass
class Entry:
    key: str
    kind: str  # scalar | empty | block | flow
    value: object
    lines: list[str]  # without line endings


@st.composite
def entries(draw, key: str) -> Entry:
    kind = draw(st.sampled_from(["scalar", "scalar", "empty", "block", "flow"]))
    comment = draw(st.sampled_from(["", "", " # a comment", "  #: x"]))
    if kind == "empty":
        return Entry(key, kind, None, [f"{key}:{comment}"])
    if kind == "scalar":
        text = draw(TEXT)
        source = scalar_source(text, draw(st.sampled_from(["plain", "single", "double"])))
        if source is None:
            source = double_quoted(text)
        sep = draw(st.sampled_from([" ", "  "]))
        return Entry(key, kind, text, [f"{key}:{sep}{source}{comment}"])
    items = draw(st.lists(TEXT, min_size=0 if kind == "flow" else 1, max_size=4))
    style = draw(st.sampled_from(["plain", "single", "double"]))
    sources = []
    for item in items:
        source = scalar_source(item, style, flow=kind == "flow")
        sources.append(source if source is not None else double_quoted(item))
    if kind == "flow":
        pad = draw(st.sampled_from(["", " "]))  # `[a, b]` or `[ a, b ]`
        line = f"{key}: [{pad}{', '.join(sources)}{pad}]"
        if _loads(line) != {key: items}:  # `[ - ]` is not `[-]`
            line = f"{key}: [{', '.join(sources)}]"
        return Entry(key, kind, items, [line + comment])
    indent = draw(st.sampled_from(["", "  ", "    "]))
    return Entry(key, kind, items, [f"{key}:{comment}"] + [f"{indent}- {s}" for s in sources])


DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 12, 31))
WORDS = st.text(alphabet=st.sampled_from(list("abc xyz:,.-[]#*é漢")), min_size=0, max_size=20).map(lambda s: " ".join(s.split()))


@dataclass
class Note:
    entries: list[Entry] | None  # None: no front matter
    extras: dict[int, str]  # comment or blank lines inserted before entry i (in the YAML block)
    before_log: list[str]
    log: list[tuple[date, str]] | None  # None: no ## Log section
    newest_first: bool
    after_log: list[str]
    newline: str
    bom: bool
    final_newline: bool

    def fields(self) -> dict:
        return {e.key: e.value for e in self.entries or []}

    def log_lines(self) -> list[str]:
        return [f"- {d.isoformat()} {t}".rstrip() for d, t in self.log or []]

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.entries is not None:
            out.append("---")
            for index, entry in enumerate(self.entries):
                if index in self.extras:
                    out.append(self.extras[index])
                out.extend(entry.lines)
            if len(self.entries) in self.extras:
                out.append(self.extras[len(self.entries)])
            out.append("---")
        out.extend(self.before_log)
        if self.log is not None:
            out += ["## Log", ""] + self.log_lines()
            out.extend(self.after_log)
        return out

    def render(self, lines: list[str] | None = None) -> bytes:
        lines = self.lines() if lines is None else lines
        text = self.newline.join(lines)
        if lines and self.final_newline:
            text += self.newline
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


@st.composite
def notes(draw) -> Note:
    has_fm = draw(st.integers(0, 9)) > 0
    chosen = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=7))
    fm = [draw(entries(k)) for k in chosen] if has_fm else None
    extras = {}
    if fm:
        for index in draw(st.lists(st.integers(0, len(fm) - 1), max_size=2, unique=True)):
            extras[index] = draw(st.sampled_from(["", "# a comment line", "   ", "#"]))
    before = draw(st.lists(st.sampled_from(["", "# Jane", "Some text: [[Ann]] | a | b |", "* a list", "### Notes", "```", "- 2020-01-01 not a log"]), max_size=4))
    if before.count("```") % 2:
        before.append("```")
    log = None
    if draw(st.booleans()):
        log = sorted(draw(st.lists(st.tuples(DAYS, WORDS), max_size=4)), key=lambda item: item[0])
    newest_first = draw(st.booleans()) and log is not None and len(log) > 1
    if log and newest_first:
        log.reverse()
        if len(log) > 1 and log[0][0] == log[-1][0]:
            newest_first = False  # all the same day: the editor cannot know, it is oldest-first
            log.reverse()
    after = draw(st.sampled_from([[], [""], ["", "## Other", "text"], ["", "# Top"]])) if log is not None else []
    note = Note(
        entries=fm,
        extras=extras,
        before_log=before,
        log=log,
        newest_first=newest_first,
        after_log=after,
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        bom=draw(st.booleans()),
        final_newline=draw(st.booleans()),
    )
    lines = note.lines()
    if not lines or lines[-1] == "":
        note.final_newline = True  # a last empty "line" is the previous line's ending: keep the model unambiguous
    if len(lines) <= 1 and not (lines and note.final_newline):
        note.newline = "\n"  # no line ending to copy: the editor uses LF
    return note


def check_diff(before: bytes, after: bytes, expected: bytes) -> None:
    if after != expected:
        diff = "\n".join(difflib.unified_diff(
            expected.decode().splitlines(), after.decode().splitlines(), "expected", "editor", lineterm=""))
        raise AssertionError(f"the edit changed more (or other) lines than it should:\n{diff}\nBEFORE: {before!r}")


# --- properties ----------------------------------------------------------------------------------


@SETTINGS
@given(notes())
def test_parser_reads_the_fields_the_note_holds(note):
    data = note.render()
    person, problems = parse_note("People/P.md", data)
    assert person is not None, problems
    assert not [p for p in problems if p.fatal]
    if note.entries is not None:
        parsed = split_note(data)
        fields, problem = load_fields("People/P.md", parsed.yaml_text, 2)
        assert problem is None
        assert fields == note.fields()
    if note.log is not None:
        assert [e.date for e in person.log] == [d for d, _ in note.log]


@SETTINGS
@given(notes())
def test_a_no_op_edit_round_trips_byte_for_byte(note):
    data = note.render()
    editor = NoteEditor("People/P.md", data)
    assert not editor.changed
    assert editor.result() == data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(note=notes())
def test_a_no_op_atomic_edit_leaves_the_file_untouched(tmp_path, note):
    folder = tmp_path / "People"
    folder.mkdir(exist_ok=True)
    path = folder / "P.md"
    path.write_bytes(note.render())
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert edit_notes(tmp_path, [("People/P.md", lambda editor: None)]) == []
    assert path.read_bytes() == note.render()
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert sorted(p.name for p in folder.iterdir()) == ["P.md"]


def _with_fm(note: Note) -> Note:
    if note.entries is not None:
        return note
    # a new front matter goes on top; in an empty file its lines are the last ones, ending in a newline
    return replace(note, entries=[], extras={}, final_newline=note.final_newline or not note.lines())


def expected_set(note: Note, key: str, value: date) -> bytes:
    return set_note(note, key, value).render()


def set_note(note: Note, key: str, value: date) -> Note:
    """What ``set(key, value)`` must produce: the key's own line rewritten, or one new line."""
    note = _with_fm(note)
    rendered = render(value)
    new_entries = []
    found = False
    for entry in note.entries:
        if entry.key != key:
            new_entries.append(entry)
            continue
        found = True
        first = entry.lines[0]
        head, _, rest = first.partition(":")
        comment = ""
        if entry.kind in ("empty", "block"):
            comment = rest  # `key: # c` keeps its comment after the new value
            line = f"{head}: {rendered}{comment}" if comment else f"{head}: {rendered}"
        else:
            spaces = rest[: len(rest) - len(rest.lstrip(" "))]
            value_and_comment = rest[len(spaces):]
            for c in (" # a comment", "  #: x"):
                if value_and_comment.endswith(c):
                    comment = c
                    break
            line = f"{head}:{spaces}{rendered}{comment}"
        new_entries.append(Entry(key, "scalar", value, [line]))
    if not found:
        new_entries.append(Entry(key, "scalar", value, [f"{key}: {rendered}"]))
    return replace(note, entries=new_entries)


# The note format's list fields: when all of a note's lists are flow lists, a field holding
# one text that gains an item becomes a flow list too.
LIST_FIELDS = frozenset({"aliases", "alias", "tags", "email", "phone", "needs", "offers", "helped", "received"})


def expected_append(note: Note, key: str, value: str) -> bytes:
    note = _with_fm(note)
    prefix = "  - "
    for entry in note.entries:
        if entry.kind == "block":
            prefix = entry.lines[1][: len(entry.lines[1]) - len(entry.lines[1].lstrip(" "))] + "- "
            break
    lists = [e for e in note.entries if e.key in LIST_FIELDS and e.kind in ("block", "flow") and e.value]
    flow_note = bool(lists) and all(e.kind == "flow" for e in lists)
    new_entries = []
    found = False
    for entry in note.entries:
        if entry.key != key:
            new_entries.append(entry)
            continue
        found = True
        if entry.kind == "block":
            own = entry.lines[1][: len(entry.lines[1]) - len(entry.lines[1].lstrip(" "))] + "- "
            new_entries.append(Entry(key, "block", entry.value + [value], entry.lines + [own + render(value)]))
        elif entry.kind == "flow":
            line = entry.lines[0]
            cut = line.rindex("]")
            if entry.value and line[cut - 1] == " ":
                cut -= 1  # `[ a, b ]` becomes `[ a, b, c ]`
            sep = ", " if entry.value else ""
            new_entries.append(Entry(key, "flow", entry.value + [value], [line[:cut] + sep + render(value, flow=True) + line[cut:]]))
        elif entry.kind == "empty":
            new_entries.append(Entry(key, "block", [value], entry.lines + [prefix + render(value)]))
        elif flow_note:  # one scalar in a note whose lists are all `[a, b]`: `key: [a, value]`
            head, _, rest = entry.lines[0].partition(":")
            sep = rest[: len(rest) - len(rest.lstrip(" "))]
            value_and_comment = rest.lstrip(" ")
            comment = next((c for c in (" # a comment", "  #: x") if value_and_comment.endswith(c)), "")
            old = value_and_comment[: len(value_and_comment) - len(comment)]
            if _loads(f"k: [{old}]") != {"k": [entry.value]}:
                old = render(entry.value, flow=True)
            line = f"{head}:{sep}[{old}, {render(value, flow=True)}]{comment}"
            new_entries.append(Entry(key, "flow", [entry.value, value], [line]))
        else:  # one scalar becomes the first item, in its own spelling
            first = entry.lines[0]
            head, _, rest = first.partition(":")
            value_and_comment = rest.lstrip(" ")
            comment = next((c for c in (" # a comment", "  #: x") if value_and_comment.endswith(c)), "")
            old = value_and_comment[: len(value_and_comment) - len(comment)]
            new_entries.append(Entry(key, "block", [entry.value, value], [f"{head}:{comment}", prefix + old, prefix + render(value)]))
    if not found:
        new_entries.append(Entry(key, "block", [value], [f"{key}:", prefix + render(value)]))
    return replace(note, entries=new_entries).render()


def expected_log(note: Note, day: date, text: str) -> bytes:
    line = f"- {day.isoformat()} {text}".rstrip()
    lines = note.lines()
    if note.log is None:
        has_text = bool(note.before_log) and bool(note.before_log[-1].strip())
        new = lines + ([""] if has_text else []) + ["## Log", "", line]
        return replace(note, final_newline=True).render(new)
    dates = [d for d, _ in note.log]
    if not dates:
        position = 0
    elif note.newest_first:
        position = next((i for i, d in enumerate(dates) if d <= day), len(dates))
    else:
        position = next((i for i in range(len(dates) - 1, -1, -1) if dates[i] <= day), -1) + 1
    log_start = len(lines) - len(note.after_log) - len(note.log)
    if not note.log:
        # an empty section: after its last non-blank line (the heading)
        index = log_start - 1
    else:
        index = log_start + position
    new = lines[:index] + [line] + lines[index:]
    # A line added at the very end gets a line ending (the old last line gets one before it);
    # by its place, not its text: an identical older line may stay last, without one.
    final = note.final_newline or index == len(lines)
    return replace(note, final_newline=final).render(new)


EDIT_DAY = st.one_of(DAYS, st.just(date(2026, 11, 23)))


@SETTINGS
@given(notes(), st.sampled_from(["last_contact", "follow_up"]), EDIT_DAY)
def test_setting_a_date_changes_only_its_own_line(note, key, day):
    entry = next((e for e in note.entries or [] if e.key == key), None)
    assume(entry is None or entry.kind in ("scalar", "empty"))
    data = note.render()
    editor = NoteEditor("People/P.md", data)
    editor.set(key, day)
    after = editor.result()
    check_diff(data, after, expected_set(note, key, day))
    fields, problem = load_fields("x", split_note(after).yaml_text, 2)
    assert problem is None and fields == {**note.fields(), key: day}


@SETTINGS
@given(notes(), st.sampled_from(["helped", "needs", "tags"]), EDIT_DAY, WORDS.filter(bool))
def test_appending_an_item_changes_only_its_own_lines(note, key, day, text):
    entry = next((e for e in note.entries or [] if e.key == key), None)
    assume(entry is None or entry.kind != "scalar" or not any(c in entry.lines[0] for c in "#"))
    value = f"{day.isoformat()} {text}"
    data = note.render()
    editor = NoteEditor("People/P.md", data)
    editor.append(key, value)
    after = editor.result()
    check_diff(data, after, expected_append(note, key, value))
    fields, problem = load_fields("x", split_note(after).yaml_text, 2)
    old = note.fields().get(key)
    want = (old if isinstance(old, list) else [] if old is None else [old]) + [value]
    assert problem is None and fields == {**note.fields(), key: want}


@SETTINGS
@given(notes(), EDIT_DAY, WORDS)
def test_logging_a_contact_adds_exactly_one_line_in_date_order(note, day, text):
    data = note.render()
    editor = NoteEditor("People/P.md", data)
    editor.add_log(day, text)
    after = editor.result()
    check_diff(data, after, expected_log(note, day, text))
    person, problems = parse_note("People/P.md", after)
    assert person is not None
    assert (day, " ".join(text.split())) in [(e.date, e.text) for e in person.log]


# --- fuzz: arbitrary input never crashes the parser or the editor ---------------------------------

TOKENS = st.sampled_from([
    "---", "...", "\n", "\r\n", " ", "  ", "\t", "-", "- ", ":", ": ", "#", "[", "]", "{", "}", ",", "'", '"', "|", ">",
    "&a", "*a", "!!str", "? ", "name", "last_contact", "follow_up", "helped", "tags", "2026-01-02", "2026-13-01",
    "## Log", "# x", "```", "x", "é", "\ufeff", "\x00", "\x1b", "<<<<<<< HEAD", "=======", "\\", "%YAML 1.1",
])
FUZZ = st.lists(TOKENS, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(FUZZ, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))), st.booleans())
def test_any_text_parses_or_gives_problems_and_edits_are_verified_or_refused(text, crlf):
    from vaultnet.model.errors import NoteError

    data = (text.replace("\n", "\r\n") if crlf else text).encode("utf-8", "surrogatepass")
    person, problems = parse_note("People/F.md", data)
    assert person is not None or any(p.fatal for p in problems)
    for edit in (
        lambda e: e.set("last_contact", date(2026, 11, 23)),
        lambda e: e.append("helped", "2026-11-23 x"),
        lambda e: e.add_log(date(2026, 11, 23), "call"),
        lambda e: e.remove("follow_up"),
    ):
        try:
            editor = NoteEditor("People/F.md", data)
            edit(editor)
            after = editor.result()
        except NoteError:
            continue
        # The editor writes only to notes the loader can read...
        assert person is not None, (data, problems)
        # Whatever was written still reads, and says what was meant.
        again, found = parse_note("People/F.md", after)
        assert again is not None, (data, after, found)


def remove_note(note: Note, key: str) -> Note:
    """What ``remove(key)`` must produce: the key's line gone, every other line as it was."""
    index = next(i for i, e in enumerate(note.entries) if e.key == key)
    extras = {(i - 1 if i > index else i): text for i, text in note.extras.items()}
    if index in note.extras and index + 1 in note.extras:
        raise AssertionError("the generator puts at most one extra line before an entry")  # pragma: no cover
    return replace(note, entries=[e for e in note.entries if e.key != key], extras=extras)


def combine(front: bytes, body: bytes) -> bytes:
    """The front matter of one rendering and the body of another (edits of the two are independent)."""
    head, tail = split_note(front), split_note(body)
    fm = "".join(head.lines[: head.body_start])
    rest = "".join(tail.lines[tail.body_start:])
    if rest and not fm.endswith("\n"):
        fm += "\r\n" if head.newline == "\r\n" else "\n"
    return (b"\xef\xbb\xbf" if head.bom else b"") + (fm + rest).encode("utf-8")


@SETTINGS
@given(notes(), st.one_of(st.none(), DAYS), st.one_of(st.none(), DAYS), st.integers(0, 9), st.integers(0, 9),
       EDIT_DAY, WORDS.filter(bool))
def test_the_log_command_edit_is_exactly_a_log_line_last_contact_and_a_cleared_follow_up(
        note, last, follow, at_last, at_follow, day, text):
    """`vaultnet log`: one log line, last_contact moved forward (never back), follow_up removed when reached."""
    from vaultnet.edit.actions import contact_edit

    entries = [e for e in note.entries or [] if e.key not in ("last_contact", "follow_up")]
    if note.entries is not None or last or follow:
        if last:
            entries.insert(at_last % (len(entries) + 1), Entry("last_contact", "scalar", last, [f"last_contact: {last}"]))
        if follow:
            entries.insert(at_follow % (len(entries) + 1), Entry("follow_up", "scalar", follow, [f"follow_up: {follow}  # snoozed"]))
        note = replace(note, entries=entries, extras={})
        if not note.lines()[-1:] or note.lines()[-1] == "":
            note.final_newline = True
    data = note.render()
    editor = NoteEditor("People/P.md", data)
    contact_edit(day, text, [])(editor)
    after = editor.result()

    front = note
    if last is None or day > last:
        front = set_note(front, "last_contact", day)
    if follow is not None and day >= follow:
        front = remove_note(front, "follow_up")
    check_diff(data, after, combine(front.render(), expected_log(note, day, text)))


DATE_LIKE = st.from_regex(r"\A\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?\Z")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(st.characters(exclude_categories=["Cs"]), max_size=12), DATE_LIKE), st.booleans())
def test_every_value_the_editor_writes_reads_back_as_itself(text, flow):
    """yamltext.render: plain when safe, quoted otherwise; never a different value, never two lines."""
    source = render(text, flow=flow)
    fields, problem = load_fields("x", f"k: [{source}]\n" if flow else f"k: {source}\n", 2)
    assert problem is None and fields == {"k": [text] if flow else text}
    assert "\n" not in source and "\r" not in source


@SETTINGS
@given(note=notes(), data=st.data())
def test_removing_or_replacing_a_list_item_changes_only_that_lists_lines(note, data):
    lists = [e for e in note.entries or [] if e.kind in ("block", "flow") and e.value]
    assume(lists)
    entry = data.draw(st.sampled_from(lists))
    index = data.draw(st.integers(0, len(entry.value) - 1))
    replace_with = data.draw(st.one_of(st.none(), TEXT.map(lambda t: " ".join(t.split())).filter(bool)))
    before = note.render()
    editor = NoteEditor("People/P.md", before)
    items = list(entry.value)
    if replace_with is None:
        editor.remove_item(entry.key, index)
        del items[index]
    else:
        editor.replace_item(entry.key, index, replace_with)
        items[index] = replace_with
    after = editor.result()  # re-parsed and compared with the fields meant, by the editor itself
    parsed = split_note(after)
    fields, problem = load_fields("People/P.md", parsed.yaml_text, 2)
    assert problem is None
    want = note.fields()
    want[entry.key] = items if items or entry.kind == "flow" else None
    assert fields == want
    # every other line is as it was, in order: only the list's own lines differ
    others = [line for line in note.lines() if line not in entry.lines]
    kept = after.decode("utf-8-sig").splitlines()
    rest = iter(kept)
    assert all(any(line == k for k in rest) for line in others), (before, after)
    if entry.kind == "block":
        removed = [line for line in entry.lines if line not in kept]
        assert len(removed) <= 1  # one item's line went (or was rewritten)
