"""Component ids, one place, so pages and tests agree on them."""

# shell
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
INGEST_JOBS_WRAP = "ingest-jobs-wrap"  # holds the jobs grid, refreshed when a job ends
TARGETS_GRID = "targets-grid"
TARGETS_SAVE = "targets-save"
TARGETS_RESULT = "targets-result"
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
# frame, shared states and the app root
TO_WALL = "to-wall"
TO_LOGIN = "to-login"
DATA_AS_OF = "data-as-of"
NAV_MENU = "nav-menu"
NAV_TOGGLE = "nav-toggle"
LANG_SWITCH = "lang-switch"
LOGOUT = "logout"
ROOT = "root"
# login (more)
LOGIN_NEXT = "login-next"
# targets (more)
TARGETS_ADD = "targets-add"
TARGETS_BLANK_ROW = "targets-blank-row"
# ingest (more)
INGEST_PERIOD = "ingest-period"
INGEST_STRICT = "ingest-strict"
INGEST_RUNS_WRAP = "ingest-runs-wrap"
# school profile (more)
SCHOOL_NAME = "school-name"
SCHOOL_SOURCE = "school-source"
# indicator explorer (parts the tests read)
EXPLORER_NUMERATOR = "explorer-numerator"
EXPLORER_DENOMINATOR = "explorer-denominator"
EXPLORER_VALUE = "explorer-value"
EXPLORER_ROUNDING = "explorer-rounding"
EXPLORER_COMPARE_CARD = "explorer-compare-card"
# map (scope links)
MAP_TO_UNIT = "map-to-unit"
MAP_TO_COUNTRY = "map-to-country"
# scheduled reports
SCHEDULES_GRID = "schedules-grid"
SCHEDULES_GRID_WRAP = "schedules-grid-wrap"
SCHEDULES_RUN = "schedules-run"
SCHEDULES_DELETE = "schedules-delete"
SCHEDULES_ACTION = "schedules-action"
SCHEDULES_RUNS = "schedules-runs"
SCHEDULES_TICK = "schedules-tick"
SCHEDULE_NAME = "schedule-name"
SCHEDULE_CRON = "schedule-cron"
SCHEDULE_KIND = "schedule-kind"
SCHEDULE_UNITS = "schedule-units"
SCHEDULE_PERIOD = "schedule-period"
SCHEDULE_FORMATS = "schedule-formats"
SCHEDULE_FOLDER = "schedule-folder"
SCHEDULE_EMAIL = "schedule-email"
SCHEDULE_SCHEME = "schedule-scheme"
SCHEDULE_CREATE = "schedule-create"
SCHEDULE_CREATED = "schedule-created"
# wall panels (parts the tests read)
WALL_RED_UNITS = "wall-red-units"
WALL_RED_MISSING = "wall-red-missing"
WALL_RED_FAILED = "wall-red-failed"
WALL_COMPLETENESS_TOTAL = "wall-completeness-total"
WALL_ASOF_TIME = "wall-asof-time"
WALL_PERIOD = "wall-period"
# download links (ids are the prefix + "-csv" / "-xlsx") and grids (more)
TARGETS_DOWNLOADS = "targets"
INGEST_RUNS_DOWNLOADS = "runs"
INGEST_REJECTS_DOWNLOADS = "rejects"
INGEST_REJECTS_GRID = "ingest-rejects-grid"
EXPLORER_VALUES_DOWNLOADS = "explorer-values"
EXPLORER_RANKING_DOWNLOADS = "explorer-ranking"
EXPLORER_SERIES_DOWNLOADS = "explorer-series"
EXPLORER_TREND_CARD = "explorer-trend-card"
# pulled sources (sources.py, sources_form.py) and their panel on the quality page
SOURCES_GRID = "sources-grid"
SOURCES_GRID_WRAP = "sources-grid-wrap"
SOURCES_LEDGER = "sources-ledger"
SOURCES_PULL = "sources-pull"
SOURCES_DRY_RUN = "sources-dry-run"
SOURCES_FULL = "sources-full"
SOURCES_TEST = "sources-test"
SOURCES_ACTION = "sources-action"  # what the last button started, then its job's progress
SOURCES_FOLLOWED = "sources-followed"  # dcc.Store: {"job": id, "name": source}
SOURCES_POLL = "sources-poll"  # dcc.Interval: follows the started pull while it runs
SOURCE_FORM_TITLE = "source-form-title"
SOURCE_NAME = "source-name"
SOURCE_KIND = "source-kind"
SOURCE_BASE_URL = "source-base-url"
SOURCE_SECRET = "source-secret"
SOURCE_SCHEME = "source-scheme"
SOURCE_UNITS = "source-units"
SOURCE_CRON = "source-cron"
SOURCE_RECONCILE = "source-reconcile-cron"
SOURCE_MAPPING = "source-mapping"
SOURCE_EDITING = "source-editing"  # dcc.Store: the name of the source being edited (or None)
SOURCE_SAVE = "source-save"
SOURCE_CLEAR = "source-clear"
SOURCE_SAVED = "source-saved"
SOURCE_DELETE = "source-delete"
SOURCE_DELETE_CONFIRM = "source-delete-confirm"
SOURCE_ERROR = "source-error"  # + "-" + field: the API's problem next to the field it names
QUALITY_SOURCES = "quality-sources"
WALL_RED_SOURCES = "wall-red-sources"
SOURCE_EDIT = "source-edit"
# the review desk (review*.py), pending markers (components/review_marks.py), chain verdict
REVIEW_VIEW = "review-view"  # dcc.Store: {"unit", "scheme", "period"} of the desk
REVIEW_SUMMARY = "review-summary"
REVIEW_SUMMARY_GRID = "review-summary-grid"
REVIEW_FILTER_UNIT = "review-filter-unit"
REVIEW_FILTER_STATE = "review-filter-state"
REVIEW_QUEUE = "review-queue"  # the queue's grid
REVIEW_DETAIL = "review-detail"
REVIEW_SHOWN = "review-shown"  # dcc.Store: {"school", "name", "period", "hash"} in the detail
REVIEW_ACTION = "review-action"  # pattern-matching button type: {"type", "action"}
REVIEW_REASON = "review-reason"
REVIEW_MESSAGE = "review-message"  # the last action's answer
REVIEW_CLEAN = "review-approve-clean"
REVIEW_LOCK = "review-lock"  # pattern-matching button type: {"type", "action": lock|unlock}
REVIEW_LOCK_REASON = "review-lock-reason"
REVIEW_LOCK_STATE = "review-lock-state"
REVIEW_DESK_MESSAGE = "review-desk-message"  # approve-clean and lock answers
REVIEW_FIGURES = "review-figures"
REVIEW_FINDINGS = "review-findings"
REVIEW_EFFECT = "review-effect"
REVIEW_HISTORY = "review-history"
REVIEW_PENDING = "review-pending"  # "N báo cáo chờ duyệt" on the overview and unit pages
REVIEW_INCLUDE = "review-include-pending"  # the switch asking basis=all
REVIEW_UNOFFICIAL = "review-unofficial"  # the badge on figures including pending returns
REVIEW_CHAIN = "review-chain"  # the chain's verdict on the quality page
# alerts (pages/alerts*.py), the wall's open alerts and the overview's count
ALERTS_VIEW = "alerts-view"  # dcc.Store: {"scheme", "names"} of the page's view
ALERTS_FILTER_STATE = "alerts-filter-state"
ALERTS_FILTER_SEVERITY = "alerts-filter-severity"
ALERTS_FILTER_UNIT = "alerts-filter-unit"
ALERTS_FILTER_RULE = "alerts-filter-rule"
ALERTS_FILTER_SILENCED = "alerts-filter-silenced"
ALERTS_LIST = "alerts-list"  # the counts, the links and the grid, redrawn by the filters
ALERTS_COUNTS = "alerts-counts"
ALERTS_DOWNLOADS = "alerts-downloads"
ALERTS_GRID = "alerts-grid"
ALERTS_DETAIL = "alerts-detail"
ALERTS_SHOWN = "alerts-shown"  # dcc.Store: the id of the alert in the detail
ALERTS_MESSAGE = "alerts-message"  # the last action's answer
ALERTS_ACTION = "alerts-action"  # pattern-matching button type: {"type", "action"}
ALERTS_COMMENT = "alerts-comment"  # pattern-matching textarea type: {"type", "action"}
ALERTS_TIMELINE = "alerts-timeline"
ALERTS_DELIVERIES = "alerts-deliveries"
ALERTS_SILENCES = "alerts-silences"
ALERTS_SILENCE_LIST = "alerts-silence-list"
ALERTS_SILENCE_RULE = "alerts-silence-rule"
ALERTS_SILENCE_UNIT = "alerts-silence-unit"
ALERTS_SILENCE_REASON = "alerts-silence-reason"
ALERTS_SILENCE_ENDS = "alerts-silence-ends"
ALERTS_SILENCE_ADD = "alerts-silence-add"
ALERTS_SILENCE_END = "alerts-silence-end"  # pattern-matching button type: {"type", "id"}
ALERTS_SILENCE_MESSAGE = "alerts-silence-message"
ALERTS_RULES = "alerts-rules"
ALERTS_RULES_GRID = "alerts-rules-grid"
ALERTS_RULES_WRAP = "alerts-rules-wrap"
ALERTS_RULE_KEY = "alerts-rule-key"
ALERTS_RULE_VI = "alerts-rule-vi"
ALERTS_RULE_EN = "alerts-rule-en"
ALERTS_RULE_KIND = "alerts-rule-kind"
ALERTS_RULE_SEVERITY = "alerts-rule-severity"
ALERTS_RULE_LEVEL = "alerts-rule-level"
ALERTS_RULE_INDICATORS = "alerts-rule-indicators"
ALERTS_RULE_THRESHOLD = "alerts-rule-threshold"
ALERTS_RULE_UNITS = "alerts-rule-units"
ALERTS_RULE_ESCALATE = "alerts-rule-escalate"
ALERTS_RULE_ADD = "alerts-rule-add"
ALERTS_RULE_MESSAGE = "alerts-rule-message"
ALERTS_OPEN_COUNT = "alerts-open-count"  # "N cảnh báo đang mở" on the overview
WALL_RED_ALERTS = "wall-red-alerts"  # the wall's open alerts, first in "red now"
EXAMS_VIEW = "exams-view"  # the exam page's unit, scheme and the years loaded
EXAMS_YEAR = "exams-year"
EXAMS_SUBJECT = "exams-subject"
EXAMS_URL_SYNC = "exams-url-sync"
EXAMS_EMPTY = "exams-empty"  # the state before any exam result is loaded
EXAMS_KPIS = "exams-kpis"
EXAMS_SPECTRUM = "exams-spectrum"
EXAMS_SPECTRUM_NOTE = "exams-spectrum-note"
EXAMS_FAILING = "exams-failing"
EXAMS_COMBINATIONS = "exams-combinations"
EXAMS_SCHOOLS = "exams-schools"
EXAMS_SCHOOLS_GRID = "exams-schools-grid"
EXAMS_COUNCILS = "exams-councils"
WALL_EXAMS = "wall-exams"  # the wall's exam panel: the province's mean, rank, failing papers
