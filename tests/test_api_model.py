"""Every REST body in ``server/*models.py`` has one base, ``ApiModel``, and its configuration."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil

import pytest
from pydantic import BaseModel, ValidationError

import jupyterlab_xp.server as server_package
from jupyterlab_xp.server.api_model import ApiModel
from jupyterlab_xp.server.env_models import PromoteEnvironment
from jupyterlab_xp.server.models import API_MODELS, PromoteRequest
from jupyterlab_xp.server.run_edit_models import RunPatch


def body_classes() -> list[type[BaseModel]]:
    """Every pydantic class defined in a ``server/*models.py`` module."""
    found = []
    for info in pkgutil.iter_modules(server_package.__path__):
        if not info.name.endswith("models"):
            continue
        module = importlib.import_module(f"{server_package.__name__}.{info.name}")
        found += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, BaseModel) and cls.__module__ == module.__name__
        ]
    return found


def test_every_body_has_the_one_base() -> None:
    # Given every pydantic class of the server's model modules
    classes = body_classes()

    # When their bases are read
    direct = [cls.__name__ for cls in classes if BaseModel in cls.__bases__]
    strays = [cls.__name__ for cls in classes if not issubclass(cls, ApiModel)]

    # Then each is an ApiModel, none subclasses pydantic's BaseModel itself, and each
    # body the TypeScript types are generated from is among them
    assert len(classes) > 50
    assert direct == []
    assert strays == []
    assert all(issubclass(model, ApiModel) for model in API_MODELS)


def test_an_unknown_field_is_refused() -> None:
    # Given a run edit with a field it does not have (tags is its name)
    body = {"labels": ["baseline"]}

    # When it is read
    with pytest.raises(ValidationError) as caught:
        RunPatch.model_validate(body)

    # Then the field is named, not ignored
    assert "labels" in str(caught.value)
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_a_keyword_field_is_its_alias_in_json_both_ways() -> None:
    # Given a promotion request that pins with "with", and an environment built in Python
    request = PromoteRequest.model_validate({"run_id": "abc", "with": ["numpy<2"]})
    environment = PromoteEnvironment(kind="overlay", with_=["numpy<2"])

    # When the environment is written as JSON
    written = json.loads(environment.model_dump_json())

    # Then the request's pins are read from the alias, and written under it
    assert request.with_ == ["numpy<2"]
    assert written["with"] == ["numpy<2"]
    assert "with_" not in written
