"""Validate a run-list query (from REST or the CLI) and turn it into an MLflow search.

Client strings never reach the MLflow filter language unchecked: every value is matched against
a strict pattern first, so a quote or an operator in a filter is a 400, not a query change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from . import tags
from .errors import XpError
from .mlflow_store import RUN_STATUSES
from .recorder import validate_key

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
_TEXT = re.compile(r"^[\w .:/@+-]{1,100}$")
_VALUE = re.compile(r"^[^'\"\\\x00-\x1f]{1,500}$")
_TOKEN = re.compile(r"^[A-Za-z0-9+/=_-]{1,500}$")
_SORTS = {"start_time": "attributes.start_time", "name": "attributes.run_name"}
ALLOWED = frozenset(
    {"experiment", "notebook", "status", "tag", "q", "sort", "order", "limit", "page_token"}
)


@dataclass(frozen=True)
class RunQuery:
    """A validated query: which experiments, an MLflow filter, an order, a page."""

    experiments: list[str] = field(default_factory=list)
    filter_string: str = ""
    order_by: list[str] = field(default_factory=lambda: ["attributes.start_time DESC"])
    limit: int = DEFAULT_LIMIT
    page_token: str | None = None


def _one(args: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = args.get(name) or []
    if len(values) > 1:
        raise XpError(f"give {name} once")
    return values[0] if values else None


def _value(name: str, value: str) -> str:
    if not _VALUE.match(value):
        raise XpError(f"{name} must be 1 to 500 characters without quotes or backslashes")
    return value


def parse_run_query(args: Mapping[str, Sequence[str]]) -> RunQuery:
    """Build a :class:`RunQuery` from query arguments (name to list of values).

    Raises:
        XpError: an unknown argument or a malformed value (a one-line reason).
    """
    unknown = sorted(set(args) - ALLOWED)
    if unknown:
        raise XpError(f"unknown query argument {unknown[0]!r}; known: {', '.join(sorted(ALLOWED))}")
    clauses: list[str] = []
    experiments = [_value("experiment", e) for e in args.get("experiment", [])]
    notebook = _one(args, "notebook")
    if notebook is not None:
        clauses.append(f"tags.`{tags.NOTEBOOK_PATH}` = '{_value('notebook', notebook)}'")
    status = _one(args, "status")
    if status is not None:
        if status.upper() not in RUN_STATUSES:
            raise XpError(f"status must be one of {', '.join(RUN_STATUSES)}")
        clauses.append(f"attributes.status = '{status.upper()}'")
    for pair in args.get("tag", []):
        key, sep, value = pair.partition("=")
        if not sep:
            raise XpError("tag filters look like key=value")
        clauses.append(f"tags.`{validate_key(key, 'tag name')}` = '{_value('tag value', value)}'")
    text = _one(args, "q")
    if text:
        if not _TEXT.match(text):
            raise XpError("search text may hold letters, digits, spaces and . : / @ + - _ (1-100)")
        clauses.append(f"attributes.run_name ILIKE '%{text}%'")
    sort = _one(args, "sort") or "start_time"
    if sort.startswith("metrics."):
        column = f"metrics.`{validate_key(sort.removeprefix('metrics.'), 'metric name')}`"
    elif sort in _SORTS:
        column = _SORTS[sort]
    else:
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
    token = _one(args, "page_token")
    if token is not None and not _TOKEN.match(token):
        raise XpError("page_token is not one this server gave out")
    order_by = [f"{column} {order.upper()}"]
    if column != "attributes.start_time":
        order_by.append("attributes.start_time DESC")
    return RunQuery(
        experiments=experiments,
        filter_string=" and ".join(clauses),
        order_by=order_by,
        limit=limit,
        page_token=token,
    )
