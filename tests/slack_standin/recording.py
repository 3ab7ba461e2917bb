"""Recording of every request the stand-in answers, with a wait helper for threaded listeners."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """One request received by the stand-in.

    ``method`` is the Web API method (``"chat.postMessage"``), ``"scim.<VERB> <path>"`` for SCIM
    (``"scim.PATCH /Users/U1"``), ``"files.upload_url"`` for raw uploads and ``"response_url"`` for
    posts to a response_url. ``args`` holds the decoded arguments (JSON-encoded form values such as
    ``blocks`` are decoded), ``headers`` the request headers with lower-cased names, ``token`` the
    bearer token (or ``None``). ``status``/``response`` are what the stand-in answered (``response``
    is ``None`` for non-JSON answers), ``fault`` names the injected fault that produced it, if any.
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    token: str | None
    status: int = 200
    response: dict[str, Any] | None = None
    fault: str | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool((self.response or {}).get("ok", False))

    @property
    def error(self) -> str | None:
        return None if self.response is None else self.response.get("error")


class CallLog:
    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._cond = threading.Condition()

    def record(self, call: Call) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def calls(self, method: str | None = None) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def last(self, method: str) -> Call:
        found = self.calls(method)
        if not found:
            raise AssertionError(f"no call to {method}; calls so far: {self._summary()}")
        return found[-1]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least ``count`` calls to ``method`` were answered; return them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"waited {timeout}s for {count} call(s) to {method}, got {len(found)}; "
                        f"calls so far: {self._summary()}"
                    )
                self._cond.wait(remaining)

    def reset(self) -> None:
        with self._cond:
            self._calls.clear()

    def _summary(self) -> list[str]:
        with self._cond:
            return [c.method if c.ok else f"{c.method}({c.error or c.status})" for c in self._calls]
