"""Rate limits per API key and per client address, in-process or shared through Redis.

Algorithm: GCRA, a token bucket kept as one timestamp per bucket (the "theoretical arrival time").
A policy of N requests per window W refills one unit every W/N seconds and holds at most N units,
so a client may burst N requests, then continue at N per W. A request is let through while at
least one unit is free and is charged its full cost, so a batch of many items may overdraw the
bucket; the client then waits until the debt is repaid (`Retry-After`).

Without CERTVERIFY_REDIS_URL the buckets live in the process (one budget per worker); with it,
every worker shares one budget through an atomic Lua script that takes the time from Redis, so
worker clocks do not matter. When Redis cannot be reached the limiter falls back to the
in-process buckets for a few seconds and logs a warning: limits degrade, requests do not fail.

Headers (draft-ietf-httpapi-ratelimit-headers-10, structured fields):
`RateLimit-Policy: "anonymous";q=60;w=60` and `RateLimit: "anonymous";r=59;t=1`, where `r` is
the units left and `t` the seconds until the bucket is full again; a 429 problem adds `Retry-After`.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.errors import TooManyRequests, problem_response

if TYPE_CHECKING:  # services use app.http (request id, metrics); no import back at run time
    from app.services.auth import Principal

log = logging.getLogger("certverify.ratelimit")

STATE_LIMITER = "rate_limiter"
STATE_DECISION = "rate_limit"
STATE_BUCKET = "rate_limit_bucket"
# Operations endpoints, static assets and documentation are never limited.
EXEMPT_PREFIXES = ("/static/", "/docs", "/redoc", "/problems/")
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json", "/favicon.ico"})
_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")
REDIS_RETRY_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Policy:
    """A named budget: `limit` units per `window` seconds."""

    name: str
    limit: int
    window: int

    @classmethod
    def parse(cls, name: str, text: str) -> Policy:
        """`"60/minute"` -> Policy(name, 60, 60)."""
        match = _RATE.match(text)
        if match is None or int(match.group(1)) < 1:
            raise ValueError(f"rate limit {text!r} is not N/second|minute|hour|day with N >= 1")
        return cls(name=name, limit=int(match.group(1)), window=_UNITS[match.group(2)])

    @property
    def interval_ms(self) -> float:
        """Milliseconds that refill one unit."""
        return self.window * 1000 / self.limit

    @property
    def header(self) -> str:
        """The RateLimit-Policy field value."""
        return f'"{self.name}";q={self.limit};w={self.window}'


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of charging a bucket."""

    allowed: bool
    policy: Policy
    remaining: int
    reset_seconds: int
    retry_after_seconds: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        """RateLimit-Policy and RateLimit (and Retry-After when refused) as ASGI headers."""
        out = [
            (b"ratelimit-policy", self.policy.header.encode()),
            (
                b"ratelimit",
                f'"{self.policy.name}";r={self.remaining};t={self.reset_seconds}'.encode(),
            ),
        ]
        if not self.allowed:
            out.append((b"retry-after", str(self.retry_after_seconds).encode()))
        return out

    def problem(self) -> TooManyRequests:
        """The 429 problem for a refused request."""
        p = self.policy
        return TooManyRequests(
            f"The {p.name} budget of {p.limit} requests per {p.window} s is spent; "
            f"retry in {self.retry_after_seconds} s.",
            headers={k.decode(): v.decode() for k, v in self.headers()},
        )


SLACK_MS = 1e-6
"""Tolerance for float rounding in the bucket arithmetic: `(now + interval) - now` may come out a
hair above `interval`, which refused a fresh bucket's first request, or reported one unit too few,
depending on the value of the monotonic clock (a flaky 429 in the suite)."""


def decide(policy: Policy, *, allowed: bool, ahead_ms: float) -> Decision:
    """Shape a Decision from how far the bucket's arrival time is ahead of now (GCRA)."""
    interval, burst = policy.interval_ms, policy.window * 1000
    if allowed:
        remaining = max(0, math.floor((burst - ahead_ms + SLACK_MS) / interval))
        retry = 0
    else:
        remaining = 0
        retry = max(1, math.ceil((ahead_ms + interval - burst) / 1000))
    return Decision(
        allowed=allowed,
        policy=policy,
        remaining=remaining,
        reset_seconds=max(0, math.ceil(ahead_ms / 1000)),
        retry_after_seconds=retry,
    )


