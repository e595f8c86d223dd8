"""Why a promoted cell failed: the line that raised, whose code raised, and known library removals.

The traceback IPython stores in an error output names each frame: ``Cell In[3], line 2`` for
the notebook's own code, ``File /.../site-packages/<package>/...`` for a library's. The failing
line is the notebook frame's ``---->`` line (not the cell's first line); the raising frame is
the last one. An error that matches a known removal (a small table, each row tested) says what
was removed, in which version, and what to try.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from typing import Any

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_FRAME = re.compile(r"^(?:Cell In\s*\[(\d*)\], line (\d+)|Input In \[(\d*)\].*)")
_FILE_FRAME = re.compile(r"^File (.+?):(\d+)(?:, in (.+))?$")
_ARROW = re.compile(r"^\s*-+> ?(\d+)\s?(.*)$")
_PACKAGE = re.compile(r"(?:site|dist)-packages[/\\]([A-Za-z0-9_]+)")


@dataclass(frozen=True)
class Removal:
    """An API a library removed: how its error reads, and what to try."""

    package: str  # the distribution whose installed version is shown
    pattern: re.Pattern[str]  # matched against "ename: evalue" and the failing line
    removed: str  # what was removed and when (``{0}``: the pattern's first group)
    pin: str  # a requirement under which the notebook's code still works
    instead: str  # how to change the code instead


REMOVALS: tuple[Removal, ...] = (
    Removal(
        "matplotlib",
        re.compile(
            r"'(seaborn-?[\w-]*)' (?:is )?not a valid package style|seaborn[\w-]*\.mplstyle"
        ),
        "matplotlib 3.8 removed the style {0!r} (deprecated in 3.6)",
        "matplotlib<3.8",
        "use 'seaborn-v0_8-{1}' (or seaborn's own set_theme)",
    ),
    Removal(
        "pandas",
        re.compile(r"'(DataFrame|Series)' object has no attribute '(append|iteritems)'"),
        "pandas 2.0 removed {0}.{1}",
        "pandas<2",
        "use pd.concat (for append) or .items() (for iteritems)",
    ),
    Removal(
        "numpy",
        re.compile(
            r"module 'numpy' has no attribute '(float|int|bool|object|str|complex|long|unicode)'"
        ),
        "NumPy 1.24 removed the alias np.{0}",
        "numpy<1.24",
        "use the builtin {0} (same behaviour)",
    ),
    Removal(
        "numpy",
        re.compile(r"`?np\.(NaN|Inf|NINF|PINF|NAN|infty|float_|string_|unicode_)`? was removed"),
        "NumPy 2.0 removed np.{0}",
        "numpy<2",
        "use np.nan, np.inf, np.float64 or np.str_",
    ),
    Removal(
        "scikit-learn",
        re.compile(r"OneHotEncoder\.__init__\(\) got an unexpected keyword argument 'sparse'"),
        "scikit-learn 1.4 removed OneHotEncoder(sparse=...) (renamed sparse_output in 1.2)",
        "scikit-learn<1.4",
        "pass sparse_output= instead",
    ),
    Removal(
        "scikit-learn",
        re.compile(r"cannot import name 'load_boston' from 'sklearn\.datasets'"),
        "scikit-learn 1.2 removed load_boston",
        "scikit-learn<1.2",
        "use fetch_california_housing or fetch_openml(name='boston', version=1)",
    ),
    Removal(
        "matplotlib",
        re.compile(r"module 'matplotlib\.cm' has no attribute 'get_cmap'"),
        "matplotlib 3.9 removed matplotlib.cm.get_cmap",
        "matplotlib<3.9",
        "use matplotlib.colormaps[name]",
    ),
)


# A program the notebook runs that this machine lacks: not a Python package, so no pin helps.
_MISSING_TOOL = re.compile(
    r"No such file or directory: '(ffmpeg|ffprobe|convert|magick|dot|latex|pdflatex|dvipng|gs"
    r"|java|R|Rscript|git|wget|curl|unzip|nvidia-smi)'"
    r"|MovieWriter (\w+) unavailable|Requested MovieWriter \((\w+)\) not available"
    r"|because (latex|dvipng|ghostscript) could not be found"
    r"|ExecutableNotFound: failed to execute (?:PosixPath\(|WindowsPath\()?'?(\w+)"
)


def missing_tool(ename: str, evalue: str) -> str | None:
    """The system program an error says is missing (ffmpeg, latex, dot...), if any."""
    match = _MISSING_TOOL.search(f"{ename}: {evalue}")
    return next((g for g in match.groups() if g), None) if match else None


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def frames(traceback: list[str]) -> list[dict[str, Any]]:
    """The frames of the last exception in an IPython traceback, outermost first."""
    text = strip_ansi("\n".join(traceback))
    last = text.rsplit("Traceback (most recent call last)", 1)[-1]
    found: list[dict[str, Any]] = []
    for line in last.splitlines():
        cell, file = _CELL_FRAME.match(line), _FILE_FRAME.match(line)
        if cell:
            found.append({"where": "notebook", "line_number": int(cell.group(2) or 0) or None})
        elif file:
            package = _PACKAGE.search(file.group(1))
            found.append(
                {
                    "where": "library",
                    "file": file.group(1),
                    "line_number": int(file.group(2)),
                    "library": package.group(1) if package else None,
                }
            )
        elif found and "line" not in found[-1]:
            arrow = _ARROW.match(line)
            if arrow:
                found[-1]["line"] = arrow.group(2).strip()
                found[-1]["line_number"] = int(arrow.group(1))
    return found


def known_removal(ename: str, evalue: str, line: str | None = None) -> dict[str, str] | None:
    """The table's row matching this error, filled in, with today's version; None if none."""
    text = f"{ename}: {evalue}\n{line or ''}"
    for row in REMOVALS:
        match = row.pattern.search(text)
        if match is None:
            continue
        groups = [g or "" for g in match.groups()]
        tail = groups[0].split("-", 1)[-1] if groups else ""
        try:
            today = metadata.version(row.package)
        except metadata.PackageNotFoundError:
            today = "not installed"
        return {
            "package": row.package,
            "installed": today,
            "removed": row.removed.format(*groups, tail) if groups else row.removed,
            "try": row.pin,
            "instead": row.instead.format(*groups, tail) if groups else row.instead,
        }
    return None


def failure(output: dict[str, Any]) -> dict[str, Any]:
    """What an error output says: the error, the failing line, whose code raised, a hint."""
    ename, evalue = str(output.get("ename", "")), str(output.get("evalue", ""))
    found = frames([str(t) for t in output.get("traceback") or []])
    notebook = [f for f in found if f["where"] == "notebook"]
    raising = found[-1] if found else None
    line = notebook[-1].get("line") if notebook else None
    out: dict[str, Any] = {
        "ename": ename,
        "evalue": evalue.splitlines()[0][:300] if evalue else "",
        "line": line,
        "line_number": notebook[-1].get("line_number") if notebook else None,
        "raised_in": raising["where"] if raising else None,
        "library": raising.get("library") if raising else None,
    }
    out["removal"] = known_removal(ename, evalue, line)
    out["missing_tool"] = missing_tool(ename, evalue)
    return out


def describe(details: dict[str, Any]) -> str:
    """One line: where it failed and whose code raised, and the known removal with a next step."""
    parts = []
    if details.get("line"):
        parts.append(f"at line {details['line_number']}: `{details['line'][:120]}`")
    if details.get("raised_in") == "library":
        parts.append(f"raised inside {details.get('library') or 'a library'}, not the notebook")
    elif details.get("raised_in") == "notebook":
        parts.append("raised by the notebook's own code")
    if details.get("missing_tool"):
        parts.append(
            f"the program {details['missing_tool']!r} is not installed on this machine (a "
            "system tool, not a Python package): install it, then promote again"
        )
    removal = details.get("removal")
    if removal:
        suggest = removal.get("outputs_suggest") or []
        parts.append(
            f"{removal['removed']} (installed: {removal['package']} {removal['installed']})"
            + (f"; the stored outputs suggest {suggest[0]}" if suggest else "")
            + f"; try it with '{removal['try']}', or {removal['instead']}"
        )
    return "; ".join(parts)


# What stored outputs reveal about the libraries that made them: (pattern, what it suggests).
_ERA_SIGNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"seaborn styles shipped by Matplotlib are deprecated"),
        "matplotlib 3.6 or 3.7 (the stored output warns that its seaborn styles are deprecated)",
    ),
    (
        re.compile(r"<Figure size 432x288 with"),
        "an inline backend of 2021 or earlier (figures 432x288, today's default is 640x480)",
    ),
    (
        re.compile(r"frame\.append method is deprecated"),
        "pandas 1.4 or 1.5 (the stored output warns that DataFrame.append is deprecated)",
    ),
    (re.compile(r"\bnp\.float64\("), "NumPy 2 or later (scalars printed as np.float64(...))"),
)
_VERSION = re.compile(
    r"\b(numpy|pandas|matplotlib|scipy|sklearn|scikit-learn|torch|tensorflow|seaborn)"
    r"(?:\.__version__)?\s*(?:version)?\s*[:=]?\s*'?v?(\d+\.\d+(?:\.\d+)?)\b",
    re.IGNORECASE,
)


def output_hints(notebook: dict[str, Any] | None, package: str | None = None) -> list[str]:
    """What the notebook's stored outputs say about the library versions that made them
    (``package``: only hints naming it), most specific first: printed versions, then signs."""
    texts: list[str] = []
    for cell in (notebook or {}).get("cells", []):
        for out in cell.get("outputs", []) if isinstance(cell, dict) else []:
            data = out.get("data") or {}
            for value in (out.get("text"), data.get("text/plain")):
                if value:
                    texts.append("".join(value) if isinstance(value, list) else str(value))
    text = "\n".join(texts)
    hints = [
        f"{m.group(1)} {m.group(2)} (a version printed in the stored outputs)"
        for m in _VERSION.finditer(text)
    ]
    hints += [what for pattern, what in _ERA_SIGNS if pattern.search(text)]
    if package:
        name = package.replace("scikit-learn", "sklearn")
        hints = [h for h in hints if h.lower().startswith((package.lower(), name.lower()))]
    return list(dict.fromkeys(hints))
