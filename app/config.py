"""Settings from the environment (prefix CERTVERIFY_), one class, cached."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as CERTVERIFY_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="CERTVERIFY_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./certverify.db",
        description="SQLAlchemy URL of the primary database (SQLite file by default).",
    )
    read_database_url: str | None = Field(
        default=None, description="Optional read-replica URL used for verification reads."
    )
    redis_url: str | None = Field(default=None, description="Optional Redis URL.")
    webhook_allow_insecure: bool = Field(
        default=False, description="Allow http and private/loopback webhook targets."
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL used in deep links and QR codes."
    )
    import_max_bytes: int = Field(
        default=50 * 1024 * 1024,
        description="Largest import file accepted over HTTP (413 above); the CLI has no limit.",
    )
    webhook_retry_base_seconds: float = Field(
        default=30.0, description="First retry delay; doubles each attempt (with jitter)."
    )
    webhook_retry_max_seconds: float = Field(
        default=3600.0, description="Longest delay between two attempts."
    )
    webhook_max_attempts: int = Field(
        default=10, description="Attempts before a delivery is given up and its endpoint disabled."
    )
    webhook_timeout_seconds: float = Field(default=10.0, description="Per-delivery HTTP timeout.")
    webhook_max_response_bytes: int = Field(
        default=65536, description="Response bytes read from an endpoint before hanging up."
    )
    reevaluate_interval_seconds: float = Field(
        default=3600.0,
        description="How often the worker re-evaluates every watch (time-driven verdict changes).",
    )
    in_process_worker: bool = Field(
        default=False,
        description="Deliver webhooks inside the API process (`certverify serve` turns it on).",
    )
    log_level: str = "INFO"

    log_level: str = "INFO"


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings()
