"""``python -m jupyterlab_xp``: the same command line as ``jupyter xp``."""

import sys

from jupyterlab_xp.frontends.cli import main

sys.exit(main())
