"""Dash Pages: one file per page."""
