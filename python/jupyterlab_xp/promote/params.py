"""Parameter names and values that are safe to write into a notebook or a script.

A name must be a Python identifier and not a keyword; a value must be a plain literal that
round-trips through ``repr`` and ``ast.literal_eval``, within size and depth limits. Anything else
is refused with one line, before any file is written or any code runs.
"""

from __future__ import annotations

import ast
import keyword
from collections.abc import Mapping
from typing import Any

from jupyterlab_xp.core.errors import XpError

MAX_PARAMS = 200
MAX_VALUE_CHARS = 10_000
MAX_DEPTH = 10


def check_name(name: object) -> str:
    """``name`` when it is an identifier and not a keyword (or a soft keyword like ``match``)."""
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        raise XpError(f"parameter names must be Python identifiers, got {str(name)[:80]!r}")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise XpError(f"parameter name {name!r} is a Python keyword")
    return name


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        children: list[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple, set, frozenset)):
        children = list(value)
    else:
        return level
    return max((_depth(c, level + 1) for c in children), default=level + 1)


def check_value(name: str, value: Any) -> Any:
    """``value`` when it is a literal that round-trips through ``ast.literal_eval``."""
    if _depth(value) > MAX_DEPTH:
        raise XpError(f"parameter {name}: nested deeper than {MAX_DEPTH} levels")
    try:
        text = repr(value)
    except Exception:
        raise XpError(f"parameter {name}: not a plain literal value") from None
    if len(text) > MAX_VALUE_CHARS:
        raise XpError(f"parameter {name}: longer than {MAX_VALUE_CHARS} characters")
    try:
        same = ast.literal_eval(text) == value
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        same = False
    if not same or (isinstance(value, float) and value != value):
        raise XpError(f"parameter {name}: {text[:60]} is not a plain literal value")
    return value


def check_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every name and value of ``params`` checked (see the module docstring)."""
    if not isinstance(params, Mapping):
        raise XpError("params must be an object of name to value")
    if len(params) > MAX_PARAMS:
        raise XpError(f"at most {MAX_PARAMS} parameters, got {len(params)}")
    return {check_name(k): check_value(k, v) for k, v in params.items()}


def parse_text(name: str, text: str) -> Any:
    """A value typed on a command line: a Python literal when it is one, else the string.

    ``-p lr 0.1`` gives a float, ``-p layers [64,32]`` a list, ``-p opt adam`` the string.
    """
    if len(text) > MAX_VALUE_CHARS:
        raise XpError(f"parameter {name}: longer than {MAX_VALUE_CHARS} characters")
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text
    return check_value(name, value)


def typed(value: str) -> Any:
    """An MLflow param (always a string) back to the literal it was, when it was one."""
    try:
        return check_value("-", ast.literal_eval(value))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, XpError):
        return value


def parse_seeds(text: str) -> list[int]:
    """``"0,1,2"`` to ``[0, 1, 2]`` (at most 100 seeds, each 0 to 2**32-1)."""
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) >= 2**32:
            raise XpError(f"seeds are integers from 0 to 2**32-1, got {part[:40]!r}")
        seeds.append(int(part))
    return check_seeds(seeds)


def check_seeds(seeds: list[int]) -> list[int]:
    """Seeds in range, no duplicates, at most 100."""
    if len(seeds) > 100:
        raise XpError("at most 100 seeds")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            raise XpError(f"seeds are integers from 0 to 2**32-1, got {seed!r}")
    if len(set(seeds)) != len(seeds):
        raise XpError("seeds must not repeat")
    return seeds
