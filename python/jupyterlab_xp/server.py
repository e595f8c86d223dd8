"""The Jupyter server extension: the REST API under ``/jupyterlab-xp/api/v1/``.

The route table lives here on the ExtensionApp; the store location is a trait (config file or
``--XpExtensionApp.tracking_uri``) that defaults to the same resolution the kernel and the CLI
use, so runs recorded in any notebook show in the panel at once.
"""

from __future__ import annotations

import json
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.application import ExtensionApp
from traitlets import Unicode

from .config import StoreLocation, resolve_store

NAMESPACE = "jupyterlab-xp/api/v1"
AUTH_RESOURCE = "jupyterlab_xp"


class XpHandler(APIHandler):
    """Base class: every handler answers JSON and checks permissions on ``jupyterlab_xp``."""

    auth_resource = AUTH_RESOURCE

    @property
    def location(self) -> StoreLocation:
        return self.settings["xp_location"]  # type: ignore[no-any-return]

    def write_json(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload, default=str))


class ConfigHandler(XpHandler):
    """``GET config``: where runs are stored (credentials removed) and versions."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        from . import __version__

        self.write_json(
            {
                "store": self.location.display,
                "embedded": self.location.embedded,
                "home": str(self.location.home),
                "version": __version__,
            }
        )


class XpExtensionApp(ExtensionApp):
    """jupyterlab-xp's server extension."""

    name = "jupyterlab_xp"

    tracking_uri = Unicode(
        "",
        config=True,
        help="MLflow tracking URI; empty means $MLFLOW_TRACKING_URI, else the embedded store.",
    )

    def initialize_settings(self) -> None:
        location = resolve_store(self.tracking_uri or None)
        self.settings["xp_location"] = location
        self.log.info("jupyterlab-xp: runs are read from %s", location.display)

    def initialize_handlers(self) -> None:
        self.handlers.extend([(rf"/{NAMESPACE}/config", ConfigHandler)])
