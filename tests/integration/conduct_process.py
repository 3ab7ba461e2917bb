"""A real `conduct run` process for tests: the production server (gunicorn) in a subprocess,
pointed at the Slack stand-in (`SLACK_API_URL`) and the test's database, waited on until
`/readyz` answers 200."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.slack_standin import SlackDelivery, SlackStandIn

CONDUCT = str(Path(sys.executable).parent / "conduct")
#: Start-up includes loading the classifier (a few seconds; more on a busy machine).
READY_TIMEOUT_SECONDS = 90.0

COMMUNITY_TOML = """\
[channels]
moderators = "moderators"

[moderators]
usergroup = "moderators"
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str, timeout: float = 5.0) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (http, local)
            return int(resp.status), json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return int(err.code), json.loads(err.read() or b"null")


class ConductProcess:
    """`conduct run --port PORT` in `workdir`, its output in `workdir/conduct-PORT.log`."""

    def __init__(
        self,
        workdir: Path,
        standin: SlackStandIn,
        signing_secret: str,
        db_url: str,
        *,
        extra_env: dict[str, str] | None = None,
        config: str = COMMUNITY_TOML,
        args: tuple[str, ...] = (),
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"conduct-{self.port}.log"
        config_path = workdir / "conduct.toml"
        if not config_path.exists():
            config_path.write_text(config)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "CONDUCT_", "DATABASE_URL", "PORT", "HOST"))
        }
        env.update(
            {
                "SLACK_BOT_TOKEN": standin.bot_token,
                "SLACK_SIGNING_SECRET": signing_secret,
                "SLACK_API_URL": standin.api_url,
                "DATABASE_URL": db_url,
                "CONDUCT_CONFIG": str(config_path),
                "HOST": "127.0.0.1",
            }
        )
        env.update(extra_env or {})
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [CONDUCT, "run", "--port", str(self.port), *args],
            cwd=workdir,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.delivery = SlackDelivery(
            f"{self.base_url}/slack/events", signing_secret, standin=standin, timeout=10
        )

    def readiness(self) -> tuple[int, Any]:
        return get_json(f"{self.base_url}/readyz")

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"conduct exited with {self.proc.returncode}:\n{self.output()}"
                )
            try:
                status, last = self.readiness()
            except OSError as exc:
                last = repr(exc)
            else:
                if status == 200:
                    assert isinstance(last, dict)
                    return last
            time.sleep(0.25)
        raise AssertionError(f"not ready after {timeout} s: {last}\n{self.output()}")

    def terminate(self) -> None:
        self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=timeout)

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Clean-up: SIGTERM, then SIGKILL if it lingers."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
