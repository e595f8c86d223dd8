"""The REST handlers under ``/jupyterlab-xp/api/v1/``: thin, one error path, pydantic bodies.

The route table and the store location (a trait) live on the app in
:mod:`jupyterlab_xp.server.app`; the logic lives in ``views``, ``store`` and ``promote``.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any, TypeVar

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel, ValidationError

from jupyterlab_xp.core import columns, tags
from jupyterlab_xp.core.config import StoreLocation
from jupyterlab_xp.core.errors import StoreError, XpError
from jupyterlab_xp.core.paths import confine_notebook
from jupyterlab_xp.core.version import version
from jupyterlab_xp.promote import jobs
from jupyterlab_xp.server import models
from jupyterlab_xp.server.curve_models import CompareCurves
from jupyterlab_xp.server.run_edit_models import RunPatch
from jupyterlab_xp.store.boundary import check_run_id
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.query import parse_run_query, quote_value
from jupyterlab_xp.store.team_mirror import TeamMirror
from jupyterlab_xp.views import manage
from jupyterlab_xp.views.compare import compare_runs
from jupyterlab_xp.views.curves import group_curves
from jupyterlab_xp.views.export import export_runs, runs_csv
from jupyterlab_xp.views.gate import gate
from jupyterlab_xp.views.registry import run_versions, version_lineage
from jupyterlab_xp.views.runview import list_runs_from, pop_param_keys, run_detail, run_summary

NAMESPACE = "jupyterlab-xp/api/v1"
AUTH_RESOURCE = "jupyterlab_xp"
RUN_ID = r"(?P<run_id>[^/]+)"
Body = TypeVar("Body", bound=BaseModel)
_STATUSES = {s.value for s in HTTPStatus}
# Compare reads every run's files and predictions and runs resampling tests: seconds of CPU. It
# gets two threads of its own, so that however many compares are asked for at once, the run
# list and details keep the default pool (a queued compare waits; nothing else does).
HEAVY = ThreadPoolExecutor(max_workers=2, thread_name_prefix="xp-compare")


@dataclass
class Download:
    """An answer that is a file to save (the run list as CSV), not JSON."""

    text: str
    filename: str
    media_type: str = "text/csv; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class XpHandler(APIHandler):
    """Base class: JSON answers, permissions checked on ``jupyterlab_xp``, one error path."""

    auth_resource = AUTH_RESOURCE

    @property
    def location(self) -> StoreLocation:
        return self.settings["xp_location"]  # type: ignore[no-any-return]

    @property
    def store(self) -> MlflowStore:
        return self.settings["xp_store"]  # type: ignore[no-any-return]

    def query_args(self) -> dict[str, list[str]]:
        """The query string as text (a 400 for bytes that are not UTF-8)."""
        try:
            return {
                k: [v.decode("utf-8") for v in values]
                for k, values in self.request.query_arguments.items()
            }
        except UnicodeDecodeError:
            # Raised outside respond(): tornado's own error path answers it (write_error).
            raise tornado.web.HTTPError(400, "the query string is not UTF-8") from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Errors raised before :meth:`respond` (tornado's path) in the same one-line body."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, tornado.web.HTTPError) and exc.log_message:
            message = exc.log_message % exc.args if exc.args else exc.log_message
        else:
            message = HTTPStatus(status_code).phrase if status_code in _STATUSES else "error"
        self.set_header("Content-Type", "application/json")
        self.finish(models.ErrorBody(message=message).model_dump_json())

    async def respond(
        self, compute: Callable[[], BaseModel | Download], executor: Executor | None = None
    ) -> None:
        """Answer with ``compute()``'s model (or file), or map its failure to a status and one line.

        bad input (XpError) 400, unknown id (LookupError) 404, store down (StoreError) 503,
        anything else 500. MLflow calls block, so they run on a worker thread (``executor``'s,
        for heavy work, else the loop's default pool).
        """
        try:
            context = contextvars.copy_context()  # as asyncio.to_thread does
            body = await asyncio.get_running_loop().run_in_executor(executor, context.run, compute)
        except XpError as exc:
            self._error(400, str(exc))
        except LookupError as exc:
            self._error(404, str(exc.args[0]) if exc.args else "not found")
        except StoreError as exc:
            self._error(503, str(exc))
        except Exception as exc:
            self.log.exception("jupyterlab-xp: %s failed", self.request.path)
            self._error(500, f"internal error: {type(exc).__name__}: {exc}".splitlines()[0])
        else:
            if isinstance(body, Download):
                self.set_header("Content-Disposition", f'attachment; filename="{body.filename}"')
                for name, value in body.headers.items():
                    self.set_header(name, value)
                self.finish(body.text, set_content_type=body.media_type)
                return
            self.set_header("Content-Type", "application/json")
            self.finish(body.model_dump_json())

    def parse_body(self, model: type[Body], what: str) -> Body | None:
        """The request body as ``model``; None once a 400 says ``bad WHAT: field: why``."""
        try:
            return model.model_validate_json(self.request.body or b"{}")
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "body"
            self._error(400, f"bad {what}: {where}: {first.get('msg')}")
            return None

    def _error(self, status: int, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(models.ErrorBody(message=message).model_dump_json())

    @property
    def root_dir(self) -> Path:
        """The server's root folder: notebooks named by clients must lie inside it."""
        return Path(self.settings.get("server_root_dir") or ".").expanduser()

    async def change_lifecycle(
        self, run_id: str, change: Callable[[MlflowStore, Any], None]
    ) -> None:
        """Archive or restore a run; answer with its summary."""

        def compute() -> BaseModel:
            change(self.store, self._run(run_id))
            run = self._edited(run_id)
            return models.RunSummary(**run_summary(run, self.store.experiment_names()))

        await self.respond(compute)

    def _run(self, run_id: str) -> Any:
        run = self.store.get_run(check_run_id(run_id))
        if run is None:
            raise LookupError(f"no run {run_id}")
        return run

    @property
    def mirror(self) -> TeamMirror | None:
        """The run list's local read model of a team server over HTTP (None: none)."""
        return self.settings.get("xp_mirror")

    def _edited(self, run_id: str) -> Any:
        """The run as an edit here left it, written into the mirror at once."""
        run = self._run(run_id)
        if self.mirror is not None:
            self.mirror.apply(run)
        return run


class ConfigHandler(XpHandler):
    """``GET config``: where runs are stored (credentials removed) and versions."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        from importlib.metadata import version as distribution_version

        await self.respond(
            lambda: models.ConfigBody(
                store=self.location.display,
                embedded=self.location.embedded,
                home=str(self.location.home),
                version=version(),
                mlflow_version=distribution_version("mlflow"),
            )
        )


class RunsHandler(XpHandler):
    """``GET runs``: filter, sort and page through recorded runs; ``format=csv``: every page as
    a CSV file, with param and metric columns."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        args = self.query_args()
        form = args.pop("format", ["json"])

        def compute() -> BaseModel | Download:
            if form not in (["json"], ["csv"]):
                raise XpError("format must be json or csv")
            if form == ["csv"]:
                runs, truncated = export_runs(self.store, parse_run_query(args))
                more = {"X-XP-Truncated": "true"} if truncated else {}
                return Download(runs_csv(runs), "runs.csv", headers=more)
            query = parse_run_query(args)
            summaries, token, source = list_runs_from(self.store, query, self.mirror)
            self.set_header("X-XP-Runs-Source", source)
            if source == "mirror" and self.mirror is not None:
                age = self.mirror.age()
                self.set_header("X-XP-Runs-Age", "" if age is None else f"{age:.1f}")
            keys = pop_param_keys(summaries, query)
            return models.RunList(
                runs=[models.RunSummary(**s) for s in summaries],
                next_page_token=token,
                param_keys=keys,
            )

        await self.respond(compute)


class RunHandler(XpHandler):
    """``GET runs/{id}``: everything recorded for one run; ``PATCH`` renames it and edits its
    note and tags; ``DELETE`` archives it (both need ``write``)."""

    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        def compute() -> BaseModel:
            run = self._run(run_id)
            known = (
                None if self.mirror is None else self.mirror.experiment_name(run.info.experiment_id)
            )
            return detail_body(run_detail(self.store, run, known))

        await self.respond(compute)

    @tornado.web.authenticated
    @authorized(action="write")  # type: ignore[untyped-decorator]
    async def patch(self, run_id: str) -> None:
        body = self.parse_body(RunPatch, "run edit")
        if body is None:
            return
        # An explicit null note removes it, as "" does; an absent note leaves it.
        note = "" if "note" in body.model_fields_set and body.note is None else body.note

        def compute() -> BaseModel:
            manage.edit_run(self.store, self._run(run_id), body.name, note, body.tags)
            return detail_body(run_detail(self.store, self._edited(run_id)))

        await self.respond(compute)

    @tornado.web.authenticated
    @authorized(action="write")  # type: ignore[untyped-decorator]
    async def delete(self, run_id: str) -> None:
        await self.change_lifecycle(run_id, manage.archive_run)


class RunRestoreHandler(XpHandler):
    """``POST runs/{id}/restore``: bring an archived run back (``write``)."""

    @tornado.web.authenticated
    @authorized(action="write")  # type: ignore[untyped-decorator]
    async def post(self, run_id: str) -> None:
        await self.change_lifecycle(run_id, manage.restore_run)


class RunModelsHandler(XpHandler):
    """``GET runs/{id}/models``: the model versions registered from the run, with aliases."""

    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        def compute() -> BaseModel:
            run = self._run(run_id)
            return models.RunModels(**run_versions(self.store, run.info.run_id))

        await self.respond(compute)


class ModelVersionHandler(XpHandler):
    """``GET models/{name}/{version}``: one model version with its lineage tags."""

    @tornado.web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        await self.respond(
            lambda: models.ModelLineage(**version_lineage(self.store, name, version))
        )


class MetricHistoryHandler(XpHandler):
    """``GET runs/{id}/metrics/{key}``: every logged value of one metric."""

    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str, key: str) -> None:
        def compute() -> BaseModel:
            from jupyterlab_xp.core.validation import validate_key

            run = self._run(run_id)
            validate_key(key, "metric name")
            if key not in run.data.metrics:
                raise LookupError(f"run {run_id} has no metric {key!r}")
            points = self.store.metric_history(run_id, key)
            return models.MetricHistory(
                run_id=run_id,
                key=key,
                points=[models.MetricPoint(step=s, value=v, timestamp=t) for s, v, t in points],
            )

        await self.respond(compute)


