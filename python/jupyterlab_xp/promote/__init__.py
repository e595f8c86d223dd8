"""Promote: turn a recorded notebook run into a parameterized, tracked, verified job.

``source`` loads what a run (or a notebook) holds, ``build`` writes the notebook to execute in
the chosen order plus the script and bundle files, ``jobs`` creates, lists and cancels jobs,
``job`` is the job's own process (papermill), and ``verify`` says whether it reproduced.
"""
