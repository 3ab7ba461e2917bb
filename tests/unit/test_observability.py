"""Log formatting (JSON and text), token redaction, the request's log context across the
listener executor, and the metrics' labels and registries."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.enforcement.base import Step
from bot.observability import (
    JsonFormatter,
    Metrics,
    TextFormatter,
    configure_logging,
    event_outcome,
    log_context,
    propagating_executor,
    redact,
    set_log_context,
    step_kind,
)
from bot.settings import ConfigError
from tests.log_capture import json_logs

ROOT = Path(__file__).resolve().parents[2]


def record(
    message: str, *args: object, level: int = logging.INFO, **extra: object
) -> logging.LogRecord:
    rec = logging.LogRecord("bot.test", level, __file__, 1, message, args or None, None)
    for key, value in extra.items():
        setattr(rec, key, value)
    return rec


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger through the real handler, into a buffer, at DEBUG."""
    with json_logs() as buffer:
        yield buffer


def lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


# ---------------------------------------------------------------------------- formatters


def test_json_line_has_the_fixed_fields_then_the_extras() -> None:
    line = json.loads(
        JsonFormatter().format(record("report %s filed", 7, case_id=3, event_id="Ev1"))
    )

    assert line["level"] == "INFO"
    assert line["logger"] == "bot.test"
    assert line["message"] == "report 7 filed"
    assert (line["case_id"], line["event_id"]) == (3, "Ev1")
    assert str(line["ts"]).endswith("+00:00")
    assert list(line)[:4] == ["ts", "level", "logger", "message"]


def test_json_line_is_one_line_and_serialises_anything() -> None:
    text = JsonFormatter().format(record("two\nlines", policies=["harassment"], when=object()))

    assert "\n" not in text
    assert json.loads(text)["policies"] == ["harassment"]


def test_json_line_carries_the_exception() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        rec = record("failed", level=logging.ERROR)
        rec.exc_info = sys.exc_info()

    line = json.loads(JsonFormatter().format(rec))

    assert "ValueError: boom" in str(line["exc_info"])


def test_text_line_is_readable_with_extras_as_key_values() -> None:
    text = TextFormatter().format(record("nudge not delivered", nudge_id=4, error="x"))

    assert " INFO    bot.test nudge not delivered" in text
    assert text.endswith("nudge_id=4 error=x")


@pytest.mark.parametrize(
    "secret",
    [
        "xoxb-1234-5678-AbCdEf",
        "xoxp-1-2-3-abc",
        "xoxa-2-abc",
        "xoxr-abc",
        "xoxs-abc-def",
        "xoxo-abc",
        "xapp-1-A0B-123-abcdef",
        "xoxb-test-bot",
    ],
)
@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()])
def test_tokens_are_redacted_from_message_extras_and_exceptions(
    secret: str, formatter: logging.Formatter
) -> None:
    rec = record("headers: {'Authorization': 'Bearer %s'}", secret, token=secret)
    try:
        raise RuntimeError(f"bad token {secret}")
    except RuntimeError:
        rec.exc_info = sys.exc_info()

    text = formatter.format(rec)

    assert secret not in text
    assert f"{secret.split('-')[0]}-[redacted]" in text
    if isinstance(formatter, JsonFormatter):
        json.loads(text)


def test_redact_leaves_other_text_alone() -> None:
    text = "xoxb is a token's prefix; xapp too; mailbox-xoxbl-1 and C0RANDOM stay"
    assert redact(text) == text


# ---------------------------------------------------------------------------- configuration


def test_configure_logging_reads_log_format_and_log_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = logging.getLogger()
    level = root.level
    buffer = io.StringIO()
    try:
        monkeypatch.setenv("LOG_FORMAT", "text")
        monkeypatch.setenv("LOG_LEVEL", "warning")
        handler = configure_logging(stream=buffer)
        assert isinstance(handler.formatter, TextFormatter)
        assert root.level == logging.WARNING

        monkeypatch.setenv("LOG_FORMAT", "json")
        monkeypatch.delenv("LOG_LEVEL")
        again = configure_logging(stream=buffer)
        assert isinstance(again.formatter, JsonFormatter)
        assert root.level == logging.INFO
        assert handler not in root.handlers  # replaced, not added to

        monkeypatch.delenv("LOG_FORMAT")
        assert isinstance(configure_logging(stream=buffer).formatter, JsonFormatter)  # no TTY
    finally:
        for h in [h for h in root.handlers if getattr(h, "_conduct_handler", False)]:
            root.removeHandler(h)
        root.setLevel(level)