class CompareHandler(XpHandler):
    """``GET compare?ids=a,b,...[&correction=holm|bh][&hold_seed=NAME]``: what differs
    between runs (``hold_seed``: group by that seed component too)."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        args = self.query_args()

        def compute() -> BaseModel:
            options = ("correction", "hold_seed")
            extra = {k for k in args if not k.isdigit()} - {"ids", *options}  # digits: cache
            if (
                extra
                or len(args.get("ids", [])) != 1
                or any(len(args.get(o, [])) > 1 for o in options)
            ):
                raise XpError(
                    "compare takes ids=RUN,RUN,... and optionally correction=holm|bh and "
                    "hold_seed=NAME"
                )
            ids = [i for i in args["ids"][0].split(",") if i]
            correction = args.get("correction", ["holm"])[0]
            hold = args.get("hold_seed", [None])[0]
            return models.CompareBody(**compare_runs(self.store, ids, correction, hold))

        await self.respond(compute, HEAVY)


class CompareCurvesHandler(XpHandler):
    """``GET compare/curves?ids=a,b,...&metric=KEY[&hold_seed=NAME]``: a metric's curves per
    seed group (``hold_seed``: the groups of ``compare`` holding that seed component)."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        args = self.query_args()

        def compute() -> BaseModel:
            extra = {k for k in args if not k.isdigit()} - {"ids", "metric", "hold_seed"}
            if (
                extra  # (digits: a cache buster)
                or len(args.get("ids", [])) != 1
                or len(args.get("metric", [])) != 1
                or len(args.get("hold_seed", [])) > 1
            ):
                raise XpError(
                    "compare/curves takes ids=RUN,RUN,... and metric=KEY, and optionally "
                    "hold_seed=NAME"
                )
            ids = [i for i in args["ids"][0].split(",") if i]
            hold = args.get("hold_seed", [None])[0]
            return CompareCurves(**group_curves(self.store, ids, args["metric"][0], hold))

        await self.respond(compute, HEAVY)


