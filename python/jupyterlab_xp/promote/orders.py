"""The names of the cell orders a promotion can run in: the one list every frontend takes.

``promote/build.py`` says what each order does; the REST model, ``jupyter xp promote --order``
and ``%xp promote --order`` take their choices from here. It imports nothing, so the magic's
parser can read it without loading the promote machinery.
"""

from __future__ import annotations

from typing import Literal, get_args

PromoteOrder = Literal["recorded", "auto", "execution-count", "notebook"]
ORDERS: tuple[str, ...] = get_args(PromoteOrder)
