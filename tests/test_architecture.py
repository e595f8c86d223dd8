"""The layout's rules that import-linter cannot state (its contracts are in pyproject.toml).

No import cycles anywhere, nothing imports the package's public face, no private name crosses a
package boundary, every module says on its first line what it is for, and docs/architecture.md
names every package and module and nothing that is gone. (Size is a rule on functions, not
files: ruff's complexity, branch and statement limits in pyproject.toml.)
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "python" / "jupyterlab_xp"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _package_of(module: str) -> str:
    """``jupyterlab_xp.store`` for ``jupyterlab_xp.store.sync``; the root for root modules."""
    parts = module.split(".")
    return (
        ".".join(parts[:2])
        if len(parts) > 2 or _modules()[module].name == "__init__.py"
        else parts[0]
    )


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


@pytest.fixture(scope="module")
def import_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("jupyterlab_xp", exclude_type_checking_imports=True, cache_dir=None)
    return {
        module: set(graph.find_modules_directly_imported_by(module))
        for module in graph.modules
        if module.startswith("jupyterlab_xp")
    }


def test_no_module_is_in_an_import_cycle(import_graph: dict[str, set[str]]) -> None:
    # Given every import in the package, lazy ones inside functions included
    # When we look for modules that reach themselves
    cycles = _strongly_connected(import_graph)
    # Then there are none
    assert cycles == []


def test_nothing_imports_the_public_face(import_graph: dict[str, set[str]]) -> None:
    # jupyterlab_xp/__init__.py imports the kernel API and (lazily) the server: a module that
    # imported it would tie the server to kernel code and every layer to the top.
    importers = sorted(m for m, targets in import_graph.items() if "jupyterlab_xp" in targets)
    assert importers == []


def test_a_cycle_is_found_when_there_is_one() -> None:
    # The detector itself: a -> b -> c -> a is one group, d alone is none.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _strongly_connected(graph) == [["a", "b", "c"]]


def _private_imports(path: Path, module: str) -> list[str]:
    """``from other_package.x import _name`` and ``other_module._name`` uses in one module."""
    own = _package_of(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    imported_modules: dict[str, str] = {}  # local name -> module of another package
    modules = _modules()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("jupyterlab_xp"):
            source = node.module or ""
            for alias in node.names:
                target = f"{source}.{alias.name}"
                if target in modules:  # a module imported from its package
                    if _package_of(target) != own:
                        imported_modules[alias.asname or alias.name] = target
                    continue
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and _package_of(source) != own:
                    found.append(f"{module} imports {alias.name} from {source}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported_modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{module} uses {imported_modules[node.value.id]}.{node.attr}")
    return found


def test_no_private_name_crosses_a_package_boundary() -> None:
    problems = [p for name, path in _modules().items() for p in _private_imports(path, name)]
    assert problems == []


def test_every_module_says_what_it_is_for() -> None:
    undocumented = []
    for name, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        if not text.startswith('"""') or len(text.splitlines()[0].strip('"').strip()) < 10:
            undocumented.append(name)
    assert undocumented == []


def test_a_private_import_across_packages_is_found(tmp_path: Path) -> None:
    # Given a views module that takes a private helper from the kernel, one by attribute
    # from the store, and a private name of its own package (allowed)
    module = tmp_path / "fake.py"
    module.write_text(
        "from jupyterlab_xp.kernel.recorder import _hidden\n"
        "from jupyterlab_xp.store import sync\n"
        "from jupyterlab_xp.views.diff import _text\n"
        "sync._secret()\n"
    )
    # When it is scanned
    found = _private_imports(module, "jupyterlab_xp.views.fake")
    # Then both crossings are reported, the in-package one is not
    assert found == [
        "jupyterlab_xp.views.fake imports _hidden from jupyterlab_xp.kernel.recorder",
        "jupyterlab_xp.views.fake uses jupyterlab_xp.store.sync._secret",
    ]


