"""The house keeps its layers: no import circle in the package, and only services write a status.

Both read the source with ``ast`` (no import, no Django), so they hold for code that is never run by the
other tests, and they fail with the offending files and lines named.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "django_cinetpay"
NAME = "django_cinetpay"


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``), migrations left out."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` names, relative imports resolved against ``module``."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package modules ``module`` imports, wherever the import stands (functions, TYPE_CHECKING)."""
    edges = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            edges |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, path, node)
            for alias in node.names:
                child = f"{target}.{alias.name}"
                edges.add(child if child in known else target)
    return {edge for edge in edges if edge in known and edge != module}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for edge in sorted(graph[node]):
            if edge not in index:
                visit(edge)
                low[node] = min(low[node], low[edge])
            elif edge in on_stack:
                low[node] = min(low[node], index[edge])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_the_package() -> None:
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    assert cycles(graph) == []


def _status_writes(tree: ast.AST) -> Iterator[int]:
    """Lines that assign a ``status`` attribute or pass ``status=`` to ``update``/``create``/``save``."""
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        if any(isinstance(t, ast.Attribute) and t.attr == "status" for t in targets):
            yield node.lineno
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"update", "create", "get_or_create", "update_or_create", "bulk_update"}
            and any(keyword.arg == "status" for keyword in node.keywords)
        ):
            yield node.lineno


def test_only_services_write_a_status() -> None:
    """Every state change goes through the service layer (transition tables, locks, audit)."""
    services = PACKAGE / "services"
    simulator = PACKAGE / "simulator"  # a stand-in for CinetPay: its records are CinetPay's, not ours
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if services not in path.parents and simulator not in path.parents and "migrations" not in path.parts
        for line in _status_writes(ast.parse(path.read_text()))
    ]
    assert offenders == []


def test_the_status_check_sees_a_write() -> None:
    code = "tx.status = 'accepted'\nPayment.objects.filter(pk=1).update(status='accepted')\n"
    assert list(_status_writes(ast.parse(code))) == [1, 2]