class GateHandler(XpHandler):
    """``GET gate?baseline=SEL&candidate=SEL&metric=M[&metric=...][&direction=...]
    [&min_effect=X][&correction=holm|bh][&require_better=true][&experiment=E]``: the gate's
    decision, as ``jupyter xp gate --json`` gives it."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        args = self.query_args()

        def compute() -> BaseModel:
            known = {"baseline", "candidate", "metric", "direction", "min_effect", "correction",
                     "require_better", "experiment"}  # fmt: skip
            extra = {k for k in args if not k.isdigit()} - known  # digits: cache busters
            single = ("baseline", "candidate", "min_effect", "correction", "require_better")
            if extra or any(len(args.get(k, [])) > 1 for k in single):
                raise XpError(
                    f"gate takes {', '.join(sorted(known))} (metric and experiment repeated)"
                )
            if not args.get("baseline") or not args.get("candidate") or not args.get("metric"):
                raise XpError("gate needs baseline=SEL, candidate=SEL and metric=NAME")
            flag = args.get("require_better", ["false"])[0]
            if flag not in ("true", "false"):
                raise XpError(f"require_better is true or false, got {flag[:20]!r}")
            try:
                min_effect = float(args.get("min_effect", ["0"])[0])
            except ValueError:
                raise XpError("min_effect must be a number") from None
            body = gate(
                self.store,
                args["baseline"][0],
                args["candidate"][0],
                args["metric"],
                args.get("experiment"),
                directions=args.get("direction"),
                min_effect=min_effect,
                correction=args.get("correction", ["holm"])[0],
                require_better=flag == "true",
            )
            return models.GateBody(**body)

        await self.respond(compute, HEAVY)


class PromotePlanHandler(XpHandler):
    """``GET promote-plan?run_id=...|notebook=...``: what the Promote dialog pre-fills."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        args = self.query_args()

        def compute() -> BaseModel:
            extra = {k for k in args if not k.isdigit()} - {"run_id", "notebook"}
            if extra or any(len(v) != 1 for v in args.values()):
                raise XpError("promote-plan takes run_id=RUN or notebook=PATH")
            run_id = args.get("run_id", [None])[0]
            notebook = args.get("notebook", [None])[0]
            if notebook and not run_id:
                path = confine_notebook(self.root_dir, notebook)
                run_id = latest_run_of_notebook(self.store, path)
                src = jobs.load_source(self.store, run_id, None if run_id else path, self.root_dir)
            else:
                src = jobs.load_source(self.store, run_id, None, self.root_dir)
            return models.PromotePlan(**jobs.plan(src))

        await self.respond(compute)


