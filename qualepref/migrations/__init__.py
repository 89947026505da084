"""Versioned schema migrations: `NNNN_name.sql` scripts or `NNNN_name.py` with `apply(cursor)`."""
