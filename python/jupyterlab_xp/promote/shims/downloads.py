"""A download that fails (no network) reads the file of the same name in the working folder."""

from __future__ import annotations

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


SHIMS = (
    Shim(
        "local-data-copy",
        "a download that fails (no network) reads the file of the same name in the folder",
        "urllib.request",
        _downloads,
    ),
)
