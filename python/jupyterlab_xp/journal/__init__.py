"""The run folder on disk.

The append-only cell journal, the folder's lock, the order verdict and the summaries derived
from the journal. Imports only ``core``.
"""
