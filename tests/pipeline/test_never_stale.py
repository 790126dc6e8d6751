"""Never stale: whatever happens to a vault between builds (notes written, renamed and
deleted, templates and the config changed, a new day), a build that reuses what the
store kept from earlier builds writes exactly the bytes a build without any store
writes.

Hypothesis drives random sequences of those changes on a small real vault and builds
after each (through the CLI), then builds a copy of the vault's notes, config and
templates with the store turned off, and compares every output byte for byte.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from vaultnet.cli import main
from vaultnet.load import store
from vaultnet.pipeline import output_paths
from vaultnet.model.config import load_config

# The rows of each person are kept under the stat key of their note only once it is out of
# the racy window; a short window lets these quick sequences reuse rows (each step is a
# whole build, far longer than the window, so no two writes share a file-time tick).
SHORT_RACY_SECONDS = 0.05

NAMES = ["Ada Byrne", "Bo Chen", "Cleo Diaz", "Dev Patel", "Eve Okoro", "Finn Lund"]
DAYS = ["2026-06-30", "2026-10-01", "2026-11-01", "2026-11-20", "2026-11-23", "2026-11-26", "2026-12-20", "2027-01-10"]
TODAYS = ["2026-11-23", "2026-11-24", "2026-11-30", "2027-01-05"]
# Words that recur, so that needs meet offers and the plan gives introductions as reasons.
TOPICS = ["seed investors", "a fractional CFO", "battery chemistry", "grid storage pilots", "hiring engineers"]
TEMPLATES = ["People.md", "Follow-ups.md", "Giving.md", "Needs and offers.md", "Introductions.md", "Network.md"]

maybe_day = st.none() | st.sampled_from(DAYS)


def _quoted(items: list[str]) -> list[str]:
    return ['"' + item.replace('"', "'") + '"' for item in items]


ledger = st.tuples(maybe_day, st.sampled_from(["reviewed a deck", f"introduced to [[{NAMES[1]}]]: pilots", "lunch"]))
# Each field a note may carry, and the values it takes (None: the field is absent).
FIELDS = {
    "name": st.none() | st.sampled_from(["Ada", "Bo C.", "Zed | pipe"]),
    "aliases": st.lists(st.sampled_from(["Bo", "Ace", "Zed"]), max_size=2, unique=True),
    "org": st.none() | st.sampled_from(["Acme", '"[[Tidewater]]"', "Grid Co"]),
    "role": st.none() | st.sampled_from(["CEO", "engineer"]),
    "email": st.none() | st.sampled_from(["a@example.org", "b@example.org"]),
    "circle": st.none() | st.sampled_from(["inner", "close", "network", "mentors"]),
    "cadence": st.none() | st.sampled_from(["7d", "2w", "none", "1m"]),
    "last_contact": maybe_day,
    "follow_up": maybe_day,
    "met": maybe_day,
    "met_at": st.none() | st.sampled_from(["a conference", "Berlin"]),
    "archived": st.none() | st.sampled_from(["2026-11-01", "true"]),
    "birthday": st.none() | st.sampled_from(["--11-25", "1990-12-01", "--02-29"]),
    "introduced_by": st.none() | st.sampled_from([f'"[[{n}]]"' for n in NAMES] + ["Someone Else"]),
    "tags": st.lists(st.sampled_from(["founder", "climate", "Climate", "friend"]), max_size=2),
    "needs": st.lists(st.sampled_from(TOPICS + ["2026-01-02 " + TOPICS[0]]), max_size=2, unique=True),
    "offers": st.lists(st.sampled_from(TOPICS), max_size=2, unique=True),
    "helped": st.lists(ledger.map(lambda e: f"{e[0]} {e[1]}" if e[0] else e[1]), max_size=2),
    "received": st.lists(ledger.map(lambda e: f"{e[0]} {e[1]}" if e[0] else e[1]), max_size=1),
    "log": st.lists(st.tuples(st.sampled_from(DAYS), st.sampled_from(["call", "coffee: plans", "job change: CTO at Acme"])), max_size=3),
}
notes = st.fixed_dictionaries(FIELDS)


def note_text(fields: dict) -> str:
    """A person note's text from its fields."""
    lines = ["---"]
    for key, value in fields.items():
        if key == "log" or value is None or value == []:
            continue
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines.extend(f"  - {item}" for item in _quoted(value))
        else:
            lines.append(f"{key}: {value}")
    lines += ["---", "# Note", "", "## Log"]
    lines += [f"- {day} {what}" for day, what in fields["log"]]
    return "\n".join(lines) + "\n"


