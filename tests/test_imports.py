"""The module graph: no import cycles (function-level and type-only imports included), every module
importable on its own, no side effects on import, and Telegram only at the edge."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import spasmbot

PACKAGE = Path(spasmbot.__file__).parent


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported_names(path: Path) -> list[str]:
    """Every ``spasmbot`` import of the file: module level, inside functions, under TYPE_CHECKING."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return [name for name in names if name == "spasmbot" or name.startswith("spasmbot.")]


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph() -> dict[str, set[str]]:
    """Module -> the spasmbot modules importing it runs, including the packages' ``__init__`` files
    Python runs first (importing ``a.b.c`` runs ``a`` and ``a.b``), except the module's own parents."""
    mods = modules()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        own = {name, *_ancestors(name)}
        edges: set[str] = set()
        for target in _imported_names(path):
            while target not in mods:  # "from pkg.mod import function" -> pkg.mod
                target = target.rpartition(".")[0]
            edges |= {target, *_ancestors(target)}
        graph[name] = edges - own
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_finds_a_cycle_through_a_function_level_import() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_only_the_edge_imports_telegram() -> None:
    """Feature handlers, the shared edge, the fake Bot API, the console and the CLI; nothing else."""
    allowed = {"spasmbot.fake_telegram", "spasmbot.console", "spasmbot.cli"}
    offenders = []
    for name, path in modules().items():
        if name in allowed or name.startswith(("spasmbot.edge.", "spasmbot.fake_telegram.")):
            continue
        if name.startswith("spasmbot.features.") and name.endswith(".handlers"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            imported = []
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported = [node.module]
            if any(n == "telegram" or n.startswith("telegram.") for n in imported):
                offenders.append(name)
    assert offenders == []


_ISOLATED = """
import importlib, json, sys, warnings
import telegram, telegram.ext  # third-party packages may set their own filters once
results = {}
for name in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if m == "spasmbot" or m.startswith("spasmbot.")]:
        del sys.modules[loaded]
    before = list(warnings.filters)
    try:
        importlib.import_module(name)
    except Exception as exc:
        results[name] = f"{type(exc).__name__}: {exc}"
        continue
    if warnings.filters != before:
        results[name] = "changed the warning filters on import"
print(json.dumps(results))
"""


def test_every_module_imports_on_its_own_without_side_effects() -> None:
    """Each module imported first, in a fresh interpreter's spasmbot state (one subprocess)."""
    names = sorted(name for name in modules() if not name.endswith(".__main__"))  # that one runs the CLI
    result = subprocess.run(
        [sys.executable, "-c", _ISOLATED, json.dumps(names)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert json.loads(result.stdout) == {}
