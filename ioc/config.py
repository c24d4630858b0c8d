"""Settings: the one place that reads the environment (prefix ``IOC_``)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ioc.config_serving import ServingSettings

REPO_ROOT = Path(__file__).resolve().parent.parent
# MIT-licensed 2025 boundaries shipped with the package (see geo_data/ATTRIBUTION.md)
PACKAGED_BOUNDARIES = Path(__file__).resolve().parent / "geo_data"


class Settings(BaseSettings, ServingSettings):
    model_config = SettingsConfigDict(
        env_prefix="IOC_", env_nested_delimiter="__", populate_by_name=True
    )

    data_dir: Path = Field(
        default=Path("data"), description="Runtime data: DuckDB snapshot, raw files"
    )
    sql_dir: Path = Field(default=REPO_ROOT / "sql", description="DuckDB SQL files")
    database_url: str | None = Field(default=None, description="Operational store (SQLAlchemy URL)")
    boundaries: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: sorted(PACKAGED_BOUNDARIES.glob("*.geojson")),
        description="GeoJSON/TopoJSON boundary files for the maps, comma-separated; they "
        "replace the packaged ones (ioc/geo_data: the 34 provinces of 2025 and the communes "
        "of Cần Thơ, MIT). Set empty, maps show bubbles at unit centroids",
    )
    max_file_bytes: int = Field(
        default=200 * 1024 * 1024, description="Largest return file accepted"
    )
    # of each worker when set; unset, the defaults are divided among IOC_WORKERS
    duckdb_threads: int = Field(default=2, description="DuckDB worker threads")
    duckdb_memory_limit: str = Field(default="2GB", description="DuckDB memory limit")
    home_unit: str | None = Field(
        default=None,
        description="Unit the dashboard opens on for unscoped accounts, as SCHEME:CODE "
        "(e.g. legacy:94); default: the province with the most schools",
    )
    api_url: str | None = Field(
        default=None,
        description="Base URL the dashboard uses to reach the API (default: the server it runs "
        "in, called in-process)",
    )
    user: str | None = Field(
        default=None,
        description="Who runs ingests from the command line (default: OS user); an upload "
        "through the API records the signed-in account",
    )
    wall_screens: Path = Field(
        default=REPO_ROOT / "dashboards" / "wall" / "screens.yaml",
        description="The wall screens file (YAML): a deployment's own screens, validated "
        "when the server starts (default: the packaged dashboards/wall/screens.yaml)",
    )

    # reports and their schedules
    reports_dir: Path | None = Field(
        default=None, description="Report files written by schedules (default DATA_DIR/reports)"
    )
    reports_keep_days: int = Field(
        default=90, description="Delete report files older than this many days (0: keep all)"
    )
    reports_delivery_dir: Path | None = Field(
        default=None,
        description="Root of the folders schedules deliver to (default DATA_DIR/delivery)",
    )
    reports_scheduler: bool = Field(
        default=True,
        description="Run schedules (of reports, and the pulls of sources) in this server "
        "(set false on all but one instance)",
    )
    reports_misfire_grace_seconds: int = Field(
        default=6 * 3600, description="A run missed by at most this much runs once at start"
    )
    reports_retries: int = Field(default=2, description="Retries of a failed scheduled run")
    reports_retry_seconds: float = Field(
        default=300.0, description="Wait before a retry (times the attempt number)"
    )
    reports_workers: int = Field(default=2, description="Reports produced at the same time")
    jobs_workers: int = Field(
        default=2, description="Jobs (an upload's ingest) run at the same time by this server"
    )

    # alerts (docs/alerts.md)
    alerts_tick_seconds: int = Field(
        default=60,
        ge=5,
        description="Alerts: the clock's interval: time-based rules, escalations, deliveries",
    )
    alerts_digest_minutes: int = Field(
        default=15, ge=1, description="Alerts: one e-mail digest per person at most this often"
    )
    alerts_delivery_attempts: int = Field(
        default=5,
        ge=1,
        description="Alerts: attempts of a delivery (mail, webhook) before it fails",
    )
    alerts_webhook_backoff_seconds: float = Field(
        default=30.0, ge=0, description="Alerts: first webhook retry wait, doubled each attempt"
    )
    alerts_webhook_timeout: float = Field(
        default=10.0, gt=0, description="Alerts: time-out of one webhook POST (s)"
    )
    alerts_max_rules_per_account: int = Field(
        default=50, ge=1, description="Alerts: rules one account may add"
    )
    alerts_max_silence_days: int = Field(
        default=90, ge=1, description="Alerts: longest silence, in days"
    )

    # sources that are pulled (ioc.sources, ingest.pull)
    approval: Literal["required", "off"] = Field(
        default="required",
        description="Official figures: 'required' counts approved returns only "
        "(docs/approval.md); 'off' counts every return on receipt",
    )
    sources_secrets_file: Path | None = Field(
        default=None,
        description="YAML file of source credentials ({entry: {key: value}}), read by the "
        "server and never stored: a source names its entry",
    )
    sources_connect_timeout: float = Field(default=10.0, description="Pull: connect time-out (s)")
    sources_read_timeout: float = Field(default=60.0, description="Pull: read time-out (s)")
    sources_retries: int = Field(
        default=6, description="Pull: retries of one request (429, 503, 5xx, network errors)"
    )
    sources_backoff_seconds: float = Field(
        default=0.5, description="Pull: first retry wait, doubled each retry, with jitter"
    )
    sources_max_backoff_seconds: float = Field(
        default=60.0, description="Pull: longest wait between retries (also caps Retry-After)"
    )
    sources_max_response_bytes: int = Field(
        default=64 << 20, description="Pull: largest response body read (one page or file)"
    )
    sources_failing_after: int = Field(
        default=3, description="A source whose last this many pulls failed is failing"
    )
    sources_time_limit_seconds: int = Field(
        default=3600, description="Pull: longest a pull job may run before it is stopped"
    )

    # reports: the issuing body on printed reports (cover, place and date, signature block)
    issuer_parent: str | None = Field(
        default=None,
        description="The body above the issuer, first line of a report's heading, e.g. "
        "'UBND THÀNH PHỐ CẦN THƠ' (default: 'UBND ' and the report's province in capitals; "
        "none for the whole country)",
    )
    issuer_name: str | None = Field(
        default=None,
        description="The issuing body, second line of a report's heading, e.g. 'SỞ GIÁO DỤC "
        "VÀ ĐÀO TẠO' (the default; 'BỘ GIÁO DỤC VÀ ĐÀO TẠO' for the whole country)",
    )
    issuer_place: str | None = Field(
        default=None,
        description="The place in 'Cần Thơ, ngày … tháng … năm …' (default: the report's "
        "province without 'Tỉnh'/'Thành phố'; Hà Nội for the whole country)",
    )

    # e-mail delivery (SMTP)
    smtp_host: str | None = Field(default=None, description="SMTP server; unset: no e-mail")
    smtp_port: int = Field(default=25, description="SMTP port")
    smtp_from: str = Field(default="ioc-edu@localhost", description="Sender of report e-mails")
    smtp_starttls: bool = Field(default=False, description="Upgrade the connection with STARTTLS")
    smtp_username: str | None = Field(default=None, description="SMTP login (optional)")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password")
    smtp_timeout: float = Field(default=30.0, description="SMTP timeout in seconds")
    smtp_max_attachment_bytes: int = Field(
        default=20 * 1024 * 1024, description="Larger reports are not attached, only named"
    )

    # security: login and browser
    login_window_seconds: int = Field(
        default=900,
        description="Failed logins are forgotten after this many seconds without another "
        "attempt from the same address, account or pair",
    )
    login_pair_failures: int = Field(
        default=5,
        description="Failed logins from one address to one account before that address must "
        "wait to try that account again (the owner elsewhere is not affected)",
    )
    login_address_failures: int = Field(
        default=30,
        description="Failed logins from one address, any accounts, before it must wait",
    )
    login_account_failures: int = Field(
        default=100,
        description="Failed logins to one account from any addresses before every attempt "
        "on it is slowed (never locked: at most IOC_LOGIN_ACCOUNT_MAX_DELAY_SECONDS apart)",
    )
    login_delay_seconds: float = Field(
        default=30.0,
        description="First wait of an address or pair over its allowance; doubles per failure",
    )
    login_max_delay_seconds: float = Field(
        default=900.0, description="Longest wait imposed on an address or pair"
    )
    login_account_max_delay_seconds: float = Field(
        default=60.0,
        description="Longest wait imposed on an account (starts at 1 s and doubles)",
    )
    login_hash_concurrency: int = Field(
        default=2,
        ge=1,
        description="Password hashes computed at once per server process (each takes 64 MiB)",
    )
    login_hash_wait_seconds: float = Field(
        default=5.0,
        description="How long a login waits for a hashing slot before a 503 with Retry-After",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description="Addresses (comma-separated) of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed; the dashboard's own calls to the API come from "
        "the loopback, so keep it listed when the dashboard runs in this server",
    )
    public_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (scheme://host[:port], comma-separated) a browser may send "
        "state-changing requests from besides the address the request was made to",
    )

    @field_validator("trusted_proxies", "public_origins", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    # security: exports and schedules
    exports_max_concurrent: int = Field(
        default=4,
        ge=1,
        description="Exports (CSV/XLSX forms of lists, report file downloads) a server process "
        "writes at once, on worker threads of their own; beyond it: 429 with Retry-After",
    )
    exports_max_per_account: int = Field(
        default=2, ge=1, description="Exports one account may have running at once (429 beyond)"
    )
    exports_retry_after_seconds: int = Field(
        default=10, ge=1, description="Retry-After of a refused export, in seconds"
    )
    reports_min_interval_seconds: int = Field(
        default=3600,
        ge=0,
        description="Shortest time between two fires of a schedule's cron expression "
        "(checked over its next fires; a seconds field firing more often is refused)",
    )
    reports_max_schedules_per_account: int = Field(
        default=20, ge=1, description="Schedules one account may own"
    )
    reports_email_domains: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Domains (with their sub-domains) schedules may e-mail, comma-separated; "
        "empty: the domain of IOC_SMTP_FROM. Admins may e-mail any address",
    )
    reports_email_any: bool = Field(
        default=False, description="Let every account, not only admins, e-mail any address"
    )

    # security: uploads
    ingest_max_zip_members: int = Field(
        default=1000,
        description="Most members an XLSX archive may hold (a workbook has a few per sheet)",
    )
    ingest_max_unzipped_bytes: int = Field(
        default=1024 * 1024 * 1024,
        description="Most bytes an XLSX archive may expand to, all members together, checked "
        "from its directory before anything is decompressed",
    )
    ingest_max_member_bytes: int = Field(
        default=512 * 1024 * 1024,
        description="Most bytes one XLSX member (a sheet, the shared strings) may expand to",
    )
    ingest_max_zip_ratio: float = Field(
        default=100.0,
        description="Highest compression ratio of an XLSX member above 1 MiB (Apache POI's "
        "default bound): a higher ratio is a compression bomb, not a return",
    )
    ingest_max_cells: int = Field(
        default=10_000_000,
        description="Most cells a sheet may declare (rows x columns of its <dimension>)",
    )
    ingest_max_columns: int = Field(
        default=1000, description="Most columns of a sheet or of a CSV file"
    )
    ingest_max_line_bytes: int = Field(
        default=1024 * 1024, description="Longest line of a CSV file, in bytes"
    )
    ingest_memory_limit_mb: int = Field(
        default=4096,
        description="Memory (resident set, MiB) an upload's ingest process may use; it is "
        "stopped above it and the file refused, the server and the published data untouched",
    )
    ingest_time_limit_seconds: float = Field(
        default=1800.0,
        description="Time an upload's ingest process may take, waiting for other ingests "
        "included; it is stopped after it and the file refused",
    )

    # local time: one display time zone
    display_timezone: str = Field(
        default="Asia/Ho_Chi_Minh",
        validation_alias=AliasChoices(
            "IOC_DISPLAY_TIMEZONE", "IOC_REPORTS_TIMEZONE", "display_timezone", "reports_timezone"
        ),
        description="The Department's time zone (IANA name): every time the dashboard, the "
        "wall, exports, e-mails and the command line show is in it, and schedules' cron "
        "expressions are read in it (IOC_REPORTS_TIMEZONE, its former name, still works)",
    )

    @field_validator("display_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"IOC_DISPLAY_TIMEZONE={value!r} is not a time zone name (e.g. Asia/Ho_Chi_Minh)"
            ) from exc
        return value

    @property
    def reports_timezone(self) -> str:
        """The time zone of schedules' cron expressions: the display time zone."""
        return self.display_timezone

    @field_validator("boundaries", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [Path(p.strip()) for p in value.split(",") if p.strip()]
        return value

    @field_validator("reports_email_domains", mode="before")
    @classmethod
    def _split_domains(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list):
            return [str(d).strip().lstrip("@.").lower() for d in value if str(d).strip()]
        return value

    @property
    def published_db(self) -> Path:
        return self.data_dir / "ioc.duckdb"

    @property
    def build_dir(self) -> Path:
        return self.data_dir / "build"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def report_files_dir(self) -> Path:
        return self.reports_dir or self.data_dir / "reports"

    @property
    def delivery_dir(self) -> Path:
        return self.reports_delivery_dir or self.data_dir / "delivery"


@functools.cache
def get_settings() -> Settings:
    return Settings()


def display_zone() -> str:
    """The display time zone (``IOC_DISPLAY_TIMEZONE``) where no settings are passed."""
    return get_settings().display_timezone
