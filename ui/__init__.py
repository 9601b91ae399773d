"""The Streamlit layer's shared pieces: the one DuckDB connection and cached reads.

Pages stay thin by calling these functions; every cached read is keyed by the
store's data version, so a committed load shows everywhere at once.
"""
