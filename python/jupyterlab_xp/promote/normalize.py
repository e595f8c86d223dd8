"""Presentation drift between library versions, as a table of small named rules over output text.

Each rule rewrites what a library prints differently today for the same value into one form
(NumPy 2's ``np.float64(5.0)`` and NumPy 1's ``5.0``; pandas 3's ``dtype: str`` and pandas
1's ``dtype: object``; a figure's size; a kernel's temp-file path), so that two outputs that
differ only by such drift compare equal and are classed ``same-values``. Each rule has a test
built from a real before/after pair (``tests/fixtures/stale/``).
"""

from __future__ import annotations

import ast
import functools
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


_COUNTS_NAMED = re.compile(r"(?m)\A(\w+)\n((?:.*\n)*?)Name: (?:count|proportion), (dtype: \w+)$")
_COUNTS_UNNAMED = re.compile(r"(?m)^Name: (?:count|proportion), (dtype: \w+)$")


def _value_counts(text: str) -> str:
    """pandas 2's value_counts() text in pandas 1's form: the index's name back as the
    Series' name (or no name when the column had none)."""
    named = _COUNTS_NAMED.sub(r"\2Name: \1, \3", text)
    return named if named != text else _COUNTS_UNNAMED.sub(r"\1", text)


_OPEN, _CLOSE = "([{", ")]}"
_BRACKET_PAD = re.compile(r"(?<=[\[(]) | (?=[\])])")


def _join_bracketed(text: str) -> str:
    """Line breaks inside brackets as spaces: where an array or a list wraps is layout."""
    out, depth = [], 0
    for char in text:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        out.append(" " if char == "\n" and depth else char)
    return "".join(out)


def _padding(text: str) -> str:
    lines = (re.sub(r"[ \t]+", " ", ln).strip() for ln in _join_bracketed(text).splitlines())
    return "\n".join(_BRACKET_PAD.sub("", ln) for ln in lines).strip()


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
        "pandas-value-counts",
        "pandas 2 names value_counts() as count (or proportion) and its index after the column, "
        "where pandas 1 named the result after the column: the same counts",
        _value_counts,
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
        "sparse-str-header",
        "SciPy 1.13+ prints a sparse matrix's shape and a Coords/Values header above its "
        "entries, where earlier versions printed the entries alone",
        _sub(r"<sparse \w+ \w+ \d+x\d+ nnz=\d+>[ \t]*\n[ \t]*Coords[ \t]+Values[ \t]*\n", ""),
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
        "figure-repr",
        "matplotlib before 3.0 printed a figure as <matplotlib.figure.Figure at 0x...>, today "
        "<Figure size WxH with N Axes>: the same figure",
        _sub(
            r"<matplotlib\.figure\.Figure (?:object )?at 0x[0-9a-fA-F]+>"
            r"|<Figure with \d+ Axes>",  # after figure-size: the old repr has no count
            "<Figure>",
        ),
    ),
    Rule(
        "axes-repr",
        "matplotlib printed an Axes as <matplotlib.axes._subplots.AxesSubplot at 0x...> before "
        "3.4, <AxesSubplot:...> before 3.7 and <Axes: ...> since: the same Axes",
        _sub(
            r"<matplotlib\.axes\.(?:_subplots\.|_axes\.)?(?:AxesSubplot|Axes)(?: object)? at "
            r"0x[0-9a-fA-F]+>|<(?:AxesSubplot|Axes):[^<>\n]*>",
            "<Axes>",
        ),
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
        "column padding and trailing spaces change with the widest value and the version; NumPy "
        "pads array elements to the widest (a space for the sign, before 1.14 even when none is "
        "negative) and wraps them at another width",
        _padding,
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


# Output that reports the environment itself, not a result: applied only after the drift rules
# left two texts different, and a cell they reconcile is classed ``environment``, not
# ``same-values``, so the verdict says the stored and new text differed there.
_VERSION = r"\d+\.\d+(?:\.\d+)*(?:(?:a|b|rc|\.?dev|\.?post)\d*)?(?:\+[\w.]+)?"
_PYTHON_VERSION = re.compile(
    # sys.version: "3.9.6 | packaged by conda-forge | (default, Jul 11 2021, 03:35:11) \n[Clang]"
    r"\b[23]\.\d+\.\d+\S*\s*(?:\|[^|\n]*\|\s*)?\([^()\n]*\d{4}[^()\n]*\)"
    r"(?:\s*\[[^\[\]\n]*(?:\([^()\n]*\)[^\[\]\n]*)?\])?"
)
_NAMED_VERSION = re.compile(rf"(?i)(\bversion\b\W{{0,3}}(?:is\s+)?v?){_VERSION}")
_PACKAGE_LINE = re.compile(
    # a line that is only a package and its version: "[OK] numpy 1.22.0", "pandas : 1.3.5",
    # "torch==2.0.1" (watermark, pip freeze, version checks)
    rf"(?m)^([ \t]*(?:\[\w+\][ \t]*)?([A-Za-z][\w.-]*)[ \t]*(?:==|:|[ \t])[ \t]*v?)"
    rf"{_VERSION}[ \t]*$"
)


@functools.cache
def _distributions() -> frozenset[str]:
    """The installed distributions' and their modules' names, normalised (a line "loss 0.25"
    is not a version)."""
    from importlib import metadata

    names = {str(d.metadata["Name"] or "") for d in metadata.distributions()}
    names |= set(metadata.packages_distributions())  # import names too: sklearn, yaml
    return frozenset(re.sub(r"[-_.]+", "-", n).lower() for n in names if len(n) > 2) | {"python"}


def _package_line(match: re.Match[str]) -> str:
    name = re.sub(r"[-_.]+", "-", match.group(2)).lower()
    return match.group(1) + "<VERSION>" if name in _distributions() else match.group(0)


_HELP = re.compile(
    r"(?m)^Help on (?:[\w-]+ )*?(?:function|module|class|method|package|object|instance"
    r"|method-wrapper|builtin_function_or_method) ([\w.]+)(?: in module [\w.]+)?:$"
)
_HELP_SECTION = re.compile(r"[A-Z][A-Z ]+")


def _help_text(text: str) -> str:
    """pydoc's text (help(x)) as one line naming x: the header, the signature, and the lines
    that are blank, indented or a section (DESCRIPTION, FILE) after it; what follows stays."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        match = _HELP.match(lines[index])
        if not match:
            out.append(lines[index])
            index += 1
            continue
        out.append(f"Help on {match.group(1)}: <HELP>")
        index += 1
        signature = False
        while index < len(lines):
            line = lines[index]
            if line.strip() and not line[0].isspace() and not _HELP_SECTION.fullmatch(line):
                if signature:
                    break
                signature = True
            index += 1
    return "\n".join(out)


ENVIRONMENT_RULES: tuple[Rule, ...] = (
    Rule(
        "python-version",
        "sys.version names the Python that ran the cell, its build date and compiler",
        _sub(_PYTHON_VERSION.pattern, "<PYTHON>"),
    ),
    Rule(
        "package-version",
        "a printed version (NAME version: 1.2.3, [OK] numpy 1.22.0, pandas : 1.3.5) names "
        "the library installed where the cell ran",
        lambda text: _PACKAGE_LINE.sub(_package_line, _NAMED_VERSION.sub(r"\1<VERSION>", text)),
    ),
    Rule(
        "help-text",
        "help(x) prints the installed library's documentation of x, which changes with its version",
        _help_text,
    ),
)
