"""Run management a team needs: rename a run, edit its tags and its note, archive and restore it.

The REST API (``PATCH``/``DELETE runs/{id}``, ``POST runs/{id}/restore``) and ``jupyter xp
rename | tag | note | archive | restore`` both land here. Every value is checked before anything
is written, so a bad edit changes nothing. What the run recorded stays as it was: ``xp.*`` and
``mlflow.*`` tags are read-only, and an archived run (MLflow's lifecycle stage ``deleted``) is
restored before it is edited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.validation import validate_name, validate_text, validate_user_tag_key

if TYPE_CHECKING:
    from mlflow.entities import Run

    from jupyterlab_xp.store.mlflow_store import MlflowStore

MAX_TAGS_PER_EDIT = 100


def is_archived(run: Run) -> bool:
    return bool(run.info.lifecycle_stage == "deleted")


def edit_run(
    store: MlflowStore,
    run: Run,
    name: str | None = None,
    note: str | None = None,
    tag_values: Mapping[str, str | None] | None = None,
) -> None:
    """Rename ``run``, replace its note (``""`` removes it) and set or delete (``None``) its tags.

    The note is Markdown, MLflow's ``mlflow.note.content`` tag (what MLflow's UI shows); ``xp.note``
    (the latest note) is kept equal to it.

    Raises:
        XpError: nothing to change, a bad value, a read-only tag, or an archived run.
    """
    tag_values = dict(tag_values or {})
    if name is None and note is None and not tag_values:
        raise XpError("nothing to change: give a name, a note or tags")
    if name is not None:
        name = validate_name(name.strip(), "run name")
    if note is not None:
        note = validate_text(note, "note")
    if len(tag_values) > MAX_TAGS_PER_EDIT:
        raise XpError(f"at most {MAX_TAGS_PER_EDIT} tags in one edit, got {len(tag_values)}")
    for key, value in tag_values.items():
        validate_user_tag_key(key)
        if value is not None:
            validate_text(value, f"tag {key!r}")
    run_id = run.info.run_id
    if is_archived(run):
        raise XpError(f"run {run_id} is archived: restore it before editing it")

    current = run.data.tags
    to_set = {k: v for k, v in tag_values.items() if v is not None}
    to_delete = [k for k, v in tag_values.items() if v is None and k in current]
    if note:
        to_set |= {tags.MLFLOW_NOTE: note, tags.NOTE: note}
    elif note == "":
        to_delete += [k for k in (tags.MLFLOW_NOTE, tags.NOTE) if k in current]
    if name is not None:
        # MLflow keeps this tag as the run's name; update_run would also write back the status it
        # read, undoing a recorder that finished the run in between.
        store.set_tags(run_id, {tags.MLFLOW_RUN_NAME: name})
    if to_set:
        store.set_tags(run_id, to_set)
    if to_delete:
        store.delete_tags(run_id, to_delete)


def archive_run(store: MlflowStore, run: Run) -> None:
    """Archive ``run`` (already archived: nothing to do). A running run is refused: its recorder
    could not write to it any more.

    Raises:
        XpError: the run is still running.
    """
    if is_archived(run):
        return
    if run.info.status == tags.RUNNING:
        raise XpError(f"run {run.info.run_id} is still running: stop it before archiving it")
    store.set_archived(run.info.run_id, True)


def restore_run(store: MlflowStore, run: Run) -> None:
    """Bring an archived run back (an active run: nothing to do)."""
    if is_archived(run):
        store.set_archived(run.info.run_id, False)
