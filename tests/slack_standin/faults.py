"""Per-method fault injection: queued, consumed one per matching request."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

MAX_TIMES = 100
MAX_DELAY_S = 30.0
MAX_RETRY_AFTER_S = 60

FaultKind = Literal["ratelimited", "http_status", "delay", "error", "disconnect"]


@dataclass(frozen=True)
class Fault:
    """What to do to one request. Build with the class methods:

    - ``Fault.rate_limited(retry_after=1)``: HTTP 429, ``Retry-After`` header, body
      ``{"ok": false, "error": "ratelimited"}`` (slack-notes §11);
    - ``Fault.http_status(500)``: that status with a JSON ``ok:false`` body;
    - ``Fault.delay(2.0)``: wait, then answer normally (the call still takes effect, as a real
      timed-out Slack call may have);
    - ``Fault.error("channel_not_found", needed="chat:write")``: HTTP 200 ``ok:false`` + extras;
    - ``Fault.disconnect()``: close the connection without an answer.
    """

    kind: FaultKind
    retry_after: int = 0
    status: int = 200
    delay_s: float = 0.0
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def rate_limited(cls, retry_after: int = 1) -> Fault:
        if not 0 <= retry_after <= MAX_RETRY_AFTER_S:
            raise ValueError(f"retry_after must be within 0..{MAX_RETRY_AFTER_S}")
        return cls("ratelimited", retry_after=retry_after, status=429)

    @classmethod
    def http_status(cls, status: int = 500) -> Fault:
        if not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (400..599)")
        return cls("http_status", status=status)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        if not 0 <= seconds <= MAX_DELAY_S:
            raise ValueError(f"delay must be within 0..{MAX_DELAY_S} s")
        return cls("delay", delay_s=seconds)

    @classmethod
    def api_error(cls, error: str, **extra: Any) -> Fault:
        return cls("error", error=error, extra=dict(extra))

    @classmethod
    def disconnect(cls) -> Fault:
        return cls("disconnect")

    def describe(self) -> str:
        if self.kind == "ratelimited":
            return f"ratelimited(retry_after={self.retry_after})"
        if self.kind == "http_status":
            return f"http_status({self.status})"
        if self.kind == "delay":
            return f"delay({self.delay_s}s)"
        if self.kind == "error":
            return f"error({self.error})"
        return "disconnect"


class FaultQueue:
    """Faults queued per key. Keys are Web API method names, ``"scim.<VERB> <path>"``,
    ``"scim.<VERB>"``, ``"scim"``, ``"files.upload_url"``, ``"response_url"`` or ``"*"`` (any)."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[Fault]] = {}
        self._lock = threading.Lock()

    def inject(self, key: str, fault: Fault, times: int = 1) -> None:
        if not 1 <= times <= MAX_TIMES:
            raise ValueError(f"times must be within 1..{MAX_TIMES}")
        with self._lock:
            self._queues.setdefault(key, deque()).extend([fault] * times)

    def take(self, keys: list[str]) -> Fault | None:
        with self._lock:
            for key in [*keys, "*"]:
                queue = self._queues.get(key)
                if queue:
                    return queue.popleft()
            return None

    def pending(self, key: str | None = None) -> int:
        with self._lock:
            if key is not None:
                return len(self._queues.get(key, ()))
            return sum(len(q) for q in self._queues.values())

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()
