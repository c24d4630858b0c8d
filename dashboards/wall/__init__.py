"""The operations wall screen (issue 6): screens as data, snapshots from the API, panels.

The page itself is :mod:`dashboards.pages.wall`; the browser side (clock, rotation, pulls
with backoff, stale banner, burn-in care) is ``dashboards/assets/wall.js``.
"""
