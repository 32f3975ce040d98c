"""The import graph of quota_app, reports and scheduler has no cycles, and every package is in a layer.

grimp (which import-linter uses) reads every `import` statement of the three packages, so the graph has:

- the module-level imports, and also the imports inside functions: a lazy import that closes a circle is
  still a circle when the program runs (it only hides it from the reader), so it counts here;
- not the imports under `if TYPE_CHECKING:` (`exclude_type_checking_imports`): they never run, and an
  annotation may name a module above or beside its own.

A cycle is a strongly connected set of modules (Tarjan); the failure names each arrow inside it with its
line, so the fix starts from the message. The layers themselves are import-linter's contract in
pyproject.toml (`make lint`); the last test checks that the contract names every part of quota_app, so a
new package cannot slip past it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("quota_app", "reports", "scheduler")


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Each set of two or more modules that import each other, directly or through one another."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        # Tarjan's algorithm without recursion: (module, the modules it imports still to look at).
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, imported = work[-1]
            step = next(imported, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph.find_modules_directly_imported_by(step)))))
                elif step in on_stack:
                    low[module] = min(low[module], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def describe(graph: grimp.ImportGraph, component: list[str]) -> str:
    members = set(component)
    arrows = []
    for importer in component:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                arrows.append(f"  {importer}:{detail['line_number']} {detail['line_contents']}")
    return "\n".join([" <-> ".join(component), *arrows])


def test_the_finder_names_a_circle_and_passes_a_line() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in (("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")):
        graph.add_import(importer=importer, imported=imported)
    assert cycles(graph) == [["a", "b", "c"]]
    graph.remove_import(importer="c", imported="a")
    assert cycles(graph) == []


def test_no_module_of_the_app_the_reports_or_the_scheduler_imports_itself_through_others() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(describe(graph, component) for component in found)


def test_the_layers_contract_names_every_part_of_quota_app() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in settings["contracts"] if c["type"] == "layers"]
    named = {part.strip() for layer in layers for part in layer.replace("|", ":").split(":")}
    parts = {
        f"quota_app.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "quota_app").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").is_file()
    }
    assert parts - named == set(), "add these to a layer in pyproject.toml"
    assert {"reports", "scheduler", "benchmarks"} <= named
