"""Did a promoted run reproduce its source? Metrics, and stored text outputs cell by cell.

Metrics: every metric of the source run against the promoted run's latest value: all equal is
"exact", all within the tolerance is
"within-tolerance", anything else (or a metric missing) "differs". Two numbers are close when
``math.isclose(a, b, rel_tol=tolerance, abs_tol=ABS_TOLERANCE)``: relative, as the README says,
with a small absolute floor so that values that should be zero may differ by rounding.

Outputs: text outputs (streams, ``text/plain`` results, error names) after normalising what
legitimately changes between runs: memory addresses, timestamps, durations, and numbers, which
are compared within the same tolerance.
"""

from __future__ import annotations

import math
import re
from typing import Any

from jupyterlab_xp.promote.build import PlannedCell

DEFAULT_TOLERANCE = 1e-6
ABS_TOLERANCE = 1e-12  # below this, two values are the same number whatever their ratio
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\b\d{2}:\d{2}:\d{2}\b"
)
_DURATION = re.compile(r"\b\d+(?:\.\d+)?\s*(?:ns|µs|us|ms|s|sec|seconds|it/s|s/it)\b")
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def close(a: float, b: float, tolerance: float) -> bool:
    """Equal within a relative ``tolerance`` (and :data:`ABS_TOLERANCE`); NaN equals NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=tolerance, abs_tol=ABS_TOLERANCE)


def compare_metrics(
    source: dict[str, float], promoted: dict[str, float], tolerance: float
) -> dict[str, Any]:
    """The verdict, the number of metrics compared and the largest differences first."""
    keys = sorted(k for k in source if not k.startswith("system/"))  # machine load, not results
    diffs: list[dict[str, Any]] = []
    verdict = "exact" if keys else "no-metrics"
    for key in keys:
        a, b = source[key], promoted.get(key)
        if b is None:
            diffs.append(
                {"key": key, "source": a, "promoted": None, "abs_diff": None, "rel_diff": None}
            )
            verdict = "differs"
            continue
        if a == b or (math.isnan(a) and math.isnan(b)):
            continue
        abs_diff = abs(a - b)
        rel = abs_diff / max(abs(a), abs(b)) if max(abs(a), abs(b)) > 0 else None
        diffs.append(
            {"key": key, "source": a, "promoted": b, "abs_diff": abs_diff, "rel_diff": rel}
        )
        if not close(a, b, tolerance):
            verdict = "differs"
        elif verdict == "exact":
            verdict = "within-tolerance"
    missing = [d for d in diffs if d["abs_diff"] is None]
    present = sorted(
        (d for d in diffs if d["abs_diff"] is not None),
        key=lambda d: -(d["rel_diff"] if d["rel_diff"] is not None else d["abs_diff"]),
    )
    return {
        "verdict": verdict,
        "tolerance": tolerance,
        "metrics_compared": len(keys),
        "largest": (missing + present)[:10],
    }


def normalise(text: str) -> str:
    """Text with addresses, timestamps and durations replaced by placeholders."""
    text = _ADDRESS.sub("0xADDR", text)
    text = _TIMESTAMP.sub("<TIME>", text)
    return _DURATION.sub("<DURATION>", text).strip()


def output_text(outputs: list[dict[str, Any]]) -> str:
    """The text a cell showed: streams, plain-text results and error names."""
    parts: list[str] = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            text = out.get("text", "")
            parts.append("".join(text) if isinstance(text, list) else str(text))
        elif kind in ("execute_result", "display_data"):
            plain = out.get("data", {}).get("text/plain")
            if plain is not None:
                parts.append("".join(plain) if isinstance(plain, list) else str(plain))
        elif kind == "error":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}")
    return "\n".join(parts)


def same_text(a: str, b: str, tolerance: float) -> bool:
    """Equal after normalising, with numbers compared within ``tolerance``."""
    a, b = normalise(a), normalise(b)
    if _NUMBER.sub("#", a) != _NUMBER.sub("#", b):
        return False
    return all(
        close(float(x), float(y), tolerance)
        for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b), strict=True)
    )


def compare_outputs(
    planned: list[PlannedCell], executed: dict[str, Any], tolerance: float
) -> dict[str, Any] | None:
    """Stored outputs of the source's cells against the executed notebook's, cell by cell.

    ``planned`` is the list the executed notebook was built from (code cells in order), so the
    n-th executed code cell is the n-th planned cell. None when the source stored no outputs.
    """
    code = [c for c in executed.get("cells", []) if c.get("cell_type") == "code"]
    compared = matched = 0
    mismatched: list[str] = []
    for cell, ran in zip(planned, code, strict=False):
        if not cell.outputs:
            continue
        expected = output_text(cell.outputs)
        if not expected.strip():
            continue
        compared += 1
        if same_text(expected, output_text(ran.get("outputs", [])), tolerance):
            matched += 1
        else:
            mismatched.append(cell.label)
    if compared == 0:
        return None
    return {"compared": compared, "matched": matched, "mismatched": mismatched}


def overall(metric_verdict: str, outputs: dict[str, Any] | None) -> str:
    """Outputs that differ make the verdict "differs" whatever the metrics say."""
    if outputs and outputs["mismatched"]:
        return "differs"
    if metric_verdict == "no-metrics" and outputs:
        return "exact"
    return metric_verdict
