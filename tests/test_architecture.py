"""Shared notions are defined once (issue 18): checks on the source text."""

from __future__ import annotations

import re

from .conftest import ROOT

PIPELINE = sorted((ROOT / "pipeline").rglob("*.py"))


def test_cjk_ranges_are_defined_once():
    """Only pipeline/langs.py spells out the CJK code point ranges; everything else uses
    its CJK / CJK_RANGES / is_cjk / is_wide."""
    spelled = re.compile(r"\\u4e00|\\u9fff|\\u3400|\u4e00-|-\u9fff")
    found = [str(p.relative_to(ROOT)) for p in PIPELINE if spelled.search(p.read_text(encoding="utf-8"))]
    assert found == ["pipeline/langs.py"]


def _module_names() -> dict[str, object]:
    names = {}
    for path in PIPELINE:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _imports(name: str, path, modules: dict) -> set[str]:
    """Modules of the package that ``name`` imports, at the top or inside functions."""
    import ast

    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m in modules and m != name}


def test_no_import_cycles_even_through_function_local_imports():
    """A function-local import may save start-up time, never hide a cycle."""
    modules = _module_names()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    cycles = []

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycles.append(trail[trail.index(name) :] + [name])
            return
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, trail + [name])
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        visit(name, [])
    assert cycles == []


def test_bead_and_unit_are_defined_once():
    """One Bead (the sentence aligner's), one Unit (what the scorer sees of a segment or
    sentence); other notions have names of their own (Link, LayoutUnit, UnitView)."""
    definition = re.compile(r"^(?:class (Bead|Unit)\b|(Bead|Unit) = )", re.M)
    found = sorted(
        (m.group(1) or m.group(2), str(p.relative_to(ROOT)))
        for p in PIPELINE
        for m in definition.finditer(p.read_text(encoding="utf-8"))
    )
    assert found == [("Bead", "pipeline/align/sentence_aligner.py"), ("Unit", "pipeline/align/costs.py")]
