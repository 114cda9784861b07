"""The fact cache: a bounded per-process cache of verification facts, invalidated through the
database.

It keeps the engine's plain facts (app/domain/facts.py) as fact mapping
(app/services/verification/fact_mapping.py) made them, and the answers shaped from them.

Every committed write to a registry table bumps the single-row counter `registry_version` in the
same transaction (an engine event, so ORM flushes, Core inserts and text SQL are all seen). Each
process polls that counter at most every `fact_cache_refresh_ms` (default 500 ms) and drops its
whole cache when it changed. So a committed write is reflected by every verification that starts
more than `fact_cache_refresh_ms` after the commit, in every worker (BENCHMARKS.md, "Cache"); the
process that committed it drops its caches as soon as the COMMIT is through, so every answer it
gives afterwards reflects the write (read your writes).

The cache holds facts (certificates, certification bodies, accreditations), never verdicts: status
and validity are evaluated against `as_of` on every request, so time alone never makes it stale.
It is used only by sessions that own their transaction (bound to an Engine) and have written no
registry row themselves; anything else reads the database directly.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.models.registry_version import connection_wrote_registry, on_registry_commit
from app.repositories.registry_version import committed_registry_version

read_registry_version = committed_registry_version
"""The registry version a bind sees (the repository's question, under the name tools use)."""


class FactCache:
    """Namespaced LRU maps of facts for one database, cleared whenever its version changes."""

    def __init__(
        self,
        engine: Engine,
        *,
        refresh_seconds: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
        background_refresh: bool = False,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.refresh_seconds = refresh_seconds
        self.max_entries = max_entries
        self.background_refresh = background_refresh
        self._refresher: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._poll_lock = threading.Lock()
        self._maps: dict[str, OrderedDict[Any, Any]] = {}
        self._version: int | None = None
        self._generation = 0
        self._checked_at = float("-inf")
        self.hits = 0
        self.misses = 0

    def state(self) -> tuple[int, int] | None:
        """(generation, registry version), polling first when the last poll is too old.

        None means the cache cannot be trusted now (no version row): read the database.
        """
        if self.clock() - self._checked_at >= self.refresh_seconds:
            with self._poll_lock:
                if self.clock() - self._checked_at >= self.refresh_seconds:
                    self._poll()
        with self._lock:
            if self._version is None:
                return None
            return self._generation, self._version

    def fresh_state(self) -> tuple[int, int] | None:
        """(generation, registry version) without touching the database: None when a poll is due
        (or the cache cannot be trusted), so a caller that must not block can go the slow way."""
        if self.clock() - self._checked_at >= self.refresh_seconds:
            return None
        with self._lock:
            if self._version is None:
                return None
            return self._generation, self._version

    def _poll(self) -> None:
        """Read the committed version; on any change drop every entry."""
        started = self.clock()
        try:
            version = committed_registry_version(self.engine)
        except Exception:  # the table may not exist yet: serve from the database
            version = None
        with self._lock:
            if version is None or version != self._version:
                self._maps.clear()
                self._generation += 1
            self._version = version
            self._checked_at = started

    def start_refresher(self) -> None:
        """Poll in a daemon thread every half refresh interval, so that requests find the cache
        fresh instead of each polling (or, on the event-loop path, declining) when a poll falls
        due. Started by the first request that uses it; a no-op for caches made by tests and
        tools. The staleness bound is unchanged: it depends on when a poll last started."""
        if not self.background_refresh or self._refresher is not None:
            return
        with self._poll_lock:
            if self._refresher is not None:
                return
            self._refresher = threading.Thread(
                target=self._refresh_forever, name="fact-cache-refresh", daemon=True
            )
            self._refresher.start()

    def stop_refresher(self) -> None:
        """Stop the refresher thread, if one runs (tests; processes just exit)."""
        self._stopping.set()
        if self._refresher is not None:
            self._refresher.join()

    def _refresh_forever(self) -> None:
        while not self._stopping.wait(self.refresh_seconds / 2):
            with self._poll_lock:
                self._poll()

    def invalidate(self) -> None:
        """Drop every entry now and poll again on next use (this process's own writes)."""
        with self._lock:
            self._maps.clear()
            self._generation += 1
            self._checked_at = float("-inf")

    def get(self, namespace: str, key: Any, generation: int) -> tuple[bool, Any]:
        """(True, value) when cached in this generation, else (False, None)."""
        with self._lock:
            if generation != self._generation:
                return False, None
            entries = self._maps.get(namespace)
            if entries is None or key not in entries:
                self.misses += 1
                return False, None
            entries.move_to_end(key)
            self.hits += 1
            return True, entries[key]

    def put(self, namespace: str, key: Any, value: Any, generation: int) -> None:
        """Store a value loaded in `generation`; dropped if the generation moved on since."""
        if self.max_entries <= 0:
            return
        with self._lock:
            if generation != self._generation:
                return
            entries = self._maps.setdefault(namespace, OrderedDict())
            entries[key] = value
            entries.move_to_end(key)
            while len(entries) > self.max_entries:
                entries.popitem(last=False)

    def size(self, namespace: str) -> int:
        """Entries held in one namespace."""
        with self._lock:
            return len(self._maps.get(namespace, ()))


_caches: dict[int, FactCache] = {}
_caches_lock = threading.Lock()


def _settings() -> tuple[float, int]:
    from app.config import get_settings

    settings = get_settings()
    return settings.fact_cache_refresh_ms / 1000.0, settings.fact_cache_entries


def cache_for(engine: Engine) -> FactCache | None:
    """The process's cache for this engine's database (None when caching is turned off)."""
    found = _caches.get(id(engine))
    if found is not None and found.engine is engine:
        return found
    refresh, entries = _settings()
    if entries <= 0:
        return None
    with _caches_lock:
        found = _caches.get(id(engine))
        if found is None or found.engine is not engine:
            found = FactCache(
                engine, refresh_seconds=refresh, max_entries=entries, background_refresh=True
            )
            _caches[id(engine)] = found
        return found


def configure_cache(
    engine: Engine,
    *,
    refresh_seconds: float,
    max_entries: int,
    clock: Callable[[], float] = time.monotonic,
) -> FactCache:
    """Install a cache with explicit settings for this engine (tests, tools)."""
    cache = FactCache(engine, refresh_seconds=refresh_seconds, max_entries=max_entries, clock=clock)
    with _caches_lock:
        _caches[id(engine)] = cache
    return cache


def invalidate_all() -> None:
    """Drop every cache of this process: it has just committed a registry write (read your
    writes); the next verification polls the version and reads the database."""
    with _caches_lock:
        caches = list(_caches.values())
    for cache in caches:
        cache.invalidate()


on_registry_commit(invalidate_all)


class FastPathCache:
    """Which fact cache one application may answer from in the event loop, with no session
    (GET /v1/verify without a key, app/routers/verify.py): the cache of the app's own read
    engine, once a database-path verification of the app has read through a session bound to
    that engine (`engine`).

    Until then there is none (`engine` is None); and there never is when the app's session
    dependency is overridden with sessions bound elsewhere (the tests bind theirs to a connection
    of their own), so the event-loop path never answers past the sessions the app is given.
    """

    def __init__(self, own_engine: Callable[[], Engine]) -> None:
        self._own_engine = own_engine
        self.engine: Engine | None = None

    def adopt(self, read_session: Session) -> None:
        """Note the read session a database-path verification used: when it is bound to the
        app's own read engine, that engine's fact cache is the one to answer from."""
        own = self._own_engine()
        if read_session.get_bind() is own:
            self.engine = own


def reset_caches() -> None:
    """Forget every cache and stop their refreshers (tests switch databases and settings)."""
    with _caches_lock:
        for cache in _caches.values():
            cache._stopping.set()
        _caches.clear()


class FactSource:
    """Where one verification reads its facts: the cache when that is safe, else the database."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: FactCache | None = None
        self.generation: int | None = None
        self.can_store = False
        bind = session.get_bind()
        if not isinstance(bind, Engine):
            return  # joined to an outside transaction: it may see uncommitted rows
        cache = cache_for(bind)
        if cache is None:
            return
        if session.autoflush and (session.new or session.dirty or session.deleted):
            session.flush()  # what an ORM query would do first: pending writes count as written
        if session.in_transaction():
            conn = session.connection()
            if connection_wrote_registry(conn):
                return  # this transaction's own uncommitted writes must be read back
            state = cache.state()
            if state is None:
                return
            # The snapshot may predate the generation: store only when it shows that version.
            self.can_store = committed_registry_version(conn) == state[1]
        else:
            state = cache.state()
            if state is None:
                return
            # Reads start after the version was read: whatever they see is at least as new.
            self.can_store = True
        self.cache = cache
        self.generation = state[0]

    def peek(self, namespace: str, key: Any) -> tuple[bool, Any]:
        """(True, value) when cached and usable by this session, else (False, None)."""
        if self.cache is None or self.generation is None:
            return False, None
        return self.cache.get(namespace, key, self.generation)

    def store(self, namespace: str, key: Any, value: Any) -> None:
        """Keep a value this session loaded itself, when that is safe (see __init__)."""
        if self.cache is not None and self.generation is not None and self.can_store:
            self.cache.put(namespace, key, value, self.generation)

    def load(self, namespace: str, key: Any, loader: Callable[[], Any]) -> Any:
        """The cached value, or the loaded one (stored when safe)."""
        cache, generation = self.cache, self.generation
        if cache is None or generation is None:
            return loader()
        found, value = cache.get(namespace, key, generation)
        if found:
            return value
        value = loader()
        if self.can_store:
            cache.put(namespace, key, value, generation)
        return value
