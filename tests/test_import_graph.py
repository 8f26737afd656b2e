"""No import circles in govkb: every import statement (also inside functions) points one way."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tooling" / "govkb"


def module_name(path: Path) -> str:
    parts = ("govkb", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(name: str, path: Path) -> set[str]:
    """The govkb modules ``name`` imports: ``from a import b`` is module ``a.b`` when that is one.

    A submodule's parent package, which Python imports first, is not counted: a package
    whose ``__init__`` imports its own submodules would otherwise always be a circle."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found |= {t for t in targets if t in MODULES and t != name}
    return found


GRAPH = {name: imports(name, path) for name, path in MODULES.items()}


def cycles() -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return sorted(groups)


def test_the_walk_sees_function_level_imports() -> None:
    assert "govkb.commands.check" in GRAPH["govkb.cli"] or "govkb.commands" in GRAPH["govkb.cli"]
    assert "govkb.load.myst" in GRAPH["govkb.load"]  # imported in a function (a cache miss)
    assert len(GRAPH) > 40


KNOWN: list[list[str]] = []


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    assert cycles() == KNOWN


def test_no_command_imports_the_cli() -> None:
    assert [name for name, targets in GRAPH.items() if name.startswith("govkb.commands") and "govkb.cli" in targets] == []


def test_the_yaml_layer_is_one_leaf_module() -> None:
    assert {t for t in GRAPH["govkb.load.yamlsource"] if t.startswith("govkb.load")} == set()
