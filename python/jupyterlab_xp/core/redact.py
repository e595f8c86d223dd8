"""Secret hygiene at capture: which environment variables are recorded, credentials in URLs.

Nothing here is clever on purpose: an allow-list decides which variables are read at all, and a
value that *looks* like a credential (:mod:`jupyterlab_xp.core.secrets`) is replaced even under
an innocent name. Everything leaving for the store is redacted again by the one redaction step
(``store/redaction.py``); this is what the local capture files hold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jupyterlab_xp.core.secrets import REDACTED as REDACTED
from jupyterlab_xp.core.secrets import find, random_looking, redact

# Exact names worth recording for reproducibility.
ENV_ALLOW_NAMES = frozenset(
    {
        "PYTHONHASHSEED",
        "PYTHONPATH",
        "PYTHONOPTIMIZE",
        "CUDA_VISIBLE_DEVICES",
        "CUBLAS_WORKSPACE_CONFIG",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "LANG",
        "LC_ALL",
        "TZ",
        "VIRTUAL_ENV",
        "CONDA_DEFAULT_ENV",
        "CONDA_PREFIX",
        "MLFLOW_TRACKING_URI",
        "MLFLOW_EXPERIMENT_NAME",
        "HF_HOME",
        "HF_HUB_OFFLINE",
        "TRANSFORMERS_OFFLINE",
        "TOKENIZERS_PARALLELISM",
        "KMP_AFFINITY",
        "NCCL_DEBUG",
    }
)
# Prefixes of names worth recording (each still passes the secret filters below).
ENV_ALLOW_PREFIXES = ("CUDA_", "CUDNN_", "NVIDIA_", "TORCH_", "PYTORCH_", "XP_", "JUPYTER_")

_SECRET_NAME = re.compile(
    r"(TOKEN|SECRET|PASSW|PASSPHRASE|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH|SESSION|"
    r"COOKIE|SIGNATURE|DSN|DATABASE_URL)",
    re.IGNORECASE,
)
# Everything between "scheme://" and the last "@" before the host: a password may hold "/", "@".
_URL_CREDENTIALS = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?P<cred>[^\s/?#@:]*(?::[^\s]*)?|[^\s/?#@]+)"
    r"@(?=[A-Za-z0-9\[][A-Za-z0-9.\-_\[\]:%]*(?:[/?#\s]|$))"
)
_SECRET_QUERY = re.compile(
    r"^(token|access_token|auth|key|api_key|apikey|sig|signature|password|secret|"
    r"x-amz-signature|x-amz-credential|x-amz-security-token)$",
    re.IGNORECASE,
)


def is_allowed(name: str) -> bool:
    """Whether the environment variable ``name`` is on the allow-list."""
    return name in ENV_ALLOW_NAMES or name.startswith(ENV_ALLOW_PREFIXES)


def looks_secret(name: str, value: str) -> bool:
    """True when the variable's name or its value looks like a credential."""
    if _SECRET_NAME.search(name):
        return True
    if find(value, name):
        return True
    # A long, random-looking run of token characters: an opaque key (a path is not one).
    return len(value) >= 40 and random_looking(value)


def _drop_credentials(m: re.Match[str]) -> str:
    # "host:8080/a/@b" is a port and a path with "@" in it, not a password.
    return m.group(0) if re.match(r"[^:]*:\d{1,5}/", m.group("cred")) else m.group("scheme")


def strip_url_credentials(url: str) -> str:
    """``https://user:token@host/x?token=t`` to ``https://host/x`` (credentials gone).

    ``git@host:org/repo.git`` (scp-like, a plain user name and no secret) is kept as it is.
    """
    url = _URL_CREDENTIALS.sub(_drop_credentials, url, count=1)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    if ":" in parts.netloc.rpartition("@")[2] and parts.port is None:
        host = parts.netloc.rpartition("@")[2]
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _SECRET_QUERY.match(k)
        ]
    )
    return urlunsplit((parts.scheme, host, parts.path, query, parts.fragment))


def redact_value(name: str, value: str) -> str:
    """The value to record for variable ``name``: credentials stripped or fully redacted."""
    if "://" in value and "@" in value:
        value = strip_url_credentials(value)
    return REDACTED if looks_secret(name, value) else value


def redact_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Allow-listed variables only, each through :func:`redact_value`.

    Only names are listed; the value of a variable off the allow-list is never read.
    """
    return {k: redact_value(k, environ[k]) for k in sorted(environ) if is_allowed(k)}


def redact_text(text: str) -> str:
    """Replace secret-looking substrings (tokens, keys, credentials in URLs) in free text."""
    return redact(text)[0]
