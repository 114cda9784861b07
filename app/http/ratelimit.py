"""Rate limits per API key and per client address, in-process or shared through Redis.

Algorithm: GCRA, a token bucket kept as one timestamp per bucket (the "theoretical arrival time").
A policy of N units per window W refills one unit every W/N seconds and holds at most N units,
so a client may burst N requests, then continue at N per W. A request costs one unit and is let
through while one is free.

Batch items have a budget of their own (issue 15): one batch of 1,000 items used to be charged
1,000 units of the key's 600 a minute, which locked the key out of everything, webhook
management included, for about 40 s. Now a batch request costs one unit of the key's budget
("api-key", CERTVERIFY_RATE_LIMIT_KEYED) like any request, and its items are charged to the key's
"batch-items" budget (CERTVERIFY_RATE_LIMIT_BATCH_ITEMS), all or nothing: a batch with more items
than are left there is refused (429 naming that budget, `Retry-After` the seconds until the
whole batch fits) and costs no item; the key's other requests go on. A batch with more items
than the whole batch budget could ever hold is a 422 on `/items` (split it).

Reading a certificate document (POST /v1/documents/verify and the page's upload form) costs
CERTVERIFY_DOCUMENT_RATE_LIMIT_UNITS units (10) of the same budget, the request's unit included
(`charge_units`): a document takes a few hundred milliseconds to a few seconds of a core, a
verification by number about a millisecond, so 60 a minute per address is 6 documents.

Without CERTVERIFY_REDIS_URL the buckets live in the process (one budget per worker); with it,
every worker shares one budget through an atomic Lua script that takes the time from Redis, so
worker clocks do not matter. When Redis cannot be reached the limiter falls back to the
in-process buckets for a few seconds and logs a warning: limits degrade, requests do not fail.

Every request is charged before routing (RateLimitMiddleware): to its key's budget once the key
is verified there, else to its client address, whatever its `Authorization` header says. A key
that fails verification is charged to the address and answered 401 on every route, public ones
included (API.md); before issue 14 any `Authorization` header skipped the address budget and
routes that never asked for the key never checked it.

Headers (draft-ietf-httpapi-ratelimit-headers-10 and -11, structured-field lists with one item
per policy that charged the request): `RateLimit-Policy: "anonymous";q=60;w=60` and
`RateLimit: "anonymous";r=59;t=1`, where `r` is the units left and `t` the seconds until the
bucket is full again; a batch's answer lists both of its budgets,
`RateLimit-Policy: "api-key";q=600;w=60, "batch-items";q=20000;w=60` and
`RateLimit: "api-key";r=599;t=1, "batch-items";r=19000;t=3`. A 429 problem adds `Retry-After`.
(The batch-items quota counts verifications, one per item; the draft's quota-unit registry has
no such unit, so `qu` is left out.)
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.errors import (
    DATABASE_ERRORS,
    AppError,
    TooManyRequests,
    Unauthorized,
    ValidationProblem,
    database_unavailable,
    problem_reply,
)

if TYPE_CHECKING:  # services use app.http (request id, metrics); no import back at run time
    from app.services.auth import Principal

KeyVerifier = Callable[[Any, str], "Principal"]
"""`(app, authorization header) -> Principal`, raising Unauthorized for a malformed, unknown or
revoked key; blocking (it reads the database), so it runs in the thread pool. The app factory
passes app.deps.verify_api_key, which opens the app's own session dependency."""

log = logging.getLogger("certverify.ratelimit")

STATE_LIMITER = "rate_limiter"
STATE_DECISION = "rate_limit"
STATE_BATCH_DECISION = "rate_limit_batch"
STATE_PRINCIPAL = "principal"
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

    @property
    def item(self) -> str:
        """This decision's member of the RateLimit field."""
        return f'"{self.policy.name}";r={self.remaining};t={self.reset_seconds}'

    def headers(self) -> list[tuple[bytes, bytes]]:
        """RateLimit-Policy and RateLimit (and Retry-After when refused) as ASGI headers."""
        out = rate_limit_headers([self])
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

    def batch_problem(self, items: int, *, charged: Decision | None) -> TooManyRequests:
        """The 429 problem for a batch whose `items` do not fit in what is left of the batch
        budget; `charged` is the request's own decision (its unit of the key's budget)."""
        p = self.policy
        decisions = [self] if charged is None else [charged, self]
        headers = {k.decode(): v.decode() for k, v in rate_limit_headers(decisions)}
        headers["Retry-After"] = str(self.retry_after_seconds)
        return TooManyRequests(
            f"This batch of {items} items is more than the {p.name} budget has left "
            f"({self.remaining} of {p.limit} items per {p.window} s); the whole batch fits in "
            f"{self.retry_after_seconds} s. The key's other requests are not affected.",
            headers=headers,
        )


