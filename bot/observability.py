"""Metrics (Prometheus) and structured logging.

Metrics: one `Metrics` per app (its own `CollectorRegistry`), so tests and each server worker
build as many apps as they like. Under gunicorn every worker process has its own registry, so
`/metrics` reports the worker that answered the scrape; set `PROMETHEUS_MULTIPROC_DIR` to an
empty directory before `conduct run` starts and every worker writes its values there and
`/metrics` adds them up (prometheus_client's multiprocess mode). Labels never carry user or
channel ids, channel names or message text: only policy ids, levels, event types, Slack method
names and Slack's error codes, whose sets are small and fixed.

Logs: `configure_logging` writes one JSON object per line (ts, level, logger, message, then any
`extra` fields and the request's context: event_id, team, action_id...) when stderr is not a
terminal or `LOG_FORMAT=json`, and readable lines on a terminal. Slack tokens are redacted from
every line, whatever logged them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.events import is_member_message

if TYPE_CHECKING:
    from slack_bolt import App, BoltContext, BoltResponse

    from bot.enforcement.base import Step
    from bot.services.context import AppServices

log = logging.getLogger(__name__)

T = TypeVar("T")

# ---------------------------------------------------------------------------- metrics

#: Engine time per message: the classifier dominates (a few ms on CPU).
CHECK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
#: Slack calls, retries (and their Retry-After waits) included.
SLACK_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
#: How late a ban's lift was claimed: the per-ban timer is near 0, the sweep within its interval.
LIFT_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)

_SLACK_METHOD = re.compile(r"[a-zA-Z][a-zA-Z0-9_.]{0,63}")
_ERROR_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
#: What a failed enforcement step's name may keep: "conversations.kick C0RANDOM" -> the method.
_STEP_KIND = re.compile(r"[a-z][a-zA-Z0-9_.]{0,63}")


def slack_method_label(method: str) -> str:
    return method if _SLACK_METHOD.fullmatch(method) else "other"


def slack_error_label(error: object) -> str:
    """Slack's error code as a label, or `other` for anything that does not look like one."""
    return error if isinstance(error, str) and _ERROR_CODE.fullmatch(error) else "other"


def http_status_label(status: int) -> str:
    if status == 429:
        return "http_429"
    if status >= 500:
        return "http_5xx"
    return f"http_{status}" if 400 <= status < 500 else "other"


def step_kind(step: str) -> str:
    """A failed step's kind, without the channel or user it was about."""
    kind = step.split(" ", 1)[0]
    return kind if _STEP_KIND.fullmatch(kind) else "other"


