"""Reading the import structure of a source tree from its code (no module is imported):
which module imports which, import cycles, imports inside functions, and private names
used across modules. Used by tests/test_layout.py on the real tree and on broken copies."""

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

# Top-level folders of the checkout and the import names they install as.
PACKAGES = {
    "hub": "wijkhub.hub",
    "consent": "wijkhub.consent",
    "schemas": "wijkhub.schemas",
    "plugins": "wijkhub.plugins",
    "bench": "wijkhub.bench",
}


@dataclass
class Tree:
    modules: dict[str, Path] = field(default_factory=dict)
    imports: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    late: list[str] = field(default_factory=list)  # "module:line -> imported"
    private: list[str] = field(default_factory=list)  # "module:line name"


def module_name(root: Path, path: Path) -> str:
    top, *rest = path.relative_to(root).with_suffix("").parts
    parts = [PACKAGES[top], *rest]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def read(root: Path) -> Tree:
    tree = Tree()
    for top in PACKAGES:
        for path in sorted((root / top).rglob("*.py")):
            if "versions" in path.parts:  # Alembic revisions: generated, never imported
                continue
            tree.modules[module_name(root, path)] = path
    for name, path in tree.modules.items():
        _scan(tree, name, ast.parse(path.read_text(encoding="utf-8")))
    return tree


def _scan(tree: Tree, name: str, module: ast.Module) -> None:
    aliases: set[str] = set()
    functions = [
        n for n in ast.walk(module) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    inside = {id(s) for f in functions for s in ast.walk(f) if s is not f}
    for node in ast.walk(module):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for a in node.names:
                if not node.module.startswith("wijkhub"):
                    continue
                aliases.add(a.asname or a.name)
                if _private(a.name):
                    tree.private.append(f"{name}:{node.lineno} {a.name}")
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
            aliases.update(
                (a.asname or a.name).split(".")[0]
                for a in node.names
                if a.name.startswith("wijkhub")
            )
        found = [t for t in targets if t in tree.modules and t != name]
        tree.imports[name].update(found)
        if found and id(node) in inside:
            tree.late.append(f"{name}:{node.lineno} -> {found[0]}")
    for node in ast.walk(module):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and _private(node.attr)
        ):
            tree.private.append(f"{name}:{node.lineno} {node.value.id}.{node.attr}")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def cycles(tree: Tree) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(tree.imports[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(tree.modules):
        if v not in index:
            visit(v)
    return found


def longest_chain(tree: Tree) -> list[str]:
    """The longest import chain (the tree must be acyclic)."""
    memo: dict[str, list[str]] = {}

    def chain(v: str) -> list[str]:
        if v not in memo:
            best = max((chain(w) for w in tree.imports[v]), key=len, default=[])
            memo[v] = [v, *best]
        return memo[v]

    return max((chain(v) for v in sorted(tree.modules)), key=len)


def test_module_imports(root: Path) -> list[str]:
    """Imports in tests/ of a test module or a conftest, or of a private name from anywhere in
    tests/: shared helpers live in tests/support (or a `*_cases` module beside its tests)."""
    found = []
    for path in sorted((root / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("tests"):
                continue
            last = (node.module or "").rsplit(".", 1)[-1]
            where = f"{path.relative_to(root)}:{node.lineno}"
            if last.startswith("test_") or last == "conftest":
                found.append(f"{where} {node.module}")
            found += [f"{where} {a.name}" for a in node.names if a.name.startswith("_")]
    return found
