"""Jinja2 templates: the defaults shipped with vaultnet, overridable per vault.

A vault overrides a template by putting a file of the same name in its
``templates_dir``. Templates from a vault are someone else's code (a shared team
vault, a downloaded example), so every template is rendered in Jinja2's sandbox.
Jinja2 is heavy to import, so the modules that render import this one where they
render, not at their top: a command that renders nothing never loads it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader, ChoiceLoader, StrictUndefined, Template, TemplateError, TemplateNotFound, TemplateSyntaxError,
)
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from ..model.config import Config
from ..model.errors import VaultnetError
from ..model.yamltext import render as yaml_value
from .rows import json_default

_PACKAGE = Path(__file__).resolve().parent.parent  # the vaultnet package


class FolderLoader(BaseLoader):
    """Templates from one folder, read only when the file really lies inside it.

    Jinja's ``FileSystemLoader`` follows links: a template (or an included one, or a
    folder on the way) that is a link to ``~/.ssh/id_rsa`` would be copied into an
    index note, published by ``serve``, or written into a new person note. Here the
    file's real path must be inside the folder's real path, and it must be a regular
    file (a FIFO would make the read wait forever).
    """

    def __init__(self, folder: Path, where: str):
        self.folder = os.path.realpath(folder)
        self.where = where  # how messages name the folder

    def get_source(self, environment, template: str):
        pieces = split_template_path(template)
        filename = os.path.join(self.folder, *pieces)
        real = os.path.realpath(filename)
        if not os.path.lexists(filename):
            raise TemplateNotFound(template)
        if not real.startswith(os.path.join(self.folder, "")):
            raise VaultnetError(
                f"template {template} in {self.where} is a symbolic link leading out of that folder (to {real}); "
                "templates are read only from inside it: replace the link with a copy of the template"
            )
        if not os.path.isfile(real):
            raise TemplateNotFound(template)
        with open(real, encoding="utf-8") as handle:
            source = handle.read()
        mtime = os.path.getmtime(real)
        return source, filename, lambda: _mtime(real) == mtime


def _mtime(path: str) -> float | None:
    try:
        return os.path.getmtime(path)
    except OSError:
        return None


class CheckedTemplate(Template):
    """A template whose render turns any error into a ``VaultnetError`` naming the template
    file and line: a template is someone else's code, and a division by zero, a
    recursive macro or a huge list in it must not end a command with a traceback
    (nor write anything: callers write only what rendered)."""

    @contextmanager
    def _named_errors(self) -> Iterator[None]:
        """Any error raised inside, as a ``VaultnetError`` naming the template's file and line."""
        try:
            yield
        except VaultnetError:
            raise
        except (Exception, RecursionError, MemoryError) as exc:
            if self.name is None:  # not from a file (``from_string``): nothing to name
                raise
            raise runtime_error(self.environment, self.name, exc) from None

    def render(self, *args: Any, **kwargs: Any) -> str:
        with self._named_errors():
            return super().render(*args, **kwargs)

    def render_utf8(self, *args: Any, **kwargs: Any) -> bytes:
        """``render``'s text as UTF-8, encoded as it is made: an index note of a huge vault
        runs to tens of megabytes, and its whole text (four bytes a character when one
        character needs it) would otherwise be held beside its bytes and every piece. Only
        the template's own errors are turned into a ``VaultnetError``, as ``render`` does."""
        from itertools import islice

        pieces = self.generate(*args, **kwargs)
        encoded: list[bytes] = []
        while True:
            with self._named_errors():
                batch = list(islice(pieces, _BATCH_PIECES))
            if not batch:
                return b"".join(encoded)
            encoded.append("".join(batch).encode("utf-8"))


def runtime_error(env: SandboxedEnvironment, name: str, exc: BaseException) -> VaultnetError:
    """The message for an error raised while ``name`` rendered: the innermost template
    frame of the traceback (Jinja rewrites it to the template's file and line) says where."""
    frames = []  # (template name, line), outermost first
    roots = getattr(env, "template_roots", ())
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        root = next((r for r in roots if filename.startswith(os.path.join(r, ""))), None)
        if root is not None:
            frames.append((os.path.relpath(filename, root).replace(os.sep, "/"), tb.tb_lineno))
        tb = tb.tb_next
    if isinstance(exc, TemplateSyntaxError):  # in an included template: the include says where
        frames = [f for f in frames if f[0] != exc.name]
    inner, line = frames[-1] if frames else (name, None)
    where = inner if inner == name else f"{inner} (included from {name})"
    at = f"line {line}: " if line else ""
    if isinstance(exc, TemplateSyntaxError):
        return VaultnetError(f"template {exc.name} (included from {where}{', ' + at[:-2] if at else ''}): line {exc.lineno}: {exc.message}")
    if isinstance(exc, TemplateNotFound):
        return VaultnetError(
            f"template {where}: {at}includes {exc.name}, which is not in the vault's templates folder nor "
            "vaultnet's defaults"
        )
    if isinstance(exc, SecurityError) or (isinstance(exc, OverflowError) and "sandbox" in str(exc)):
        what = f"refused by the sandbox: {exc}"
    elif isinstance(exc, MemoryError):
        what = "ran out of memory (MemoryError); make the template build less"
    elif isinstance(exc, RecursionError):
        what = "recursion too deep (a macro or include that calls itself without end?)"
    elif isinstance(exc, TemplateError):
        what = str(exc)
    else:
        what = f"{exc} ({type(exc).__name__})"
    return VaultnetError(f"template {where}: {at}{what}")


class DataSandbox(SandboxedEnvironment):
    """The sandbox, with ``row.field`` looked up in a plain dict's keys first.

    Jinja tries an attribute first and a key second; the index notes' rows are plain
    dicts, so each ``row.field`` would cost a failed attribute lookup first (most of
    the render time of a large vault). A data dict's keys are as safe as
    ``row['field']``, which the sandbox allows anyway; everything else still goes
    through the sandbox's checks.
    """

    template_class = CheckedTemplate

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
        loaders.append(FolderLoader(config.templates_path, f"templates_dir '{config.templates_dir}'"))
    loaders.append(FolderLoader(default_templates_dir(), "vaultnet's default templates"))
    env = DataSandbox(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.template_roots = [loader.folder for loader in loaders]
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "default": json_default}
    env.filters["yaml"] = yaml_value
    env.filters["yaml_flow"] = lambda value: yaml_value(value, flow=True)
    env.filters.update(filters)
    return env


def render(env: SandboxedEnvironment, template: str, context: dict[str, Any]) -> str:
    """One template render; an error names the template file and line."""
    return _compiled(env, template).render(**context)


def render_utf8(env: SandboxedEnvironment, template: str, context: dict[str, Any]) -> bytes:
    """``render`` encoded as UTF-8, without holding the whole text (``CheckedTemplate.render_utf8``)."""
    return _compiled(env, template).render_utf8(**context)


_BATCH_PIECES = 4096  # pieces of a render joined and encoded at a time


def _compiled(env: SandboxedEnvironment, template: str) -> CheckedTemplate:
    try:
        return env.get_template(template)
    except TemplateSyntaxError as exc:
        raise VaultnetError(f"template {exc.filename or template}: line {exc.lineno}: {exc.message}") from None
    except TemplateNotFound:
        raise VaultnetError(f"template {template} not found in the vault's templates folder or vaultnet's defaults") from None
    except TemplateError as exc:
        raise VaultnetError(f"template {template}: {exc}") from None


def render_template(config: Config, template: str, **context: Any) -> str:
    """Render one template of the vault (or vaultnet's default of that name)."""
    return render(environment(config), template, context)
