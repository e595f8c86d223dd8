"""Plain-dict views of recorded runs, shared by every frontend.

The run list, a run's detail, run lookup, and comparisons (differences and statistics).
"""
