# syntax=docker/dockerfile:1
# certverify: a multi-stage image. Lint: `make lint-docker` (hadolint).
#   docker build -t certverify .
#   docker run --rm -e CERTVERIFY_DATABASE_URL=... certverify certverify migrate   # its own step
#   docker run -p 8000:8000 -e CERTVERIFY_DATABASE_URL=... certverify
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# Build stage: install certverify and its dependencies into a virtualenv.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN /opt/venv/bin/pip install --no-cache-dir .

# Runtime stage: no build tools, a non-root user, migrations as their own command.
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CERTVERIFY_DATABASE_URL=sqlite:////data/certverify.db \
    CERTVERIFY_LOG_FORMAT=json
# Debian's Tesseract reads scanned certificates (POST /v1/documents/verify) in the seven
# languages the claims are read in; without it scans are answered "OCR is unavailable".
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr=5.3.0-2 \
        tesseract-ocr-eng=1:4.1.0-2 tesseract-ocr-deu=1:4.1.0-2 tesseract-ocr-fra=1:4.1.0-2 \
        tesseract-ocr-spa=1:4.1.0-2 tesseract-ocr-ita=1:4.1.0-2 tesseract-ocr-pol=1:4.1.0-2 \
        tesseract-ocr-tur=1:4.1.0-2 tesseract-ocr-osd=1:4.1.0-2 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 certverify \
    && useradd --system --uid 10001 --gid 10001 --home-dir /srv --shell /usr/sbin/nologin certverify \
    && mkdir -p /data \
    && chown 10001:10001 /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/alembic.ini /srv/alembic.ini
COPY --from=build /src/migrations /srv/migrations
WORKDIR /srv
USER 10001:10001
EXPOSE 8000
VOLUME ["/data"]
# /healthz answers while the process is up; a load balancer should use /readyz (database + schema).
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
# SIGTERM (docker stop): uvicorn stops accepting and finishes requests in flight
# (CERTVERIFY_SHUTDOWN_GRACE_SECONDS, default 30; give the container a longer stop timeout).
STOPSIGNAL SIGTERM
CMD ["certverify", "serve", "--host", "0.0.0.0", "--port", "8000"]
