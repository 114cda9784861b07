"""Settings from the environment (prefix CERTVERIFY_), one class, cached."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

RATE_PATTERN = r"^\s*\d+\s*/\s*(second|minute|hour|day)\s*$"


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
        default=False,
        description="Allow http, any port and private/loopback webhook targets (tests and "
        "closed networks only).",
    )
    webhook_allowed_ports: str = Field(
        default="",
        pattern=r"^\s*(\d{1,5}\s*(,\s*\d{1,5}\s*)*)?$",
        description="Comma-separated ports webhook URLs may use besides 443 (e.g. 8443).",
    )
    webhook_dns_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        description="How long resolving a webhook host may take (off the request thread); "
        "a host that does not resolve in time is refused.",
    )
    # Keys at rest (app/keystore.py): never in the database.
    data_dir: str | None = Field(
        default=None,
        description="Directory where the receipt signing key and the webhook secret key are "
        "generated on first run (mode 0600); default: beside the SQLite database file. Required "
        "with PostgreSQL unless both keys are configured.",
    )
    signing_key: SecretStr | None = Field(
        default=None,
        description="The receipt signing key itself (Ed25519 private key, PEM or JWK), "
        "e.g. from a secret store; overrides the key file.",
    )
    signing_key_file: str | None = Field(
        default=None,
        description="File holding the receipt signing key (PEM or JWK); generated when missing.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key-encryption key of webhook secrets at rest (a Fernet key); overrides "
        "the key file.",
    )
    secret_key_file: str | None = Field(
        default=None,
        description="File holding the webhook secret key (a Fernet key); generated when missing.",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL used in deep links and QR codes."
    )

    @field_validator(
        "data_dir",
        "signing_key",
        "signing_key_file",
        "secret_key",
        "secret_key_file",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """A key setting set to nothing (`CERTVERIFY_SIGNING_KEY=` in an env file or a compose
        file with an empty secret) counts as unset, so the next source is used, instead of an
        empty key that fails every request that signs."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    import_max_bytes: int = Field(
        default=50 * 1024 * 1024,
        description="Largest import file accepted over HTTP (413 above); the CLI has no limit.",
    )
    # Certificate documents (POST /v1/documents/verify; app/services/documents/reader.py).
    document_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1, description="Largest document accepted (413 above)."
    )
    document_max_pages: int = Field(
        default=20, ge=1, description="Most pages a PDF may have (413 above)."
    )
    document_max_pixels: int = Field(
        default=40_000_000,
        ge=1,
        description="Most pixels an image may declare in its header (413 above); PDF pages are "
        "rendered for OCR and QR codes at 300 DPI or less, never above this.",
    )
    document_memory_bytes: int = Field(
        default=1024 * 1024 * 1024,
        ge=64 * 1024 * 1024,
        description="Address space (RLIMIT_AS) of the short-lived process that reads one "
        "document; a file that needs more is refused (422).",
    )
    document_cpu_seconds: int = Field(
        default=30, ge=1, description="CPU time (RLIMIT_CPU) of that process and of its OCR."
    )
    document_read_seconds: float = Field(
        default=25.0,
        gt=0,
        description="Wall-clock time one document may take to read (422 after); below "
        "CERTVERIFY_REQUEST_TIMEOUT_SECONDS.",
    )
    document_concurrency: int = Field(
        default=2,
        ge=1,
        description="Documents one server process reads at once; the others wait their turn.",
    )
    document_ocr: bool = Field(
        default=True,
        description="Read scans and images with Tesseract when it is installed (false: never; "
        "the answer then says OCR is unavailable).",
    )
    document_tesseract_cmd: str = Field(
        default="tesseract", description="The Tesseract program (a name on PATH, or a path)."
    )
    document_ocr_languages: str = Field(
        default="eng+deu+fra+spa+ita+pol+tur",
        pattern=r"^[a-z_]{3,}(\+[a-z_]{3,})*$",
        description="Tesseract languages to read with, those installed among them.",
    )
    document_rate_limit_units: int = Field(
        default=10,
        ge=1,
        description="Units of the caller's rate-limit budget one document costs (the request "
        "included): reading a document takes up to a few seconds of a core.",
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
    webhook_lease_seconds: float = Field(
        default=60.0,
        description="How long a worker holds a delivery it is sending; after that (a worker "
        "that died) another run sends it. Never shorter than the worst case of one attempt "
        "(4 timeouts + 10 s, app/services/integration/delivery.py lease_seconds).",
    )
    webhook_concurrency: int = Field(
        default=8, ge=1, le=256, description="Deliveries one worker sends at once (threads)."
    )
    webhook_client_concurrency: int = Field(
        default=4,
        ge=1,
        description="Deliveries of one client in flight at once, across workers: the other "
        "slots stay free for other clients whatever one client's endpoints do.",
    )
    webhook_max_endpoints_per_client: int = Field(
        default=10, ge=1, description="Webhook endpoints a client may have (409 above)."
    )
    reevaluate_interval_seconds: float = Field(
        default=3600.0,
        description="How often the worker re-evaluates every watch (time-driven verdict changes).",
    )
    in_process_worker: bool = Field(
        default=False,
        description="Deliver webhooks inside the API process (`certverify serve` turns it on).",
    )
    fact_cache_entries: int = Field(
        default=20_000,
        description="Certificates kept in each worker's fact cache (per kind); 0 turns it off.",
    )
    fact_cache_refresh_ms: int = Field(
        default=500,
        description="How often a worker checks the registry version: the cache's staleness bound.",
    )
    log_level: str = "INFO"
    log_queue: bool = Field(
        default=True,
        description="Format and write log lines in a logging thread, off the event loop "
        "(app/http/observability.py); false writes each line as it is logged.",
    )
    gc_freeze: bool = Field(
        default=True,
        description="At start-up, freeze the heap built by imports out of the garbage "
        "collector's reach (gc.freeze): full collections stop walking it (app/http/collector.py).",
    )
    gc_gen0_threshold: int = Field(
        default=10_000,
        ge=0,
        description="Allocations between young garbage collections (Python's default: 700; "
        "0 keeps it), set once per process at start-up.",
    )

    # Production hardening (docs/security.md, docs/deploy.md).
    rate_limit_enabled: bool = Field(
        default=True, description="Enforce the per-address and per-key rate limits."
    )
    rate_limit_anonymous: str = Field(
        default="60/minute",
        pattern=RATE_PATTERN,
        description="Budget per client address for requests without a key (N/second|minute|hour).",
    )
    rate_limit_keyed: str = Field(
        default="600/minute",
        pattern=RATE_PATTERN,
        description="Budget per API key, every request (a batch too) counting one.",
    )
    # 20,000 a minute: the largest batch (10,000 items) fits twice over, and a key that keeps
    # it up (333 items/s) uses about a third of one worker (a 10,000-item batch takes 7-10 s on
    # one worker, BENCHMARKS.md), so one client cannot take a worker for itself.
    rate_limit_batch_items: str = Field(
        default="20000/minute",
        pattern=RATE_PATTERN,
        description="Budget of batch items per API key, apart from the key's request budget: "
        "a batch with more items than are left is refused (429) and costs nothing.",
    )
    redis_key_prefix: str = Field(
        default="certverify:", description="Prefix of every key certverify writes to Redis."
    )
    max_body_bytes: int = Field(
        default=1024 * 1024, description="Largest JSON request body (413 above)."
    )
    batch_max_body_bytes: int = Field(
        default=8 * 1024 * 1024, description="Largest batch verification body (413 above)."
    )
    max_query_bytes: int = Field(default=4096, description="Longest query string (422 above).")
    request_timeout_seconds: float = Field(
        default=30.0, description="Answer 503 when a request has not started its response by then."
    )
    bulk_request_timeout_seconds: float = Field(
        default=900.0, description="The same for batch verification and imports."
    )
    database_statement_timeout_ms: int = Field(
        default=15000, description="PostgreSQL statement_timeout of the service's connections."
    )
    database_connect_timeout_seconds: int = Field(
        default=2, description="How long to wait for a database connection to open."
    )
    database_pool_timeout_seconds: float = Field(
        default=3.0, description="How long a request waits for a pooled connection (503 after)."
    )
    database_busy_timeout_seconds: float = Field(
        default=15.0, description="SQLite: how long to wait for a lock before giving up."
    )
    cors_allow_origins: str = Field(
        default="*", description="Comma-separated origins allowed to call /v1 from browsers."
    )
    cors_allow_methods: str = Field(
        default="GET,POST", description="Comma-separated methods allowed cross-origin."
    )
    log_format: str = Field(
        default="auto",
        pattern="^(auto|json|text)$",
        description="Logs on stderr: json lines, text, or auto (text when stderr is a "
        "terminal, json otherwise).",
    )
    shutdown_grace_seconds: float = Field(
        default=30.0, description="`certverify serve`: how long SIGTERM waits for requests."
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="`certverify serve`: comma-separated addresses or networks of the proxies "
        "whose X-Forwarded-For and X-Forwarded-Proto are trusted (the client address of rate "
        "limits and logs). Empty, the default: none, not even 127.0.0.1; `*` trusts any peer "
        "(only behind a proxy that always overwrites those headers).",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token GET /metrics requires (`Authorization: Bearer <token>`). "
        "Unset or empty: /metrics answers loopback clients (127.0.0.1, ::1) only.",
    )
    metrics_backlog_refresh_seconds: float = Field(
        default=15.0,
        ge=0,
        description="How often /metrics recounts the webhook backlog (once per interval, "
        "whatever the scrape rate; 0: at every scrape).",
    )
    testing_routes: bool = Field(
        default=False, description="Mount /_test/sleep (tests of timeouts and shutdown only)."
    )


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings()
