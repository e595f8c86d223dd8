"""The secret filters and the one redaction step: allow-list, detectors, what reaches the store."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_xp.capture.environment import capture_environment, requirements_lock
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.redact import REDACTED, redact_env, redact_text, strip_url_credentials
from jupyterlab_xp.core.secret_patterns import DETECT_SECRETS_PLUGINS, LEFT_OUT_PLUGINS
from jupyterlab_xp.core.secrets import plugin_patterns, redact
from jupyterlab_xp.journal.jsonl import CellJournal, read_journal
from jupyterlab_xp.promote.source import refuse_redacted
from jupyterlab_xp.promote.source import sha256 as sha
from jupyterlab_xp.store.redaction import Ledger, Redactor
from secret_corpus import FORMS, Form


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
    # README: "`AWS_SECRET_ACCESS_KEY`, `HF_TOKEN` and the like are never read at all"
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


# -- the detector set (core/secrets.py): one case per secret form of the corpus ---------------


@pytest.mark.parametrize("form", FORMS, ids=[f.label for f in FORMS])
def test_each_secret_form_is_redacted_in_code_output_and_under_its_name(form: Form) -> None:
    # README: "What is never recorded" - every form of the corpus, as code, as printed, as YAML
    # and as a value stored under its name (param, tag, environment variable)
    for text, name in (
        (form.code, None),
        (f"{form.name} = {form.text}", None),
        (f"{form.name}: {form.text}\n", None),
        (form.text, form.name),
    ):
        clean, hits = redact(text, name)
        assert hits, text
        for part in form.parts:
            assert part not in clean, (form.label, text)
        assert REDACTED in clean


@pytest.mark.parametrize("form", [f for f in FORMS if f.shaped], ids=lambda f: f.label)
def test_a_token_with_a_known_shape_is_redacted_under_any_name(form: Form) -> None:
    clean, _ = redact(f"value_{len(form.text)} = {form.text!r}")
    assert all(part not in clean for part in form.parts), form.label
    clean, _ = redact(form.text, "XP_SETTING")
    assert all(part not in clean for part in form.parts), form.label


def test_the_corpus_has_at_least_thirty_forms() -> None:
    assert len(FORMS) >= 30


def test_a_pem_block_goes_whole_from_begin_to_end() -> None:
    # Given a private key in a Python string (escaped newlines) and in an output (real ones)
    rsa = next(f for f in FORMS if f.name == "rsa_key")
    for text in (rsa.code, rsa.text):
        clean, _ = redact(f"before\n{text}\nafter = 1\n")
        # Then the whole block is gone, not only its BEGIN line, and the text around it stays
        assert "PRIVATE KEY" not in clean and "MII" not in clean
        assert all(line not in clean for line in rsa.parts)
        assert clean.startswith("before\n") and clean.endswith("\nafter = 1\n")
    # ...and a block cut short (an output cap) goes to its end too
    cut = rsa.text[: len(rsa.text) // 2]
    assert all(p not in redact(cut)[0] for p in rsa.parts if p in cut)


def test_url_credentials_go_and_the_rest_of_the_url_stays() -> None:
    db = next(f for f in FORMS if f.name == "db_url")
    clean, hits = redact(db.code)
    assert (
        clean
        == "db_url = 'postgresql://ml_user:<redacted>@db.internal.example.com:5432/experiments'"
    )
    assert hits[0].kind == "URL password"
    url = "https://api.example.com/v1/data?page=2&access_token=abc123XYZ789&sig=q1w2e3r4&fmt=csv"
    assert redact(url)[0] == (
        "https://api.example.com/v1/data?page=2&access_token=<redacted>&sig=<redacted>&fmt=csv"
    )


def test_high_entropy_values_go_only_under_secret_looking_names() -> None:
    value = "Zq81xWc0Lm2VbN7tRy4KpD6s"
    for name in ("api_key", "AUTH_TOKEN", "client_secret", "dataset_key", "SECRET"):
        assert redact(f"{name} = {value!r}")[0] == f"{name} = '{REDACTED}'", name
    for name in ("run_id", "tokenizer", "commit", "keys", "max_tokens", "checksum"):
        assert redact(f"{name} = {value!r}")[0] == f"{name} = {value!r}", name
    # a password goes whatever it looks like; code that reads one from elsewhere stays
    assert redact('password = "hunter22"')[0] == f'password = "{REDACTED}"'
    for code in (
        'password = getpass.getpass("Password: ")',
        'api_key = os.environ["OPENAI_API_KEY"]',
        'db = f"postgresql://{user}:{password}@{host}/db"',
        'token = "<pad>"',
    ):
        assert redact(code) == (code, []), code


ORDINARY_ML = [
    f'TRAIN_SHA256 = "{hashlib.sha256(b"train.csv").hexdigest()}"',
    f'run_id = "{uuid.UUID(int=7).hex}"\nclient.get_run(run_id)',
    f'commit = "{hashlib.sha1(b"x").hexdigest()}"  # git rev-parse HEAD',
    f'dataset_id = "{uuid.UUID(int=123456789)}"',
    "n = 123456789012345678901234567890\nseed = 1234567890",
    'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")\nmax_tokens = 4096',
    "for key, value in sorted(metrics.items(), key=lambda kv: kv[0]):\n    print(key, value)",
    'cache_key = f"{model_name}-{dataset_version}-{seed}"',
    'mlflow.set_tracking_uri("http://localhost:5000")',
    "https://huggingface.co/datasets/imdb/resolve/main/train.parquet?download=true",
    "Epoch 1/15 - 938/938 [==============================] - 2s - loss: 0.2811",
    '{"run_id": "660ed766955c44a48c67a01b6bdeddc2", "experiment_id": "123456789"}',
    "ssh://git@github.com/org/repo.git and https://medium.com/@someone/post-123abc",
    "UUIDs: 123e4567-e89b-12d3-a456-426614174000, 550e8400-e29b-41d4-a716-446655440000",
]


@pytest.mark.parametrize("text", ORDINARY_ML)
def test_ordinary_ml_code_and_output_are_left_alone(text: str) -> None:
    assert redact(text) == (text, [])


def test_an_inline_image_is_left_alone() -> None:
    rng = random.Random(3)
    png = base64.b64encode(bytes(rng.randrange(256) for _ in range(30_000))).decode()
    assert redact(png) == (png, [])


def test_redaction_is_idempotent_and_names_the_variable() -> None:
    form = next(f for f in FORMS if f.name == "anthropic_api_key")
    once, hits = redact(form.code)
    assert redact(once) == (once, [])
    assert hits[0].name == "anthropic_api_key" and hits[0].kind == "Anthropic key"


def test_every_detect_secrets_plugin_is_used_or_left_out_on_purpose() -> None:
    # An upgrade of detect-secrets that adds a plugin makes us decide about it.
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    installed = {cls.__name__ for cls in get_mapping_from_secret_type_to_class().values()}
    used = {cls for _, cls, _ in DETECT_SECRETS_PLUGINS}
    assert installed == used | LEFT_OUT_PLUGINS
    assert len(plugin_patterns()) > len(used)


def test_environment_capture_redacts_a_url_password_with_slash_and_at() -> None:
    db = next(f for f in FORMS if f.name == "db_url")
    kept = redact_env({"MLFLOW_TRACKING_URI": db.text, "XP_LOCAL": "/data/x"})
    assert kept["MLFLOW_TRACKING_URI"] == "postgresql://db.internal.example.com:5432/experiments"
    assert kept["XP_LOCAL"] == "/data/x"


# -- the one redaction step (store/redaction.py) -----------------------------------------------


# README: "how many values were redacted on the way to the store, and where (never the values)"
def test_journal_copy_is_redacted_with_valid_checksums_and_the_journal_stays_exact(
    tmp_path: Path,
) -> None:
    # Given a journal with a secret in a cell, a note, a param and a metric name
    key = next(f for f in FORMS if f.name == "openai_api_key")
    journal = CellJournal(tmp_path / "journal.jsonl")
    journal.append("cell_start", cell=1, source=key.code, sha256=sha(key.code))
    journal.append("note", text=f"rotated {key.text}")
    journal.append("param", params={"api_key": key.text, "lr": "0.1"})
    journal.append("metric", metrics={f"loss/{key.text}": 1.0}, step=0)
    journal.close()
    exact = (tmp_path / "journal.jsonl").read_bytes()
    # When the copy for the store is made
    redactor = Redactor()
    copy = redactor.file_bytes(tmp_path / "journal.jsonl", "journal.jsonl")
    # Then the copy has no secret, every line still checks, and the journal is untouched
    assert key.text.encode() not in copy
    (tmp_path / "copy.jsonl").write_bytes(copy)
    records = list(read_journal(tmp_path / "copy.jsonl"))
    assert len(records) == 4
    assert records[0]["source"] == f"openai_api_key = '{REDACTED}'"
    assert records[0]["sha256"] == sha(records[0]["source"])  # the exact hash would leak it
    assert records[2]["params"] == {"api_key": REDACTED, "lr": "0.1"}
    assert records[3]["metrics"] == {"loss/REDACTED": 1.0}
    assert (tmp_path / "journal.jsonl").read_bytes() == exact
    assert key.text.encode() in exact
    # ...and the ledger says where, "never the values" (README)
    places = {(e["where"], e["field"]) for e in redactor.ledger.entries()}
    assert {("cell 1", "source"), ("note 1", "text"), ("param api_key", "value")} <= places
    assert key.text not in json.dumps(redactor.ledger.entries())


def test_notebook_copy_redacts_sources_and_text_outputs_and_keeps_images(
    tmp_path: Path,
) -> None:
    slack = next(f for f in FORMS if f.name == "slack_bot")
    png = base64.b64encode(bytes(range(256)) * 40).decode()
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "id": "a",
                "metadata": {},
                "execution_count": 1,
                "source": ["import os\n", slack.code + "\n"],
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": [slack.text + "\n"]},
                    {"output_type": "display_data", "metadata": {}, "data": {"image/png": png}},
                ],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "notebook.ipynb").write_text(json.dumps(notebook))
    redactor = Redactor()
    copy = json.loads(redactor.file_bytes(tmp_path / "notebook.ipynb", "notebook.ipynb"))
    cell = copy["cells"][0]
    assert cell["source"] == ["import os\n", f"slack_bot = '{REDACTED}'\n"]
    assert cell["outputs"][0]["text"] == [REDACTED + "\n"]
    assert cell["outputs"][1]["data"]["image/png"] == png
    assert redactor.ledger.count == 2
    assert {e["field"] for e in redactor.ledger.entries()} == {"source", "outputs"}


def test_the_same_place_seen_in_several_copies_counts_once() -> None:
    ledger = Ledger()
    redactor = Redactor(ledger)
    hf = next(f for f in FORMS if f.name == "hf_token")
    record = {"seq": 3, "t": 1.0, "type": "cell_start", "cell": 2, "source": hf.code}
    redactor.record(record)
    redactor.record(record)  # a retried batch, then the journal copy and cells.jsonl
    cells = json.dumps({"seq": 2, "source": hf.code, "sha256": sha(hf.code)}) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "cells.jsonl").write_text(cells)
        redactor.file_bytes(Path(tmp) / "cells.jsonl", "cells.jsonl")
    assert ledger.count == 1
    assert ledger.describe() == "1 value: cell 2 source"
    assert Ledger(ledger.entries()).entries() == ledger.entries()  # kept in sync.json


def test_staged_copies_leave_the_artifacts_folder_as_it_was(tmp_path: Path) -> None:
    diff = next(f for f in FORMS if f.name == "stripe_key")
    (tmp_path / "git.diff").write_text(
        f"diff --git a/cfg.py b/cfg.py\n+++ b/cfg.py\n+{diff.code}\n"
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "script.py").write_text(diff.code + "\n")
    redactor = Redactor()
    with redactor.staged(tmp_path) as out:
        staged = {
            p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()
        }
    assert set(staged) == {"git.diff", "sub/script.py"}
    assert all(diff.text not in text for text in staged.values())
    assert diff.text in (tmp_path / "git.diff").read_text()
    assert ("git diff", "cfg.py") in {(e["where"], e["field"]) for e in redactor.ledger.entries()}
    assert not out.exists()


# README: "it never runs `<redacted>` as code"
def test_a_store_copy_with_redacted_code_is_refused_in_one_line_naming_the_variable() -> None:
    # README: "a run promoted from a store copy whose code was redacted" is refused
    executions = [
        {"seq": 1, "source": "import os", "status": "ok"},
        {"seq": 2, "source": f"hf_token = '{REDACTED}'", "status": "ok"},
    ]
    places = [{"where": "cell 2", "field": "source", "count": 1, "names": ["hf_token"]}]
    with pytest.raises(XpError) as caught:
        refuse_redacted("abcdef0123456789", executions, [], None, {"lr": "0.1"}, places)
    message = str(caught.value)
    assert "\n" not in message
    assert "cell 2: hf_token" in message and 'os.environ["HF_TOKEN"]' in message
    # ...and one with nothing redacted in its code is not
    refuse_redacted("abcdef0123456789", executions[:1], [], None, {"lr": "0.1"}, [])


def test_redaction_runs_on_the_sync_thread_never_on_the_callers(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # README: redaction runs "on the background sync thread, never on a cell's path"
    import jupyterlab_xp as xp
    from jupyterlab_xp.store import redaction

    threads: list[str] = []

    def watched(text: str, name: str | None = None) -> tuple[str, list[Any]]:
        threads.append(threading.current_thread().name)
        return redact(text, name)

    monkeypatch.setattr(redaction, "redact", watched)
    token = next(f for f in FORMS if f.name == "gh_token")
    with xp.start("threads", seed=1) as run:
        xp.note(f"using {token.text}")
        xp.param(gh_token=token.text)
    assert threads and set(threads) == {"xp-sync"}
    assert store.get_run(run.run_id).data.params["gh_token"] == REDACTED


# -- readings of a text: plain, by context, decoded (issue 17) ------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "def f():\n    try:\n        g()\n    except OSError:\n            pass\n        finally:\n"
        "            close()\n",
        "Please enter your password\nthen press enter now\n",
        "   epoch  loss  token_count\n0      1  0.52          512\n1      2  0.31          498\n",
        "!pip install -U torch==2.3.0\n!docker run -u 1000:1000 image\n!git commit -m 'password'\n",
        "Usage: ``mysql -p<pw>``, ``curl -u admin:<pw>``, ``--password <pw>``, --token $TOKEN\n",
        'msg = ("first part of a long message, "\n       "second part of it")\nx = ""\n',
        "print('\\x1b[1;31mred\\x1b[0m', '\\n')\n",
    ],
)
def test_context_and_plain_readings_leave_ordinary_text_alone(text: str) -> None:
    # Given code, prose, a numbers table, commands and escapes with no secret in them
    # When they are redacted
    clean, hits = redact(text)
    # Then nothing is taken
    assert (clean, hits) == (text, [])


def test_binary_and_hashes_in_base64_alphabet_are_not_decoded_into_secrets() -> None:
    # Given base64 of random bytes, hex digests and long identifiers
    rng = random.Random(3)
    text = "\n".join(
        [
            base64.b64encode(bytes(rng.randrange(256) for _ in range(3000))).decode(),
            hashlib.sha256(b"x").hexdigest(),
            uuid.UUID(int=rng.getrandbits(128)).hex,
            "tokenizer_name_or_path_for_the_model",
        ]
    )
    # When it is redacted, then it is left as it is
    assert redact(text) == (text, [])


def test_a_secret_split_by_colour_codes_loses_only_its_value() -> None:
    # Given a coloured traceback line: the codes sit between password= and the value
    grey, red, reset = "\x1b[38;5;241m", "\x1b[38;5;124m", "\x1b[39m"
    line = (
        f"connect(host{grey}={reset}{red}'db'{reset}, password{grey}={reset}{red}'pw9x!k'{reset})"
    )
    # When it is redacted
    clean, hits = redact(line)
    # Then the value is gone, the colour codes and the host stay
    assert "pw9x!k" not in clean and f"{red}'db'{reset}" in clean and grey in clean
    assert [h.name for h in hits] == ["password"]


def test_pickles_are_scanned_from_their_opcodes_and_never_unpickled(tmp_path: Path) -> None:
    import argparse
    import pickle

    import torch

    from jupyterlab_xp.store.checkpoint_upload import pickle_secrets

    hf = next(f for f in FORMS if f.name == "hf_token").text
    # Given a pickled extra with a token under an innocent class, one without, a state dict
    # (a torch zip), a torch file holding a token, a broken pickle, and a pickle whose
    # unpickling would run code
    files = {
        "extra.pkl": pickle.dumps({"args": argparse.Namespace(hub_token=hf, password="pw9x!k")}),
        "clean.pkl": pickle.dumps({"args": argparse.Namespace(lr=0.1, name="resnet_baseline_v2")}),
        "broken.pkl": b"\x80\x05\x95garbage",
        "marker.pkl": pickle.dumps(_Marker(str(tmp_path / "ran"))),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    torch.save(torch.nn.Linear(3, 2).state_dict(), tmp_path / "model.pt")
    torch.save({"token": hf}, tmp_path / "tokened.pt")
    # When each is scanned
    found = {name: pickle_secrets(tmp_path / name) for name in [*files, "model.pt", "tokened.pt"]}
    # Then the secrets are found with the names they are stored under, an unreadable pickle
    # counts as one, clean files have none, and nothing was unpickled
    assert {h.name for h in found["extra.pkl"]} == {"hub_token", "password"}
    assert found["clean.pkl"] == [] and found["model.pt"] == [] and found["marker.pkl"] == []
    assert [h.kind for h in found["broken.pkl"]] == ["unreadable pickle"]
    assert found["tokened.pt"] and not (tmp_path / "ran").exists()


class _Marker:
    """Unpickling it writes a marker file (what a hostile pickle could do)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path(self.path).write_text, ("unpickled",))
