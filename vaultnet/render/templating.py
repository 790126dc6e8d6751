"""Jinja2 templates: the defaults shipped with vaultnet, overridable per vault.

A vault overrides a template by putting a file of the same name in its
``templates_dir``. Templates from a vault are someone else's code (a shared team
vault, a downloaded example), so every template is rendered in Jinja2's sandbox.
Jinja2 is imported here only, when a command renders something, to keep start-up fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model.config import Config
from ..model.yamltext import render as yaml_value

if TYPE_CHECKING:  # pragma: no cover
    from jinja2.sandbox import SandboxedEnvironment

_PACKAGE = Path(__file__).resolve().parent.parent  # the vaultnet package


def default_templates_dir() -> Path:
    """``vaultnet/templates`` in an installed wheel; the checkout's ``templates/`` otherwise."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("vaultnet's default templates are missing from the installation")


def environment(config: Config, **filters: Any) -> "SandboxedEnvironment":
    """A sandboxed environment that looks in the vault's templates folder, then the defaults."""
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    loaders = []
    if config.templates_path.is_dir():
        loaders.append(FileSystemLoader(str(config.templates_path)))
    loaders.append(FileSystemLoader(str(default_templates_dir())))
    env = SandboxedEnvironment(
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


def render_template(config: Config, template: str, **context: Any) -> str:
    """Render one template; errors name the template and the line."""
    from jinja2 import TemplateError, TemplateSyntaxError
    from jinja2.exceptions import SecurityError

    from ..model.errors import VaultnetError

    env = environment(config)
    try:
        return env.get_template(template).render(**context)
    except TemplateSyntaxError as exc:
        raise VaultnetError(f"template {exc.filename or template}: line {exc.lineno}: {exc.message}") from None
    except (SecurityError, OverflowError) as exc:  # the sandbox raises OverflowError for huge ranges
        raise VaultnetError(f"template {template}: refused by the sandbox: {exc}") from None
    except TemplateError as exc:
        raise VaultnetError(f"template {template}: {exc}") from None
