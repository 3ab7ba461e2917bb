"""Readiness (bot/health.py), the probe routes (bot/transport.py), the listener executor's
bounded drain (bot/runtime.py) and Socket Mode's side port and SIGTERM handling."""

from __future__ import annotations

import io
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, ClassVar

import pytest
import slack_bolt.adapter.socket_mode as socket_mode_adapter
from sqlalchemy.exc import OperationalError

from bot.cli import main
from bot.health import Health
from bot.runtime import ListenerExecutor
from bot.transport import ConductWSGI, SideServer, serve_socket_mode
from tests.integration.conduct_process import free_port

HEAD = "0009_head"


def healthy(**kwargs: Any) -> Health:
    health = Health(lambda: HEAD, HEAD, known_revisions=["0008_old", HEAD], **kwargs)
    health.classifier_loaded()
    health.auth_test(True)
    return health


def test_ready_when_every_check_passes() -> None:
    readiness = healthy().readiness()
    assert readiness.ready
    assert readiness.as_json() == {
        "status": "ready",
        "checks": {
            "database": "ok",
            "schema": "at head",
            "classifier": "loaded",
            "slack": "auth.test ok",
        },
    }


def test_not_ready_while_the_classifier_loads_and_before_auth_test_answers() -> None:
    health = Health(lambda: HEAD, HEAD)
    readiness = health.readiness()
    assert not readiness.ready
    assert readiness.checks["classifier"] == "loading"
    assert readiness.checks["slack"].startswith("auth.test not answered")
    assert readiness.as_json()["status"] == "not_ready"


def test_failed_auth_test_is_named() -> None:
    health = healthy()
    health.auth_test(False, "invalid_auth")
    readiness = health.readiness()
    assert not readiness.ready
    assert readiness.checks["slack"] == "auth.test failed: invalid_auth"


def test_schema_behind_is_not_ready_and_ahead_is_ready_for_a_rolling_upgrade() -> None:
    def at(revision: str | None) -> Health:
        health = Health(lambda: revision, HEAD, known_revisions=["0008_old", HEAD])
        health.classifier_loaded()
        health.auth_test(True)
        return health

    behind, never, ahead = at("0008_old"), at(None), at("0010_newer")
    assert behind.readiness().checks["schema"] == f"behind (at 0008_old, head is {HEAD})"
    assert never.readiness().checks["schema"] == f"behind (at base, head is {HEAD})"
    assert ahead.readiness().checks["schema"].startswith("ahead (at 0010_newer")
    assert not behind.readiness().ready and not never.readiness().ready
    assert ahead.readiness().ready


def test_unreachable_database_is_reported_without_raising() -> None:
    def refuse() -> str | None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    health = Health(refuse, HEAD)
    readiness = health.readiness()
    assert not readiness.ready
    assert readiness.checks["database"] == "unreachable (OperationalError)"
    assert readiness.checks["schema"].startswith("unknown")


def test_hung_database_answers_within_the_timeout() -> None:
    release = threading.Event()

    def hang() -> str | None:
        release.wait(5)
        return HEAD

    health = Health(hang, HEAD, database_timeout=0.2)
    started = time.monotonic()
    readiness = health.readiness()
    release.set()
    assert time.monotonic() - started < 1.5
    assert readiness.checks["database"] == "no answer within 0.2 s"


def test_shutting_down_is_not_ready() -> None:
    health = healthy()
    health.shutting_down()
    readiness = health.readiness()
    assert not readiness.ready
    assert readiness.checks["process"] == "shutting down"


def call(wsgi: ConductWSGI, path: str, method: str = "GET") -> tuple[str, Any]:
    captured: list[str] = []
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": method,
        "wsgi.input": io.BytesIO(b""),
        "CONTENT_LENGTH": "0",
    }
    body = b"".join(wsgi(environ, lambda status, headers: captured.append(status)))  # type: ignore[arg-type]
    return captured[0], json.loads(body)


