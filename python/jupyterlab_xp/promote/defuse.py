"""Which global names a notebook cell defines and which it needs defined before it runs.

Read with :mod:`ast` after IPython's own transformer turns magics into calls. A name a cell
loads before it assigns it is needed from earlier cells; names used only inside a function
body are needed when the function is called, not when it is defined, so they do not count.
Comprehension variables are their own scope. ``from m import *`` may define anything: the cell
says so (``star``), so a name nobody else defines is not held against the order.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

# Names a Jupyter kernel defines before any cell runs.
PREDEFINED = frozenset(dir(builtins)) | {
    "get_ipython",
    "display",
    "In",
    "Out",
    "exit",
    "quit",
    "__session__",
    "_",
    "__",
    "___",
}


@dataclass
class Names:
    """A cell's global names: those it needs from earlier cells, and those it defines."""

    needs: set[str] = field(default_factory=set)
    defines: set[str] = field(default_factory=set)
    star: bool = False  # ``from m import *``: may define any name
    parsed: bool = True


class _Visitor(ast.NodeVisitor):
    def __init__(self) -> None:
        self.loads: set[str] = set()
        self.stores: set[str] = set()
        self.star = False

    def visit_Name(self, node: ast.Name) -> None:
        (self.loads if isinstance(node.ctx, ast.Load) else self.stores).add(node.id)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        if not isinstance(node, ast.Lambda):
            for decorator in node.decorator_list:
                self.visit(decorator)
            self.stores.add(node.name)

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function
    visit_Lambda = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.bases, *(k.value for k in node.keywords), *node.decorator_list]:
            self.visit(expr)
        inner = _Visitor()
        for stmt in node.body:
            inner.visit(stmt)
        self.loads |= inner.loads - inner.stores
        self.stores.add(node.name)

    def _comprehension(self, node: ast.AST) -> None:
        inner = _Visitor()
        inner.generic_visit(node)
        targets: set[str] = set()
        for generator in getattr(node, "generators", []):
            targets |= {n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name)}
        self.loads |= inner.loads - targets

    visit_ListComp = _comprehension
    visit_SetComp = _comprehension
    visit_DictComp = _comprehension
    visit_GeneratorExp = _comprehension

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.stores.add(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                self.star = True
            else:
                self.stores.add(alias.asname or alias.name)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.stores.add(node.name)
        self.generic_visit(node)


def python_code(source: str) -> str:
    """A cell's source as plain Python (magics and ``!cmd`` become ``get_ipython()`` calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    transform = TransformerManager().transform_cell  # type: ignore[no-untyped-call]
    return str(transform(source if source.endswith("\n") else source + "\n"))


def cell_names(source: str) -> Names:
    """The global names ``source`` needs and defines, statement by statement."""
    try:
        tree = ast.parse(python_code(source))
    except (SyntaxError, ValueError):
        return Names(parsed=False)
    out = Names()
    _statements(tree.body, out)
    return out


def _expressions(nodes: list[ast.AST | None], out: Names) -> None:
    visitor = _Visitor()
    for node in nodes:
        if node is not None:
            visitor.visit(node)
    out.needs |= visitor.loads - out.defines - PREDEFINED
    out.defines |= visitor.stores


def _statements(body: list[ast.stmt], out: Names) -> None:
    """Statements in order; a compound one's header before its body (``for i in r: f(i)``)."""
    for node in body:
        if isinstance(node, (ast.For, ast.AsyncFor)):
            _expressions([node.iter, node.target], out)
            _statements([*node.body, *node.orelse], out)
        elif isinstance(node, (ast.If, ast.While)):
            _expressions([node.test], out)
            _statements([*node.body, *node.orelse], out)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                _expressions([item.context_expr, item.optional_vars], out)
            _statements(node.body, out)
        elif isinstance(node, ast.Try):
            _statements(node.body, out)
            for handler in node.handlers:
                _expressions([handler.type], out)
                if handler.name:
                    out.defines.add(handler.name)
                _statements(handler.body, out)
            _statements([*node.orelse, *node.finalbody], out)
        else:
            visitor = _Visitor()
            if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                visitor.loads.add(node.target.id)  # x += 1 needs x
            visitor.visit(node)
            # x = x + 1 needs x first: a statement's loads come before its stores.
            out.needs |= visitor.loads - out.defines - PREDEFINED
            out.defines |= visitor.stores
            out.star = out.star or visitor.star
