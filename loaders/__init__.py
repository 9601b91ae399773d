"""Loaders: read published and local files, validate them, and commit them to DuckDB.

Nothing here imports streamlit: the same functions serve the app, the command
line (``python -m loaders``) and the tests.
"""