class Store(Protocol):
    """Where buckets live."""

    def hit(self, bucket: str, policy: Policy, units: int) -> Decision:
        """Charge `units` to `bucket` when at least one unit is free."""
        ...

    async def ahit(self, bucket: str, policy: Policy, units: int) -> Decision:
        """The same, without blocking the event loop."""
        ...


class MemoryStore:
    """Buckets in this process: one budget per worker."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()
        self._hits = 0

    def hit(self, bucket: str, policy: Policy, units: int) -> Decision:
        """Charge `units` to `bucket` when at least one unit is free."""
        now = time.monotonic() * 1000
        interval, burst = policy.interval_ms, policy.window * 1000
        with self._lock:
            tat = max(self._tat.get(bucket, now), now)
            if tat + interval - now > burst + SLACK_MS:
                return decide(policy, allowed=False, ahead_ms=tat - now)
            new_tat = tat + units * interval
            self._tat[bucket] = new_tat
            self._hits += 1
            if self._hits % 10_000 == 0:
                self._tat = {k: v for k, v in self._tat.items() if v > now}
        return decide(policy, allowed=True, ahead_ms=new_tat - now)

    async def ahit(self, bucket: str, policy: Policy, units: int) -> Decision:
        """The same; never blocks."""
        return self.hit(bucket, policy, units)


# KEYS[1] bucket; ARGV interval_ms, burst_ms, units. Returns {allowed, ahead_ms}.
GCRA_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local units = tonumber(ARGV[3])
local tat = now
local stored = redis.call('GET', KEYS[1])
if stored then tat = math.max(tonumber(stored), now) end
if tat + interval - now > burst then
  return {0, math.floor(tat - now)}
end
local new_tat = math.floor(tat + units * interval + 0.5)
redis.call('SET', KEYS[1], new_tat, 'PX', math.floor(new_tat - now) + 1000)
return {1, math.floor(new_tat - now)}
"""


class RedisStore:
    """Buckets in Redis, shared by every worker; falls back to this process when Redis fails."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis
        import redis.asyncio

        options: dict[str, Any] = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
        self._sync = redis.Redis.from_url(url, **options)
        self._async = redis.asyncio.Redis.from_url(url, **options)
        self._sync_script = self._sync.register_script(GCRA_LUA)
        self._async_script = self._async.register_script(GCRA_LUA)
        self._prefix = f"{prefix}ratelimit:"
        self._fallback = MemoryStore()
        self._down_until = 0.0

    def _args(self, policy: Policy, units: int) -> list[Any]:
        return [policy.interval_ms, policy.window * 1000, units]

    def _failed(self, exc: Exception) -> None:
        if time.monotonic() >= self._down_until:
            log.warning(
                "Redis unreachable for rate limits; using per-process limits for %.0f s: %s",
                REDIS_RETRY_SECONDS,
                type(exc).__name__,
            )
        self._down_until = time.monotonic() + REDIS_RETRY_SECONDS

    def hit(self, bucket: str, policy: Policy, units: int) -> Decision:
        """Charge `units` to the shared `bucket` when at least one unit is free."""
        from redis.exceptions import RedisError

        if time.monotonic() < self._down_until:
            return self._fallback.hit(bucket, policy, units)
        try:
            allowed, ahead = self._sync_script(
                keys=[self._prefix + bucket], args=self._args(policy, units)
            )
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return self._fallback.hit(bucket, policy, units)
        return decide(policy, allowed=bool(allowed), ahead_ms=float(ahead))

    async def ahit(self, bucket: str, policy: Policy, units: int) -> Decision:
        """The same through the asyncio client."""
        from redis.exceptions import RedisError

        if time.monotonic() < self._down_until:
            return self._fallback.hit(bucket, policy, units)
        try:
            allowed, ahead = await self._async_script(
                keys=[self._prefix + bucket], args=self._args(policy, units)
            )
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return self._fallback.hit(bucket, policy, units)
        return decide(policy, allowed=bool(allowed), ahead_ms=float(ahead))


class RateLimiter:
    """The two policies and the store they are kept in."""

    def __init__(self, *, anonymous: Policy, keyed: Policy, store: Store) -> None:
        self.anonymous = anonymous
        self.keyed = keyed
        self.store = store

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter | None:
        """The configured limiter, or None when limits are off."""
        if not settings.rate_limit_enabled:
            return None
        store: Store = (
            RedisStore(settings.redis_url, settings.redis_key_prefix)
            if settings.redis_url
            else MemoryStore()
        )
        return cls(
            anonymous=Policy.parse("anonymous", settings.rate_limit_anonymous),
            keyed=Policy.parse("api-key", settings.rate_limit_keyed),
            store=store,
        )


def client_bucket(scope: Scope) -> str:
    """The per-address bucket: the IPv4 address, or the IPv6 /64 (one host's usual share)."""
    client = scope.get("client")
    host = client[0] if client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"addr:{host}"
    if address.version == 6:
        return f"addr:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"addr:{address}"


def _exempt(scope: Scope) -> bool:
    path: str = scope["path"]
    return scope["method"] == "OPTIONS" or path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)


