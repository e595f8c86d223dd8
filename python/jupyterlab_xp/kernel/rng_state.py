"""Random number generator states a checkpoint keeps: Python, NumPy, torch CPU/CUDA, a Generator.

Python's and NumPy's global states are plain JSON (``rng.json``); torch's are byte tensors
saved with ``torch.save`` (``rng_torch.pt``) and read back with ``weights_only=True``. torch is
touched only when it is already imported: a kernel that never imported it never pays for it.
"""

from __future__ import annotations

import random
import sys
from typing import Any

from jupyterlab_xp.core.errors import XpError

RNG_FILE = "rng.json"
TORCH_RNG_FILE = "rng_torch.pt"


def python_numpy_state() -> dict[str, Any]:
    """Python ``random``'s and (if imported) NumPy's global state, as JSON values."""
    version, internal, gauss = random.getstate()
    state: dict[str, Any] = {"python": [version, list(internal), gauss], "numpy": None}
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        kind, keys, pos, has_gauss, cached = numpy.random.get_state()
        state["numpy"] = [kind, [int(k) for k in keys], int(pos), int(has_gauss), float(cached)]
    return state


def restore_python_numpy(state: dict[str, Any]) -> list[str]:
    """Set Python's (and NumPy's, when saved) global state; returns what was restored."""
    restored = []
    saved = state.get("python")
    if isinstance(saved, list) and len(saved) == 3:
        random.setstate((int(saved[0]), tuple(int(v) for v in saved[1]), saved[2]))
        restored.append("python")
    saved = state.get("numpy")
    if isinstance(saved, list) and len(saved) == 5:
        import numpy

        keys = numpy.array(saved[1], dtype=numpy.uint32)
        numpy.random.set_state((str(saved[0]), keys, int(saved[2]), int(saved[3]), saved[4]))
        restored.append("numpy")
    return restored


def torch_state(torch: Any, generator: Any = None) -> dict[str, Any]:
    """torch's CPU state, every CUDA device's (when CUDA is up) and ``generator``'s."""
    state: dict[str, Any] = {"cpu": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    if generator is not None:
        if not isinstance(generator, torch.Generator):
            raise XpError(f"generator must be a torch.Generator, got {type(generator).__name__}")
        state["generator"] = generator.get_state()
        state["generator_device"] = str(generator.device)
    return state


def restore_torch(torch: Any, state: dict[str, Any], generator: Any = None) -> list[str]:
    """Set torch's saved states (CUDA only on the same number of devices); what was restored."""
    restored = []
    if state.get("cpu") is not None:
        torch.set_rng_state(state["cpu"])
        restored.append("torch")
    cuda = state.get("cuda")
    if cuda and torch.cuda.is_available():
        if len(cuda) != torch.cuda.device_count():
            raise XpError(
                f"the checkpoint holds {len(cuda)} CUDA RNG states but this machine has "
                f"{torch.cuda.device_count()} devices; pass restore_rng=False to skip RNG states"
            )
        torch.cuda.set_rng_state_all(cuda)
        restored.append("cuda")
    if generator is not None:
        if state.get("generator") is None:
            raise XpError("the checkpoint holds no generator state (none was passed to it)")
        generator.set_state(state["generator"])
        restored.append("generator")
    return restored
