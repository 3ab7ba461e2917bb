"""The one place that builds Slack Web API clients, so every client gets the same base URL
(Slack, GovSlack or a stand-in) and the same retry policy."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

DEFAULT_TIMEOUT_SECONDS = 15


def retry_handlers(max_retries: int = 3) -> list[RetryHandler]:
    """429s wait for Retry-After; 500/503 and dropped connections back off exponentially."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
        RateLimitErrorRetryHandler(max_retry_count=max_retries),
        ServerErrorRetryHandler(max_retry_count=max_retries),
    ]


def build_web_client(
    token: str | None,
    base_url: str,
    *,
    timeout: int = DEFAULT_TIMEOUT_SECONDS,
    max_retries: int = 3,
    logger: logging.Logger | None = None,
) -> WebClient:
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=retry_handlers(max_retries),
        logger=logger or logging.getLogger("conduct.slack"),
    )
