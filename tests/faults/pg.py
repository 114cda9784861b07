"""A throwaway PostgreSQL server of the test's own: initdb in a temporary folder, its own port.

The machine's shared server (port 5432) is never touched. As root, initdb and pg_ctl refuse to
run, so they run as the `postgres` user (runuser); the folder is made theirs.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.ops.servers import free_port


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries on this machine, if any."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    return Path(candidates[-1]).parent if candidates else None


@dataclass
class PostgresServer:
    """A private PostgreSQL cluster: start and stop it at will."""

    bin_dir: Path
    data_dir: Path
    port: int
    run_as: str | None

    @property
    def url(self) -> str:
        """SQLAlchemy URL of its `postgres` database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str, timeout: float = 60) -> None:
        command = [str(self.bin_dir / argv[0]), *argv[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            log = self.data_dir / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{argv[0]} failed: {result.stdout}{result.stderr}\n{tail}")

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.data_dir / "data"), "-o", options, "-l",
            str(self.data_dir / "server.log"), "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: disconnect clients, `immediate`: as if it crashed)."""
        self._run("pg_ctl", "-D", str(self.data_dir / "data"), "-m", mode, "-w", "stop")


@contextmanager
def private_postgres() -> Iterator[PostgresServer]:
    """initdb a new cluster in a temporary folder, start it on a free port, remove it after."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise FileNotFoundError("no /usr/lib/postgresql/*/bin/initdb")
    run_as = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="certverify-pg-"))
    if run_as:
        user = pwd.getpwnam(run_as)
        os.chown(folder, user.pw_uid, user.pw_gid)
    folder.chmod(0o700)
    server = PostgresServer(bin_dir=bin_dir, data_dir=folder, port=free_port(), run_as=run_as)
    try:
        server._run(
            "initdb", "-D", str(folder / "data"), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        server.start()
        yield server
    finally:
        with suppress(RuntimeError, subprocess.TimeoutExpired):
            server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
