"""Presentation drift between library versions, as a table of small named rules over output text.

Each rule rewrites what a library prints differently today for the same value into one form
(NumPy 2's ``np.float64(5.0)`` and NumPy 1's ``5.0``; pandas 3's ``dtype: str`` and pandas
1's ``dtype: object``; a figure's size; a kernel's temp-file path), so that two outputs that
differ only by such drift compare equal and are classed ``same-values``. Each rule has a test
built from a real before/after pair (``tests/fixtures/stale/``).
"""

from __future__ import annotations

import ast
import pprint
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class Rule:
    """One kind of drift: its name (shown in the verdict) and the rewrite."""

    name: str
    why: str
    apply: Callable[[str], str]


def _sub(
    pattern: str, repl: str | Callable[[re.Match[str]], str], flags: int = 0
) -> Callable[[str], str]:
    compiled = re.compile(pattern, flags)
    return lambda text: compiled.sub(repl, text)


_SPARSE_OLD = re.compile(
    r"<(\d+)x(\d+) sparse (?:matrix|array) of type '<class 'numpy\.(\w+)'>'\s+"
    r"with (\d+) stored elements in (?:\w+ )*?(\w+) format>"
)
_SPARSE_NEW = re.compile(
    r"<(\w+(?: \w+)*?) sparse (?:matrix|array) of dtype '(\w+)'\s+"
    r"with (\d+) stored elements (?:\(\d+ diagonals\) )?and shape \((\d+), (\d+)\)>"
)
_SPARSE_FORMATS = {
    "Compressed Sparse Row": "CSR",
    "Compressed Sparse Column": "CSC",
    "COOrdinate": "COO",
    "Row": "CSR",
    "Column": "CSC",
}


def _sparse(text: str) -> str:
    def old(m: re.Match[str]) -> str:
        fmt = m.group(5)
        return f"<sparse {fmt} {m.group(3)} {m.group(1)}x{m.group(2)} nnz={m.group(4)}>"

    def new(m: re.Match[str]) -> str:
        fmt = _SPARSE_FORMATS.get(m.group(1), m.group(1).split()[-1])
        return f"<sparse {fmt} {m.group(2)} {m.group(4)}x{m.group(5)} nnz={m.group(3)}>"

    # The old repr names the format by its last word ("...Sparse Row format"): map both alike.
    text = _SPARSE_OLD.sub(old, text)
    text = text.replace("<sparse Row ", "<sparse CSR ").replace("<sparse Column ", "<sparse CSC ")
    return _SPARSE_NEW.sub(new, text)


MAX_LITERAL = 20_000  # characters: a longer output is not parsed as a Python literal


def _unordered(value: object) -> bool:
    if isinstance(value, dict | set | frozenset):
        return True
    return isinstance(value, list | tuple) and any(_unordered(v) for v in value)


def _sorted_literal(text: str) -> str:
    """An output that is one Python literal holding a dict or set, printed with sorted keys."""
    if len(text) > MAX_LITERAL or not text.strip().startswith(("{", "[", "(")):
        return text
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return text
    return pprint.pformat(value, sort_dicts=True) if _unordered(value) else text


def _numpy_scalar(match: re.Match[str]) -> str:
    return match.group(1)