def rate_limit_headers(decisions: list[Decision]) -> list[tuple[bytes, bytes]]:
    """RateLimit-Policy and RateLimit listing each decision's policy, in order."""
    return [
        (b"ratelimit-policy", ", ".join(d.policy.header for d in decisions).encode()),
        (b"ratelimit", ", ".join(d.item for d in decisions).encode()),
    ]


SLACK_MS = 1e-6
"""Tolerance for float rounding in the bucket arithmetic: `(now + interval) - now` may come out a
hair above `interval`, which refused a fresh bucket's first request, or reported one unit too few,
depending on the value of the monotonic clock (a flaky 429 in the suite)."""


def decide(policy: Policy, *, allowed: bool, ahead_ms: float, need: int = 1) -> Decision:
    """Shape a Decision from how far the bucket's arrival time is ahead of now (GCRA); a refused
    request that needed `need` free units retries once that many are free."""
    interval, burst = policy.interval_ms, policy.window * 1000
    remaining = max(0, math.floor((burst - ahead_ms + SLACK_MS) / interval))
    if allowed:
        retry = 0
    else:
        retry = max(1, math.ceil((ahead_ms + need * interval - burst - SLACK_MS) / 1000))
    return Decision(
        allowed=allowed,
        policy=policy,
        remaining=remaining,
        reset_seconds=max(0, math.ceil(ahead_ms / 1000)),
        retry_after_seconds=retry,
    )


class Store(Protocol):
    """Where buckets live."""

    def hit(self, bucket: str, policy: Policy, units: int, *, whole: bool = False) -> Decision:
        """Charge `units` to `bucket` when at least one unit is free (all of them: `whole`)."""
        ...

    async def ahit(
        self, bucket: str, policy: Policy, units: int, *, whole: bool = False
    ) -> Decision:
        """The same, without blocking the event loop."""
        ...


