"""Sweeps: an Optuna study whose trials are promotions, under a parent MLflow run.

``space`` parses the search space, ``study`` owns the Optuna storage, sampler and pruner,
``trial`` runs one trial as a promotion, ``worker`` asks the study for trials, ``sweeps`` creates,
runs, ends and cancels a sweep, ``devices`` assigns workers to GPUs, ``results`` reads a sweep
back and ``confirm`` re-runs the best configurations over fresh seeds.
"""
