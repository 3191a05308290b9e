# ccsim for a multi-instance deployment (see compose.yaml). Not exercised by CI here.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/ccsim

# Dependencies first, so that code changes do not reinstall them.
COPY pyproject.toml README.md ./
COPY app ./app
COPY simulator ./simulator
COPY scoring ./scoring
RUN pip install '.[postgres,redis]'

# Files ccsim finds in its working directory: migrations, templates, the scenario library.
COPY alembic.ini ./
COPY alembic ./alembic
COPY frontend ./frontend
COPY scenarios ./scenarios

RUN useradd --system --uid 10001 --home-dir /srv/ccsim ccsim \
    && mkdir -p /srv/ccsim/var \
    && chown ccsim:ccsim /srv/ccsim/var
USER ccsim

ENV CCSIM_HOST=0.0.0.0 CCSIM_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)" || exit 1

# Migrations are safe to run from every replica at once (a PostgreSQL advisory lock
# serialises them; the second finds nothing to do), then the server replaces the shell.
CMD ["sh", "-c", "ccsim db upgrade && exec ccsim serve"]
