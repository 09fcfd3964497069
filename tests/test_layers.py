"""The house drawn from the imports: one-way layers, the SDK behind two modules.

Every import in src/annotate, module-level or inside a function, is an edge; the graph must
have no cycle, and label-studio-sdk (and the SDK's private client attributes) may appear only
in the modules that own the seam to Label Studio.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "annotate"
SDK_MODULES = {"annotate.studio", "annotate.labeling"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if node.level == 0:
        base = node.module or ""
        return [base] + [f"{base}.{a.name}" for a in node.names]
    parts = module.split(".")
    anchor = parts if is_package else parts[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    base = ".".join(anchor + ([node.module] if node.module else []))
    return [base] + [f"{base}.{a.name}" for a in node.names]


def import_graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(internal edges, external top-level imports) per module of src/annotate."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in files}
    external: dict[str, set[str]] = {m: set() for m in files}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = _resolve(module, is_package, node)
            else:
                continue
            for name in names:
                if name in files and name != module:
                    edges[module].add(name)
                elif not name.startswith("annotate"):
                    external[module].add(name.split(".")[0])
        if "_LAZY" in path.read_text(encoding="utf-8") and module == "annotate":
            edges[module].clear()  # the package's lazy re-exports are not imports of its stages
    return edges, external


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle_in_the_package():
    edges, _ = import_graph()
    assert _cycle(edges) is None, " -> ".join(_cycle(edges))


def test_the_finder_sees_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_sdk_is_imported_only_by_the_seam_modules():
    _, external = import_graph()
    users = sorted(m for m, names in external.items() if "label_studio_sdk" in names)
    assert set(users) <= SDK_MODULES, users


def test_no_private_sdk_attribute_outside_studio():
    offenders = [p.name for p in PACKAGE.rglob("*.py")
                 if "_client_wrapper" in p.read_text(encoding="utf-8") and p.name != "studio.py"]
    assert offenders == []
