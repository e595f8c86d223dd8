"""Everything that reaches or reads the tracking store.

The one MLflow module, the SQLite read model, the query language, the background sync and
recovery.
"""
