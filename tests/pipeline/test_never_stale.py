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
import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from vaultnet.cli import main
from vaultnet.pipeline import output_paths
from vaultnet.model.config import load_config

NAMES = ["Ada Byrne", "Bo Chen", "Cleo Diaz", "Dev Patel", "Eve Okoro", "Finn Lund"]
DAYS = ["2026-06-30", "2026-10-01", "2026-11-01", "2026-11-20", "2026-11-23", "2026-11-26", "2026-12-20", "2027-01-10"]
TODAYS = ["2026-11-23", "2026-11-24", "2026-11-30", "2027-01-05"]
# Words that recur, so that needs meet offers and the plan gives introductions as reasons.
TOPICS = ["seed investors", "a fractional CFO", "battery chemistry", "grid storage pilots", "hiring engineers"]
TEMPLATES = ["People.md", "Follow-ups.md", "Giving.md", "Needs and offers.md", "Introductions.md", "Network.md"]

maybe_day = st.none() | st.sampled_from(DAYS)


@st.composite
def notes(draw) -> str:
    """A person note's text, from a spread of the fields every output reads."""
    lines = ["---"]

    def put(key: str, value) -> None:
        if value is not None:
            lines.append(f"{key}: {value}")

    def put_list(key: str, items: list[str]) -> None:
        if items:
            lines.append(f"{key}:")
            lines.extend(f"  - {item!r}".replace("'", '"') for item in items)

    put("name", draw(st.none() | st.sampled_from(["Ada", "Bo C.", "Zed | pipe"])))
    put("org", draw(st.none() | st.sampled_from(["Acme", '"[[Tidewater]]"', "Grid Co"])))
    put("role", draw(st.none() | st.sampled_from(["CEO", "engineer"])))
    put("circle", draw(st.none() | st.sampled_from(["inner", "close", "network", "mentors"])))
    put("cadence", draw(st.none() | st.sampled_from(["7d", "2w", "none", "1m"])))
    put("last_contact", draw(maybe_day))
    put("follow_up", draw(maybe_day))
    put("met", draw(maybe_day))
    put("archived", draw(st.none() | st.sampled_from(["2026-11-01", "true"])))
    put("birthday", draw(st.none() | st.sampled_from(["--11-25", "1990-12-01", "--02-29"])))
    put("introduced_by", draw(st.none() | st.sampled_from([f'"[[{n}]]"' for n in NAMES] + ["Someone Else"])))
    put_list("tags", draw(st.lists(st.sampled_from(["founder", "climate", "Climate", "friend"]), max_size=2)))
    put_list("needs", draw(st.lists(st.sampled_from(TOPICS + ["2026-01-02 " + TOPICS[0]]), max_size=2, unique=True)))
    put_list("offers", draw(st.lists(st.sampled_from(TOPICS), max_size=2, unique=True)))
    ledger = st.tuples(maybe_day, st.sampled_from(["reviewed a deck", f"introduced to [[{NAMES[1]}]]: pilots", "lunch"]))
    put_list("helped", [f"{d} {t}" if d else t for d, t in draw(st.lists(ledger, max_size=2))])
    put_list("received", [f"{d} {t}" if d else t for d, t in draw(st.lists(ledger, max_size=1))])
    lines += ["---", "# Note", "", "## Log"]
    for day, what in draw(st.lists(st.tuples(st.sampled_from(DAYS), st.sampled_from(["call", "coffee: plans"])), max_size=3)):
        lines.append(f"- {day} {what}")
    return "\n".join(lines) + "\n"


def configs():
    return st.fixed_dictionaries({
        "follow_ups_per_day": st.sampled_from(["0", "1", "2", "5"]),
        "link_style": st.sampled_from(['"wikilink"', '"markdown"']),
        "default_cadence": st.sampled_from(['"90d"', '"30d"']),
        "birthdays": st.sampled_from(["true", "false"]),
        "calendar_horizon": st.sampled_from(['"90d"', '"14d"']),
    })


def templates():
    """A vault's own version of an index note's template: the default changed a little
    (a line added at the top or the end), or a plain one of its own."""
    return st.tuples(
        st.sampled_from(TEMPLATES),
        st.sampled_from(["head", "tail", "own"]),
    )


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


class Vault(RuleBasedStateMachine):
    """A vault changed step by step; after each step the incremental build is checked."""

    @initialize(first=st.lists(notes(), min_size=2, max_size=4))
    def start(self, first):
        self.tmp = Path(tempfile.mkdtemp(prefix="never-stale-"))
        self.root = self.tmp / "vault"
        (self.root / "People").mkdir(parents=True)
        self.today = TODAYS[0]
        for name, text in zip(NAMES, first):
            (self.root / "People" / f"{name}.md").write_text(text, encoding="utf-8")
        self.result = build(self.root, self.today)

    def teardown(self):
        shutil.rmtree(getattr(self, "tmp", "/nonexistent"), ignore_errors=True)

    def _people(self) -> list[Path]:
        return sorted((self.root / "People").glob("*.md"))

    @rule(name=st.sampled_from(NAMES), text=notes())
    def write_note(self, name, text):
        (self.root / "People" / f"{name}.md").write_text(text, encoding="utf-8")
        self.result = build(self.root, self.today)

    @rule(which=st.integers(0, 10), line=st.sampled_from(["- 2026-11-22 call: catching up", "- [x] 2026-11-23 sent the deck"]))
    def append_log_line(self, which, line):
        people = self._people()
        if people:
            path = people[which % len(people)]
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        self.result = build(self.root, self.today)

    @rule(which=st.integers(0, 10), to=st.sampled_from(NAMES))
    def rename(self, which, to):
        people = self._people()
        target = self.root / "People" / f"{to}.md"
        if people and not target.exists():
            people[which % len(people)].rename(target)
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
        }[how]
        (folder / name).write_text(text, encoding="utf-8")
        self.result = build(self.root, self.today)

    @rule(name=st.sampled_from(TEMPLATES))
    def drop_template(self, name):
        (self.root / ".vaultnet" / "templates" / name).unlink(missing_ok=True)
        self.result = build(self.root, self.today)

    @rule(values=configs())
    def change_config(self, values):
        text = "".join(f"{key} = {value}\n" for key, value in values.items())
        (self.root / "vaultnet.toml").write_text(text + '[circles]\nmentors = "2m"\n', encoding="utf-8")
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
