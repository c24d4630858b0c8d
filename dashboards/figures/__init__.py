"""Plotly figures of the pages: explorer, map, unit and wall."""