def test_probe_routes_answer_json_with_200_or_503() -> None:
    health = healthy()
    wsgi = ConductWSGI(None, health)
    assert call(wsgi, "/healthz") == ("200 OK", {"status": "ok"})
    status, body = call(wsgi, "/readyz")
    assert (status, body["status"]) == ("200 OK", "ready")
    health.shutting_down()
    status, body = call(wsgi, "/readyz")
    assert (status, body["status"]) == ("503 Service Unavailable", "not_ready")
    assert call(wsgi, "/slack/events", "POST")[0] == "404 Not Found", "no Bolt app here"


def test_listener_executor_drain_is_bounded_and_counts_what_is_left() -> None:
    executor = ListenerExecutor(max_workers=2)
    release = threading.Event()
    done: list[int] = []

    def quick(n: int) -> None:
        time.sleep(0.05)
        done.append(n)

    for n in range(4):
        executor.submit(quick, n)
    assert executor.drain(timeout=5) == 0
    assert sorted(done) == [0, 1, 2, 3]

    executor.submit(release.wait, 5)
    started = time.monotonic()
    assert executor.drain(timeout=0.2) == 1
    assert time.monotonic() - started < 1
    release.set()
    assert executor.drain(timeout=5) == 0
    executor.shutdown(wait=True)


def get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 (local http)
            return int(resp.status), json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return int(err.code), json.loads(err.read())


def test_side_server_serves_the_probes() -> None:
    side = SideServer(ConductWSGI(None, healthy()), "127.0.0.1", 0).start()
    try:
        assert get(f"http://127.0.0.1:{side.port}/healthz") == (200, {"status": "ok"})
        status, body = get(f"http://127.0.0.1:{side.port}/readyz")
        assert (status, body["status"]) == (200, "ready")
    finally:
        side.stop()


class FakeSocketModeHandler:
    instances: ClassVar[list[FakeSocketModeHandler]] = []

    def __init__(self, app: Any, app_token: str) -> None:
        self.events: list[str] = []
        FakeSocketModeHandler.instances.append(self)

    def connect(self) -> None:
        self.events.append("connect")

    def close(self) -> None:
        self.events.append("close")


def test_socket_mode_serves_probes_on_the_side_port_and_stops_on_sigterm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(socket_mode_adapter, "SocketModeHandler", FakeSocketModeHandler)
    port = free_port()
    health = healthy()
    shutdowns: list[float] = []

    def shutdown(seconds: float) -> None:
        health.shutting_down()
        shutdowns.append(seconds)

    seen: list[tuple[int, Any]] = []

    before = signal.getsignal(signal.SIGTERM)

    def probe_then_sigterm() -> None:
        deadline = time.monotonic() + 10
        while signal.getsignal(signal.SIGTERM) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        while time.monotonic() < deadline:
            try:
                seen.append(get(f"http://127.0.0.1:{port}/readyz"))
                break
            except OSError:
                time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=probe_then_sigterm, daemon=True).start()
    serve_socket_mode(
        object(),  # type: ignore[arg-type]
        "xapp-test",
        probes=ConductWSGI(None, health, shutdown=shutdown),
        host="127.0.0.1",
        health_port=port,
        shutdown_timeout=7,
    )

    assert seen and seen[0][0] == 200
    [handler] = FakeSocketModeHandler.instances
    assert handler.events == ["connect", "close"], "the WebSocket closes before the drain"
    assert len(shutdowns) == 1 and 5 < shutdowns[0] <= 7
    assert signal.getsignal(signal.SIGTERM) == before, "the previous handler is restored"
    with pytest.raises(OSError):
        get(f"http://127.0.0.1:{port}/healthz")


@pytest.mark.parametrize(
    ("name", "value"), [("SHUTDOWN_TIMEOUT", "soon"), ("SHUTDOWN_TIMEOUT", "0")]
)
def test_bad_shutdown_timeout_stops_start_up_naming_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    value: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith(("SLACK_", "CONDUCT_", "DATABASE_URL")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv(name, value)
    assert main(["run"]) == 2
    assert name in capsys.readouterr().err
