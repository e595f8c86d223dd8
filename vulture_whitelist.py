"""Names `make lint`'s dead-code check (vulture) would report that are used, but not by name.

Each is a parameter whose place in the signature a caller outside this code fixes, so it stays even
though the body does not read it. Vulture counts a name used once it appears here.
"""

# Signal handlers (signal.signal in frontends/cli_sweep.py, promote/job.py, sweep/sweeps.py,
# sweep/worker.py) are called as handler(signum, frame).
signum  # noqa: B018, F821

# kernel/api.py: __exit__(exc_type, exc, tb) is the context-manager protocol.
tb  # noqa: B018, F821

# kernel/comparing.py: IPython's pretty printer calls _repr_pretty_(printer, cycle).
cycle  # noqa: B018, F821

# promote/normalize.py: html.parser.HTMLParser calls handle_starttag(tag, attrs).
attrs  # noqa: B018, F821
