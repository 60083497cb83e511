"""The dependency rule of docs/architecture.md, checked on every import in ``src/greengate``.

Every ``import`` and ``from ... import`` is read with :mod:`ast`, at module
level or inside a function alike (a lazy import is still a dependency), and
resolved to the greengate module it names. The stages of the flow are
layers: a module may import its own package, the shared layer and the
stages before its own, never one after it. On top of that:

- no import cycle between modules;
- an adapter (a module of ``manifests/`` that reads one format, or a
  subpackage of such modules) imports no other adapter, only the shared
  adapter helpers; the modules of one adapter subpackage import each other;
- the linking stage (``manifests/links/``) imports only the shared adapter
  helpers and itself, and no adapter imports it (the pipeline runs it);
- reporters import only finished records (``records/``) and each other;
- only ``policy/cel/`` imports cel-python (and the rest of ``policy/`` no lark).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "greengate"

# The flow, in order; a stage imports only the shared layer and stages before it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("greengate", "greengate.atomic", "greengate.errors", "greengate.records"),  # shared
    ("greengate.sources",),  # discover: work tree or git commit, file lists, change sets
    ("greengate.load",),  # YAML/JSON/HCL with positions
    ("greengate.manifests",),  # adapt
    ("greengate.catalog",),  # reference data
    ("greengate.enrich",),  # catalog facts, config defaults
    ("greengate.policy",),  # evaluate
    ("greengate.findings",),  # waivers, baseline, existing
    ("greengate.aggregate",),  # audit: totals, alternatives, history
    ("greengate.config",),  # .greengate.yaml: parameterises the stages above
    ("greengate.reporters",),  # report
    ("greengate.app",),  # one module per command's use case
    ("greengate.cli", "greengate.__main__"),  # thin click commands
)

# Modules of manifests/ that every adapter may share; every other module there is an adapter.
ADAPTER_HELPERS = (
    "greengate.manifests",
    "greengate.manifests.base",
    "greengate.manifests.common",
    "greengate.manifests.vocab",
    "greengate.manifests.kube",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """Every module ``path`` imports, absolute, with the line of the import."""
    name = module_name(path)
    package = name if is_package(path) else name.rpartition(".")[0]
    tree = ast.parse(path.read_text("utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, node.lineno
            for alias in node.names:  # `from greengate.x import y` may name the module x.y
                yield f"{target}.{alias.name}", node.lineno


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(target: str) -> str | None:
    """The greengate module an import names (``greengate.a.b.Name`` -> ``greengate.a.b``)."""
    while target:
        if target in MODULES:
            return target
        target = target.rpartition(".")[0]
    return None


def graph() -> dict[str, set[tuple[str, int]]]:
    edges: dict[str, set[tuple[str, int]]] = {}
    for name, path in MODULES.items():
        found = edges.setdefault(name, set())
        for target, line in imports(path):
            if target.startswith("greengate"):
                resolved = resolve(target)
                if resolved is not None and resolved != name:
                    found.add((resolved, line))
    return edges


def layer(module: str) -> int:
    best, index = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, index = len(prefix), i
    assert index >= 0, f"{module} is in no layer of docs/architecture.md; add it to LAYERS"
    return index


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def where(module: str, line: int) -> str:
    return f"{MODULES[module].relative_to(SRC.parent)}:{line}"


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        layer(module)


def test_stages_import_only_the_stages_before_them() -> None:
    wrong = [
        f"{where(module, line)}: {module} imports {target}, a later stage"
        for module, targets in graph().items()
        for target, line in sorted(targets)
        if layer(target) > layer(module)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle() -> None:
    edges = {m: {t for t, _ in ts} for m, ts in graph().items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def is_adapter(module: str) -> bool:
    return within(module, "greengate.manifests") and not any(
        module == h or (h != "greengate.manifests" and within(module, h)) for h in ADAPTER_HELPERS
    )


def adapter_of(module: str) -> str:
    """The adapter a module is part of: ``greengate.manifests.terraform`` for ``...terraform.folder``."""
    return ".".join(module.split(".")[:3])


def breaks_adapter_rule(module: str, target: str) -> bool:
    """Whether adapter ``module`` importing ``target`` is one adapter depending on another."""
    return is_adapter(module) and is_adapter(target) and adapter_of(target) != adapter_of(module)


def test_adapters_share_only_the_helpers() -> None:
    wrong = [
        f"{where(module, line)}: adapter {module} imports {target}"
        for module, targets in graph().items()
        for target, line in sorted(targets)
        if breaks_adapter_rule(module, target)
    ]
    helpers_importing_adapters = [
        f"{where(module, line)}: helper {module} imports adapter {target}"
        for module, targets in graph().items()
        if within(module, "greengate.manifests")
        and module != "greengate.manifests"
        and not is_adapter(module)
        for target, line in sorted(targets)
        if is_adapter(target)
    ]
    assert not wrong + helpers_importing_adapters, "\n".join(wrong + helpers_importing_adapters)


LINKS = "greengate.manifests.links"


def test_links_use_only_the_helpers_and_no_adapter_uses_links() -> None:
    """Linking reads documents the adapters already read; adapters stay one-format."""
    wrong = [
        f"{where(module, line)}: {module} imports {target}"
        for module, targets in graph().items()
        for target, line in sorted(targets)
        if (
            within(module, LINKS)
            and within(target, "greengate.manifests")
            and not within(target, LINKS)
            and not any(
                target == h or (h != "greengate.manifests" and within(target, h))
                for h in ADAPTER_HELPERS
            )
        )
        or (
            within(target, LINKS)
            and within(module, "greengate.manifests")
            and not within(module, LINKS)
        )
    ]
    assert not wrong, "\n".join(wrong)
    users = {
        m for m, ts in graph().items() for t, _ in ts if within(t, LINKS) and not within(m, LINKS)
    }
    assert users == {"greengate.app.pipeline"}


def test_reporters_read_only_finished_records() -> None:
    allowed = ("greengate", "greengate.errors", "greengate.records", "greengate.reporters")
    wrong = [
        f"{where(module, line)}: reporter {module} imports {target}"
        for module, targets in graph().items()
        if within(module, "greengate.reporters")
        for target, line in sorted(targets)
        if not any(target == a if a == "greengate" else within(target, a) for a in allowed)
    ]
    assert not wrong, "\n".join(wrong)


def test_only_the_cel_backend_imports_the_cel_library() -> None:
    """cel-python only in ``policy/cel/``; its parser library (lark, which python-hcl2
    shares, so ``load/hcl.py`` may use it) nowhere else in the policy package."""
    wrong = [
        f"{where(module, line)}: {module} imports {target}"
        for module, path in MODULES.items()
        if not within(module, "greengate.policy.cel")
        for target, line in imports(path)
        if within(target, "celpy")
        or (within(target, "lark") and within(module, "greengate.policy"))
    ]
    assert not wrong, "\n".join(wrong)


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    """The checker itself works: a reporter importing the pipeline is found."""
    assert layer("greengate.reporters.sarif") < layer("greengate.app.check")
    assert layer("greengate.manifests.kserve") < layer("greengate.catalog.store")
    assert is_adapter("greengate.manifests.kserve")
    assert not is_adapter("greengate.manifests.kube.pods")
    assert not is_adapter("greengate.manifests.base")
    # The modules of one adapter subpackage share freely; another adapter is still off limits.
    assert is_adapter("greengate.manifests.terraform.folder")
    assert not breaks_adapter_rule(
        "greengate.manifests.terraform.adapter", "greengate.manifests.terraform.folder"
    )
    assert not breaks_adapter_rule(
        "greengate.manifests.terraform", "greengate.manifests.terraform.adapter"
    )
    assert breaks_adapter_rule(
        "greengate.manifests.terraform.adapter", "greengate.manifests.kserve"
    )
    assert breaks_adapter_rule(
        "greengate.manifests.terraform.sagemaker", "greengate.manifests.sagemaker"
    )
    assert breaks_adapter_rule("greengate.manifests.kserve", "greengate.manifests.terraform.folder")
    assert not breaks_adapter_rule(
        "greengate.manifests.terraform.folder", "greengate.manifests.common"
    )
