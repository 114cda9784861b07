# syntax=docker/dockerfile:1
# Build stage: install certverify and its dependencies into a virtualenv.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN /opt/venv/bin/pip install .

# Runtime stage: non-root, migrations as their own command (`certverify migrate`).
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 \
    CERTVERIFY_DATABASE_URL=sqlite:////data/certverify.db
RUN useradd --system --uid 10001 --home-dir /srv certverify \
    && mkdir -p /data && chown certverify /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/alembic.ini /srv/alembic.ini
COPY --from=build /src/migrations /srv/migrations
WORKDIR /srv
USER certverify
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
CMD ["certverify", "serve", "--host", "0.0.0.0", "--port", "8000"]
