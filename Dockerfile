# syntax=docker/dockerfile:1
# spasmbot as a container. Build: docker build -t spasmbot .
# Run (long polling):
#   docker run -d --name spasmbot --restart unless-stopped --init \
#     -e TELEGRAM_BOT_TOKEN=... -v spasmbot-data:/data spasmbot
# or with compose.yaml (webhook mode, health check, metrics): see README, "Run it in production".
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SPASMBOT_DB=/data/spasmbot.sqlite3 \
    SPASMBOT_HTTP_PORT=8000 \
    SPASMBOT_HTTP_LISTEN=0.0.0.0 \
    SPASMBOT_WEBHOOK_LISTEN=0.0.0.0 \
    SPASMBOT_WEBHOOK_PORT=8080 \
    SPASMBOT_ON_CONFIG_ERROR=wait \
    MPLCONFIGDIR=/home/spasmbot/.cache/matplotlib

WORKDIR /app

# 1. Dependencies only (and the build backend), read from pyproject.toml: this layer is rebuilt
#    when the dependencies change, not when the code or the content does.
COPY pyproject.toml ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb')); \
print('\n'.join(p['project']['dependencies'] + p['build-system']['requires']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# 2. The user the bot runs as (uid 10001: chown a bind-mounted /data to it) and its data directory.
RUN useradd --create-home --uid 10001 --user-group spasmbot \
    && mkdir -p /data \
    && chown spasmbot:spasmbot /data \
    && chmod 700 /data

# 3. The code and the content; no dependency is downloaded again here.
COPY README.md ./
COPY spasmbot ./spasmbot
COPY content ./content
RUN pip install --no-deps --no-build-isolation . \
    && spasmbot check-content

USER spasmbot
# matplotlib builds its font cache on first use (3.4 s for the first chart in a fresh container):
# build it now, as the user that will read it.
RUN python -c "from matplotlib import font_manager; font_manager.findfont('DejaVu Sans')"

VOLUME ["/data"]
# 8080: the webhook (put a TLS reverse proxy in front); 8000: /healthz and /metrics (keep private).
EXPOSE 8080 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["spasmbot", "healthcheck"]
# spasmbot installs its SIGTERM handler first thing; `--init` (compose: init: true) adds a tiny
# PID 1 that forwards signals and reaps processes all the same.
STOPSIGNAL SIGTERM
CMD ["spasmbot", "run"]
