"""Keys (metrics, params, tags), free-text names and edited tag values, checked against MLflow's
rules.

The limits are repeated in :mod:`jupyterlab_xp.core.tags`, so checking never imports MLflow.
"""

from __future__ import annotations

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.tags import MAX_KEY, MAX_TAG_VALUE, NAMED_SEED_PREFIX, SEED_PARAM

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./: ")


def validate_key(key: str, what: str = "name") -> str:
    """Check a metric/param/tag key against MLflow's rules, with a one-line error."""
    if not key or len(key) > MAX_KEY:
        raise XpError(f"{what} must be 1 to {MAX_KEY} characters, got {key!r}")
    if not set(key) <= _NAME_CHARS:
        raise XpError(f"{what} {key!r} may only hold letters, digits, spaces and _ - . / :")
    parts = key.split("/")
    if key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise XpError(f"{what} {key!r} must not look like a path ('/', '.', '..' parts)")
    return key


def validate_name(name: str, what: str) -> str:
    """A free-text name (run, experiment): 1 to 250 printable characters."""
    if not name or len(name) > MAX_KEY or not name.isprintable():
        raise XpError(f"{what} must be 1 to {MAX_KEY} printable characters, got {name[:80]!r}")
    return name


# Tags that jupyterlab-xp (``xp.``) or MLflow itself (``mlflow.``) write: what a run recorded.
READ_ONLY_TAG_PREFIXES = ("xp.", "mlflow.")


def validate_user_tag_key(key: str) -> str:
    """A tag key a user may set or delete: MLflow's rules, and none of the recorded prefixes."""
    validate_key(key, "tag name")
    if key.lower().startswith(READ_ONLY_TAG_PREFIXES):
        raise XpError(f"tag {key!r} is read-only: xp.* and mlflow.* tags are what the run recorded")
    return key


def validate_text(value: str, what: str, limit: int = MAX_TAG_VALUE) -> str:
    """A tag value or a note: at most ``limit`` characters, no control characters but newlines
    and tabs."""
    if len(value) > limit:
        raise XpError(f"{what} must be at most {limit} characters, got {len(value)}")
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise XpError(f"{what} must not hold control characters")
    return value


def seed_name(name: str) -> str:
    """A seed component's name: a short identifier (it becomes the param ``seed.NAME``).

    Raises:
        XpError: with a one-line message.
    """
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii() or len(name) > 40:
        shown = name[:60] if isinstance(name, str) else name
        raise XpError(f"a seed name is a short identifier such as 'data' or 'model', got {shown!r}")
    return name


def is_seed_param(key: str) -> bool:
    """The root seed's param or one derived from it (``seed.data``): each differs per run, so
    runs that differ only in these are one group of seeds."""
    return key == SEED_PARAM or key.startswith(NAMED_SEED_PREFIX)
