"""Jinja2 templates: the defaults shipped with vaultnet, overridable per vault.

A vault overrides a template by putting a file of the same name in its
``templates_dir``. Templates from a vault are someone else's code (a shared team
vault, a downloaded example), so every template is rendered in Jinja2's sandbox.
Jinja2 is heavy to import, so the modules that render import this one where they
render, not at their top: a command that renders nothing never loads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from ..model.config import Config
from ..model.errors import VaultnetError
from ..model.yamltext import render as yaml_value

_PACKAGE = Path(__file__).resolve().parent.parent  # the vaultnet package


class DataSandbox(SandboxedEnvironment):
    """The sandbox, with ``row.field`` looked up in a plain dict's keys first.

    Jinja tries an attribute first and a key second; the index notes' rows are plain
    dicts, so each ``row.field`` would cost a failed attribute lookup first (most of
    the render time of a large vault). A data dict's keys are as safe as
    ``row['field']``, which the sandbox allows anyway; everything else still goes
    through the sandbox's checks.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except (KeyError, TypeError):
                pass
        return super().getattr(obj, attribute)


def default_templates_dir() -> Path:
    """``vaultnet/templates`` in an installed wheel; the checkout's ``templates/`` otherwise."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("vaultnet's default templates are missing from the installation")


def environment(config: Config, **filters: Any) -> DataSandbox:
    """A sandboxed environment that looks in the vault's templates folder, then the defaults."""
    loaders = []
    if config.templates_path.is_dir():
        loaders.append(FileSystemLoader(str(config.templates_path)))
    loaders.append(FileSystemLoader(str(default_templates_dir())))
    env = DataSandbox(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["yaml"] = yaml_value
    env.filters["yaml_flow"] = lambda value: yaml_value(value, flow=True)
    env.filters.update(filters)
    return env


def render(env: SandboxedEnvironment, template: str, context: dict[str, Any]) -> str:
    """One template render; an error names the template (and the line, for a syntax error)."""
    try:
        return env.get_template(template).render(**context)
    except TemplateSyntaxError as exc:
        raise VaultnetError(f"template {exc.filename or template}: line {exc.lineno}: {exc.message}") from None
    except TemplateNotFound:
        raise VaultnetError(f"template {template} not found in the vault's templates folder or vaultnet's defaults") from None
    except (SecurityError, OverflowError) as exc:  # the sandbox raises OverflowError for huge ranges
        raise VaultnetError(f"template {template}: refused by the sandbox: {exc}") from None
    except TemplateError as exc:
        raise VaultnetError(f"template {template}: {exc}") from None


def render_template(config: Config, template: str, **context: Any) -> str:
    """Render one template of the vault (or vaultnet's default of that name)."""
    return render(environment(config), template, context)
