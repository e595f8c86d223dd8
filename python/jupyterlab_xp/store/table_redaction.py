"""Redaction of a predictions file (Parquet or NPZ): its text columns, never its bytes as text.

Scanning compressed bytes as text would find "secrets" in noise and corrupt the file; the only
place a secret can hide in a predictions table is a text value (an id, a label), so those are
redacted one distinct value at a time. A table with nothing to redact is passed on byte for
byte, so its checksum in the journal still matches the upload.
"""

from __future__ import annotations

from collections.abc import Callable

from jupyterlab_xp.core.prediction_files import columns_bytes, read_columns

TextRedactor = Callable[[str, str], str]  # (value, field) -> the value with secrets replaced


def redact_table(data: bytes, suffix: str, redact_text: TextRedactor) -> bytes:
    """``data`` with every secret in its text columns replaced (the same bytes if none)."""
    import numpy as np

    columns = read_columns(data, suffix)
    changed = False
    for name, values in columns.items():
        if values.dtype.kind not in "UO":
            continue
        distinct = {str(v) for v in values}
        clean = {v: redact_text(v, name) for v in distinct}
        if any(clean[v] != v for v in distinct):
            columns[name] = np.array([clean[str(v)] for v in values], dtype=str)
            changed = True
    return columns_bytes(columns, suffix) if changed else data
