"""The layout's rules, checked on the source: imports point one way, modules stay readable.

Read from the code with `ast` (every import, module-level or inside a function, counts: a
lazy import is still a dependency), so the rules hold for the tree as committed, not for
whatever a test happened to import."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[2] / "prover"
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The prover modules `path` imports (`from prover.x import y` counts `prover.x.y` when
    that is a module, else `prover.x`)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("prover")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("prover"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in known else base)
    return {m for m in out if m in known and m != name}


def module_graph() -> nx.DiGraph:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    for name, path in files.items():
        graph.add_node(name)
        for target in _imports(path, name, set(files)):
            graph.add_edge(name, target)
    return graph


def _subpackage(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def test_no_import_cycle_between_modules():
    graph = module_graph()
    # A package's __init__ re-exporting its own modules is not a cycle in the layout's sense.
    graph.remove_edges_from(
        [(a, b) for a, b in list(graph.edges) if b.startswith(a + ".") or a.startswith(b + ".")]
    )
    cycles = list(nx.simple_cycles(graph, length_bound=6))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:10])


def test_no_import_cycle_between_subpackages():
    graph = nx.DiGraph()
    for a, b in module_graph().edges:
        pa, pb = _subpackage(a), _subpackage(b)
        if pa != pb and pa != "prover" and pb != "prover":
            graph.add_edge(pa, pb, via=f"{a} -> {b}")
    cycles = list(nx.simple_cycles(graph))
    detail = [
        " -> ".join(c)
        + " ("
        + ", ".join(graph.edges[c[i], c[(i + 1) % len(c)]]["via"] for i in range(len(c)))
        + ")"
        for c in cycles[:5]
    ]
    assert not cycles, "subpackage cycles: " + "; ".join(detail)


def test_no_module_over_the_line_limit():
    long = {
        str(p.relative_to(PACKAGE.parent)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_the_graph_sees_real_imports():
    """The checks above would pass on an empty graph: make sure the reader finds edges."""
    graph = module_graph()
    assert graph.has_edge("prover.methods.search", "prover.assistants.base")
    assert graph.number_of_edges() > 100
