"""The accelerator build a lock pins, the index that serves it and the image that runs it.

PyTorch's CUDA, ROCm and CPU wheels carry their build as a local version (``torch==2.8.0+cu128``,
``+rocm6.4``, ``+cpu``) and are served only by PyTorch's own index, so a lock holding such a pin
cannot be installed from PyPI alone. The index and the Docker base image are chosen here from a
fixed template and a build tag that must match a strict pattern: a lock is store content (a
hostile run can write any text), so it may pick which of PyTorch's indexes to read, never a host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PYTORCH_INDEX = "https://download.pytorch.org/whl/{tag}"
# Official CUDA runtime images: the driver comes from the host (--gpus); the wheels carry CUDA's
# user-space libraries, the image the matching runtime for anything else that links it.
CUDA_IMAGE = "nvidia/cuda:{major}.{minor}.0-runtime-ubuntu22.04"
# The packages PyTorch's index builds per accelerator (their local version names the build).
PYTORCH_PACKAGES = frozenset({"torch", "torchvision", "torchaudio"})
_TAG = re.compile(r"cu(?P<cuda>1[0-9]{2})|rocm(?P<rocm>[0-9]{1,2}(?:\.[0-9]{1,2}){0,2})|cpu")


@dataclass(frozen=True)
class Accelerator:
    """One build of PyTorch's wheels: ``tag`` as its index names it (``cu128``, ``rocm6.4``)."""

    kind: str  # "cuda", "rocm" or "cpu"
    tag: str
    version: str | None  # "12.8" for cu128, "6.4" for rocm6.4, None for cpu

    @property
    def index_url(self) -> str:
        return PYTORCH_INDEX.format(tag=self.tag)

    @property
    def cuda_image(self) -> str | None:
        """The CUDA runtime image of this build's CUDA version (None off CUDA)."""
        if self.kind != "cuda" or self.version is None:
            return None
        major, minor = self.version.split(".")
        return CUDA_IMAGE.format(major=major, minor=minor)


def build_of(pins: list[str]) -> Accelerator | None:
    """The accelerator build the lock's PyTorch pins name, or None (plain PyPI wheels).

    ``pins`` are checked ``name==version`` lines (:func:`jupyterlab_xp.promote.trust.pin`).
    Pins naming different builds name none: the lock could not have been installed as one.
    """
    found: set[Accelerator] = set()
    for line in pins:
        name, _, version = line.partition("==")
        if canonicalize_name(name) not in PYTORCH_PACKAGES:
            continue
        try:
            local = Version(version).local
        except InvalidVersion:
            continue
        match = _TAG.fullmatch(local or "")
        if match is None:
            continue
        cuda, rocm = match["cuda"], match["rocm"]
        if cuda:
            found.add(Accelerator("cuda", match[0], f"{cuda[:-1]}.{cuda[-1]}"))
        elif rocm:
            found.add(Accelerator("rocm", match[0], rocm))
        else:
            found.add(Accelerator("cpu", "cpu", None))
    return found.pop() if len(found) == 1 else None


def index_options(pins: list[str]) -> list[str]:
    """pip's options for installing ``pins``: PyTorch's index of their build, if they name one."""
    build = build_of(pins)
    return ["--extra-index-url", build.index_url] if build else []
