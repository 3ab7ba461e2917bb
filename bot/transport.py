"""How Slack reaches the app: a WSGI application under gunicorn, or Socket Mode.

Both transports answer the health probes: in HTTP mode on the Slack port itself, in Socket
Mode on a small side port (`HEALTH_PORT`). Both stop gracefully on SIGTERM: no new requests,
acknowledged work finished within the shutdown bound, then the process's own clean-up.
"""

from __future__ import annotations

import json
import logging
import math
import signal
import threading
import time
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from bot.health import Health
    from bot.observability import Metrics

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"  # events, slash commands and interactivity share it (manifest.yml)
DEFAULT_SHUTDOWN_TIMEOUT = 20.0
DEFAULT_HEALTH_PORT = 8080
#: What the worker keeps back from the shutdown bound for its own exit (the arbiter kills a
#: worker still running at the bound).
EXIT_MARGIN_SECONDS = 1.0


class ConductWSGI:
    """Routes `/slack/events` to Bolt and answers the liveness and readiness probes.

    Without a Bolt app (Socket Mode's side port) only the probes are served. `shutdown`, when
    set, is what the serving process calls to stop gracefully (seconds allowed as argument).
    """

    def __init__(
        self,
        app: App | None,
        health: Health | None = None,
        *,
        shutdown: Callable[[float], object] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._slack = SlackRequestHandler(app, path=SLACK_PATH) if app is not None else None
        self._metrics = metrics
        self._health = health
        self.shutdown = shutdown

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            return _json(start_response, "200 OK", {"status": "ok"})
        if path == "/readyz" and environ.get("REQUEST_METHOD") == "GET":
            return self._readiness(start_response)
        if path == "/metrics" and environ.get("REQUEST_METHOD") == "GET" and self._metrics:
            body, content_type = self._metrics.render()  # Prometheus text format
            start_response(
                "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))]
            )
            return [body]
        if self._slack is None:
            return _json(start_response, "404 Not Found", {"error": "not_found"})
        return self._slack(environ, start_response)

    def _readiness(self, start_response: StartResponse) -> list[bytes]:
        if self._health is None:
            return _json(start_response, "200 OK", {"status": "ready", "checks": {}})
        readiness = self._health.readiness()
        status = "200 OK" if readiness.ready else "503 Service Unavailable"
        return _json(start_response, status, readiness.as_json())


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def serve_http(
    build_wsgi: Callable[[], ConductWSGI],
    host: str,
    port: int,
    *,
    workers: int,
    threads: int,
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
) -> None:
    """Serve under gunicorn (gthread workers); each worker builds its own app after the fork
    (no shared pools).

    SIGTERM to the arbiter: the listening socket closes (a delivery not accepted is not
    acknowledged, so Slack retries it), each worker finishes the requests it accepted, then
    its `worker_exit` hook runs the app's `shutdown` with what is left of `shutdown_timeout`.
    gunicorn's `graceful_timeout` is the same bound: a worker still running then is killed.
    """
    from gunicorn.app.base import BaseApplication
    from gunicorn.glogging import Logger
    from gunicorn.workers.gthread import ThreadWorker

    class _RootLogger(Logger):  # type: ignore[misc]
        """gunicorn's own lines (workers booting, signals, timeouts) through the root logger's
        handler, so a log shipper sees one format: JSON lines in production. gunicorn's
        handlers are dropped after its setup, which it reruns on every reload."""

        def setup(self, cfg: object) -> None:
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                for handler in list(log.handlers):
                    log.removeHandler(handler)
                log.propagate = True

    loaded: list[ConductWSGI] = []  # in a worker process: the app that worker built

    class _Worker(ThreadWorker):  # type: ignore[misc]
        stop_requested_at: float | None = None

        def handle_exit(self, sig: int, frame: object) -> None:
            if self.stop_requested_at is None:
                self.stop_requested_at = time.monotonic()
            super().handle_exit(sig, frame)

    def worker_exit(server: object, worker: object) -> None:
        if not loaded or loaded[0].shutdown is None:
            return
        started = getattr(worker, "stop_requested_at", None) or time.monotonic()
        left = shutdown_timeout - (time.monotonic() - started) - EXIT_MARGIN_SECONDS
        loaded[0].shutdown(max(left, 0.0))

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", _Worker)
            self.cfg.set("timeout", 30)
            self.cfg.set("graceful_timeout", math.ceil(shutdown_timeout))
            self.cfg.set("worker_exit", worker_exit)
            self.cfg.set("logger_class", _RootLogger)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25.1
                # No `gunicornc` control socket: replicas on one host would share its path.
                self.cfg.set("control_socket_disable", True)

        def load(self) -> ConductWSGI:
            wsgi = build_wsgi()
            loaded.append(wsgi)
            return wsgi

    _Server().run()


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # probes every few seconds would flood the log


class SideServer:
    """A tiny threaded WSGI server for the probes beside Socket Mode."""

    def __init__(self, wsgi: ConductWSGI, host: str, port: int) -> None:
        self._server = make_server(host, port, wsgi, _ThreadingWSGIServer, _QuietHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="health-server", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def start(self) -> SideServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()


def serve_socket_mode(
    app: App,
    app_token: str,
    *,
    probes: ConductWSGI,
    host: str,
    health_port: int,
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
) -> None:
    """Socket Mode until SIGTERM or SIGINT; the probes on `host:health_port` meanwhile.

    On the signal the WebSocket closes first (envelopes not acknowledged yet are redelivered
    by Slack to another connection), then `probes.shutdown` finishes acknowledged work.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    side: SideServer | None = None
    try:
        side = SideServer(probes, host, health_port).start()
        log.info("health endpoints on %s:%d (/healthz, /readyz)", host, side.port)
        handler = SocketModeHandler(app, app_token)
        handler.connect()  # type: ignore[no-untyped-call]
        while not stop.wait(1.0):
            pass
        started = time.monotonic()
        log.info("stopping: closing the Socket Mode connection")
        handler.close()  # type: ignore[no-untyped-call]
        if probes.shutdown is not None:
            probes.shutdown(max(shutdown_timeout - (time.monotonic() - started), 0.0))
    finally:
        if side is not None:
            side.stop()
        for sig, old in previous.items():
            signal.signal(sig, old)
