"""Seeding: the root seed, the libraries it reached, determinism flags, the user's own seed calls.

NumPy and torch are seeded at once when they are already imported, and otherwise the moment the
user imports them (a post-import hook), so ``%xp start`` never pays torch's two-second import.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import os
import random
import secrets
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.tags import DATALOADER_PERSISTENT, DATALOADER_WORKERS
from jupyterlab_xp.kernel.loader_timing import LoaderClock

# What CUDA needs for deterministic cuBLAS (documented by NVIDIA and PyTorch); set before CUDA
# initialises, which is why it goes into the environment at start even when torch is not loaded.
CUBLAS_DETERMINISTIC = ":4096:8"
MAX_SEED = 2**32 - 1  # NumPy's legacy seeding rejects anything larger

EventSink = Callable[..., None]


def draw_seed() -> int:
    """A fresh root seed from the OS's entropy (recorded, so the run can be replayed)."""
    return secrets.randbelow(2**31)


def parse_seed(text: str | int) -> int:
    """Validate a seed given by the user: an integer in ``[0, 2**32 - 1]``.

    Raises:
        XpError: with a one-line message.
    """
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise XpError(f"seed must be an integer, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise XpError(f"seed must be between 0 and {MAX_SEED}, got {value}")
    return value


def derive_seed(root: int, name: str) -> int:
    """A named seed (``data``, ``model``, ...) derived from the run's root seed.

    blake2b of ``"ROOT/NAME"``, 4 bytes: the same root and name always give the same seed, and
    different names give independent-looking ones, so each component's noise can be varied on
    its own (fix ``data``, vary ``model``) while one root seed still replays the whole run.
    """
    digest = hashlib.blake2b(f"{root}/{name}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % (MAX_SEED + 1)


def rebind_wrapped(namespace: Any, wrapped: Any) -> None:
    """Point a namespace's names for a wrapped function's original at the wrapper.

    A notebook usually imports what it uses in its first cell (``from datasets import
    load_dataset``, ``from hydra import compose``), before ``%xp start`` wraps the library's
    function: those names still hold the original, and their calls would go unrecorded.
    """
    original = getattr(wrapped, "__xp_original__", None)
    if original is None or not isinstance(namespace, dict):
        return
    for key, value in list(namespace.items()):
        if value is original:
            namespace[key] = wrapped


class _PostImportFinder(importlib.abc.MetaPathFinder):
    """Calls ``callbacks[name](module)`` right after module ``name`` finishes importing."""

    def __init__(self, callbacks: dict[str, Callable[[ModuleType], None]]) -> None:
        self.callbacks = callbacks
        self._busy = threading.local()

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        callback = self.callbacks.get(fullname)
        if callback is None or getattr(self._busy, "name", None) == fullname:
            return None
        # Ask the rest of sys.meta_path for the real spec; the guard stops us finding ourselves.
        self._busy.name = fullname
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy.name = None
        loader = spec.loader if spec else None
        if spec is None or loader is None or not hasattr(loader, "exec_module"):
            return None
        original = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original(module)
            callback(module)

        # Patch this one loader instance only: the module keeps its real loader type, which
        # matters to packages that inspect __spec__.loader (importlib.resources, for one).
        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


class SeedKeeper:
    """Seeds the libraries of one run and reports what happened through ``emit``.

    ``emit(kind, **fields)`` receives ``seeded`` (a library was seeded), ``determinism`` (flags
    set) and ``seed_call`` (the user called a seeding function) events; the recorder journals
    them. Nothing here raises into the user's code: a failure becomes an ``emit("seed_error")``.
    """

    def __init__(self, emit: EventSink) -> None:
        self._emit = emit
        self._patched: list[tuple[Any, str, Any]] = []
        self._finder: _PostImportFinder | None = None
        self._inside = threading.local()
        self.seed: int | None = None
        self.deterministic = False
        self.loader_clock = LoaderClock()  # read per cell by the run (a cell's verdict)
        # The worker settings of every DataLoader made in the run (tags hold them all)
        self._loader_workers: set[int] = set()
        self._loader_persistent: set[bool] = set()

    # -- seeding ------------------------------------------------------------------------------
    def seed_all(self, seed: int, deterministic: bool = False) -> dict[str, Any]:
        """Seed Python, NumPy and torch (now or on import) and wrap their seed functions.

        Returns:
            What was found at start: the root seed, ``PYTHONHASHSEED`` and each library's state
            (``seeded`` or ``on-import``).
        """
        self.seed, self.deterministic = seed, deterministic
        random.seed(seed)
        self._patch(random, "seed", "random.seed")
        state: dict[str, Any] = {
            "seed": seed,
            "pythonhashseed": os.environ.get("PYTHONHASHSEED"),
            "libraries": {"random": "seeded"},
        }
        if deterministic and "CUBLAS_WORKSPACE_CONFIG" not in os.environ:
            os.environ["CUBLAS_WORKSPACE_CONFIG"] = CUBLAS_DETERMINISTIC
        pending: dict[str, Callable[[ModuleType], None]] = {}
        for name, hook in (("numpy", self._on_numpy), ("torch", self._on_torch)):
            module = sys.modules.get(name)
            if module is not None:
                hook(module)
                state["libraries"][name] = "seeded"
            else:
                pending[name] = hook
                state["libraries"][name] = "on-import"
        if pending:
            self._finder = _PostImportFinder(pending)
            sys.meta_path.insert(0, self._finder)
        return state

    def reseed(self, seed: int) -> None:
        """Seed again with a new root seed (``xp.seed_everything`` during a run)."""
        self.seed = seed
        original = getattr(random.seed, "__xp_original__", random.seed)
        original(seed)
        for name, hook in (("numpy", self._seed_numpy), ("torch", self._seed_torch)):
            module = sys.modules.get(name)
            if module is not None:
                hook(module, seed)

    def _on_numpy(self, numpy: ModuleType) -> None:
        self._guarded("numpy", lambda: self._seed_numpy(numpy, self.seed))
        self._guarded("numpy", lambda: self._patch(numpy.random, "seed", "numpy.random.seed"))

    def _on_torch(self, torch: ModuleType) -> None:
        self._guarded("torch", lambda: self._seed_torch(torch, self.seed))
        self._guarded("torch", lambda: self._emit("torch_runtime", **_torch_runtime(torch)))
        if self.deterministic:
            self._guarded("torch", lambda: self._set_deterministic(torch))
        self._guarded("torch", lambda: self._seed_dataloaders(torch))
        self._guarded("torch", lambda: self._time_loaders(torch))
        for owner, attr, label in (
            (torch, "manual_seed", "torch.manual_seed"),
            (torch.random, "manual_seed", "torch.random.manual_seed"),
            (torch.cuda, "manual_seed", "torch.cuda.manual_seed"),
            (torch.cuda, "manual_seed_all", "torch.cuda.manual_seed_all"),
        ):
            self._guarded("torch", functools.partial(self._patch, owner, attr, label))

    def _seed_numpy(self, numpy: ModuleType, seed: int | None) -> None:
        original = getattr(numpy.random.seed, "__xp_original__", numpy.random.seed)
        original(seed)
        self._emit("seeded", library="numpy", seed=seed)

    def _seed_torch(self, torch: ModuleType, seed: int | None) -> None:
        manual_seed = getattr(torch.manual_seed, "__xp_original__", torch.manual_seed)
        # torch.manual_seed seeds the CPU generator and every CUDA device (lazily, without
        # initialising CUDA), so no separate cuda call is needed.
        manual_seed(seed)
        self._emit("seeded", library="torch", seed=seed)

    def _seed_dataloaders(self, torch: ModuleType) -> None:
        """A ``DataLoader`` made without a ``generator`` gets one seeded from the data seed.

        Without it, shuffling draws from torch's global generator, so the data order depends
        on every random call made before it (model init included): fixing the data seed alone
        would not fix the order. Its ``num_workers`` and ``persistent_workers`` are recorded
        too: worker processes change the order in which an iterable dataset yields.
        """
        loader = torch.utils.data.DataLoader
        original = loader.__init__
        if hasattr(original, "__xp_original__"):
            return
        signature = inspect.signature(original)
        keeper = self

        @functools.wraps(original)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            given = _bound(signature, (self, *args), kwargs)
            injected = None
            if given.get("generator") is None and keeper.seed is not None:
                injected = derive_seed(keeper.seed, "data")
                generator = torch.Generator()
                generator.manual_seed(injected)
                kwargs["generator"] = generator
            original(self, *args, **kwargs)
            with contextlib.suppress(Exception):  # recording never breaks the user's loader
                keeper._record_loader(self, injected)

        __init__.__xp_original__ = original  # type: ignore[attr-defined]
        loader.__init__ = __init__
        self._patched.append((loader, "__init__", original))

    def _time_loaders(self, torch: ModuleType) -> None:
        patched = self.loader_clock.install(torch)
        if patched is not None:
            self._patched.append(patched)  # restored by uninstall, as the seed functions

    def _record_loader(self, loader: Any, injected: int | None) -> None:
        workers = int(getattr(loader, "num_workers", 0))
        persistent = bool(getattr(loader, "persistent_workers", False))
        # The tags name every setting the run's loaders used ("0,4": a validation loader in
        # the kernel and a training loader with 4 workers), not the last loader's: runs that
        # differ in their training loader are told apart whichever loader came last.
        self._loader_workers.add(workers)
        self._loader_persistent.add(persistent)
        self._emit(
            "dataloader",
            num_workers=workers,
            persistent_workers=persistent,
            generator="xp" if injected is not None else "user",
            seed=injected,
            tags={
                DATALOADER_WORKERS: ",".join(map(str, sorted(self._loader_workers))),
                DATALOADER_PERSISTENT: ",".join(
                    str(p).lower() for p in sorted(self._loader_persistent)
                ),
            },
        )

    def _set_deterministic(self, torch: ModuleType) -> None:
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        self._emit("determinism", **determinism_flags(torch))

    def _guarded(self, library: str, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception as exc:  # the user's import must succeed whatever happens here
            self._emit("seed_error", library=library, error=f"{type(exc).__name__}: {exc}")

    # -- the user's own seed calls ----------------------------------------------------------
    def _patch(self, owner: Any, attr: str, label: str) -> None:
        original = getattr(owner, attr, None)
        if original is None or hasattr(original, "__xp_original__"):
            return

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # torch.manual_seed calls torch.cuda.manual_seed_all itself: record the outer call only.
            if not getattr(self._inside, "active", False):
                self._inside.active = True
                # Recording must never break the user's call.
                with contextlib.suppress(Exception):
                    self._emit("seed_call", fn=label, args=_short_args(args, kwargs))
                try:
                    return original(*args, **kwargs)
                finally:
                    self._inside.active = False
            return original(*args, **kwargs)

        wrapper.__xp_original__ = original  # type: ignore[attr-defined]
        setattr(owner, attr, wrapper)
        self._patched.append((owner, attr, original))

    def uninstall(self) -> None:
        """Remove the import hook and restore every wrapped seed function."""
        if self._finder is not None and self._finder in sys.meta_path:
            sys.meta_path.remove(self._finder)
        self._finder = None
        for owner, attr, original in reversed(self._patched):
            setattr(owner, attr, original)
        self._patched.clear()


def _torch_runtime(torch: ModuleType) -> dict[str, Any]:
    # What only the imported torch can say (CUDA availability, cuDNN): recorded on import.
    from jupyterlab_xp.capture.hardware import torch_runtime_info

    return {"runtime": torch_runtime_info(torch)}


def determinism_flags(torch: ModuleType | None = None) -> dict[str, Any]:
    """The determinism settings in force (torch's only when torch is already imported)."""
    flags: dict[str, Any] = {"cublas_workspace_config": os.environ.get("CUBLAS_WORKSPACE_CONFIG")}
    torch = torch or sys.modules.get("torch")
    if torch is not None:
        flags["torch_deterministic_algorithms"] = bool(torch.are_deterministic_algorithms_enabled())
        flags["cudnn_deterministic"] = bool(torch.backends.cudnn.deterministic)
        flags["cudnn_benchmark"] = bool(torch.backends.cudnn.benchmark)
    return flags


def _bound(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The call's arguments by name (an empty dict when they do not fit: the call will say)."""
    try:
        return signature.bind_partial(*args, **kwargs).arguments
    except TypeError:
        return {}


def _short_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[str]:
    shown = [repr(a)[:80] for a in args]
    shown += [f"{k}={v!r}"[:80] for k, v in kwargs.items()]
    return shown