def configs():
    return st.fixed_dictionaries({
        "follow_ups_per_day": st.sampled_from(["0", "1", "2", "5"]),
        "link_style": st.sampled_from(['"wikilink"', '"markdown"']),
        "default_cadence": st.sampled_from(['"90d"', '"30d"']),
        "birthdays": st.sampled_from(["true", "false"]),
        "calendar_horizon": st.sampled_from(['"90d"', '"14d"']),
        "first_follow_up": st.sampled_from(['"3d"', '"none"', '"2w"']),
        "mentions": st.sampled_from(["true", "false"]),
    })


def templates():
    """A vault's own version of an index note's template: the default changed a little
    (a line added at the top or the end), a plain one of its own, the default with its
    rows rendered by a loop of its own instead of the ``rows`` filter, the default with
    a row macro that reads more than its row (the count of people), or one of its own
    with a row macro."""
    return st.tuples(
        st.sampled_from(TEMPLATES),
        st.sampled_from(["head", "tail", "own", "loop", "impure", "macro"]),
    )


ROWS_CALL = re.compile(r"\{% for row in (\w+) \| rows\((\w+)\) %\}\{\{ row \}\}")
MACRO_START = re.compile(r"(\{% macro \w+\(\w+\) %\}\n)")


def outputs(root: Path) -> dict[str, bytes | None]:
    found = {}
    for rel in output_paths(load_config(root)):
        path = root / rel
        found[rel] = path.read_bytes() if path.exists() else None
    return found


def build(root: Path, today: str, *extra: str, env: dict | None = None):
    return CliRunner().invoke(
        main, ["--vault", str(root), "--today", today, "build", *extra], env=env, catch_exceptions=False
    )


READS = [("plan", "--json", "--days", "30"), ("due", "--json", "--within", "60d"), ("due", "--tag", "climate")]


def read(root: Path, today: str, *args: str, env: dict | None = None):
    return CliRunner().invoke(main, ["--vault", str(root), "--today", today, *args], env=env, catch_exceptions=False)


