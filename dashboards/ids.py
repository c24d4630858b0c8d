"""Component ids, one place, so pages and tests agree on them."""

# shell
URL = "url"
NAV_PERIOD = "nav-period"
NAV_SCHEME = "nav-scheme"
NAV_GO = "nav-go"
# login
LOGIN_USER = "login-username"
LOGIN_PASSWORD = "login-password"
LOGIN_SUBMIT = "login-submit"
LOGIN_ERROR = "login-error"
LOGIN_GO = "login-go"
# overview
OVERVIEW_ATTENTION = "overview-attention"
OVERVIEW_TILES = "overview-tiles"
# map
MAP_INDICATOR = "map-indicator"
MAP_GRAPH = "map-graph"
MAP_GO = "map-go"
MAP_LEGEND = "map-legend"
# unit page
UNIT_INDICATOR = "unit-indicator"
UNIT_GRID = "unit-grid"
UNIT_TREND = "unit-trend"
UNIT_CHILD_KIND = "unit-child-kind"
# indicator explorer
EXPLORER_INDICATOR = "explorer-indicator"
EXPLORER_UNITS = "explorer-units"
EXPLORER_DISTRIBUTION = "explorer-distribution"
EXPLORER_RANKING = "explorer-ranking"
EXPLORER_TREND = "explorer-trend"
EXPLORER_COMPARE = "explorer-compare"
# ingest and targets
INGEST_UPLOAD = "ingest-upload"
INGEST_RESULT = "ingest-result"
INGEST_RUNS = "ingest-runs"
INGEST_REJECTS = "ingest-rejects"
TARGETS_GRID = "targets-grid"
TARGETS_SAVE = "targets-save"
TARGETS_RESULT = "targets-result"
# shared
URL_SYNC = "url-sync"
# map (more)
MAP_STATE = "map-state"
MAP_TABLE = "map-table"
MAP_DOWNLOADS = "map-downloads"
MAP_NOTE = "map-note"
MAP_URL_SYNC = "map-url-sync"
MAP_SCOPE = "map-scope"
MAP_TABLE_DATA = "map-table-data"
MAP_TABLE_DRAWN = "map-table-drawn"
# indicator explorer (more)
EXPLORER_STATE = "explorer-state"
EXPLORER_BODY = "explorer-body"
EXPLORER_DEFINITION = "explorer-definition"
EXPLORER_COMPARE_DOWNLOADS = "explorer-compare-downloads"
EXPLORER_URL_SYNC = "explorer-url-sync"
