# syntax=docker/dockerfile:1
# Multi-stage: build a wheel-only virtualenv, then copy it into a slim runtime as a non-root user.
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/ipledge
COPY pyproject.toml README.md alembic.ini ./
COPY kernel ./kernel
COPY registry ./registry
COPY disposal ./disposal
COPY events ./events
COPY api ./api
COPY migrations ./migrations
RUN /opt/ipledge/bin/pip install --no-compile .

FROM python:3.11-slim-bookworm AS runtime
LABEL org.opencontainers.image.title="ipledge" \
      org.opencontainers.image.description="IP pledge registry and distressed IP collateral disposal"
ENV PATH=/opt/ipledge/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    IPLEDGE_DATABASE_URL=sqlite:////var/lib/ipledge/ipledge.db \
    IPLEDGE_DEMO_KEYS_FILE=/var/lib/ipledge/demo-keys.json
RUN groupadd --system ipledge && useradd --system --gid ipledge --home-dir /var/lib/ipledge ipledge \
 && install -d -m 700 -o ipledge -g ipledge /var/lib/ipledge
COPY --from=build /opt/ipledge /opt/ipledge
WORKDIR /var/lib/ipledge
USER ipledge
EXPOSE 8000
VOLUME ["/var/lib/ipledge"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
# For PostgreSQL set IPLEDGE_DATABASE_URL=postgresql://user:pass@host:5432/db?sslmode=verify-full and run
# `ipledge worker` as a second container for projections, timers and webhooks.
CMD ["ipledge", "serve", "--host", "0.0.0.0", "--port", "8000"]
