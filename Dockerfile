# spasmbot: docker build -t spasmbot . && docker run -e TELEGRAM_BOT_TOKEN=... -v spasmbot-data:/data spasmbot
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SPASMBOT_DB=/data/spasmbot.sqlite3

WORKDIR /app
COPY pyproject.toml README.md ./
COPY spasmbot ./spasmbot
COPY content ./content
RUN pip install . \
    && useradd --create-home --uid 10001 spasmbot \
    && mkdir -p /data && chown spasmbot:spasmbot /data \
    && spasmbot check-content

USER spasmbot
VOLUME ["/data"]
CMD ["spasmbot"]
