"""The import graph of critibot's own packages, read from the source files: it runs one way.

Two graphs, both built with `ast` from every import statement (module level or inside a function;
only `if TYPE_CHECKING:` blocks are left out, they never run):
- modules: one node per .py file;
- parts: a folder just below bot/, storage/ or config/ counts as one node (bot/answers, storage/pages),
  a module directly in them as its own (bot/texts.py, storage/store.py). Two modules can avoid each
  other while their folders still lean on each other; this graph sees that.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "storage", "config")
Graph = dict[str, set[str]]


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for other in node.orelse:
                yield from _imports(ast.Module(body=[other], type_ignores=[]))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _imports(node)


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project's modules that `name` imports (`from p import m` counts m when it is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: list[str] = []
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets += [alias.name for alias in node.names]
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            targets.append(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    found = set()
    for target in targets:
        while target and target not in known:  # `import storage.pages.model.X` → storage.pages.model
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def module_graph() -> Graph:
    known = modules()
    return {name: imported(name, path, known) for name, path in known.items()}


def part_of(name: str, known: dict[str, Path]) -> str:
    parts = name.split(".")
    if len(parts) > 2 or (len(parts) == 2 and known[name].name == "__init__.py"):
        return ".".join(parts[:2])
    return name


def part_graph() -> Graph:
    known = modules()
    graph: Graph = {}
    for name, targets in module_graph().items():
        for target in targets:
            if part_of(name, known) != part_of(target, known):
                graph.setdefault(part_of(name, known), set()).add(part_of(target, known))
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """Every strongly connected group of two nodes or more (Tarjan), each shown as one closed path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for after in sorted(graph.get(node, ())):
            if after not in index:
                visit(after)
                low[node] = min(low[node], low[after])
            elif after in stack:
                low[node] = min(low[node], index[after])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(_closed_path(graph, set(group)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _closed_path(graph: Graph, group: set[str]) -> list[str]:
    """One path around the group, from its first node back to it: `a → b → a`."""
    start = min(group)
    paths = [[start]]
    while paths:
        path = paths.pop(0)
        for after in sorted(graph.get(path[-1], set()) & group):
            if after == start:
                return [*path, start]
            if after not in path:
                paths.append([*path, after])
    return sorted(group)


@pytest.mark.parametrize("graph", [module_graph, part_graph], ids=["modules", "parts"])
def test_no_import_cycle(graph: object) -> None:
    assert callable(graph)
    found = [" → ".join(cycle) for cycle in cycles(graph())]
    assert not found, "import cycles:\n" + "\n".join(found)


def test_the_cycle_finder_names_a_cycle() -> None:
    graph = {"bot.digest": {"bot.discord_ui"}, "bot.discord_ui": {"bot.answers", "bot.digest"}}
    assert cycles(graph) == [["bot.digest", "bot.discord_ui", "bot.digest"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_imports_inside_functions_count_and_type_checking_ones_do_not(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from storage.refresher import RefreshReport\n"
        "def f():\n    from storage import queries\n    import config\n",
        encoding="utf-8",
    )
    known = {"bot.m": source, "storage.queries": source, "storage.refresher": source, "config": source}
    assert imported("bot.m", source, known) == {"storage.queries", "config"}


def test_discord_code_never_imports_storage() -> None:
    """Discord code calls bot/answers; the database is reached through it, never directly."""
    direct = {
        name: sorted(target for target in targets if target.split(".")[0] == "storage")
        for name, targets in module_graph().items()
        if name.startswith("bot.discord_ui")
    }
    assert {name: found for name, found in direct.items() if found} == {}
