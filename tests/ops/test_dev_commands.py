"""Issue 15, item 5: commands that work where a user types them. `make run` installs only the
runtime dependencies (the dev extras made a 711 MB venv); `./certverify` runs the clone's CLI
from any shell and directory, without an activated venv. (Checked with `make -n` and a copy of
the wrapper beside a stand-in venv: nothing is installed.)"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _dry_run(target: str) -> list[str]:
    """The commands `make TARGET` would run from scratch (`make -n -B`: nothing runs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    result = subprocess.run(
        ["make", "-n", "-B", "--no-print-directory", target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_make_run_installs_the_runtime_dependencies_only() -> None:
    """`make run` builds the runtime stamp (`pip install -e .`), never the dev extras."""
    commands = _dry_run("run")
    installs = [c for c in commands if "pip install" in c and "--upgrade pip" not in c]
    assert installs == [".venv/bin/pip install --quiet -e ."]
    assert not [c for c in commands if "[dev]" in c or ".venv/.installed " in f"{c} "]
    assert commands[-4:] == [
        ".venv/bin/certverify migrate",
        ".venv/bin/certverify seed",
        ".venv/bin/certverify demo --if-empty",
        ".venv/bin/certverify serve --host 127.0.0.1 --port 8000",
    ]


@pytest.mark.parametrize("target", ["test", "lint", "install"])
def test_make_test_and_lint_install_the_dev_extras(target: str) -> None:
    """The suite and the linters get the dev extras; their stamp also counts as runtime."""
    commands = _dry_run(target)
    assert ".venv/bin/pip install --quiet -e '.[dev]'" in commands
    assert "touch .venv/.installed .venv/.installed-runtime" in commands
    assert ".venv/bin/pip install --quiet -e ." not in commands


def _clone_with_wrapper(tmp_path: Path, *, installed: bool) -> Path:
    """A stand-in clone: the real ./certverify wrapper, a Makefile whose install-runtime makes
    a stand-in .venv/bin/certverify that prints its database URL and arguments."""
    clone = tmp_path / "clone"
    clone.mkdir()
    shutil.copy2(ROOT / "certverify", clone / "certverify")
    (clone / "stand-in").write_text('#!/bin/sh\necho "db=$CERTVERIFY_DATABASE_URL args=$*"\n')
    (clone / "Makefile").write_text(
        "install-runtime:\n"
        "\tmkdir -p .venv/bin\n"
        "\tcp stand-in .venv/bin/certverify\n"
        "\tchmod +x .venv/bin/certverify\n"
    )
    if installed:
        subprocess.run(["make", "-s", "install-runtime"], cwd=clone, check=True)
    return clone


def _run_wrapper(
    clone: Path, cwd: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "CERTVERIFY_DATABASE_URL"}
    return subprocess.run(
        [str(clone / "certverify"), *args],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_wrapper_runs_the_clones_cli_on_the_clones_database(tmp_path: Path) -> None:
    """From another directory, ./certverify runs .venv/bin/certverify on the clone's
    certverify.db (the database `make run` uses), unless CERTVERIFY_DATABASE_URL says
    otherwise; arguments pass through as given."""
    clone = _clone_with_wrapper(tmp_path, installed=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = _run_wrapper(clone, elsewhere, "keys", "create", "--name", "two words")
    assert (result.returncode, result.stderr) == (0, "")
    assert (
        result.stdout == f"db=sqlite:///{clone}/certverify.db args=keys create --name two words\n"
    )
    chosen = _run_wrapper(clone, elsewhere, "seed", CERTVERIFY_DATABASE_URL="sqlite:///x.db")
    assert chosen.stdout == "db=sqlite:///x.db args=seed\n"


def test_the_wrapper_installs_when_the_venv_is_missing(tmp_path: Path) -> None:
    """Without .venv/bin/certverify the wrapper runs `make install-runtime` first, and says so."""
    clone = _clone_with_wrapper(tmp_path, installed=False)
    result = _run_wrapper(clone, tmp_path, "migrate")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"certverify: installing into {clone}/.venv (make install-runtime)",
        "mkdir -p .venv/bin",  # make's own output, on stderr too: stdout is the command's
        "cp stand-in .venv/bin/certverify",
        "chmod +x .venv/bin/certverify",
    ]
    assert result.stdout == f"db=sqlite:///{clone}/certverify.db args=migrate\n"


def test_the_real_wrapper_runs_the_cli() -> None:
    """The repository's ./certverify answers --help with the CLI's own usage."""
    if not (ROOT / ".venv" / "bin" / "certverify").exists():
        pytest.skip("no .venv in this clone (make install-runtime)")
    result = subprocess.run(
        [str(ROOT / "certverify"), "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: certverify [OPTIONS] COMMAND [ARGS]..." in result.stdout
    assert os.access(ROOT / "certverify", os.X_OK)
