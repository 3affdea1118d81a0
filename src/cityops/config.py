"""Process settings, read from the environment (prefix ``CITYOPS_``).

Only deployment facts live here (where the database is, where files go, limits of uploads).
Everything that differs between cities lives in the city profile, which is data.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CITYOPS_", env_file=".env", extra="ignore")

    var_dir: Path = Field(
        default=Path("var"), description="Directory for the embedded database and files"
    )
    database_url: str = Field(
        default="", description="SQLAlchemy URL; default SQLite under var_dir"
    )
    attachments_dir: Path | None = Field(
        default=None, description="Blob store; default var_dir/attachments"
    )
    profile_dir: Path | None = Field(
        default=None, description="City profile directory; default the shipped demo city"
    )
    max_attachment_bytes: int = 10 * 1024 * 1024
    map_tile_url: str = Field(
        default="",
        description="Tile URL template for the console maps; empty draws vector layers only",
    )
    secret_key: str = Field(
        default="", description="Token signing key; generated per var_dir if empty"
    )
    token_minutes: int = 8 * 60
    live_demo_per_day: float = Field(
        default=0.0,
        ge=0,
        le=100_000,
        description="Keep the demo city going while serving: mean reports per day (0: off); "
        "for demonstrations only",
    )
    mqtt_url: str = Field(
        default="",
        description="IoT readings over MQTT: the broker, e.g. mqtt://127.0.0.1:1883 (empty: off)",
    )
    mqtt_topic: str = Field(
        default="cityops/iot/+/readings", description="The topic the readings come on"
    )
    events_mqtt_url: str = Field(
        default="",
        description="Case messages out to an MQTT broker, e.g. mqtt://127.0.0.1:1883 (empty: off)",
    )
    events_mqtt_prefix: str = Field(
        default="cityops/events",
        description="Topic prefix of the case messages: <prefix>/case/<event type>",
    )
    db_pool_size: int = Field(
        default=20,
        ge=1,
        le=500,
        description="Database connections kept per server process; also how many requests "
        "of one process run their database work at the same time",
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'cityops.sqlite').resolve()}"

    def resolved_attachments_dir(self) -> Path:
        return self.attachments_dir or (self.var_dir / "attachments")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