class PromotionsHandler(XpHandler):
    """``GET promotions[?run_id=]`` lists jobs; ``POST promotions`` starts one (execute)."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        args = self.query_args()

        def compute() -> BaseModel:
            extra = {k for k in args if not k.isdigit()} - {"run_id"}
            if extra or any(len(v) != 1 for v in args.values()):
                raise XpError("promotions takes one optional argument: run_id=RUN")
            found = jobs.list_jobs(self.location, args.get("run_id", [None])[0])
            return models.PromotionList(promotions=[models.Promotion(**j) for j in found])

        await self.respond(compute)

    @tornado.web.authenticated
    @authorized(action="execute")  # type: ignore[untyped-decorator]  # promote runs code
    async def post(self) -> None:
        body = self.parse_body(models.PromoteRequest, "promote request")
        if body is None:
            return

        def compute() -> BaseModel:
            notebook = confine_notebook(self.root_dir, body.notebook) if body.notebook else None
            src = jobs.load_source(self.store, body.run_id, notebook, self.root_dir)
            job = jobs.create(
                self.store,
                src,
                root=self.root_dir,
                code_sha256=body.code_sha256,
                params=body.params,
                seeds=body.seeds,
                order=body.order,
                cell_timeout=body.cell_timeout,
                tolerance=body.tolerance,
                env=body.env,
                with_pins=body.with_,
            )
            return models.Promotion(**job)

        self.set_status(202)
        await self.respond(compute)


class PromotionHandler(XpHandler):
    """``GET promotions/{id}``: a job's progress, runs, bundle and verdict."""

    @tornado.web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        await self.respond(lambda: models.Promotion(**jobs.read(self.location, job_id)))


class PromotionCancelHandler(XpHandler):
    """``POST promotions/{id}/cancel``: stop a job; its run ends KILLED, outputs are kept."""

    @tornado.web.authenticated
    @authorized(action="execute")  # type: ignore[untyped-decorator]
    async def post(self, job_id: str) -> None:
        await self.respond(lambda: models.Promotion(**jobs.cancel(self.location, job_id)))


# The detail's sections read from xp/ files, and what each is when its file cannot be shown.
_DEGRADABLE: dict[str, Any] = {
    "seeds": None,
    "environment": None,
    "hardware": None,
    "git": None,
    "order": None,
    "cells_journal": [],
    "verification": None,
    "redactions": None,
    "checkpoints": [],
    "profiles": [],
}


def detail_body(detail: dict[str, Any]) -> models.RunDetail:
    """A run's detail as its model; a section whose store content does not fit the model is
    shown empty and named in ``unreadable`` (one hostile file costs that section, not a 500).
    """
    for _ in _DEGRADABLE:
        try:
            return models.RunDetail(**detail)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = first.get("loc", ())
            section = str(loc[0]) if loc else ""
            if section not in _DEGRADABLE or detail.get(section) == _DEGRADABLE[section]:
                raise
            where = ".".join(str(p) for p in loc)
            detail["unreadable"][section] = f"{where}: {first.get('msg')}"[:200]
            detail[section] = _DEGRADABLE[section]
    return models.RunDetail(**detail)


def latest_run_of_notebook(store: MlflowStore, path: Path) -> str | None:
    """The newest finished run recorded from the notebook at ``path``, if any."""
    notebook = columns.search_field(columns.TAGS, tags.NOTEBOOK_PATH)
    kind = columns.search_field(columns.TAGS, tags.KIND)
    found = store.search_runs(
        filter_string=f"{notebook} = {quote_value(str(path))} and attributes.status = 'FINISHED' "
        f"and {kind} = '{tags.KIND_NOTEBOOK}'",
        max_results=1,
    )
    return str(found[0].info.run_id) if found else None
