"""The Jupyter server extension app: its settings and the route table.

Routes live under ``/jupyterlab-xp/api/v1/``; the handlers are in
:mod:`jupyterlab_xp.server.handlers`. The store location is a trait (config file or
``--XpExtensionApp.tracking_uri``) that defaults to the same resolution the kernel and the CLI
use, so runs recorded in any notebook show in the panel at once.
"""

from __future__ import annotations

import asyncio

from jupyter_server.extension.application import ExtensionApp
from tornado.ioloop import PeriodicCallback
from traitlets import Bool, Float, Unicode, default

from jupyterlab_xp.core.config import resolve_store
from jupyterlab_xp.core.telemetry import apply_telemetry_choice
from jupyterlab_xp.server.handlers import (
    NAMESPACE,
    RUN_ID,
    CompareCurvesHandler,
    CompareHandler,
    ConfigHandler,
    GateHandler,
    MetricHistoryHandler,
    ModelVersionHandler,
    PromotePlanHandler,
    PromotionCancelHandler,
    PromotionHandler,
    PromotionsHandler,
    RunHandler,
    RunModelsHandler,
    RunRestoreHandler,
    RunsHandler,
)
from jupyterlab_xp.server.sweep_handlers import ROUTES as SWEEP_ROUTES
from jupyterlab_xp.store.liveness import heartbeat_timeout
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.recovery import recover_all
from jupyterlab_xp.store.team_mirror import TeamMirror


class XpExtensionApp(ExtensionApp):
    """jupyterlab-xp's server extension."""

    name = "jupyterlab_xp"

    tracking_uri = Unicode(
        "",
        config=True,
        help="MLflow tracking URI; empty means $MLFLOW_TRACKING_URI, else the embedded store.",
    )
    recover_interval = Float(
        30.0,
        config=True,
        help="Seconds between sweeps that finish runs whose kernel died (0 turns them off).",
    )
    heartbeat_timeout = Float(
        config=True,
        help="Seconds without a heartbeat after which a sweep ends a run recorded on any machine "
        "KILLED (default $XP_HEARTBEAT_TIMEOUT, else 300; 0 turns this sweep off).",
    )

    team_mirror = Bool(
        True,
        config=True,
        help="Keep a local read model of a tracking server reached over HTTP for the run list "
        "(XP_HOME/mirrors); False asks the server's search every time.",
    )

    @default("heartbeat_timeout")
    def _heartbeat_timeout_default(self) -> float:
        return heartbeat_timeout()

    def initialize_settings(self) -> None:
        # Before any kernel or job starts: they inherit the server's environment.
        apply_telemetry_choice()
        location = resolve_store(self.tracking_uri or None)
        self.settings["xp_location"] = location
        store = self.settings["xp_store"] = MlflowStore(location)
        if self.team_mirror and location.tracking_uri.startswith(("http://", "https://")):
            # Its thread imports MLflow and fills or refreshes it now, before the panel asks.
            mirror = self.settings["xp_mirror"] = TeamMirror(store)
            mirror.start()
        self.log.info("jupyterlab-xp: runs are read from %s", location.display)
        if self.recover_interval > 0:
            self._sweeper = PeriodicCallback(self._sweep, self.recover_interval * 1000)
            self._sweeper.start()

    async def _sweep(self) -> None:
        store: MlflowStore = self.settings["xp_store"]
        try:
            await asyncio.to_thread(
                recover_all, store, store.location.runs_dir, self.heartbeat_timeout
            )
        except Exception as exc:  # a sweep that fails is retried at the next interval
            self.log.warning("jupyterlab-xp: recovering dead kernels' runs failed: %s", exc)

    async def stop_extension(self) -> None:
        sweeper = getattr(self, "_sweeper", None)
        if sweeper is not None:
            sweeper.stop()
        mirror = self.settings.get("xp_mirror")
        if mirror is not None:
            await asyncio.to_thread(mirror.stop)

    def initialize_handlers(self) -> None:
        self.handlers.extend(
            [
                (rf"/{NAMESPACE}/config", ConfigHandler),
                (rf"/{NAMESPACE}/runs", RunsHandler),
                (rf"/{NAMESPACE}/runs/{RUN_ID}", RunHandler),
                (rf"/{NAMESPACE}/runs/{RUN_ID}/restore", RunRestoreHandler),
                (rf"/{NAMESPACE}/runs/{RUN_ID}/models", RunModelsHandler),
                (rf"/{NAMESPACE}/models/(?P<name>[^/]+)/(?P<version>[^/]+)", ModelVersionHandler),
                (rf"/{NAMESPACE}/runs/{RUN_ID}/metrics/(?P<key>.+)", MetricHistoryHandler),
                (rf"/{NAMESPACE}/compare", CompareHandler),
                (rf"/{NAMESPACE}/compare/curves", CompareCurvesHandler),
                (rf"/{NAMESPACE}/gate", GateHandler),
                (rf"/{NAMESPACE}/promote-plan", PromotePlanHandler),
                (rf"/{NAMESPACE}/promotions", PromotionsHandler),
                (rf"/{NAMESPACE}/promotions/(?P<job_id>[^/]+)", PromotionHandler),
                (rf"/{NAMESPACE}/promotions/(?P<job_id>[^/]+)/cancel", PromotionCancelHandler),
                *SWEEP_ROUTES,
            ]
        )
