"""The child process that reads git state through libgit2 (pygit2): git itself never runs.

``gitinfo`` starts this file as a script (``python -I -B gitread.py``), writes a JSON request on
its stdin and reads a JSON answer from its stdout. It imports only the standard library and
pygit2 (when it reads: importing it for ``empty_state`` costs nothing), never this package.

Why libgit2: it runs no program that a repository's config, includes or attributes name. Its
filter registry holds only the built-in ``crlf`` and ``ident`` filters (``filter.<x>.clean``,
``smudge`` and ``process`` are never read), its diff drivers read only ``binary`` and the
``funcname`` patterns (``diff.<x>.command`` and ``textconv`` are ignored, and there is no
external diff), and it has no hooks, fsmonitor, pager, editor, askpass, credential helper or
gpg call. Its one process spawn is the ssh transport, used only to fetch or push, which this
never does. A status without ``UPDATE_INDEX`` and a diff without ``GIT_DIFF_UPDATE_INDEX``
write nothing, so no index refresh and no lock file lands in the user's repository.

Why a child process: pygit2 holds the GIL during a status or a diff, so a large repository read
in the kernel would stall the user's cells; a hostile one (a FIFO as an include) could hang it
forever, and a libgit2 crash would take the kernel down. A child can be timed out and killed.

Request: ``{"paths": [...], "exclude": [...], "max_diff_bytes": N, "ceiling": str | null}``.
Answer: ``{"repos": [{"from": path, "toplevel": ..., ...}]}``, one entry per distinct work tree
found from ``paths`` (in order, work trees listed in ``exclude`` skipped); a path outside any
repository gives no entry. Failures become an ``error`` field, never a traceback. A request
with ``"files": [...]`` (absolute paths) is answered with only each file's revision in ``files``
(:func:`file_revisions`), not the work tree's state.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pygit2

_BRANCH_PREFIX = "refs/heads/"


def empty_state() -> dict[str, Any]:
    """Every field of a repository's state, with nothing read yet."""
    return {
        "toplevel": None,
        "commit": None,
        "branch": None,
        "remote": None,
        "remote_url": None,
        "untracked": 0,
        "dirty": False,
        "diff": "",
        "diff_truncated": False,
    }


def _branch(repo: pygit2.Repository) -> str | None:
    from pygit2.enums import ReferenceType

    head = repo.lookup_reference("HEAD")
    if head.type != ReferenceType.SYMBOLIC:
        return None  # detached
    target = str(head.target)
    return target[len(_BRANCH_PREFIX) :] if target.startswith(_BRANCH_PREFIX) else target


def _remote(repo: pygit2.Repository) -> tuple[str | None, str | None]:
    names = list(repo.remotes.names())
    if not names:
        return None, None
    name = "origin" if "origin" in names else str(names[0])
    try:
        url = repo.config[f"remote.{name}.url"]
    except KeyError:
        url = None
    return name, (str(url) if url is not None else None)


def _diff(repo: pygit2.Repository, max_bytes: int) -> tuple[str, bool]:
    """``git diff HEAD``: HEAD to index, merged with index to work tree (as libgit2's own
    ``git_diff_tree_to_workdir_with_index`` does), cut at ``max_bytes``."""
    import pygit2

    tree = repo.head.peel(pygit2.Tree)
    index = repo.index
    diff = tree.diff_to_index(index)
    diff.merge(index.diff_to_workdir())
    out = bytearray()
    for patch in diff:
        if patch is None:
            continue
        data = patch.data
        if len(out) + len(data) > max_bytes:
            out += data[: max(0, max_bytes - len(out))]
            return out.decode("utf-8", errors="ignore"), True
        out += data
    return out.decode("utf-8", errors="replace"), False


