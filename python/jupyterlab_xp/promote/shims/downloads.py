"""A download that fails (no network), or a data file pandas reads from a folder that does not
exist, reads the file of the same name in the working folder."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

from jupyterlab_xp.promote.shims.log import Shim, record

MAX_SEARCHED = 5000  # files looked at for a local copy


def local_copy(url: str, root: Path | None = None) -> Path | None:
    """A file under ``root`` (the working folder) named like the URL's last part."""
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if not name or "." not in name:
        return None
    base = root or Path.cwd()
    for index, path in enumerate(sorted(base.rglob(name))):
        if index > MAX_SEARCHED:
            break
        if path.is_file():
            return path
    return None


def _downloads(module: Any) -> None:
    urlopen, urlretrieve = module.urlopen, module.urlretrieve
    retrieving = threading.local()  # urlretrieve() fetches through the module's urlopen

    def _url(target: Any) -> str:
        return str(getattr(target, "full_url", target))

    def local_urlopen(url: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return urlopen(url, *args, **kwargs)
        except OSError:  # URLError: no network here
            copy = local_copy(_url(url))
            if copy is None or getattr(retrieving, "active", False):
                raise
            record("local-data-copy", f"{_url(url)[:160]} unreachable: read {copy.name}")
            from email.message import Message
            from urllib.response import addinfourl

            # A response like urlopen's (callers read .headers, .status, .url): the file's bytes.
            return addinfourl(copy.open("rb"), Message(), _url(url), 200)

    def local_urlretrieve(url: Any, filename: Any = None, *args: Any, **kwargs: Any) -> Any:
        retrieving.active = True
        try:
            return urlretrieve(url, filename, *args, **kwargs)
        except OSError:
            copy = local_copy(_url(url))
            if copy is None or filename is None:
                raise
            # The copy may be the very file it was to be saved as: never truncate it.
            if Path(filename).resolve() != copy.resolve():
                shutil.copyfile(copy, filename)
            record("local-data-copy", f"{_url(url)[:160]} unreachable: used {copy.name}")
            from email.message import Message

            return str(filename), Message()
        finally:
            retrieving.active = False

    module.urlopen, module.urlretrieve = local_urlopen, local_urlretrieve


def _missing_files(module: Any) -> None:
    for name in ("read_csv", "read_table"):
        setattr(module, name, _local_reader(getattr(module, name)))


def _local_reader(original: Any) -> Any:
    import functools

    @functools.wraps(original)
    def read(path: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(path, *args, **kwargs)
        except FileNotFoundError:
            # A helper's data folder that moved (a package that pointed into itself): the file
            # of the same name in the notebook's folder, when there is one.
            if not isinstance(path, str | Path) or "://" in str(path):
                raise
            copy = local_copy(str(path))
            if copy is None:
                raise
            where = os.path.relpath(copy)
            record("local-data-copy", f"{str(path)[-160:]} does not exist: read {where}")
            return original(copy, *args, **kwargs)

    return read


_WHAT = (
    "a download that fails (no network), or a file pandas reads from a folder that does not "
    "exist, reads the file of the same name in the notebook's folder"
)
SHIMS = (
    Shim("local-data-copy", _WHAT, "urllib.request", _downloads),
    Shim("local-data-copy", _WHAT, "pandas", _missing_files),
)
