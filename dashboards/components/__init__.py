"""Reusable pieces of pages: the frame around every page, tiles, states, grids."""
