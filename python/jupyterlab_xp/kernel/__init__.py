"""Kernel-side recording.

The Python API, the ``%xp`` magic, the IPython hooks, seeds and the system sampler. Never imported
by the server.
"""
