"""Indicators: turn stored facts into the numbers councillors read, with their context.

Nothing here imports streamlit; every function takes a DuckDB connection (or a
cursor) and returns plain data, so pages, exports and tests share one truth.
"""
