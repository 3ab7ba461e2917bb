"""Bench-only HTTP servers for bench/event_load.py (not part of the bot; bot/ is untouched).

    python bench/load_servers.py bare --server gunicorn --port 3000 --workers 1 --threads 8
    python bench/load_servers.py bare --server uvicorn --port 3000 --workers 1
    python bench/load_servers.py conduct --server uvicorn --port 3000 --workers 1

- ``bare``: a minimal Bolt ``App`` whose ``message`` listener does nothing: the limit of the
  HTTP path (signature check, Bolt dispatch, auto-ack). Under gunicorn it is served exactly as
  ``conduct run`` serves the bot (``bot.transport.serve_http`` + ``ConductWSGI``, so gthread
  with the same workers/threads and the same ``/healthz``).
- ``conduct --server uvicorn``: the real bot (``bot.runtime.build_runtime``, background jobs
  started in each worker, migrations applied first, as ``conduct run`` does) behind Bolt's
  ASGI adapter (``slack_bolt.adapter.asgi.SlackRequestHandler``) under uvicorn. With a sync
  ``App`` that adapter calls ``App.dispatch`` on the event loop; listeners still run on Bolt's
  listener thread pool. uvicorn has no thread setting for this, so ``--threads`` is ignored.
  (``conduct --server gunicorn`` is ``conduct run`` itself: event_load.py runs that.)

Environment: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL (and for ``conduct``
DATABASE_URL, CONDUCT_CONFIG), as for ``conduct run``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any, cast

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from slack_bolt import App  # noqa: E402
from slack_sdk import WebClient  # noqa: E402

from bot.transport import SLACK_PATH  # noqa: E402

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"  # as bot.cli configures it


def bare_app() -> App:
    """Acknowledges every event and does nothing else."""
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(name="bare", client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.event("message")
    def ignore_message() -> None:
        return None

    return app


def conduct_app() -> tuple[App, Callable[[], tuple[bool, dict[str, Any]]] | None]:
    """The bot as one `conduct run` worker builds it (after the fork), background jobs included;
    with its readiness check when the runtime has one (`/readyz`)."""
    from bot.runtime import build_runtime
    from bot.settings import load_settings

    runtime = build_runtime(load_settings())
    runtime.start_background_jobs()
    health = getattr(runtime, "health", None)
    if health is None:
        return runtime.app, None

    def readiness() -> tuple[bool, dict[str, Any]]:
        state = health.readiness()
        return bool(state.ready), dict(state.as_json())

    return runtime.app, readiness


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def with_probes(
    handler: ASGIApp, readiness: Callable[[], tuple[bool, dict[str, Any]]] | None
) -> ASGIApp:
    """`GET /healthz` and `GET /readyz` answered here (as ConductWSGI does), the rest to Bolt;
    without a readiness check `/readyz` is 404, as on a ConductWSGI that has none."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            if scope["path"] == "/healthz":
                await _send_json(send, 200, {"status": "ok"})
                return
            if scope["path"] == "/readyz":
                if readiness is None:
                    await _send_json(send, 404, {"error": "not_found"})
                    return
                ready, body = readiness()
                await _send_json(send, 200 if ready else 503, body)
                return
        await handler(scope, receive, send)

    return app


def asgi_factory() -> ASGIApp:
    """uvicorn's factory (`--factory`), called in each worker process."""
    from slack_bolt.adapter.asgi import SlackRequestHandler

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if os.environ.get("BENCH_APP", "bare") == "conduct":
        app, readiness = conduct_app()
    else:
        app, readiness = bare_app(), None
    handler = cast(ASGIApp, SlackRequestHandler(app, path=SLACK_PATH))
    return with_probes(handler, readiness)


def serve_uvicorn(which: str, host: str, port: int, workers: int) -> None:
    import uvicorn

    os.environ["BENCH_APP"] = which  # read by asgi_factory in every worker
    uvicorn.run(
        "load_servers:asgi_factory",
        factory=True,
        app_dir=str(BENCH_DIR),
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=20,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("app", choices=["bare", "conduct"])
    parser.add_argument("--server", choices=["gunicorn", "uvicorn"], default="gunicorn")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8, help="gunicorn gthread threads")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)

    if args.server == "uvicorn":
        if args.app == "conduct":
            from bot.settings import load_settings
            from migrations.runner import upgrade

            upgrade(load_settings().database_url)
        serve_uvicorn(args.app, args.host, args.port, args.workers)
        return 0
    if args.app == "conduct":
        parser.error("conduct under gunicorn is `conduct run`; event_load.py starts that")
    from bot.transport import ConductWSGI, serve_http

    serve_http(
        lambda: ConductWSGI(bare_app()),
        args.host,
        args.port,
        workers=args.workers,
        threads=args.threads,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
