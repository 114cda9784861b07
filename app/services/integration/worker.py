"""`certverify worker`: delivers webhooks and re-evaluates watches on a schedule.

Runs as its own process (production) or as a daemon thread inside `certverify serve` (the
embedded default). Several workers may run at once: deliveries are leased, so each is sent by one.
Each worker sends up to `webhook_concurrency` deliveries at once, fairly between endpoints and
clients (app/services/integration/delivery.py DeliveryScheduler), while its loop goes on
dispatching new events and re-evaluating watches: a slow endpoint holds one slot, not the loop.
"""

from __future__ import annotations

import logging
import random
import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.config import get_settings
from app.models.registry_version import install_write_tracking
from app.services.integration.delivery import DeliveryScheduler, RunStats, run_once
from app.services.integration.outbox import install_reevaluation
from app.services.integration.watches import reevaluate

log = logging.getLogger("certverify.worker")


class Worker:
    """The delivery and re-evaluation loop."""

    def __init__(self, factory: sessionmaker[Session], *, poll_seconds: float = 1.0) -> None:
        # A worker is an entry point of its own (its process may start without the app or the
        # command line): what it commits re-evaluates the watches it touched, as everywhere.
        install_reevaluation()
        install_write_tracking()
        self.factory = factory
        self.poll_seconds = poll_seconds
        self.stop = threading.Event()
        self.rng = random.Random()
        self.last_reevaluation = 0.0
        self.scheduler: DeliveryScheduler | None = None  # its threads start with the first tick

    def reevaluate_all(self) -> int:
        """Re-evaluate every watch as of today (expiry, transition deadlines, future statuses)."""
        with self.factory() as session, session.begin():
            return reevaluate(session, certificate_ids=None, today=clock.today())

    def _reevaluate_when_due(self) -> None:
        interval = get_settings().reevaluate_interval_seconds
        if time.monotonic() - self.last_reevaluation >= interval:
            written = self.reevaluate_all()
            self.last_reevaluation = time.monotonic()
            if written:
                log.info("re-evaluation wrote %d events", written)

    def tick(self) -> RunStats:
        """One step: re-evaluate when due, dispatch the outbox, claim due deliveries into the
        free slots, and wait up to `poll_seconds` for a send to end (recorded at once)."""
        self._reevaluate_when_due()
        if self.scheduler is None:
            self.scheduler = DeliveryScheduler(self.factory, now=clock.now, rng=self.rng)
        return self.scheduler.pump(wait_seconds=self.poll_seconds)

    def once(self) -> RunStats:
        """One whole pass (`certverify worker --once`): re-evaluate when due, then deliver
        until nothing is due or in flight."""
        self._reevaluate_when_due()
        return run_once(self.factory, now=clock.now, rng=self.rng)

    def run(self) -> None:
        """Loop until stopped; errors are logged and the loop goes on (nothing is lost). When
        stopped, the sends in flight end and are recorded before it returns."""
        try:
            while not self.stop.is_set():
                busy = False
                try:
                    stats = self.tick()
                    busy = bool(self.scheduler and self.scheduler.in_flight)
                    if stats.attempted:
                        log.info(
                            "deliveries: %d attempted, %d succeeded",
                            stats.attempted,
                            stats.succeeded,
                        )
                except Exception:
                    log.exception("worker pass failed; retrying")
                if not busy:  # with sends in flight, tick() itself waited for one to end
                    self.stop.wait(self.poll_seconds)
        finally:
            if self.scheduler is not None:
                self.scheduler.close()


def start_in_process(factory: sessionmaker[Session]) -> Worker:
    """Start the worker as a daemon thread (embedded default of `certverify serve`)."""
    worker = Worker(factory)
    thread = threading.Thread(target=worker.run, name="certverify-worker", daemon=True)
    thread.start()
    return worker
