"""The sweep routes: ``GET/POST sweeps``, ``GET/DELETE sweeps/{id}`` (a panel builds on these).

Starting a sweep runs code (every trial is a promotion): it needs the ``execute`` permission, as
``POST promotions`` does. The study's storage is the server's (``$XP_SWEEP_STORAGE``, else SQLite
in the xp home): a client never names a database, and a run's storage tag is never opened. A
request may carry the digest of the code its user was shown (``code_sha256``), as a promotion
does; every trial runs only the code the sweep was created with.
"""

from __future__ import annotations

import os
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized
from pydantic import BaseModel

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.paths import confine_notebook
from jupyterlab_xp.promote import jobs
from jupyterlab_xp.server.handlers import NAMESPACE, XpHandler
from jupyterlab_xp.server.sweep_models import SweepDetail, SweepList, SweepRequest, SweepSummary
from jupyterlab_xp.sweep import background, results, sweeps
from jupyterlab_xp.sweep import study as studies

SWEEP_ID = r"(?P<run_id>[^/]+)"


class SweepBase(XpHandler):
    """What the sweep handlers share: the server's storage and a sweep by its run id."""

    @property
    def storage_url(self) -> str:
        return os.environ.get(tags.SWEEP_STORAGE_ENV) or studies.default_storage(self.location.home)

    def sweep(self, run_id: str) -> dict[str, Any]:
        """The sweep whose parent run is ``run_id`` (a whole id): its study and storage."""
        run = self._run(run_id)  # XpError for a malformed id, LookupError for an unknown one
        if run.data.tags.get(tags.KIND) != tags.KIND_SWEEP:
            raise LookupError(f"run {run_id} is not a sweep")
        return {"run_id": run_id, "study": run.data.tags.get(tags.SWEEP_STUDY, "")}

    def detail(self, run_id: str) -> BaseModel:
        found = self.sweep(run_id)
        return SweepDetail(**results.detail(self.store, found["study"], self.storage_url))


class SweepsHandler(SweepBase):
    """``GET sweeps`` lists sweeps; ``POST sweeps`` starts one (execute)."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        args = self.query_args()

        def compute() -> BaseModel:
            if args:
                raise XpError("sweeps takes no arguments")
            return SweepList(sweeps=[SweepSummary(**s) for s in results.list_sweeps(self.store)])

        await self.respond(compute)

    @tornado.web.authenticated
    @authorized(action="execute")  # type: ignore[untyped-decorator]  # trials run code
    async def post(self) -> None:
        body = self.parse_body(SweepRequest, "sweep request")
        if body is None:
            return

        def compute() -> BaseModel:
            notebook = confine_notebook(self.root_dir, body.notebook) if body.notebook else None
            src = jobs.load_source(self.store, body.run_id, notebook, self.root_dir)
            sweep = sweeps.create(
                self.store,
                src,
                self.storage_url,
                params=body.params,
                objective=body.objective,
                direction=body.direction,
                trials=body.trials,
                seeds=[body.seed] if body.seed is not None else None,
                sampler=body.sampler,
                pruner=body.pruner,
                timeout=body.timeout,
                sampler_seed=body.sampler_seed,
                cell_timeout=body.cell_timeout,
                code_sha256=body.code_sha256,
            )
            background.spawn(self.store, sweep, self.storage_url, body.workers, self.root_dir)
            return self.detail(sweep["run_id"])

        self.set_status(202)
        await self.respond(compute)


class SweepHandler(SweepBase):
    """``GET sweeps/{id}``: trials, states, objective series, best, importance, search space;
    ``DELETE sweeps/{id}``: cancel (running trials FAIL, their runs KILLED; nothing recorded is
    lost)."""

    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        await self.respond(lambda: self.detail(run_id))

    @tornado.web.authenticated
    @authorized(action="execute")  # type: ignore[untyped-decorator]
    async def delete(self, run_id: str) -> None:
        def compute() -> BaseModel:
            found = self.sweep(run_id)
            sweeps.cancel(self.store, run_id, found["study"], self.storage_url)
            return self.detail(run_id)

        self.set_status(202)
        await self.respond(compute)


ROUTES: list[tuple[str, type[XpHandler]]] = [
    (rf"/{NAMESPACE}/sweeps", SweepsHandler),
    (rf"/{NAMESPACE}/sweeps/{SWEEP_ID}", SweepHandler),
]
