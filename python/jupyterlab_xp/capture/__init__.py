"""What a run captures once at start.

Environment and package lock, hardware, git state, datasets, the parameters cell. Imports only
``core``.
"""
