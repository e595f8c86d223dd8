"""Foundations every other package may use.

Errors, names and their validation, where the store lives, file and process helpers, redaction.
Imports nothing else of jupyterlab_xp.
"""
