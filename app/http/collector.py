"""The garbage collector of a serving process: the heap built at start-up frozen, fewer passes.

Measured (bench/tail.py, one uvicorn worker, 10,000-certificate SQLite registry, hot set, 2-core
machine shared with other work, 2026-12-01): the process holds ~166,000 tracked objects after
start-up (FastAPI, pydantic-core validators, SQLAlchemy, prometheus, the reference data), and a
full collection walks them all: 240-490 ms a pause (pydantic-core's and SQLAlchemy's objects are
slow to traverse). The requests in flight at each young collection are promoted to the oldest
generation, so under 32 connections a full collection came every 3-6 s: 8-12 % of the time and
the whole p99 (296-473 ms for a constant answer behind the service's stack, 362-423 ms for the
hot set, against 0 full collections and p99 44-69 ms once frozen).

`gc.freeze()` after start-up moves that heap to the permanent generation, which no collection
walks (objects there are still freed by reference counting: only a cycle among them would never
be collected, and the start-up heap is alive for the life of the process anyway); a full
collection then walks only what was made since (the fact cache's entries, ~40,000 objects for a
hot set of 1,000 numbers: ~13 ms). A larger young-generation threshold makes the young
collections (and with them the promotions of in-flight objects, which drive the full ones)
rarer; each still walks only the young objects.
"""

from __future__ import annotations

import gc
import logging
import threading

log = logging.getLogger("certverify.collector")

_settled = False
_lock = threading.Lock()


def settle_collector(*, freeze: bool, gen0_threshold: int) -> bool:
    """Once per process (the first app start-up; later calls do nothing): collect, freeze the
    surviving heap out of the collector's reach (`freeze`), and set the young generation's
    threshold (`gen0_threshold`, 0: keep Python's). True when this call did it."""
    global _settled
    with _lock:
        if _settled:
            return False
        _settled = True
    if gen0_threshold > 0:
        _, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(gen0_threshold, gen1, gen2)
    if freeze:
        gc.collect()
        gc.freeze()
        log.debug("start-up heap frozen: %d objects", gc.get_freeze_count())
    return True
