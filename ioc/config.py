"""Settings: the one place that reads the environment (prefix ``IOC_``)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IOC_", env_nested_delimiter="__")

    data_dir: Path = Field(
        default=Path("data"), description="Runtime data: DuckDB snapshot, raw files"
    )
    sql_dir: Path = Field(default=REPO_ROOT / "sql", description="DuckDB SQL files")
    database_url: str | None = Field(default=None, description="Operational store (SQLAlchemy URL)")
    boundaries: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="GeoJSON/TopoJSON boundary files for the maps, comma-separated "
        "(without them maps show bubbles at unit centroids)",
    )
    max_file_bytes: int = Field(
        default=200 * 1024 * 1024, description="Largest return file accepted"
    )
    duckdb_threads: int = Field(default=2, description="DuckDB worker threads")
    duckdb_memory_limit: str = Field(default="2GB", description="DuckDB memory limit")
    home_unit: str | None = Field(
        default=None,
        description="Unit the dashboard opens on for unscoped accounts, as SCHEME:CODE "
        "(e.g. legacy:94); default: the province with the most schools",
    )
    api_url: str | None = Field(
        default=None,
        description="Base URL the dashboard uses to reach the API (default: the server itself)",
    )
    user: str | None = Field(default=None, description="Who runs ingests (default: OS user)")

    @field_validator("boundaries", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [Path(p.strip()) for p in value.split(",") if p.strip()]
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


@functools.cache
def get_settings() -> Settings:
    return Settings()
