"""Exports: files people download (tables now; the PowerPoint meeting pack later).

Nothing here imports streamlit.
"""
