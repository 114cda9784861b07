"""Real servers for operations tests: a migrated, seeded database and uvicorn subprocesses."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from app.db import make_engine
from app.migrate import project_root, upgrade
from app.services.auth import Role, create_api_key
from app.services.registry.seed import seed_reference_data

STARTUP_SECONDS = 30.0
CERTVERIFY = str(Path(sys.executable).parent / "certverify")
CLOCKED = (sys.executable, "-m", "tests.clocked")
"""Prefix of a subprocess command that runs a module on the test's clock (tests/clocked.py)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seeded_database(url: str) -> None:
    """Migrate `url` to head and load the reference data."""
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            seed_reference_data(session)
            session.commit()
    finally:
        engine.dispose()


def create_key(url: str, role: Role = Role.CLIENT) -> str:
    """A plaintext API key stored in the database at `url`."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            _, plaintext = create_api_key(session, role=role, body_id=None, name="ops test")
            session.commit()
    finally:
        engine.dispose()
    return plaintext


@dataclass
class Server:
    """A running server process."""

    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def output(self) -> str:
        """What the server printed so far."""
        return self.log.read_text(errors="replace")


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited {server.process.returncode}:\n{server.output()}")
        try:
            if httpx.get(server.base_url + "/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer within {STARTUP_SECONDS} s:\n{server.output()}")


def stop(server: Server, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
    """Signal the server and wait for it to exit; kill it if it does not."""
    if server.process.poll() is None:
        server.process.send_signal(sig)
    try:
        return server.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)
        raise


@contextmanager
def running_server(
    directory: Path, env: dict[str, str], *, serve_command: bool = False
) -> Iterator[Server]:
    """uvicorn (or `certverify serve`) on a free loopback port with `env`; stopped on exit."""
    for _attempt in range(3):
        port = free_port()
        if serve_command:
            argv = [
                *CLOCKED,
                *("app", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"),
            ]
        else:
            argv = [
                *(*CLOCKED, "uvicorn", "app.main:app"),
                *("--host", "127.0.0.1", "--port", str(port), "--no-access-log"),
            ]
        log = directory / f"server-{port}.log"
        full_env = {k: v for k, v in os.environ.items() if k != "CERTVERIFY_READ_DATABASE_URL"}
        full_env.update(env)
        with log.open("wb") as out:
            process = subprocess.Popen(
                argv, cwd=project_root(), env=full_env, stdout=out, stderr=subprocess.STDOUT
            )
        server = Server(process=process, base_url=f"http://127.0.0.1:{port}", log=log)
        try:
            _wait_until_up(server)
        except RuntimeError:
            process.kill()
            process.wait(timeout=10)
            if "address already in use" in server.output().lower():
                continue
            raise
        try:
            yield server
        finally:
            if process.poll() is None:
                stop(server)
        return
    raise RuntimeError("no free port could be bound")
