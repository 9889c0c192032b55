"""The areas depend one way: orders -> plans -> billing -> catalog -> accounts (provisioning,
payments and mail beside). Read from the source (no import runs), so the rule stays true.

- A module of a lower layer never imports a higher one at module level.
- plans never imports orders, not even inside a function: what it needs from above is
  registered at start-up (``app.plans.hooks``).
- The lower layers and mail take part in no module-level import cycle (importing a module
  runs its package's ``__init__`` too, so a blueprint's routes count).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

HIGHER = {
    "accounts": {"catalog", "billing", "plans", "orders", "cart"},
    "catalog": {"billing", "plans", "orders"},
    "billing": {"plans", "orders", "cart"},
    "plans": {"orders", "cart", "provisioning"},
}
FREE_OF_CYCLES = ("app.accounts", "app.catalog", "app.billing", "app.plans", "app.mail", "app.payments", "app.core")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in APP.rglob("*.py")}


def _top_level(statements):
    """Import statements that run when the module is imported (not under ``TYPE_CHECKING``)."""
    for node in statements:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            yield from _top_level(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            yield from _top_level(node.body + node.orelse + node.finalbody)


def imported_modules(nodes) -> set[str]:
    """``app`` modules named by these import statements (``from app.x import y``: ``app.x.y``
    when it is a module, else ``app.x``)."""
    names = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app") and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                names.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("app"))
    return names


def module_level_imports(path: Path) -> set[str]:
    return imported_modules(_top_level(ast.parse(path.read_text()).body))


def all_imports(path: Path) -> set[str]:
    return imported_modules(node for node in ast.walk(ast.parse(path.read_text()))
                            if isinstance(node, (ast.Import, ast.ImportFrom)))


def area(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


@pytest.mark.parametrize("lower", sorted(HIGHER))
def test_a_lower_layer_imports_no_higher_one_at_module_level(lower):
    offending = sorted(
        f"{module} imports {target}"
        for module, path in MODULES.items() if area(module) == lower
        for target in module_level_imports(path) if area(target) in HIGHER[lower]
    )
    assert offending == []


def test_plans_never_imports_orders():
    offending = sorted(f"{module} imports {target}" for module, path in MODULES.items() if area(module) == "plans"
                       for target in all_imports(path) if area(target) == "orders")
    assert offending == []


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules importing it runs: its imports and their packages."""
    graph = {}
    for module, path in MODULES.items():
        edges = set()
        for target in module_level_imports(path):
            parts = target.split(".")
            edges.update(".".join(parts[:size]) for size in range(2, len(parts) + 1))
        graph[module] = {target for target in edges if target in MODULES and target != module
                         and not module.startswith(target + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_the_lower_layers_mail_and_payments_are_in_no_import_cycle():
    tangled = sorted(sorted(component) for component in cycles(import_graph())
                     if any(module.startswith(FREE_OF_CYCLES) for module in component))
    assert tangled == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