class Metrics:
    """Every metric the bot exposes, registered in this instance's own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.events = Counter(
            "conduct_events",
            "Slack events received, by event type and outcome (handled, duplicate, ignored)",
            ["type", "outcome"],
            registry=r,
        )
        self.duplicate_deliveries = Counter(
            "conduct_duplicate_deliveries",
            "Re-deliveries of an event already claimed (same event_id), acknowledged and dropped",
            registry=r,
        )
        self.moderation_seconds = Histogram(
            "conduct_moderation_check_seconds",
            "Time the moderation engine took to check one message",
            buckets=CHECK_BUCKETS,
            registry=r,
        )
        self.findings = Counter(
            "conduct_findings",
            "Policy findings on members' messages, by policy and response",
            ["policy", "response"],
            registry=r,
        )
        self.nudges = Counter(
            "conduct_nudges",
            "Nudges by policy and outcome: sent, failed (Slack refused), suppressed (rate "
            "limit), shadow (shadow mode: recorded, not sent)",
            ["policy", "outcome"],
            registry=r,
        )
        self.reports = Counter(
            "conduct_reports_filed", "Members' reports filed, by source", ["source"], registry=r
        )
        self.decisions = Counter(
            "conduct_decisions", "Moderators' decisions, by level", ["level"], registry=r
        )
        self.slack_calls = Counter(
            "conduct_slack_api_calls",
            "Slack Web API calls by method and final result (ok, Slack's error code, http_429, "
            "http_5xx, timeout, connection_error), after retries",
            ["method", "result"],
            registry=r,
        )
        self.slack_seconds = Histogram(
            "conduct_slack_api_call_seconds",
            "Slack Web API call time by method, retries and their waits included",
            ["method"],
            buckets=SLACK_BUCKETS,
            registry=r,
        )
        self.slack_failed_attempts = Counter(
            "conduct_slack_api_failed_attempts",
            "Slack Web API attempts answered 429 or 5xx or cut off (each one, retried or not)",
            ["method", "reason"],
            registry=r,
        )
        self.lift_delay = Histogram(
            "conduct_ban_lift_delay_seconds",
            "How long after its end a temporary ban's lift was claimed",
            buckets=LIFT_BUCKETS,
            registry=r,
        )
        self.enforcement_failures = Counter(
            "conduct_enforcement_step_failures",
            "Enforcement steps that failed, by backend and step kind",
            ["backend", "step"],
            registry=r,
        )
        self._open_cases = _OpenCases()
        r.register(self._open_cases)

    # -- recording, in the words of the code that calls them

    def event(self, event_type: str, outcome: str) -> None:
        self.events.labels(slack_method_label(event_type), outcome).inc()
        if outcome == "duplicate":
            self.duplicate_deliveries.inc()

    def nudge(self, policy: str, outcome: str) -> None:
        self.nudges.labels(policy, outcome).inc()

    def check(self, seconds: float, findings: Iterable[tuple[str, str]]) -> None:
        self.moderation_seconds.observe(seconds)
        for policy, response in findings:
            self.findings.labels(policy, response).inc()

    def slack_call(self, method: str, result: str, seconds: float) -> None:
        label = slack_method_label(method)
        self.slack_calls.labels(label, result).inc()
        self.slack_seconds.labels(label).observe(seconds)

    def failed_steps(self, backend: str, steps: Iterable[Step]) -> None:
        for step in steps:
            if not step.ok:
                self.enforcement_failures.labels(backend, step_kind(step.step)).inc()

    def watch_open_cases(self, session_factory: sessionmaker[Session]) -> None:
        """Count open and triaged cases in the database at each scrape."""
        self._open_cases.session_factory = session_factory

    # -- exposition

    def render(self) -> tuple[bytes, str]:
        """The Prometheus text format, and its content type."""
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if not directory:
            return generate_latest(self.registry), CONTENT_TYPE_LATEST
        from prometheus_client import multiprocess

        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined, path=directory)  # type: ignore[no-untyped-call]
        combined.register(self._open_cases)  # read from the database, not from the files
        return generate_latest(combined), CONTENT_TYPE_LATEST


class _OpenCases(Collector):
    """`conduct_open_cases{status}`: a cheap count in the database on each scrape, so every
    worker and replica reports the same truth."""

    def __init__(self) -> None:
        self.session_factory: sessionmaker[Session] | None = None

    def describe(self) -> list[Metric]:
        return [self._family()]

    def _family(self) -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "conduct_open_cases", "Cases waiting for moderators, by status", labels=["status"]
        )

    def collect(self) -> Iterator[Metric]:
        family = self._family()
        if self.session_factory is not None:
            from models import Case, CaseStatus

            waiting = (CaseStatus.OPEN, CaseStatus.TRIAGED)
            try:
                with self.session_factory() as session:
                    rows = session.execute(
                        select(Case.status, func.count())
                        .where(Case.status.in_(waiting))
                        .group_by(Case.status)
                    )
                    counts = {status: n for status, n in rows}
            except Exception as exc:  # a scrape must not fail because the database did
                log.warning("open cases not counted", extra={"error": type(exc).__name__})
            else:
                for status in waiting:
                    family.add_metric([status.value], counts.get(status, 0))
        yield family


# ---------------------------------------------------------------------------- the request's context

_CONTEXT: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "conduct_log_context", default=None
)


def set_log_context(**fields: Any) -> None:
    """Replace the fields every log line in this context carries (None values are left out)."""
    _CONTEXT.set({k: v for k, v in fields.items() if v is not None})


def log_context_fields() -> Mapping[str, Any]:
    return _CONTEXT.get() or {}


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add fields to every log line written inside the block."""
    added = {k: v for k, v in fields.items() if v is not None}
    token = _CONTEXT.set({**log_context_fields(), **added})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class ContextExecutor(Executor):
    """Runs each task in a copy of the submitter's context, so what a request's middleware
    bound (event_id, team...) is on the log lines its listeners and services write."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        context = contextvars.copy_context()
        return self.inner.submit(context.run, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def propagating_executor(inner: Executor | None) -> Executor:
    """Bolt's listener executor (Bolt's own default: 5 threads), propagating the log context."""
    return ContextExecutor(inner if inner is not None else ThreadPoolExecutor(max_workers=5))


def _request_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    """What identifies a request in the logs: ids and names from Slack's vocabulary, never
    text. Shapes: shared/slack-notes.md §2 (events), §4 (commands), §6 (interactivity)."""
    kind = body.get("type") or ("slash_command" if body.get("command") else None)
    team = body.get("team_id") or _get(body.get("team"), "id")
    fields: dict[str, Any] = {"request": kind, "team": team}
    if kind == "event_callback":
        fields["event_id"] = body.get("event_id")
        fields["event_type"] = _get(body.get("event"), "type")
    elif kind == "slash_command":
        fields["command"] = body.get("command")
    elif kind == "block_actions":
        actions = body.get("actions")
        fields["action_id"] = _get(
            actions[0] if isinstance(actions, list) and actions else None, "action_id"
        )
    if kind in {"shortcut", "message_action"}:
        fields["callback_id"] = body.get("callback_id")
    view = body.get("view")
    if kind in {"view_submission", "view_closed"}:
        fields["callback_id"] = _get(view, "callback_id")
    metadata = _get(view, "private_metadata")
    if isinstance(metadata, str) and metadata.startswith("{"):
        with suppress(ValueError):
            fields["case_id"] = _get(json.loads(metadata), "case_id")
    return {k: v for k, v in fields.items() if isinstance(v, str | int) and not isinstance(v, bool)}


def _get(value: object, key: str) -> object:
    return value.get(key) if isinstance(value, Mapping) else None


def event_outcome(event: Mapping[str, Any]) -> str:
    """`ignored` for message events that carry no member content (joins, edits without a
    text change, bot posts): the listeners acknowledge them and do nothing else."""
    if event.get("type") == "message" and not is_member_message(event):
        return "ignored"
    return "handled"


def instrument_app(app: App, services: AppServices) -> None:
    """The first global middleware: binds the request's log context and meters the Web API
    client Bolt builds per request; and the open-cases gauge reads `services`' database."""
    from bot.slack_client import metered_copy

    metrics = services.metrics
    metrics.watch_open_cases(services.session_factory)

    def observe(
        body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        set_log_context(**_request_fields(body))
        if context.client is not None:
            context["client"] = metered_copy(context.client, metrics)
        log.debug("request received")
        return next()

    app.use(observe)


# ---------------------------------------------------------------------------- logging

LOG_FORMATS = ("json", "text")
_TOKEN = re.compile(r"\b(xox[abposre]|xapp)-[A-Za-z0-9-]+")
#: LogRecord attributes that are not `extra` fields.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)
_MARK = "_conduct_handler"


def redact(text: str) -> str:
    """Slack tokens (bot, user, app-level, refresh, config) cut down to their kind."""
    return _TOKEN.sub(lambda m: f"{m.group(1)}-[redacted]", text)


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, then context and `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in _extras(record).items():
            line.setdefault(key, value)
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return redact(json.dumps(line, default=str, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """For a person at a terminal: `time LEVEL logger message key=value ...`."""

    def format(self, record: logging.LogRecord) -> str:
        when = time.strftime("%H:%M:%S", time.localtime(record.created))
        when += f".{int(record.msecs):03d}"
        text = f"{when} {record.levelname:<7} {record.name} {record.getMessage()}"
        extras = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        if extras:
            text += f"  {extras}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        return redact(text)


class ContextFilter(logging.Filter):
    """Puts the request's context (event_id, team...) on each record; fields a call passes in
    `extra` win."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in log_context_fields().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class _StreamHandler(logging.StreamHandler[TextIO]):
    """Writes to `stream`, or to whatever `sys.stderr` is at the time of each line."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__(stream or sys.stderr)
        self._follow_stderr = stream is None

    def emit(self, record: logging.LogRecord) -> None:
        if self._follow_stderr:
            self.stream = sys.stderr
        super().emit(record)


def _level(value: str | int | None) -> int:
    if isinstance(value, int):
        return value
    name = (value or os.environ.get("LOG_LEVEL") or "INFO").strip().upper()
    level = logging.getLevelNamesMapping().get(name)
    if level is None:
        from bot.settings import ConfigError

        raise ConfigError("LOG_LEVEL", f"must be DEBUG, INFO, WARNING or ERROR; got {value!r}")
    return level


def _use_json(value: bool | None, stream: TextIO) -> bool:
    if value is not None:
        return value
    chosen = (os.environ.get("LOG_FORMAT") or "").strip().lower()
    if chosen and chosen not in LOG_FORMATS:
        from bot.settings import ConfigError

        raise ConfigError("LOG_FORMAT", f"must be json or text; got {chosen!r}")
    if chosen:
        return chosen == "json"
    isatty = getattr(stream, "isatty", None)
    return not (callable(isatty) and isatty())


def configure_logging(
    json: bool | None = None,
    level: str | int | None = None,
    *,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Route every logger through one handler on the root logger (stderr by default: stdout is
    some commands' output). `json` None: `LOG_FORMAT`, else JSON unless the stream is a
    terminal. `level` None: `LOG_LEVEL`, default INFO. Calling it again replaces the handler
    it installed before and leaves others alone."""
    handler = _StreamHandler(stream)
    handler.setFormatter(
        JsonFormatter() if _use_json(json, stream or sys.stderr) else TextFormatter()
    )
    handler.addFilter(ContextFilter())
    setattr(handler, _MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(_level(level))
    # Alembic narrates every plugin and revision at INFO; a person needs only the outcome.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return handler
