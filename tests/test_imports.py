"""The package's modules import each other without cycles.

Every import counts, at module level or inside a function, except those under
``if TYPE_CHECKING:`` (annotations only). The package's ``__init__`` is left out: it imports the
public API from every module by design.
"""

from __future__ import annotations

import ast
from pathlib import Path

import gridrisk


class _Imports(ast.NodeVisitor):
    """The gridrisk modules a module imports, outside ``if TYPE_CHECKING:`` blocks."""

    def __init__(self) -> None:
        self.deps: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for n in node.orelse:
                self.visit(n)
            return
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "gridrisk":
            self.deps.update(a.name for a in node.names)
        elif node.module and node.module.startswith("gridrisk."):
            self.deps.add(node.module.split(".")[1])

    def visit_Import(self, node: ast.Import) -> None:
        self.deps.update(a.name.split(".")[1] for a in node.names if a.name.startswith("gridrisk."))


def _graph() -> dict[str, set[str]]:
    root = Path(gridrisk.__file__).parent
    modules = {f.stem for f in root.glob("*.py")} - {"__init__"}
    graph: dict[str, set[str]] = {}
    for mod in modules:
        v = _Imports()
        v.visit(ast.parse((root / f"{mod}.py").read_text(encoding="utf-8")))
        graph[mod] = (v.deps & modules) - {mod}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []

    def walk(start: str, node: str, path: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt == start:
                found.append([*path, start])
            elif nxt not in path and nxt > start:
                walk(start, nxt, [*path, nxt])

    for mod in sorted(graph):
        walk(mod, mod, [mod])
    return found


def test_no_import_cycles() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_checker_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_the_modules_imports() -> None:
    graph = _graph()
    assert "results" in graph["io"]
    assert "_engine" in graph["simulation"]
    # A type-only import is not an edge.
    assert "results" not in graph["tables"]
