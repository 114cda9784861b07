"""Shared constants of the demo registry."""

BATCH_SIZE = 1000
"""Rows per executemany INSERT; 5,000 certificates build in about a second on SQLite."""

ACTIVE, SUSPENDED, WITHDRAWN = "active", "suspended", "withdrawn"