def _state(request: Request) -> dict[str, Any]:
    state: dict[str, Any] = request.scope.setdefault("state", {})
    return state


def _charge(request: Request, bucket: str, policy: Policy, units: int) -> None:
    state = _state(request)
    limiter: RateLimiter | None = state.get(STATE_LIMITER)
    if limiter is None:
        return
    decision = limiter.store.hit(bucket, policy, units)
    state[STATE_DECISION] = decision
    state[STATE_BUCKET] = (bucket, policy)
    if not decision.allowed:
        raise decision.problem()


def charge_key(request: Request, principal: Principal) -> None:
    """Charge one request to an authenticated key's budget (called once the key is known)."""
    limiter: RateLimiter | None = _state(request).get(STATE_LIMITER)
    if limiter is None or principal.key_id is None:
        return
    _charge(request, f"key:{principal.key_id}", limiter.keyed, 1)


def charge_failed_authentication(request: Request) -> None:
    """Charge a request with a bad key to its address, so key guessing runs into 429."""
    limiter: RateLimiter | None = _state(request).get(STATE_LIMITER)
    if limiter is None:
        return
    _charge(request, client_bucket(request.scope), limiter.anonymous, 1)


def charge(request: Request, units: int) -> None:
    """Charge `units` more to the budget this request was charged on (e.g. batch items beyond
    the first); raises the 429 problem when that budget is already spent."""
    state = _state(request)
    if units <= 0 or state.get(STATE_LIMITER) is None or STATE_BUCKET not in state:
        return
    bucket, policy = state[STATE_BUCKET]
    _charge(request, bucket, policy, units)


class RateLimitMiddleware:
    """Charge requests without a key to their address before routing (429 when spent); requests
    with a key are charged by `get_principal` once the key is verified. Adds the headers."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _exempt(scope):
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        state[STATE_LIMITER] = self.limiter
        has_key = any(name.lower() == b"authorization" for name, _ in scope["headers"])
        if not has_key:
            bucket = client_bucket(scope)
            decision = await self.limiter.store.ahit(bucket, self.limiter.anonymous, 1)
            state[STATE_DECISION] = decision
            state[STATE_BUCKET] = (bucket, self.limiter.anonymous)
            if not decision.allowed:
                exc = decision.problem()
                response = problem_response(
                    Request(scope),
                    status=exc.status,
                    slug=exc.slug,
                    detail=exc.detail,
                    headers=exc.headers,
                )
                await response(scope, receive, send)
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                decision = state.get(STATE_DECISION)
                if decision is None:
                    # A request with a key that never reached authentication (an unknown route, a
                    # page): it counts against its address.
                    bucket = client_bucket(scope)
                    decision = await self.limiter.store.ahit(bucket, self.limiter.anonymous, 1)
                    state[STATE_DECISION] = decision
                headers = [
                    h
                    for h in message.get("headers", [])
                    if h[0].lower() not in {b"ratelimit", b"ratelimit-policy"}
                ]
                headers.extend(h for h in decision.headers() if h[0] != b"retry-after")
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
