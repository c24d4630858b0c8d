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
# wall screen (the JS in assets/wall.js uses the same ids)
WALL = "wall"
WALL_SHIFT = "wall-shift"
WALL_PULL = "wall-pull"
WALL_STATUS = "wall-status"
WALL_ACK = "wall-ack"
WALL_CONFIG = "wall-config"
WALL_BODY = "wall-body"  # pattern-matching type, index = panel
WALL_GRAPH = "wall-graph"  # pattern-matching type, index = panel
WALL_ASOF = "wall-asof"
WALL_TICKER = "wall-ticker"
WALL_STALE = "wall-stale"
WALL_STALE_TEXT = "wall-stale-text"
WALL_CLOCK = "wall-clock"
WALL_DATE = "wall-date"
WALL_PANEL_TITLE = "wall-panel-title"
WALL_DIM = "wall-dim"
