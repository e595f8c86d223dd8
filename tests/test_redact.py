"""The secret filters: allow-list, secret-looking names and values, credentials in URLs."""

from __future__ import annotations

import json

import pytest

from jupyterlab_xp.capture.environment import capture_environment, requirements_lock
from jupyterlab_xp.core.redact import REDACTED, redact_env, redact_text, strip_url_credentials


def test_only_allow_listed_variables_are_kept_and_secrets_are_redacted() -> None:
    # Given an environment with secrets under secret names and under innocent names
    env = {
        "AWS_SECRET_ACCESS_KEY": "abc",
        "HOME": "/home/me",
        "PYTHONHASHSEED": "0",
        "CUDA_VISIBLE_DEVICES": "ghp_0123456789abcdefghij0123",
        "XP_API_TOKEN": "anything",
        "MLFLOW_TRACKING_URI": "https://bob:s3cret@mlflow.example.com/",
        "OMP_NUM_THREADS": "4",
    }
    # When it is filtered
    kept = redact_env(env)
    # Then unlisted names are dropped, secret-looking values and names are redacted, and a
    # URL keeps its host without the credentials
    assert kept == {
        "CUDA_VISIBLE_DEVICES": REDACTED,
        "MLFLOW_TRACKING_URI": "https://mlflow.example.com/",
        "OMP_NUM_THREADS": "4",
        "PYTHONHASHSEED": "0",
        "XP_API_TOKEN": REDACTED,
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:tok3n@example.com/r.git", "https://example.com/r.git"),
        ("https://tok3n@github.com/o/r.git", "https://github.com/o/r.git"),
        (
            "https://example.com:8443/r.git?token=abc&ref=main",
            "https://example.com:8443/r.git?ref=main",
        ),
        ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
        ("postgres://u:p@h/db", "postgres://h/db"),
        ("sqlite:////home/me/mlflow.db", "sqlite:////home/me/mlflow.db"),
    ],
)
def test_url_credentials_are_stripped(url: str, expected: str) -> None:
    assert strip_url_credentials(url) == expected


def test_free_text_loses_tokens_and_credential_urls() -> None:
    # Given a diff line that leaks a token and a credential URL
    text = '+HF = "hf_abcdefghijklmnop1234"\n+url = "https://me:pw@host/x"\n+x = 1\n'
    # When it is redacted
    clean = redact_text(text)
    # Then the secrets are gone and the rest is intact
    assert "hf_abcdefghijklmnop1234" not in clean and "me:pw" not in clean
    assert "+x = 1" in clean


def test_environment_capture_has_packages_and_no_canaries(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given canary secrets in the environment
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "canary-aws-value")
    monkeypatch.setenv("HF_TOKEN", "hf_canary0123456789")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:canarypass@h/db")
    monkeypatch.setenv("XP_NOTE", "ghp_canary0123456789abcdefgh")
    # When the environment is captured
    env = capture_environment()
    dumped = json.dumps(env)
    # Then no canary is in it, but Python, the platform and the exact packages are
    for canary in ("canary-aws-value", "hf_canary", "canarypass", "ghp_canary"):
        assert canary not in dumped
    names = {p["name"].lower(): p["version"] for p in env["packages"]}
    assert names["mlflow"] == "3.17.2"
    assert env["python"]["version"].startswith("3.11")
    lock = requirements_lock(env["packages"])
    assert "mlflow==3.17.2" in lock.splitlines()
    assert "# jupyterlab-xp==" in lock  # the editable install is a comment, not a requirement