RULES: tuple[Rule, ...] = (
    Rule(
        "xp-messages",
        "the recorder's own lines (xp: recording ..., xp: stopped run ...) name this run",
        _sub(r"(?m)^xp: .*(?:\n|$)", ""),
    ),
    Rule(
        "numpy-scalar-repr",
        "NumPy 2 prints scalars with their type (np.float64(5.0)); NumPy 1 printed 5.0",
        _sub(
            r"\bnp\.(?:float|int|uint|complex|longdouble|clongdouble|bool|str|bytes)\w*"
            r"\(((?:[^()]|\([^()]*\))*)\)",
            _numpy_scalar,
        ),
    ),
    Rule(
        "numpy-bool-repr",
        "NumPy 2 prints np.True_ / np.False_ where NumPy 1 printed True / False",
        _sub(r"\bnp\.(True|False)_", r"\1"),
    ),
    Rule(
        "pandas-string-dtype",
        "pandas 3 names text columns dtype 'str' where earlier versions said 'object'",
        _sub(r"(dtype[:=] ?'?)str(?=\b)", r"\1object"),
    ),
    Rule(
        "pandas-repr-wrap",
        "pandas 2+ wraps an Index's repr before dtype= (name=, length=) where pandas 1 kept "
        "one line",
        _sub(r",[ \t]*\n[ \t]+(?=(?:dtype|name|length|freq)=)", ", "),
    ),
    Rule(
        "pandas-dtypes-listing",
        "pandas 3 lists a text column as str in DataFrame.dtypes where pandas 1 and 2 said object",
        _sub(r"(?m)^(?!dtype:)(\S+[ \t]+)str[ \t]*$", r"\1object"),
    ),
    Rule(
        "pandas-typed-index",
        "pandas 2 prints Int64Index([...]), Float64Index and UInt64Index as Index([...])",
        _sub(r"\b(?:Int64|UInt64|Float64)Index\(", "Index("),
    ),
    Rule(
        "pandas-arrow-strings",
        "pandas 3 returns an ArrowStringArray where pandas 1 and 2 gave array([...], dtype=object)",
        _sub(
            r"<ArrowStringArray>\s*(\[[^\]]*\])\s*Length: \d+, dtype: (?:str|object)",
            r"array(\1, dtype=object)",
        ),
    ),
    Rule(
        "numpy-void-repr",
        "NumPy 2 prints a structured record as np.void((...), dtype=[...]); NumPy 1 as (...)",
        _sub(r"\bnp\.void\((\((?:[^()]|\([^()]*\))*\)), dtype=\[[^\]]*\]\)", r"\1"),
    ),
    Rule(
        "timeit",
        "%timeit's line (loops, runs, separators) is a measurement of the machine, not a result",
        _sub(
            r"(?m)^.*(?:per loop \(mean ± std\. dev\. of .*\)|loops?, best of \d+: .*per loop)$",
            "<TIMEIT>",
        ),
    ),
    Rule(
        "file-listing",
        "ls -l lines name the owner, size and date of a file on the machine that listed it",
        _sub(
            r"(?m)^([-dl][rwxsStT-]{9}[.@+]?)\s+\d+\s+\S+\s+\S+\s+[\d.,]+[KMGT]?\s+"
            r"\w{3}\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4})\s+",
            r"\1 <FILE> ",
        ),
    ),
    Rule(
        "figure-size",
        "a figure's repr names its size, whose default changed between matplotlib versions",
        _sub(
            r"<Figure size \d+(?:\.\d+)?x\d+(?:\.\d+)? with (\d+) Axes>", r"<Figure with \1 Axes>"
        ),
    ),
    Rule(
        "array-shape-suffix",
        "NumPy 2 appends shape=(...) to a summarised array's repr",
        _sub(r",\s*shape=\([\d, ]*\)(?=[,)])", ""),
    ),
    Rule(
        "sparse-matrix-repr",
        "SciPy 1.11+ rewrote the sparse matrix repr (format, dtype and shape in a new order)",
        _sparse,
    ),
    Rule(
        "temp-path",
        "kernels and libraries name temporary files (/tmp/ipykernel_123/456.py), new each run",
        _sub(
            r"(?:/tmp|/var/folders/[\w/+-]+?/T|[A-Za-z]:\\\\?Users\\\\?[^\\\s]+\\\\?AppData"
            r"\\\\?Local\\\\?Temp)[/\\][^\s:'\",)]+",
            "<TMP>",
        ),
    ),
    Rule(
        "dict-order",
        "Python before 3.7 printed a dict's keys in hash order (IPython sorted them): the same "
        "dict or set in another order",
        _sorted_literal,
    ),
    Rule(
        "private-module-path",
        "libraries moved classes into private modules (sklearn.utils.Bunch is now printed "
        "sklearn.utils._bunch.Bunch)",
        _sub(r"\b((?:[a-z]\w*\.)+)(?:_[a-z]\w*\.)+(?=[A-Z]\w*\b)", r"\1"),
    ),
    Rule(
        "memory-address",
        "object reprs name their memory address (at 0x7f...), new each run",
        _sub(r"0x[0-9a-fA-F]{6,}", "0xADDR"),
    ),
    Rule(
        "timestamp",
        "dates and times printed by the cell are when it ran",
        _sub(
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
            r"|\b\d{2}:\d{2}:\d{2}\b",
            "<TIME>",
        ),
    ),
    Rule(
        "duration",
        "durations and rates (3.2s, 120 it/s, Wall time: 1.2 ms) change with the machine",
        _sub(
            r"\b\d+(?:\.\d+)?\s*(?:ns|µs|μs|us|ms|s|sec|seconds|min|it/s|s/it)\b"
            r"(?:\s*±\s*\d+(?:\.\d+)?\s*(?:ns|µs|μs|us|ms|s))?",
            "<DURATION>",
        ),
    ),
    Rule(
        "whitespace",
        "column padding and trailing spaces change with the widest value and the version",
        lambda text: "\n".join(
            re.sub(r"[ \t]+", " ", ln).strip() for ln in text.strip().splitlines()
        ),
    ),
)


def normalise(text: str) -> tuple[str, list[str]]:
    """``text`` with every rule applied, and the names of the rules that changed it."""
    fired: list[str] = []
    for rule in RULES:
        rewritten = rule.apply(text)
        if rewritten != text:
            fired.append(rule.name)
            text = rewritten
    return text, fired


NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])|\b(?:nan|NaN|inf)\b"
)


def numbers(text: str) -> list[float]:
    """The numbers in ``text``, in order (``nan``/``inf`` included)."""
    return [float(m.group(0)) for m in NUMBER.finditer(text)]


def skeleton(text: str) -> str:
    """``text`` with every number replaced by ``#``: what must match word for word."""
    return NUMBER.sub("#", text)


class _Table(HTMLParser):
    """The text of an HTML table's cells, row by row (a DataFrame's ``text/html``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_table_text(html: str) -> str | None:
    """An HTML table as tab-separated lines of cell text; None when ``html`` holds no table."""
    if "<table" not in html:
        return None
    parser = _Table()
    parser.feed(html)
    rows = [row for row in parser.rows if row]
    return "\n".join("\t".join(row) for row in rows) if rows else None
