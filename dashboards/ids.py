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
INGEST_POLL = "ingest-poll"  # dcc.Interval: follows the submitted jobs while they run
INGEST_FOLLOWED = "ingest-followed"  # dcc.Store: the ids of the jobs submitted here
INGEST_JOBS = "ingest-jobs"  # the caller's recent jobs
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
# unit page (more)
UNIT_VIEW = "unit-view"
UNIT_URL_SYNC = "unit-url-sync"
UNIT_GRID_TITLE = "unit-grid-title"
UNIT_GRID_DOWNLOADS = "unit-grid-downloads"
UNIT_TREND_DOWNLOADS = "unit-trend-downloads"
UNIT_KPIS = "unit-kpis"
UNIT_QUALITY = "unit-quality"
# school profile
SCHOOL_IDENTITY = "school-identity"
SCHOOL_INDICATORS = "school-indicators"
SCHOOL_FIELDS = "school-fields"
SCHOOL_FINDINGS = "school-findings"
SCHOOL_FILES = "school-files"
# data quality page
QUALITY_TOTALS = "quality-totals"
QUALITY_UNITS = "quality-units"
QUALITY_BARS = "quality-bars"
QUALITY_CHASE = "quality-chase"
QUALITY_FINDINGS = "quality-findings"
QUALITY_RUNS = "quality-runs"
QUALITY_RUN = "quality-run"
QUALITY_REJECTS = "quality-rejects"
QUALITY_REJECTS_DOWNLOADS = "quality-rejects-downloads"
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
PARTIAL_UNIT = "partial-unit"
NO_DATA = "no-data"