class MemoryStore:
    """Buckets in this process: one budget per worker."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self.clock = clock
        """Seconds, monotonic; None: time.monotonic (a test sets a fixed clock)."""
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()
        self._hits = 0

    def hit(self, bucket: str, policy: Policy, units: int, *, whole: bool = False) -> Decision:
        """Charge `units` to `bucket` when at least one unit is free (all of them: `whole`)."""
        now = (self.clock() if self.clock is not None else time.monotonic()) * 1000
        interval, burst = policy.interval_ms, policy.window * 1000
        need = units if whole else 1
        with self._lock:
            tat = max(self._tat.get(bucket, now), now)
            if tat + need * interval - now > burst + SLACK_MS:
                return decide(policy, allowed=False, ahead_ms=tat - now, need=need)
            new_tat = tat + units * interval
            self._tat[bucket] = new_tat
            self._hits += 1
            if self._hits % 10_000 == 0:
                self._tat = {k: v for k, v in self._tat.items() if v > now}
        return decide(policy, allowed=True, ahead_ms=new_tat - now)

    async def ahit(
        self, bucket: str, policy: Policy, units: int, *, whole: bool = False
    ) -> Decision:
        """The same; never blocks."""
        return self.hit(bucket, policy, units, whole=whole)


# KEYS[1] bucket; ARGV interval_ms, burst_ms, units, units that must be free. Returns
# {allowed, ahead_ms}.
GCRA_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local units = tonumber(ARGV[3])
local need = tonumber(ARGV[4])
local tat = now
local stored = redis.call('GET', KEYS[1])
if stored then tat = math.max(tonumber(stored), now) end
if tat + need * interval - now > burst then
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

    def _args(self, policy: Policy, units: int, whole: bool) -> list[Any]:
        return [policy.interval_ms, policy.window * 1000, units, units if whole else 1]

    def _failed(self, exc: Exception) -> None:
        if time.monotonic() >= self._down_until:
            log.warning(
                "Redis unreachable for rate limits; using per-process limits for %.0f s: %s",
                REDIS_RETRY_SECONDS,
                type(exc).__name__,
            )
        self._down_until = time.monotonic() + REDIS_RETRY_SECONDS

    def hit(self, bucket: str, policy: Policy, units: int, *, whole: bool = False) -> Decision:
        """Charge `units` to the shared `bucket` when at least one unit is free (all of them:
        `whole`)."""
        from redis.exceptions import RedisError

        if time.monotonic() < self._down_until:
            return self._fallback.hit(bucket, policy, units, whole=whole)
        try:
            allowed, ahead = self._sync_script(
                keys=[self._prefix + bucket], args=self._args(policy, units, whole)
            )
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return self._fallback.hit(bucket, policy, units, whole=whole)
        return self._decide(policy, units, whole, allowed, ahead)

    async def ahit(
        self, bucket: str, policy: Policy, units: int, *, whole: bool = False
    ) -> Decision:
        """The same through the asyncio client."""
        from redis.exceptions import RedisError

        if time.monotonic() < self._down_until:
            return self._fallback.hit(bucket, policy, units, whole=whole)
        try:
            allowed, ahead = await self._async_script(
                keys=[self._prefix + bucket], args=self._args(policy, units, whole)
            )
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return self._fallback.hit(bucket, policy, units, whole=whole)
        return self._decide(policy, units, whole, allowed, ahead)

    @staticmethod
    def _decide(policy: Policy, units: int, whole: bool, allowed: Any, ahead: Any) -> Decision:
        need = units if whole else 1
        return decide(policy, allowed=bool(allowed), ahead_ms=float(ahead), need=need)


class RateLimiter:
    """The policies (per address, per key, batch items per key) and the store they are kept in."""

    def __init__(self, *, anonymous: Policy, keyed: Policy, batch: Policy, store: Store) -> None:
        self.anonymous = anonymous
        self.keyed = keyed
        self.batch = batch
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
            batch=Policy.parse("batch-items", settings.rate_limit_batch_items),
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


async def charge_batch(request: Request, items: int) -> None:
    """Charge a batch's `items` to its key's batch-items budget, all or nothing (see the module
    docstring): a 429 problem naming that budget when fewer are left, a 422 when the batch is
    larger than the whole budget. The request itself was charged one unit of the key's budget
    before routing. Nothing to do with limits off or without a verified key."""
    state = _state(request)
    limiter: RateLimiter | None = state.get(STATE_LIMITER)
    principal = state.get(STATE_PRINCIPAL)
    if limiter is None or items <= 0 or principal is None or principal.key_id is None:
        return
    policy = limiter.batch
    if items > policy.limit:
        raise ValidationProblem.field(
            "/items",
            f"at most {policy.limit} items per batch: the {policy.name} budget of this service "
            f"is {policy.limit} items per {policy.window} s (got {items}); split the batch",
        )
    decision = await limiter.store.ahit(f"batch:{principal.key_id}", policy, items, whole=True)
    state[STATE_BATCH_DECISION] = decision
    if not decision.allowed:
        raise decision.batch_problem(items, charged=state.get(STATE_DECISION))


async def charge_units(request: Request, units: int, *, what: str) -> None:
    """Charge `units` more units of the request's own budget (its key's, else its address's)
    for an operation that costs more than a request (`what`, e.g. "reading a document": see
    CERTVERIFY_DOCUMENT_RATE_LIMIT_UNITS), all or nothing, on top of the unit charged before
    routing: a 429 problem when fewer are left (nothing more is charged then). Nothing to do
    with limits off."""
    state = _state(request)
    limiter: RateLimiter | None = state.get(STATE_LIMITER)
    if limiter is None or units <= 0:
        return
    principal = state.get(STATE_PRINCIPAL)
    if principal is not None and principal.key_id is not None:
        bucket, policy = f"key:{principal.key_id}", limiter.keyed
    else:
        bucket, policy = client_bucket(request.scope), limiter.anonymous
    decision = await limiter.store.ahit(bucket, policy, units, whole=True)
    if not decision.allowed:
        headers = {k.decode(): v.decode() for k, v in decision.headers()}
        raise TooManyRequests(
            f"{what[0].upper()}{what[1:]} costs {units + 1} units of the {policy.name} budget "
            f"({policy.limit} per {policy.window} s) and {decision.remaining} are left; "
            f"retry in {decision.retry_after_seconds} s.",
            headers=headers,
        )
    state[STATE_DECISION] = decision


def verified_principal(scope: Scope) -> Principal | None:
    """The key's Principal when the request presented a key that RateLimitMiddleware verified."""
    principal: Principal | None = scope.get("state", {}).get(STATE_PRINCIPAL)
    return principal


