"""A real server for browser tests: a demo SQLite database and uvicorn on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

from app import clock
from app.db import make_engine
from app.demo.builder import build_demo_registry
from app.demo.showcase import SHOWCASE
from app.migrate import project_root, upgrade
from app.services.registry.seed import seed_reference_data

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_CERTIFICATES = 200
STARTUP_SECONDS = 30.0


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL and the database it serves."""

    base_url: str
    database_url: str

    def url(self, path: str) -> str:
        """An absolute URL on this server."""
        return self.base_url + path


def build_demo_database(directory: Path) -> str:
    """A SQLite database migrated to head, seeded, and holding the demo registry as of today."""
    url = f"sqlite:///{directory / 'browser.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            seed_reference_data(session)
            build_demo_registry(session, certificates=DEMO_CERTIFICATES, today=clock.today())
            session.commit()
    finally:
        engine.dispose()
    return url


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    """Poll /healthz until it answers; fail with the server's log if it dies or hangs."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(base_url + "/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


@contextmanager
def live_server(directory: Path, public_base_url: str | None = None) -> Iterator[LiveServer]:
    """Serve a fresh demo database with uvicorn until exit; links point here unless told."""
    database_url = build_demo_database(directory)
    for _attempt in range(3):
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "CERTVERIFY_DATABASE_URL": database_url,
            "CERTVERIFY_PUBLIC_BASE_URL": public_base_url or base_url,
        }
        env.pop("CERTVERIFY_READ_DATABASE_URL", None)
        log = directory / f"uvicorn-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "tests.clocked", "uvicorn", "app.main:app"),
                    *("--host", "127.0.0.1", "--port", str(port)),
                    *("--log-level", "warning", "--no-access-log"),
                ],
                cwd=project_root(),
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until_up(process, base_url, log)
        except RuntimeError:
            process.kill()
            process.wait(timeout=10)
            if "address already in use" in log.read_text().lower():
                continue
            raise
        try:
            yield LiveServer(base_url=base_url, database_url=database_url)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        return
    raise RuntimeError("no free port could be bound for uvicorn")


def showcase_params(name: str) -> dict[str, str]:
    """The query that gives SHOWCASE[name]'s verdict."""
    case = SHOWCASE[name]
    params = {"certificate_number": case.certificate_number}
    if case.certification_body:
        params["certification_body"] = case.certification_body
    if case.claimed_organization:
        params["organization"] = case.claimed_organization
    return params


def launch_options() -> dict[str, Any]:
    """How Playwright starts Debian's Chromium (never a downloaded browser)."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}