def read_repository(repo: pygit2.Repository, max_diff_bytes: int, info: dict[str, Any]) -> None:
    """Fill ``info`` with the state of an opened repository's work tree, field by field (what
    was read before a failure stays)."""
    from pygit2.enums import FileStatus

    info["commit"] = None if repo.head_is_unborn else str(repo.head.target)
    info["branch"] = _branch(repo)
    info["remote"], info["remote_url"] = _remote(repo)
    status = repo.status(untracked_files="normal", ignored=False)
    info["untracked"] = sum(1 for flags in status.values() if flags == FileStatus.WT_NEW)
    info["dirty"] = any(
        flags not in (FileStatus.WT_NEW, FileStatus.IGNORED, FileStatus.CURRENT)
        for flags in status.values()
    )
    if info["commit"] and info["dirty"]:
        info["diff"], info["diff_truncated"] = _diff(repo, max_diff_bytes)


MAX_WALK = 10_000  # commits searched for the last change of a file (the rest is "not found")


def file_revisions(repo: pygit2.Repository, files: list[str]) -> dict[str, dict[str, Any]]:
    """For each file in the work tree: ``commit``, the newest commit whose tree changed it
    (within :data:`MAX_WALK` commits of HEAD), and ``status``: committed, modified, untracked,
    ignored or missing."""
    from pygit2.enums import FileStatus, SortMode

    top = os.path.realpath(repo.workdir)
    out: dict[str, dict[str, Any]] = {}
    for file in files:
        rel = os.path.relpath(os.path.realpath(file), top)
        if rel.startswith(".."):
            continue
        rel = rel.replace(os.sep, "/")
        names = {
            FileStatus.CURRENT: "committed",
            FileStatus.WT_NEW: "untracked",
            FileStatus.IGNORED: "ignored",
        }
        try:
            status = names.get(FileStatus(repo.status_file(rel)), "modified")
        except (KeyError, ValueError):
            status = "missing"
        commit = None
        if not repo.head_is_unborn:

            def entry(c: pygit2.Commit, rel: str = rel) -> str | None:
                try:
                    return str(c.tree[rel].id)
                except KeyError:
                    return None

            walker = repo.walk(repo.head.target, SortMode.TOPOLOGICAL | SortMode.TIME)
            for n, c in enumerate(walker):
                mine = entry(c)
                if mine is None or n >= MAX_WALK:
                    break
                if not c.parents or entry(c.parents[0]) != mine:
                    commit = str(c.id)
                    break
        out[file] = {"commit": commit, "status": status}
    return out


def _discover(path: str, ceiling: str | None) -> str | None:
    import pygit2

    if ceiling:
        return pygit2.discover_repository(path, False, ceiling)
    return pygit2.discover_repository(path)


def read_paths(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer's ``repos`` for a request (see the module docstring)."""
    import pygit2
    from pygit2.enums import RepositoryOpenFlag

    seen = {os.path.realpath(p) for p in request.get("exclude") or []}
    max_bytes = int(request.get("max_diff_bytes") or 0)
    found: list[dict[str, Any]] = []
    for path in request.get("paths") or []:
        try:
            gitdir = _discover(path, request.get("ceiling"))
        except Exception:  # an unreadable folder: nothing to record
            gitdir = None
        if gitdir is None:
            continue
        try:
            repo = pygit2.Repository(gitdir, RepositoryOpenFlag.NO_SEARCH)
        except Exception as exc:  # not owned by us, an unknown extension...
            key = os.path.realpath(gitdir)
            if key not in seen:
                seen.add(key)
                found.append({**empty_state(), "from": path, "error": f"git: {exc}"})
            continue
        if not repo.workdir:  # bare (None, whatever the stubs say): no work tree
            continue
        top = os.path.realpath(repo.workdir)
        if top in seen:
            continue
        seen.add(top)
        info = {**empty_state(), "toplevel": top, "from": path}
        try:
            if request.get("files"):
                info["files"] = file_revisions(repo, list(request["files"]))
            else:
                read_repository(repo, max_bytes, info)
        except Exception as exc:  # a broken ref, an unreadable index...
            info["error"] = f"git: {exc}"
        found.append(info)
    return found


def main() -> int:
    request = json.loads(sys.stdin.buffer.read() or b"{}")
    json.dump({"repos": read_paths(request)}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
