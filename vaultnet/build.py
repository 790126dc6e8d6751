"""``vaultnet build``: load the vault, derive the views, render every output, write what changed.

The pipeline renders *every* output into memory first and writes only after all
of them rendered, so a broken template leaves the previous outputs as they were
rather than half of them new. Each file is written with ``atomic.replace_file``,
which leaves a file whose bytes would not change untouched (its modification
time stays): a rebuild with nothing changed writes nothing, and one edited note
rewrites only the outputs whose content changed.

Problems in notes (a field that cannot be read, a note that cannot be parsed)
are reported and the rest is built. With ``strict=True`` any problem fails the
build *before anything is written*: a strict build (a CI job, a git hook) either
writes outputs from a clean vault or leaves the old outputs alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from .atomic import replace_file
from .config import Config
from .errors import Problem, VaultnetError
from .loader import Vault, load_vault


@dataclass(frozen=True)
class Output:
    """One generated file: its vault-relative path (with ``/``), its bytes and media type."""

    rel: str
    data: bytes
    media_type: str


@dataclass
class BuildReport:
    """What a build did. ``failed`` is set when ``--strict`` refused to build."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    people: int = 0
    failed: bool = False

    @property
    def skipped(self) -> list[str]:
        """Notes left out entirely (they could not be read)."""
        return sorted({p.path for p in self.problems if p.fatal})

    def as_dict(self) -> dict:
        return {
            "written": self.written,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "problems": [
                {"path": p.path, "line": p.line, "field": p.field, "message": p.message, "fatal": p.fatal}
                for p in self.problems
            ],
            "people": self.people,
            "failed": self.failed,
        }


def check_layout(config: Config) -> None:
    """Refuse a config whose generated notes would land among the person notes (and be
    read back as people on the next build)."""
    people = PurePosixPath(config.people_dir)
    index = PurePosixPath(config.index_dir)
    if index == people or people in index.parents or str(people) == ".":
        raise VaultnetError(
            f"vaultnet.toml: index_dir '{config.index_dir}' is inside people_dir '{config.people_dir}'; "
            "generated notes would be read as people. Choose another index_dir (default: Index)"
        )


def output_paths(config: Config) -> list[str]:
    """Every output's vault-relative path, in build order: index notes, then the calendar."""
    from .indexnotes import REGISTRY

    index = config.index_dir.rstrip("/")
    return [f"{index}/{note.file}" for note in REGISTRY] + [config.calendar]


def render_outputs(vault: Vault, today: date) -> list[Output]:
    """Every output's bytes, rendered in memory (nothing is written here)."""
    from .calendar import build_calendar
    from .indexnotes import REGISTRY, IndexViews, filters
    from .templating import environment

    config = vault.config
    check_layout(config)
    views = IndexViews(config, vault.people, today)
    env = environment(config, **filters())
    index = config.index_dir.rstrip("/")
    outputs = []
    for note in REGISTRY:
        text = _render(env, note.template, note.context(views))
        outputs.append(Output(f"{index}/{note.file}", text.encode("utf-8"), "text/markdown; charset=utf-8"))
    dues = [views.dues[p.path] for p in vault.people]
    outputs.append(Output(config.calendar, build_calendar(vault.people, config, today, dues), "text/calendar; charset=utf-8"))
    return outputs


def _render(env, template: str, context: dict) -> str:
    """One template render; a template error names the template and the line."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
    from jinja2.sandbox import SecurityError

    try:
        text = env.get_template(template).render(**context)
    except TemplateSyntaxError as exc:
        raise VaultnetError(f"template {exc.filename or template}: line {exc.lineno}: {exc.message}") from None
    except TemplateNotFound:
        raise VaultnetError(f"template {template} not found in the vault's templates folder or vaultnet's defaults") from None
    except SecurityError as exc:
        raise VaultnetError(f"template {template}: refused by the sandbox: {exc}") from None
    except TemplateError as exc:
        raise VaultnetError(f"template {template}: {exc}") from None
    # One trailing newline, LF line ends, whatever the template did.
    return text.replace("\r\n", "\n").rstrip("\n") + "\n"


def write_outputs(root: Path, outputs: list[Output], report: BuildReport) -> None:
    for output in outputs:
        if replace_file(root / output.rel, output.data):
            report.written.append(output.rel)
        else:
            report.unchanged.append(output.rel)


def build(config: Config, today: date, strict: bool = False, vault: Vault | None = None) -> BuildReport:
    """Build every output of the vault; see the module docstring for the rules."""
    check_layout(config)
    if vault is None:
        vault = load_vault(config)
    report = BuildReport(problems=list(vault.problems), people=len(vault.people))
    if strict and vault.problems:
        report.failed = True
        return report
    outputs = render_outputs(vault, today)
    write_outputs(config.root, outputs, report)
    return report