# docs/architecture.md: the page that says which package owns which module, kept true.
ARCHITECTURE = PACKAGE.parents[1] / "docs" / "architecture.md"
_PATH_TOKEN = re.compile(r"`([\w./-]+\.(?:py|tsx?|json)|[\w./-]+/)`")


def _package_sections(doc: str) -> dict[str, str]:
    """Each top-level package's paragraph of docs/architecture.md, from its ``**`name/`**``."""
    return {
        match.group(1): match.group(0)
        for match in re.finditer(r"^\*\*`(\w+)/`\*\*.*?(?=^\*\*`|^#|\Z)", doc, re.M | re.S)
    }


def _missing_paths(doc: str, package: Path) -> list[str]:
    """Paths the page names that do not exist: ``a/b.py`` from the repository, ``python/``,
    the package or ``src/``; a bare ``b.py`` in its package's paragraph (or a sub-package of
    it); a bare ``b.ts`` anywhere under ``src/``."""
    repo = package.parents[1]
    missing = []
    for name, section in _package_sections(doc).items():
        for token in _PATH_TOKEN.findall(section):
            bare_module = token.endswith(".py") and "/" not in token
            if bare_module and not any((package / name).rglob(token)):
                missing.append(f"{name}/{token}")
    for token in _PATH_TOKEN.findall(doc):
        if "/" in token.rstrip("/") and not token.startswith(("$", "xp/")):
            bases = (repo, repo / "python", package, repo / "src")
            if not any((base / token).exists() for base in bases):
                missing.append(token)
        elif token.endswith((".ts", ".tsx")) and not any((repo / "src").rglob(token)):
            missing.append(token)
    return sorted(set(missing))


def _unnamed_modules(doc: str, package: Path) -> list[str]:
    """Packages without a paragraph, and modules their paragraph does not name (a sub-package
    named as ``sub/`` counts for the modules in it)."""
    sections = _package_sections(doc)
    unnamed = []
    for init in sorted(package.glob("*/__init__.py")):
        name = init.parent.name
        section = sections.get(name)
        if section is None:
            unnamed.append(f"{name}/")
            continue
        named = set(_PATH_TOKEN.findall(section))
        for sub in sorted(init.parent.glob("*/__init__.py")):
            if f"{sub.parent.name}/" not in named:
                unnamed.append(f"{name}/{sub.parent.name}/")
        unnamed += [
            f"{name}/{module.name}"
            for module in sorted(init.parent.glob("*.py"))
            if module.name != "__init__.py" and module.name not in named
        ]
    return unnamed


def test_every_path_the_architecture_page_names_exists() -> None:
    # Given docs/architecture.md
    doc = ARCHITECTURE.read_text(encoding="utf-8")
    # When every module, file and folder it names is looked up
    missing = _missing_paths(doc, PACKAGE)
    # Then each one exists (a renamed or removed module is renamed or removed there too)
    assert missing == []


def test_every_package_and_module_is_named_on_the_architecture_page() -> None:
    # Given docs/architecture.md and the package's folders
    doc = ARCHITECTURE.read_text(encoding="utf-8")
    # When each package and each of its modules is looked for in its package's paragraph
    unnamed = _unnamed_modules(doc, PACKAGE)
    # Then none is left out (a new module adds its line there)
    assert unnamed == []


def test_the_architecture_checks_find_a_stale_page(tmp_path: Path) -> None:
    # Given a package with a module and a sub-package, and a page that names a module that is
    # gone, a source file that is gone, and leaves out a module, a sub-package and a package
    package = tmp_path / "python" / "pkg"
    for folder in ("core", "core/sub", "kernel"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "core" / "here.py").write_text("")
    (package / "core" / "left_out.py").write_text("")
    doc = "**`core/`** owns `here.py`, `gone.py` and `src/models/gone.ts`.\n\n## Next\n"
    # When both checks read it
    missing = _missing_paths(doc, package)
    unnamed = _unnamed_modules(doc, package)
    # Then each stale claim and each omission is reported
    assert missing == ["core/gone.py", "src/models/gone.ts"]
    assert unnamed == ["core/sub/", "core/left_out.py", "kernel/"]
