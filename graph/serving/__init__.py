"""Serving queries: the store, the guarded worker pool, the query reader and result formats."""
