"""`certverify worker`: delivers webhooks and re-evaluates watches on a schedule.

Runs as its own process (production) or as a daemon thread inside `certverify serve` (the
embedded default). Several workers may run at once: deliveries are leased, so each is sent by one.
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
from app.services.integration.delivery import RunStats, run_once
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

    def reevaluate_all(self) -> int:
        """Re-evaluate every watch as of today (expiry, transition deadlines, future statuses)."""
        with self.factory() as session, session.begin():
            return reevaluate(session, certificate_ids=None, today=clock.today())

    def tick(self) -> RunStats:
        """One pass: re-evaluate when due, dispatch the outbox, attempt due deliveries."""
        interval = get_settings().reevaluate_interval_seconds
        if time.monotonic() - self.last_reevaluation >= interval:
            written = self.reevaluate_all()
            self.last_reevaluation = time.monotonic()
            if written:
                log.info("re-evaluation wrote %d events", written)
        return run_once(self.factory, now=clock.now, rng=self.rng)

    def run(self) -> None:
        """Loop until stopped; errors are logged and the loop goes on (nothing is lost)."""
        while not self.stop.is_set():
            try:
                stats = self.tick()
                if stats.attempted:
                    log.info(
                        "deliveries: %d attempted, %d succeeded", stats.attempted, stats.succeeded
                    )
            except Exception:
                log.exception("worker pass failed; retrying")
            self.stop.wait(self.poll_seconds)


def start_in_process(factory: sessionmaker[Session]) -> Worker:
    """Start the worker as a daemon thread (embedded default of `certverify serve`)."""
    worker = Worker(factory)
    thread = threading.Thread(target=worker.run, name="certverify-worker", daemon=True)
    thread.start()
    return worker
