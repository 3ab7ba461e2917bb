"""How Slack reaches the app: a WSGI application under gunicorn, or Socket Mode."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"  # events, slash commands and interactivity share it (manifest.yml)


class ConductWSGI:
    """Routes `/slack/events` to Bolt and answers the liveness probe."""

    def __init__(self, app: App) -> None:
        self._slack = SlackRequestHandler(app, path=SLACK_PATH)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            return _json(start_response, "200 OK", {"status": "ok"})
        return self._slack(environ, start_response)


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def serve_http(
    build_wsgi: Callable[[], ConductWSGI], host: str, port: int, *, workers: int, threads: int
) -> None:
    """Serve under gunicorn; each worker builds its own app after the fork (no shared pools)."""
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("timeout", 30)
            self.cfg.set("graceful_timeout", 20)

        def load(self) -> ConductWSGI:
            return build_wsgi()

    _Server().run()


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()  # type: ignore[no-untyped-call]
