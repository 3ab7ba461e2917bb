"""The one place that builds Slack Web API clients, so every client gets the same base URL
(Slack, GovSlack or a stand-in), the same retry policy and the same metering.

Metering: slack_sdk has no hooks, so `MeteredWebClient` overrides `api_call`, through which
every named method (`chat_postMessage`...) goes: one count per logical call with its final
result (after retries) and its time, waits for Retry-After included. The retries themselves
are seen by `FailedAttemptCounter`, a retry handler placed first that never retries: slack_sdk
asks each handler in turn about every failed attempt, so it counts each 429, 5xx and dropped
connection, then the real handlers decide. (Iterating a `SlackResponse` for further pages
bypasses `api_call`; the bot pages with explicit cursors.)
"""

from __future__ import annotations

import logging
import socket
import time
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse

from bot.observability import http_status_label, slack_error_label, slack_method_label

if TYPE_CHECKING:
    from bot.observability import Metrics

DEFAULT_TIMEOUT_SECONDS = 15


def retry_handlers(max_retries: int = 3) -> list[RetryHandler]:
    """429s wait for Retry-After; 500/503 and dropped connections back off exponentially."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=max_retries),
        RateLimitErrorRetryHandler(max_retry_count=max_retries),
        ServerErrorRetryHandler(max_retry_count=max_retries),
    ]


class FailedAttemptCounter(RetryHandler):
    """Counts every attempt answered 429 or 5xx, or cut off; never asks for a retry itself."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self.metrics = metrics

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None:
            if response.status_code != 429 and response.status_code < 500:
                return False
            reason = http_status_label(response.status_code)
        elif error is not None:
            reason = (
                "timeout"
                if isinstance(error, TimeoutError | socket.timeout)
                else "connection_error"
            )
        else:
            return False
        method = request.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        self.metrics.slack_failed_attempts.labels(slack_method_label(method), reason).inc()
        return False


def call_result(exc: BaseException) -> str:
    """The `result` label of a call that raised."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        if status == 429 or status >= 500:
            return http_status_label(status)
        return slack_error_label(exc.response.get("error"))
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    return "connection_error"


class MeteredWebClient(WebClient):
    """A WebClient that counts and times its calls in `metrics` (when given)."""

    def __init__(self, *args: Any, metrics: Metrics | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics
        if metrics is not None and not any(
            isinstance(h, FailedAttemptCounter) and h.metrics is metrics
            for h in self.retry_handlers
        ):
            self.retry_handlers = [FailedAttemptCounter(metrics), *self.retry_handlers]

    def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        auth: dict[str, Any] | None = None,
    ) -> SlackResponse:
        def call() -> SlackResponse:
            return super(MeteredWebClient, self).api_call(
                api_method,
                http_verb=http_verb,
                files=files,
                data=data,
                params=params,
                json=json,
                headers=headers,
                auth=auth,
            )

        if self.metrics is None:
            return call()
        started = time.perf_counter()
        result = "ok"
        try:
            return call()
        except BaseException as exc:
            result = call_result(exc)
            raise
        finally:
            self.metrics.slack_call(api_method, result, time.perf_counter() - started)


def build_web_client(
    token: str | None,
    base_url: str,
    *,
    timeout: int = DEFAULT_TIMEOUT_SECONDS,
    max_retries: int = 3,
    logger: logging.Logger | None = None,
    metrics: Metrics | None = None,
) -> WebClient:
    return MeteredWebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=retry_handlers(max_retries),
        logger=logger or logging.getLogger("conduct.slack"),
        metrics=metrics,
    )


def client_metrics(client: WebClient) -> Metrics | None:
    return client.metrics if isinstance(client, MeteredWebClient) else None


def derived_client(
    client: WebClient, *, metrics: Metrics | None = None, **overrides: Any
) -> WebClient:
    """A client like `client` (base URL, timeout, retries, proxy, team, metering) with some
    settings changed, e.g. a shorter timeout and no retries, or another token."""
    settings: dict[str, Any] = {
        "token": client.token,
        "base_url": client.base_url,
        "timeout": client.timeout,
        "ssl": client.ssl,
        "proxy": client.proxy,
        "headers": dict(client.headers),
        "team_id": client.default_params.get("team_id"),
        "logger": client.logger,
        "retry_handlers": list(client.retry_handlers),
    }
    settings.update(overrides)
    return MeteredWebClient(metrics=metrics or client_metrics(client), **settings)


def metered_copy(client: WebClient, metrics: Metrics) -> WebClient:
    """`client` itself when it is already metered into `metrics`, else a metered copy (Bolt
    builds a plain WebClient for each request)."""
    if client_metrics(client) is metrics:
        return client
    return derived_client(client, metrics=metrics)
