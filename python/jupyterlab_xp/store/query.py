"""Validate a run-list query (from REST or the CLI) and express it for a store.

Client strings never reach a query language unchecked: every value is matched against a strict
pattern first and then quoted for MLflow's filter grammar (:func:`quote_value`), and the SQLite
fast path binds values as parameters.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from jupyterlab_xp.core import columns, tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.tags import RUN_STATUSES
from jupyterlab_xp.core.validation import validate_key

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
_TEXT = re.compile(r"^[\w .:/@+-]{1,100}$")
_VALUE = re.compile(r"^[^\x00-\x1f]{1,500}$")
_TOKEN = re.compile(r"^[A-Za-z0-9+/=_-]{1,500}$")
ALLOWED = frozenset(
    {
        "experiment",
        "notebook",
        "status",
        "tag",
        "q",
        "sort",
        "order",
        "limit",
        "page_token",
        "lifecycle",
        "params",
    }
)
MAX_PARAM_COLUMNS = 50
# Which runs a list holds: archived runs are MLflow's lifecycle stage ``deleted``.
LIFECYCLES = ("active", "archived", "all")


@dataclass(frozen=True)
class RunQuery:
    """A validated query over jupyterlab-xp runs.

    Attributes:
        experiments: experiment names (empty: all).
        tags: ``(key, value)`` pairs a run must carry (the notebook filter is one of them).
        status: a run status, or None.
        text: a substring of the run name (case-insensitive), or None.
        sort_metric: sort by this metric's latest value instead of ``sort``.
        sort: ``start_time`` or ``name`` (when ``sort_metric`` is None).
        descending: sort order.
        limit: page size.
        page_token: where the previous page stopped.
        lifecycle: ``active`` (the default), ``archived`` or ``all`` runs.
        params: param keys each summary carries (``params=a,b``; the table view's columns),
            or None: no params and no ``param_keys`` (the list stays lean).
    """

    experiments: list[str] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)
    status: str | None = None
    text: str | None = None
    sort_metric: str | None = None
    sort: str = "start_time"
    descending: bool = True
    limit: int = DEFAULT_LIMIT
    page_token: str | None = None
    lifecycle: str = "active"
    params: tuple[str, ...] | None = None

    def mlflow_filter(self) -> str:
        """The query as an MLflow search filter (values quoted by :func:`quote_value`)."""
        clauses = [
            f"{columns.search_field(columns.TAGS, k)} = {quote_value(v)}" for k, v in self.tags
        ]
        if self.status:
            clauses.append(f"attributes.status = '{self.status}'")
        if self.text:
            clauses.append(f"attributes.run_name ILIKE '%{self.text}%'")
        return " and ".join(clauses)

    def mlflow_order_by(self) -> list[str]:
        """The order as MLflow ``order_by`` clauses (start time breaks ties)."""
        direction = "DESC" if self.descending else "ASC"
        if self.sort_metric:
            metric = columns.search_field(columns.METRICS, self.sort_metric)
            return [f"{metric} {direction}", "attributes.start_time DESC"]
        if self.sort == "name":
            return [f"attributes.run_name {direction}", "attributes.start_time DESC"]
        return [f"attributes.start_time {direction}"]


def _one(args: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = args.get(name) or []
    if len(values) > 1:
        raise XpError(f"give {name} once")
    return values[0] if values else None


def quote_value(value: str) -> str:
    """``value`` as a string literal of MLflow's search filter, matched exactly.

    MLflow's filter parser has no escapes: a value is quoted with the quote it does not hold
    (``"it's"``, ``'say "hi"'``); backslashes, ``%`` and ``_`` are literal in ``=``.

    Raises:
        XpError: the value holds both quote characters (MLflow cannot match it).
    """
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise XpError("a filter value cannot hold both ' and \" (MLflow's search cannot match it)")


def _value(name: str, value: str) -> str:
    if not _VALUE.match(value):
        raise XpError(f"{name} must be 1 to 500 characters, without control characters")
    quote_value(value)  # one rule on every store: refused here, not only by MLflow's path
    return value


def parse_run_query(args: Mapping[str, Sequence[str]]) -> RunQuery:  # noqa: C901  # one check per argument
    """Build a :class:`RunQuery` from query arguments (name to list of values).

    Raises:
        XpError: an unknown argument or a malformed value (a one-line reason).
    """
    # JupyterLab's ServerConnection adds a bare timestamp to GETs to defeat caches: ignore it.
    args = {k: v for k, v in args.items() if not k.isdigit()}
    unknown = sorted(set(args) - ALLOWED)
    if unknown:
        raise XpError(f"unknown query argument {unknown[0]!r}; known: {', '.join(sorted(ALLOWED))}")
    pairs: list[tuple[str, str]] = []
    notebook = _one(args, "notebook")
    if notebook is not None:
        pairs.append((tags.NOTEBOOK_PATH, _value("notebook", notebook)))
    for pair in args.get("tag", []):
        key, sep, value = pair.partition("=")
        if not sep:
            raise XpError("tag filters look like key=value")
        pairs.append((validate_key(key, "tag name"), _value("tag value", value)))
    status = _one(args, "status")
    if status is not None and status.upper() not in RUN_STATUSES:
        raise XpError(f"status must be one of {', '.join(RUN_STATUSES)}")
    text = _one(args, "q") or None
    if text is not None and not _TEXT.match(text):
        raise XpError("search text may hold letters, digits, spaces and . : / @ + - _ (1-100)")
    sort = _one(args, "sort") or "start_time"
    metric = columns.parse_column(sort, columns.METRICS)
    if metric is not None:
        metric = validate_key(metric, "metric name")
    elif sort not in ("start_time", "name"):
        raise XpError("sort must be start_time, name or metrics.<key>")
    order = (_one(args, "order") or "desc").lower()
    if order not in ("asc", "desc"):
        raise XpError("order must be asc or desc")
    limit_text = _one(args, "limit")
    limit = DEFAULT_LIMIT
    if limit_text is not None:
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
            raise XpError(f"limit must be a whole number from 1 to {MAX_LIMIT}")
        limit = int(limit_text)
    lifecycle = (_one(args, "lifecycle") or "active").lower()
    if lifecycle not in LIFECYCLES:
        raise XpError(f"lifecycle must be one of {', '.join(LIFECYCLES)}")
    params = None
    if "params" in args:
        params = tuple(
            dict.fromkeys(
                validate_key(k, "param name") for v in args["params"] for k in v.split(",") if k
            )
        )
        if len(params) > MAX_PARAM_COLUMNS:
            raise XpError(f"params takes at most {MAX_PARAM_COLUMNS} names")
    token = _one(args, "page_token")
    if token is not None and not _TOKEN.match(token):
        raise XpError("page_token is not one this server gave out")
    return RunQuery(
        experiments=[_value("experiment", e) for e in args.get("experiment", [])],
        tags=pairs,
        status=status.upper() if status else None,
        text=text,
        sort_metric=metric,
        sort=sort if metric is None else "start_time",
        descending=order == "desc",
        limit=limit,
        page_token=token,
        lifecycle=lifecycle,
        params=params,
    )


def param_columns(run_params: dict[str, str], params: tuple[str, ...]) -> dict[str, object]:
    """A list row's ``params`` (only those asked for) and ``param_keys`` (all the run holds)."""
    return {
        "params": {k: run_params[k] for k in params if k in run_params},
        "param_keys": sorted(run_params),
    }


MAX_OFFSET = 1 << 40  # far past any store's run count


def token_offset(token: str | None) -> int:
    """The offset in a page token (MLflow's own format: base64 of ``{"offset": n}``)."""
    if not token:
        return 0
    try:
        offset = json.loads(base64.b64decode(token, validate=True))["offset"]
    except (ValueError, KeyError, TypeError) as exc:
        raise XpError("page_token is not one this server gave out") from exc
    # Bounded: a database's 64-bit offset overflows at 2**63 (a store error, not bad input).
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
        raise XpError("page_token is not one this server gave out")
    return offset


def offset_token(offset: int) -> str:
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()