@pytest.mark.parametrize(("name", "value"), [("LOG_FORMAT", "yaml"), ("LOG_LEVEL", "chatty")])
def test_bad_logging_settings_are_config_errors(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        configure_logging(stream=io.StringIO())


def test_a_terminal_gets_text(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("LOG_FORMAT", raising=False)
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(stream=Terminal())
    root.removeHandler(handler)
    root.setLevel(level)
    assert isinstance(handler.formatter, TextFormatter)


# ---------------------------------------------------------------------------- the log context


def test_context_fields_reach_lines_written_on_the_listener_executor(
    captured: io.StringIO,
) -> None:
    log = logging.getLogger("bot.services.example")
    executor = propagating_executor(ThreadPoolExecutor(max_workers=1))
    set_log_context(event_id="Ev1", team="T1")
    executor.submit(log.info, "in the listener").result()
    set_log_context(event_id="Ev2", team="T1")
    executor.submit(log.info, "next request", extra={"event_id": "explicit"}).result()
    with log_context(case_id=9):
        log.warning("about a case")
    log.info("after the block")
    executor.shutdown()

    first, second, case, after = lines(captured)
    assert (first["event_id"], first["team"]) == ("Ev1", "T1")
    assert second["event_id"] == "explicit"  # `extra` wins over the context
    assert (case["event_id"], case["case_id"]) == ("Ev2", 9)
    assert "case_id" not in after


def test_a_thread_without_a_request_has_no_context(captured: io.StringIO) -> None:
    set_log_context(event_id="Ev1")
    with ThreadPoolExecutor(max_workers=1) as plain:  # e.g. the scheduler's threads
        plain.submit(logging.getLogger("bot.scheduler").info, "sweep").result()

    [line] = lines(captured)
    assert "event_id" not in line


def test_message_events_without_member_content_are_ignored() -> None:
    member = {"type": "message", "user": "U1", "text": "hi", "channel": "C1", "ts": "1.0"}
    join = {**member, "subtype": "channel_join"}
    assert event_outcome(member) == "handled"
    assert event_outcome(join) == "ignored"
    assert event_outcome({"type": "team_join", "user": {"id": "U1"}}) == "handled"


# ---------------------------------------------------------------------------- metrics


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body, content_type = metrics.render()
    assert content_type.startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def test_each_metrics_object_has_its_own_registry() -> None:
    one, two = Metrics(), Metrics()
    one.event("message", "handled")

    assert (
        samples(one)[("conduct_events_total", (("outcome", "handled"), ("type", "message")))] == 1
    )
    assert ("conduct_events_total", (("outcome", "handled"), ("type", "message"))) not in samples(
        two
    )


def test_duplicates_count_twice_over() -> None:
    metrics = Metrics()
    metrics.event("message", "duplicate")

    got = samples(metrics)
    assert got[("conduct_duplicate_deliveries_total", ())] == 1
    assert got[("conduct_events_total", (("outcome", "duplicate"), ("type", "message")))] == 1


def test_failed_steps_are_labelled_by_kind_without_channel_ids() -> None:
    metrics = Metrics()
    metrics.failed_steps(
        "channels",
        [
            Step("conversations.kick C0RANDOM", False, "t", "restricted_action"),
            Step("conversations.kick C0GENERAL", False, "t", "cant_kick_from_general"),
            Step("conversations.invite C0RANDOM", True, "t"),
        ],
    )

    got = samples(metrics)
    key = (("backend", "channels"), ("step", "conversations.kick"))
    assert got[("conduct_enforcement_step_failures_total", key)] == 2
    assert not any("C0" in str(labels) for _, labels in got)
    assert step_kind("notice_only") == "notice_only"
    assert step_kind("C0RANDOM") == "other"


def test_open_cases_without_a_database_is_an_empty_gauge() -> None:
    body, _ = Metrics().render()
    assert b"# TYPE conduct_open_cases gauge" in body


MULTIPROCESS_WORKER = """
import sys
from bot.observability import Metrics
m = Metrics()
m.event("message", "handled")
if sys.argv[1] == "render":
    sys.stdout.write(m.render()[0].decode())
"""


def test_multiprocess_mode_adds_up_every_workers_counts(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def worker(mode: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", MULTIPROCESS_WORKER, mode],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout

    worker("count")
    worker("count")
    body = worker("render")  # a third worker answers the scrape

    got = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }
    assert got[("conduct_events_total", (("outcome", "handled"), ("type", "message")))] == 3


def test_request_fields_name_the_request_and_survive_odd_shapes() -> None:
    from bot.observability import _request_fields

    event = {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": "Ev1",
        "event": {"type": "message", "text": "secret words", "user": "U1"},
    }
    action = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "x"},
        "actions": [{"action_id": "case_take_action", "value": "3"}],
    }
    decision = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "view": {"callback_id": "case_decision", "private_metadata": '{"case_id": 3}'},
    }
    command = {"command": "/report", "team_id": "T1", "text": "secret words"}

    assert _request_fields(event) == {
        "request": "event_callback",
        "team": "T1",
        "event_id": "Ev1",
        "event_type": "message",
    }
    assert _request_fields(action)["action_id"] == "case_take_action"
    assert _request_fields(decision) == {
        "request": "view_submission",
        "team": "T1",
        "callback_id": "case_decision",
        "case_id": 3,
    }
    assert _request_fields(command) == {
        "request": "slash_command",
        "team": "T1",
        "command": "/report",
    }
    for odd in ({"type": "block_actions", "team": "T1", "actions": "x"}, {"view": "x"}, {}):
        assert "secret" not in str(_request_fields(odd))
    bad_json = {"type": "view_submission", "view": {"private_metadata": "{not json"}}
    assert "case_id" not in _request_fields(bad_json)
