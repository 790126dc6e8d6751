"""The folders are the pipeline: each layer imports only the layers below it, and no module
imports another in a cycle. Read from the source with ``ast``, so a lazy import inside a
function counts as much as one at the top. And the tests use vaultnet only through its
public names, read from their source the same way."""

from __future__ import annotations

import ast
from pathlib import Path

import vaultnet

PACKAGE = Path(vaultnet.__file__).resolve().parent

# Lowest first. A module may import its own layer and any layer before it.
LAYERS = ["model", "load", "derive", "render", "edit", "importers", "pipeline", "serve", "cli"]
ROOT_MODULES = {"vaultnet", "vaultnet.__main__"}  # the version, and ``python -m vaultnet``


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("vaultnet", *path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The vaultnet modules ``name`` imports, anywhere in its source."""
    is_package = path.name == "__init__.py"
    package = name.split(".") if is_package else name.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if not module.startswith("vaultnet"):
                continue
            for alias in node.names:  # ``from . import name`` may name a module
                candidate = f"{module}.{alias.name}"
                out.add(candidate if candidate in known else module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("vaultnet"))
    out.discard(name)
    return {m for m in out if m in known}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def test_every_module_belongs_to_a_layer():
    strays = [m for m in _modules() if _layer(m) is None and m not in ROOT_MODULES]
    assert not strays, f"modules outside the layers {LAYERS}: {strays}"


def test_at_most_ten_modules_sit_directly_in_the_package():
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= 10, top


def test_a_layer_imports_only_the_layers_below_it():
    wrong = []
    for module, imported in _graph().items():
        mine = _layer(module)
        for other in imported:
            theirs = _layer(other)
            if mine is None or theirs is None:
                if other == "vaultnet":  # the version number
                    continue
                if mine is None and module in ROOT_MODULES:
                    continue
                wrong.append(f"{module} -> {other}")
            elif LAYERS.index(theirs) > LAYERS.index(mine):
                wrong.append(f"{module} ({mine}) -> {other} ({theirs})")
    assert not wrong, "imports against the pipeline:\n" + "\n".join(sorted(wrong))


def test_no_module_imports_in_a_cycle():
    graph = _graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + "."):
                continue  # a package naming its own submodule is not a cycle
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_checker_sees_a_wrong_import(tmp_path):
    """The rule is not vacuous: an upward import written into a model module is caught."""
    module = tmp_path / "probe.py"
    module.write_text("from ..render.calendar import build_calendar\n")
    known = set(_modules())
    imported = _imports("vaultnet.model.probe", module, known)
    assert imported == {"vaultnet.render.calendar"}
    assert LAYERS.index(_layer("vaultnet.render.calendar")) > LAYERS.index(_layer("vaultnet.model.probe"))


# --- the tests use vaultnet through its public names ----------------------------------------------

TESTS = Path(__file__).resolve().parent


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_uses(source: str) -> list[str]:
    """Where a test's source reaches a private (``_name``) vaultnet name: importing it, reading
    it as an attribute of something imported from vaultnet, or patching it (``setattr`` of a
    vaultnet module or class by name, or by a dotted ``"vaultnet..._name"`` string)."""
    tree = ast.parse(source)
    bound = set()  # local names that stand for vaultnet modules, classes or functions
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "vaultnet" and not node.level:
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                bound.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "vaultnet":
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"line {node.lineno}: import {alias.name}")
                    bound.add(alias.asname or alias.name.split(".")[0])

    def root(node: ast.AST) -> str | None:
        while isinstance(node, ast.Attribute):
            node = node.value
        return node.id if isinstance(node, ast.Name) else None

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and root(node.value) in bound:
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if called not in {"setattr", "getattr", "delattr", "hasattr"} or not node.args:
                continue
            args = node.args
            if isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):  # setattr("vaultnet.x._y", ...)
                parts = args[0].value.split(".")
                if parts[0] == "vaultnet" and any(_private(part) for part in parts):
                    found.append(f"line {node.lineno}: {called}({args[0].value!r})")
            elif (
                len(args) > 1 and root(args[0]) in bound
                and isinstance(args[1], ast.Constant) and isinstance(args[1].value, str) and _private(args[1].value)
            ):
                found.append(f"line {node.lineno}: {called}({ast.unparse(args[0])}, {args[1].value!r})")
    return found


def test_no_test_reaches_a_private_vaultnet_name():
    """Tests drive vaultnet through the names it offers; a fast path is checked against a
    reference in ``tests/reference/``, through the public function that takes it."""
    wrong = []
    for path in sorted(TESTS.rglob("*.py")):
        for use in _private_uses(path.read_text(encoding="utf-8")):
            wrong.append(f"{path.relative_to(TESTS.parent).as_posix()} {use}")
    assert not wrong, "tests reaching private vaultnet names:\n" + "\n".join(wrong)


def test_the_checker_sees_a_private_name():
    """The rule is not vacuous: each way of reaching a private name is caught, public ones are not."""
    probe = (
        "import vaultnet.model.person as person\n"
        "from vaultnet.load.notefile import _CONFLICT, split_note\n"
        "from vaultnet.render import indexnotes\n"
        "from re import _parser\n"
        "def test(monkeypatch):\n"
        "    indexnotes._md('x', False)\n"
        "    person.Person._private_helper\n"
        "    monkeypatch.setattr(indexnotes, '_md', None)\n"
        "    monkeypatch.setattr('vaultnet.model.names._fold', None)\n"
        "    monkeypatch.setattr(indexnotes, 'md', None)\n"
        "    _parser.parse('x')\n"
        "    person.__name__\n"
    )
    assert sorted(use.split(":")[0] for use in _private_uses(probe)) == [
        "line 2", "line 6", "line 7", "line 8", "line 9",
    ]
