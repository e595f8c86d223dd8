"""REST routes through a real Jupyter server (pytest-jupyter's jp_fetch), auth enforced."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_xp": True},
            "allow_unauthenticated_access": False,
        }
    }


async def test_config_names_the_store_without_credentials(jp_fetch: Any, xp_home: Any) -> None:
    # Given a server whose extension uses the test's XP_HOME
    # When the panel asks for the configuration
    response = await jp_fetch("jupyterlab-xp", "api", "v1", "config")
    # Then it names the embedded store in XP_HOME
    assert response.code == 200
    payload = json.loads(response.body)
    assert payload["embedded"] is True
    assert payload["store"] == f"sqlite:///{xp_home / 'mlflow.db'}"


async def test_requests_without_a_token_are_refused(jp_fetch: Any) -> None:
    # Given a request that carries no token
    # When it asks for the configuration
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("jupyterlab-xp", "api", "v1", "config", headers={"Authorization": ""})
    # Then the server refuses it
    assert refused.value.code == 403
