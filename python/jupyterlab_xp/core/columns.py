"""Run columns as MLflow names them, ``metrics.<key>``, ``params.<key>``, ``tags.<key>``: parsed
and built in this one place on the Python side.

Two spellings: the plain ``kind.key`` that users and files see (the run list's ``sort``, the
CSV export's headers, the gate's ``params.NAME=VALUE`` selections), and MLflow's search grammar
``kind.`key```, which quotes the key so that one with dots or slashes stays one name.
"""

from __future__ import annotations

from jupyterlab_xp.core.errors import XpError

METRICS = "metrics"
PARAMS = "params"
TAGS = "tags"
KINDS = (METRICS, PARAMS, TAGS)


def column(kind: str, key: str) -> str:
    """``kind.key``: a column as a sort, a CSV header or a selection names it."""
    return f"{kind}.{key}"


def parse_column(text: str, kind: str) -> str | None:
    """The key of ``kind.key``, or None when ``text`` does not start with ``kind.``.

    The key may be empty (``metrics.``): the caller validates it as the name it stands for.
    """
    head, dot, key = text.partition(".")
    return key if dot and head == kind else None


def search_field(kind: str, key: str) -> str:
    """``kind.`key```: the column in an MLflow search filter or ``order_by`` clause.

    Raises:
        XpError: the key holds a backquote (MLflow's grammar has no escape for one).
    """
    if "`" in key:
        raise XpError(f"a {kind} key cannot hold a backquote: {key[:80]!r}")
    return f"{kind}.`{key}`"
