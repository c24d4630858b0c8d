"""Reports: the Department's standard workbook and single-table exports, written to files
for one-off runs (``ioc export``) and for schedules run inside the server.

Numbers come from the same readers as the CLI and the API (``ioc.views.indicators``,
``ioc.views.quality``, ``ioc.views.summary``,
``ioc.compute.school_values.reported_values``); this package only lays them out. It never
imports the web layer.
"""