class Vault(RuleBasedStateMachine):
    """A vault changed step by step; after each step the incremental build is checked."""

    @initialize(first=st.lists(notes, min_size=2, max_size=4))
    def start(self, first):
        self.racy_seconds = store.RACY_SECONDS
        store.RACY_SECONDS = SHORT_RACY_SECONDS
        self.tmp = Path(tempfile.mkdtemp(prefix="never-stale-"))
        self.root = self.tmp / "vault"
        (self.root / "People").mkdir(parents=True)
        self.today = TODAYS[0]
        self.fields = dict(zip(NAMES, first))
        for name, fields in self.fields.items():
            (self.root / "People" / f"{name}.md").write_text(note_text(fields), encoding="utf-8")
        self.result = build(self.root, self.today)

    def teardown(self):
        store.RACY_SECONDS = getattr(self, "racy_seconds", store.RACY_SECONDS)
        shutil.rmtree(getattr(self, "tmp", "/nonexistent"), ignore_errors=True)

    def _people(self) -> list[Path]:
        return sorted((self.root / "People").glob("*.md"))

    @rule(name=st.sampled_from(NAMES), fields=notes)
    def write_note(self, name, fields):
        self.fields[name] = fields
        (self.root / "People" / f"{name}.md").write_text(note_text(fields), encoding="utf-8")
        self.result = build(self.root, self.today)

    @rule(which=st.integers(0, 10), change=st.sampled_from(sorted(FIELDS)).flatmap(lambda k: st.tuples(st.just(k), FIELDS[k])))
    def change_one_field(self, which, change):
        """One field of one note changed, the rest as it was: each output must notice."""
        people = self._people()
        if people:
            path = people[which % len(people)]
            fields = self.fields.get(path.stem) or {**dict.fromkeys(FIELDS), "log": []}
            fields = {**fields, change[0]: change[1]}
            self.fields[path.stem] = fields
            path.write_text(note_text(fields), encoding="utf-8")
        self.result = build(self.root, self.today)

    @rule(which=st.integers(0, 10), line=st.sampled_from(["- 2026-11-22 call: catching up", "- [x] 2026-11-23 sent the deck"]))
    def append_log_line(self, which, line):
        people = self._people()
        if people:
            path = people[which % len(people)]
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        self.result = build(self.root, self.today)

    @rule(
        day=st.sampled_from(["2026-11-20", "2026-11-23", "2026-11-29", "2026-12-31"]),
        name=st.sampled_from(NAMES),
        form=st.sampled_from(["Coffee with [[{}]]", "- [ ] call [[{}]]", "> [[{}]] said", "[x](../People/{}.md)"]),
    )
    def write_daily_note(self, day, name, form):
        """A daily note mentioning someone (or, in a task or a quote, not): the last contact
        it gives, and every output showing it, must follow; a future day counts once it comes."""
        daily = self.root / "Daily"
        daily.mkdir(exist_ok=True)
        text = form.format(name.replace(" ", "%20") if form.startswith("[x]") else name)
        (daily / f"{day}.md").write_text(text + "\n", encoding="utf-8")
        self.result = build(self.root, self.today)

    @rule(which=st.integers(0, 10), to=st.sampled_from(NAMES))
    def rename(self, which, to):
        people = self._people()
        target = self.root / "People" / f"{to}.md"
        if people and not target.exists():
            source = people[which % len(people)]
            source.rename(target)
            if source.stem in self.fields:
                self.fields[to] = self.fields.pop(source.stem)
        self.result = build(self.root, self.today)

    @rule(which=st.integers(0, 10))
    def link_note(self, which):
        """A note moved out of the people folder and linked from there: its stat key is
        now that of the file the link leads to."""
        people = [p for p in self._people() if not p.is_symlink()]
        if people:
            source = people[which % len(people)]
            shared = self.root / "Shared"
            shared.mkdir(exist_ok=True)
            target = shared / source.name
            if not target.exists():
                source.rename(target)
                source.symlink_to(Path("..") / "Shared" / source.name)
        self.result = build(self.root, self.today)

    @rule(which=st.integers(0, 10))
    def rename_case(self, which):
        """A note renamed in letter case only (``Bo Chen.md`` -> ``bo chen.md``): a new path,
        but the same stat key when the note is a link (those are renamed first), and the
        same calendar UIDs."""
        people = [p for p in self._people() if p.is_symlink()] or self._people()
        if people:
            source = people[which % len(people)]
            target = source.with_name(source.name.swapcase())
            if not target.exists() and not target.is_symlink():
                source.rename(target)
                if source.stem in self.fields:
                    self.fields[target.stem] = self.fields.pop(source.stem)
        self.result = build(self.root, self.today)

    @rule(which=st.integers(0, 10))
    def delete(self, which):
        people = self._people()
        if len(people) > 1:
            people[which % len(people)].unlink()
        self.result = build(self.root, self.today)

    @rule(change=templates())
    def change_template(self, change):
        name, how = change
        from vaultnet.render.templating import default_templates_dir

        folder = self.root / ".vaultnet" / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        default = (default_templates_dir() / name).read_text(encoding="utf-8")
        text = {
            "head": "{{ notice }}\n\nA line of my own.\n" + default,
            "tail": default + "\nEnd of my note ({{ people_count }}).\n",
            "own": "{{ notice }}\n\n{% for p in people | default([]) %}- {{ p.link }}\n{% endfor %}Today: {{ today }}\n",
            "loop": ROWS_CALL.sub(r"{% for p in \1 %}{{ \2(p) }}", default),
            "impure": MACRO_START.sub(r"\1({{ people_count }}) ", default, count=1),
            "macro": "{% macro mine(p) %}\n* {{ p.link }} ({{ p.name | length }}, {{ today }})\n{% endmacro %}{{ notice }}\n\n"
            "{% for row in (people | default([])) | rows(mine) %}{{ row }}{% endfor %}",
        }[how]
        (folder / name).write_text(text, encoding="utf-8")
        self.result = build(self.root, self.today)

    @rule(name=st.sampled_from(TEMPLATES))
    def drop_template(self, name):
        (self.root / ".vaultnet" / "templates" / name).unlink(missing_ok=True)
        self.result = build(self.root, self.today)

    @rule(values=configs(), mentors=st.sampled_from(['"2m"', '"1w"', '"none"']), close=st.sampled_from([None, '"7d"']))
    def change_config(self, values, mentors, close):
        """The config changed, a circle's cadence too."""
        text = "".join(f"{key} = {value}\n" for key, value in values.items())
        circles = f"[circles]\nmentors = {mentors}\n" + (f"close = {close}\n" if close else "")
        (self.root / "vaultnet.toml").write_text(text + circles, encoding="utf-8")
        self.result = build(self.root, self.today)

    @rule(today=st.sampled_from(TODAYS))
    def new_day(self, today):
        self.today = today
        self.result = build(self.root, self.today)

    @rule()
    def settle(self):
        """Every file out of the racy window, so the store trusts stat keys again."""
        for path in self.root.rglob("*"):
            if path.is_file() and ".vaultnet/cache" not in path.as_posix():
                st_ = path.stat()
                os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns - 3_600_000_000_000))
        self.result = build(self.root, self.today)

    @invariant()
    def outputs_equal_a_build_without_the_store(self):
        if not hasattr(self, "root"):
            return
        assert self.result.exit_code == 0, self.result.output
        copy = self.tmp / "copy"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(
            self.root, copy, ignore=shutil.ignore_patterns("cache", "Index", "followups.ics"), symlinks=True
        )
        full = build(copy, self.today, env={"VAULTNET_NO_CACHE": "1"})
        assert full.exit_code == 0, full.output
        mine, theirs = outputs(self.root), outputs(copy)
        for rel in theirs:
            assert mine[rel] == theirs[rel], f"{rel} differs from a build without the store"
        self.warm_reads_equal_a_load_without_the_store(copy)

    def warm_reads_equal_a_load_without_the_store(self, copy: Path):
        """``due`` and ``list`` from the store's roster (its digests of the walks, the latest
        mentions it kept), and ``plan`` and ``due --json``/``--tag`` from its lists
        (``wideroster``), say what a load without the store says. The racy window is shut
        for them, so that the store serves every run whose notes it holds."""
        from vaultnet.load import store

        racy, store.RACY_SECONDS = store.RACY_SECONDS, 0.0
        try:
            dues = [("due", "--within", "60d"), ("due", "--within", "60d"), ("due",), ("due", "--circle", "mentors", "--limit", "1")]
            for args in (*dues, ("list",), *READS):
                mine = read(self.root, self.today, *args)
                theirs = read(copy, self.today, *args, env={"VAULTNET_NO_CACHE": "1"})
                assert (mine.exit_code, mine.stdout, mine.stderr) == (theirs.exit_code, theirs.stdout, theirs.stderr), args
        finally:
            store.RACY_SECONDS = racy


