"""Python 2 in a Python 3 kernel: the builtins Python 3 moved, as functions that say when they
are called, and the statements it no longer parses (``print x``, ``except E, e:``) rewritten
when, and only when, a cell does not compile as it is."""

from __future__ import annotations

import ast
import builtins
import importlib
import io
import re
import sys
import tokenize
from collections.abc import Callable
from typing import Any

from jupyterlab_xp.promote.shims.log import record


def _moved(name: str, target: Callable[..., Any], now: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        record("python2-builtins", f"{name}() as {now}")
        return target(*args, **kwargs)

    call.__name__ = name
    return call


def _python2_builtins(shell: Any) -> None:
    names = {
        "reload": _moved("reload", importlib.reload, "importlib.reload()"),
        "xrange": _moved("xrange", range, "range()"),
        "raw_input": _moved("raw_input", lambda prompt="": builtins.input(prompt), "input()"),
        "unichr": _moved("unichr", chr, "chr()"),
    }
    for name, function in names.items():
        if not hasattr(builtins, name):
            setattr(builtins, name, function)


def _compiles(source: str) -> bool:
    try:
        compile(source, "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


# print >>f, x parses in Python 3 too (a tuple: print shifted right, and x), and then raises.
_PRINT_TO = re.compile(r"(?m)^[ \t]*print[ \t]*>>")
_ENDS = (tokenize.NEWLINE, tokenize.COMMENT, tokenize.ENDMARKER)


def python3_source(source: str) -> str | None:
    """``source`` with Python 2's print statements as calls of :func:`python2_print` (its
    softspace: ``print x,`` then ``print y`` prints ``x y``; ``print >>f, x`` writes to ``f``)
    and ``except E, e:`` as ``except E as e:``. None when the source compiles as it is, has none
    of these, or does not compile once rewritten."""
    if _compiles(source) and not _PRINT_TO.search(source):
        return None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def at(position: tuple[int, int]) -> int:
        return starts[position[0] - 1] + position[1]

    edits: list[tuple[int, int, str]] = []
    depth, statement_start = 0, True
    for index, token in enumerate(tokens):
        if token.type in (tokenize.NL, tokenize.COMMENT):
            continue
        if statement_start and token.type == tokenize.NAME and token.string == "print":
            edit = _print_call(source, tokens, index, at)
            if edit is not None:
                edits.append(edit)
        if statement_start and token.type == tokenize.NAME and token.string == "except":
            edits.extend(_except_as(tokens, index, at))
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth = max(0, depth - 1)
        statement_start = token.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) or (
            depth == 0 and token.type == tokenize.OP and token.string in (";", ":")
        )
    if not edits:
        return None
    out = source
    for start, end, text in sorted(edits, reverse=True):
        out = out[:start] + text + out[end:]
    return out if _compiles(out) else None


def _print_call(
    source: str, tokens: list[tokenize.TokenInfo], index: int, at: Callable[..., int]
) -> tuple[int, int, str] | None:
    """The edit that makes the print statement at ``tokens[index]`` a call, or None."""
    first = tokens[index + 1]
    if first.type == tokenize.OP and first.string not in (">>", ";"):
        return None  # print(...), print = ..., print.x: already Python 3
    parts: list[tokenize.TokenInfo] = []
    depth = 0
    for token in tokens[index + 1 :]:
        ends = token.type in _ENDS or (token.type == tokenize.OP and token.string == ";")
        if depth == 0 and ends:
            break
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
        if token.type != tokenize.NL:
            parts.append(token)
    start = at(tokens[index].start)
    if not parts:
        return start, at(tokens[index].end), f"{PRINT}()"
    end, extra = at(parts[-1].end), []
    if parts[0].string == ">>":  # print >>f, x: to the file f
        commas = [i for i, t in enumerate(parts) if _top_level_comma(parts, i)]
        stop = commas[0] if commas else len(parts)
        extra.append("file=" + source[at(parts[1].start) : at(parts[stop - 1].end)])
        parts = parts[stop + 1 :]
    if parts and parts[-1].string == "," and _top_level_comma(parts, len(parts) - 1):
        extra.insert(0, "soft=True")  # print x,: no newline, a space before what comes next
        parts = parts[:-1]
    args = [source[at(parts[0].start) : at(parts[-1].end)]] if parts else []
    return start, end, f"{PRINT}(" + ", ".join(args + extra) + ")"


PRINT = "_xp_python2_print"  # the builtin a rewritten print statement calls
_soft: dict[int, bool] = {}  # per output stream: Python 2's softspace


def python2_print(*args: Any, file: Any = None, soft: bool = False) -> None:
    """Python 2's print statement: str() of each value, spaces between, and ``print x,``
    leaves a pending space that the next print writes only if it prints something."""
    out = sys.stdout if file is None else file
    if args and _soft.get(id(out)):
        out.write(" ")
    out.write(" ".join(str(a) for a in args))
    _soft[id(out)] = soft
    if not soft:
        out.write("\n")


def _top_level_comma(parts: list[tokenize.TokenInfo], index: int) -> bool:
    depth = 0
    for token in parts[:index]:
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
    token = parts[index]
    return depth == 0 and token.type == tokenize.OP and token.string == ","


def _except_as(
    tokens: list[tokenize.TokenInfo], index: int, at: Callable[..., int]
) -> list[tuple[int, int, str]]:
    """``except E, e:`` (and ``except (A, B), e:``): the comma before the name, as ``as``."""
    depth = 0
    for offset, token in enumerate(tokens[index + 1 :], index + 1):
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
        elif depth == 0 and token.type == tokenize.OP and token.string == ":":
            return []
        elif depth == 0 and token.type == tokenize.OP and token.string == ",":
            name, colon = tokens[offset + 1], tokens[offset + 2]
            if name.type == tokenize.NAME and colon.string == ":":
                return [(at(token.start), at(token.end), " as")]
            return []
        if token.type in _ENDS:
            return []
    return []


def _rewrite(lines: list[str]) -> list[str]:
    """IPython's input transformer: a cell that does not compile as Python 3 but does once its
    Python 2 statements are rewritten runs rewritten, recorded."""
    _soft.clear()  # a new cell: no space pending from the last one's print x,
    source = "".join(lines)
    rewritten = python3_source(source)
    if rewritten is None:
        return lines
    first = next((line.strip() for line in lines if "print" in line or "except" in line), "")
    record("python2-syntax", f"`{first[:100]}` and the cell's other Python 2 statements rewritten")
    return rewritten.splitlines(keepends=True)


def _python2_syntax(shell: Any) -> None:
    setattr(builtins, PRINT, python2_print)
    if _rewrite not in shell.input_transformers_post:
        shell.input_transformers_post.append(_rewrite)


SHELL_SHIMS: dict[str, tuple[str, Callable[[Any], None]]] = {
    "python2-builtins": (
        "Python 3 moved reload, xrange, raw_input, unichr: importlib.reload, range, input, chr",
        _python2_builtins,
    ),
    "python2-syntax": (
        "a cell that only compiles as Python 2 (print x, except E, e:): Python 2's print as a "
        "function, except E as e",
        _python2_syntax,
    ),
}