def authorization_of(scope: Scope) -> str | None:
    """The request's (first) Authorization header, or None."""
    for name, value in scope["headers"]:
        if name.lower() == b"authorization":
            return bytes(value).decode("latin-1")
    return None


class RateLimitMiddleware:
    """Verify a presented key and charge the request before routing, for every route.

    A request with a key is answered by the key's verification first (`verify_key`, run in the
    thread pool): a verified key is charged to its own budget and its Principal handed to the
    routes (`verified_principal`); a malformed, unknown or revoked key is charged to the client
    address, like a request without a key, and answered 401 (429 once the address is spent, so
    key guessing runs out). Routes that take no key therefore still refuse a bad one, and no
    `Authorization` header, valid or not, escapes the address budget (issue 14). Probes, docs
    and static files are not charged, but a bad key is refused and charged there too. With
    limits off (`limiter` None) keys are still verified. Adds the RateLimit headers.
    """

    def __init__(self, app: ASGIApp, limiter: RateLimiter | None, verify_key: KeyVerifier) -> None:
        self.app = app
        self.limiter = limiter
        self.verify_key = verify_key

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, exc: AppError) -> None:
        """Answer `exc` (a 401, a 429...) before routing, with the RateLimit headers if charged."""
        decision: Decision | None = scope.get("state", {}).get(STATE_DECISION)
        headers = dict(exc.headers or {})
        if decision is not None:
            headers.update({k.decode(): v.decode() for k, v in decision.headers()})
        response = problem_reply(
            Request(scope), status=exc.status, slug=exc.slug, detail=exc.detail, headers=headers
        )
        await response(scope, receive, send)

    async def _charge_address(self, scope: Scope) -> Decision | None:
        """Charge one unit to the client address (None when limits are off)."""
        if self.limiter is None:
            return None
        bucket, policy = client_bucket(scope), self.limiter.anonymous
        return await self._hit(scope, bucket, policy)

    async def _hit(self, scope: Scope, bucket: str, policy: Policy) -> Decision:
        assert self.limiter is not None
        decision = await self.limiter.store.ahit(bucket, policy, 1)
        state: dict[str, Any] = scope["state"]
        state[STATE_DECISION] = decision
        return decision

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        state[STATE_LIMITER] = self.limiter
        exempt = _exempt(scope)
        authorization = authorization_of(scope)
        principal: Principal | None = None
        if authorization is not None:
            try:
                principal = await run_in_threadpool(self.verify_key, scope["app"], authorization)
            except Unauthorized as refused:
                decision = await self._charge_address(scope)  # key guessing runs into 429
                if decision is not None and not decision.allowed:
                    await self._refuse(scope, receive, send, decision.problem())
                    return
                await self._refuse(scope, receive, send, refused)
                return
            except AppError as failed:  # e.g. the request ran out of time during the lookup
                await self._refuse(scope, receive, send, failed)
                return
            except DATABASE_ERRORS as exc:
                await database_unavailable(Request(scope), exc)(scope, receive, send)
                return
            state[STATE_PRINCIPAL] = principal
        if self.limiter is None or exempt:
            await self.app(scope, receive, send)
            return
        if principal is not None and principal.key_id is not None:
            decision = await self._hit(scope, f"key:{principal.key_id}", self.limiter.keyed)
        else:
            decision = await self._hit(scope, client_bucket(scope), self.limiter.anonymous)
        if not decision.allowed:
            await self._refuse(scope, receive, send, decision.problem())
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                decisions: list[Decision] = [state[STATE_DECISION]]
                batch: Decision | None = state.get(STATE_BATCH_DECISION)  # a batch's items
                if batch is not None:
                    decisions.append(batch)
                headers = [
                    h
                    for h in message.get("headers", [])
                    if h[0].lower() not in {b"ratelimit", b"ratelimit-policy"}
                ]
                headers.extend(rate_limit_headers(decisions))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