# Bounded to a few seconds in the normal run. No shrinking: each step is a real build, and a
# failing sequence (printed step by step) is short enough to read as found.
Vault.TestCase.settings = settings(
    max_examples=10,
    stateful_step_count=6,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
TestNeverStale = Vault.TestCase


# Two values of each field, different from each other (and the second from absent), so that
# changing that one field alone is seen by every output that shows it.
ONE_FIELD = {
    "name": ("Ada", "Zed | pipe"),
    "aliases": (["Bo"], ["Ace", "Zed"]),
    "org": ("Acme", '"[[Tidewater]]"'),
    "role": ("CEO", "engineer"),
    "email": ("a@example.org", "b@example.org"),
    "circle": ("inner", "mentors"),
    "cadence": ("7d", "none"),
    "last_contact": ("2026-10-01", "2026-11-20"),
    "follow_up": ("2026-11-26", "2026-12-20"),
    "met": ("2026-06-30", "2026-11-20"),
    "met_at": ("a conference", "Berlin"),
    "archived": ("2026-11-01", None),
    "birthday": ("--11-25", "1990-12-01"),
    "introduced_by": (f'"[[{NAMES[0]}]]"', "Someone Else"),
    "tags": (["founder"], ["friend", "climate"]),
    "needs": ([TOPICS[0]], [TOPICS[2], TOPICS[1]]),
    "offers": ([TOPICS[1]], [TOPICS[0]]),
    "helped": (["2026-10-01 reviewed a deck"], [f"2026-11-01 introduced to [[{NAMES[2]}]]: pilots"]),
    "received": (["2026-10-01 lunch"], ["lunch"]),
    "log": ([("2026-10-01", "call")], [("2026-11-20", "coffee: plans")]),
}


def test_each_field_changed_alone_reaches_every_output(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "RACY_SECONDS", SHORT_RACY_SECONDS)
    assert set(ONE_FIELD) == set(FIELDS)
    root = tmp_path / "vault"
    (root / "People").mkdir(parents=True)
    base = {key: first for key, (first, _second) in ONE_FIELD.items()}
    base["archived"] = None
    for name in NAMES[:4]:
        (root / "People" / f"{name}.md").write_text(note_text(base), encoding="utf-8")
    assert build(root, TODAYS[0]).exit_code == 0
    for key, (_first, second) in ONE_FIELD.items():
        fields = {**base, key: second if key != "archived" else "2026-11-01"}
        (root / "People" / f"{NAMES[1]}.md").write_text(note_text(fields), encoding="utf-8")
        assert build(root, TODAYS[0]).exit_code == 0
        copy = tmp_path / "copy"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("cache", "Index", "followups.ics"))
        assert build(copy, TODAYS[0], env={"VAULTNET_NO_CACHE": "1"}).exit_code == 0
        mine, theirs = outputs(root), outputs(copy)
        for rel in theirs:
            assert mine[rel] == theirs[rel], f"{rel} differs from a build without the store after a change of {key}"
        (root / "People" / f"{NAMES[1]}.md").write_text(note_text(base), encoding="utf-8")
        assert build(root, TODAYS[0]).exit_code == 0
