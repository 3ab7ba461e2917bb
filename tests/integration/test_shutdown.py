"""SIGTERM in the middle of a burst of events, to a real `conduct run` (gunicorn) process.

Slack's contract (shared/slack-notes.md §1): a delivery answered 200 is never sent again; one
that is not answered (refused, reset, non-2xx, > 3 s) is retried with the same `event_id`.
Bolt acknowledges a `message` event before its listener runs, so an acknowledged event's work
must be finished by the process itself before it exits — that is what this test shows:

- every acknowledged event was processed: its ProcessedEvent row and its effects (the nudge
  for each plug, the case and its card for each flagged message) are there once the process
  has exited, although Slack calls were slowed down so that work was still running at SIGTERM;
- every event not acknowledged, re-sent as Slack would (same event_id, X-Slack-Retry-Num) to
  a fresh process, is handled there, and everything is done exactly once overall;
- the process exits 0 within SHUTDOWN_TIMEOUT;
- no case is half-written (the invariant is checked in `assert_cases_complete`).
"""

from __future__ import annotations

import http.client
import json
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import (
    AuditEvent,
    Case,
    Detection,
    Nudge,
    NudgeStatus,
    PolicyId,
    ProcessedEvent,
    Report,
    Response,
)
from tests.integration.conduct_process import ConductProcess
from tests.slack_standin import Fault, SlackStandIn
from tests.slack_standin.payloads import message_event, new_event_id

PLUG = (
    "Excited to launch my new course on responsible AI! Sign up at https://learn.example.com "
    "and use code ATIH20 for 20% off, enrolment closes Friday."
)
OTHERS_PHONE = (
    "Here is Maria's personal cell, +1 415 555 0132 - everyone call her and tell her what you think"
)
ORDINARY = (
    "Thanks for the thoughtful panel yesterday, the point about audit trails stuck with me.",
    "Does anyone have notes from the Tuesday reading group?",
    "Welcome to the new members who joined this week!",
)
SHUTDOWN_TIMEOUT = 15
#: Slack calls are slowed down so that listener work is still queued or running at SIGTERM.
EPHEMERAL_DELAY = 1.0
CARD_DELAY = 0.5
SENDERS = 4
SIGTERM_AFTER = 12  # responses received


@dataclass(frozen=True)
class Sent:
    kind: str  # "plug" | "phone" | "ordinary"
    user_id: str
    event: dict[str, Any]
    event_id: str


def burst(standin: SlackStandIn) -> list[Sent]:
    """30 member messages: 12 plugs and 4 phone numbers (each from its own member, so each
    earns its own nudge) among ordinary chat."""
    general = standin.channel_id("general-discussions")
    random = standin.channel_id("random")
    sent: list[Sent] = []
    for i in range(30):
        if i % 5 in (1, 3) and sum(s.kind == "plug" for s in sent) < 12:
            kind, text, channel = "plug", PLUG, general
        elif i % 7 == 5:
            kind, text, channel = "phone", OTHERS_PHONE, random
        else:
            kind, text, channel = "ordinary", ORDINARY[i % len(ORDINARY)], random
        if kind == "ordinary":
            user_id = standin.user_id(("alice", "bob", "zoe")[i % 3])
        else:
            user_id = standin.add_user(f"member{i:02d}", f"Member Number{i:02d}")
            standin.add_member(channel, user_id)
        event = message_event(channel, user_id, text)
        sent.append(Sent(kind, user_id, event, new_event_id()))
    return sent


def deliver_all(
    bot: ConductProcess, events: list[Sent], on_response: threading.Event
) -> dict[str, int | str]:
    """Send from SENDERS threads at once; the outcome per event_id is the HTTP status or the
    connection error (a delivery Slack would retry)."""
    work: queue.Queue[Sent] = queue.Queue()
    for item in events:
        work.put(item)
    outcomes: dict[str, int | str] = {}
    lock = threading.Lock()

    def sender() -> None:
        while True:
            try:
                item = work.get_nowait()
            except queue.Empty:
                return
            try:
                status: int | str = bot.delivery.event(item.event, event_id=item.event_id).status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            with lock:
                outcomes[item.event_id] = status
                if sum(1 for s in outcomes.values() if s == 200) >= SIGTERM_AFTER:
                    on_response.set()
            time.sleep(0.05)

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def rows(session_factory: sessionmaker[Session], model: type[Any]) -> list[Any]:
    with session_factory() as session:
        return list(session.scalars(select(model)))


def assert_cases_complete(session_factory: sessionmaker[Session], standin: SlackStandIn) -> None:
    """No half-written case: every case was opened with its audit row and its evidence (a
    detection or a report) in one transaction, and its card was posted to the moderators'
    channel and recorded on the case (card_channel_id, card_ts)."""
    cards = {m["ts"] for m in standin.messages("moderators")}
    with session_factory() as session:
        for case in session.scalars(select(Case)):
            opened = session.scalars(
                select(AuditEvent).where(
                    AuditEvent.case_id == case.id, AuditEvent.action == "case.opened"
                )
            ).all()
            evidence = [
                *session.scalars(select(Detection.id).where(Detection.case_id == case.id)),
                *session.scalars(select(Report.id).where(Report.case_id == case.id)),
            ]
            assert len(opened) == 1, f"case {case.id}: {len(opened)} case.opened rows"
            assert evidence, f"case {case.id} has no detection or report"
            assert case.card_channel_id == standin.channel_id("moderators"), case.id
            assert case.card_ts in cards, f"case {case.id}: card not posted"


def assert_processed_once(
    session_factory: sessionmaker[Session], standin: SlackStandIn, events: list[Sent]
) -> None:
    processed = Counter(p.event_id for p in rows(session_factory, ProcessedEvent))
    assert all(processed[s.event_id] == 1 for s in events), processed
    ephemerals = Counter(e["user"] for e in standin.ephemerals())
    nudges = rows(session_factory, Nudge)
    detections = rows(session_factory, Detection)
    cases = rows(session_factory, Case)
    for s in events:
        if s.kind == "ordinary":
            assert ephemerals[s.user_id] == 0
            continue
        assert ephemerals[s.user_id] == 1, f"{s.kind} by {s.user_id}: {ephemerals[s.user_id]}"
    assert len(nudges) == sum(s.kind != "ordinary" for s in events)
    assert {n.status for n in nudges} == {NudgeStatus.SENT}
    plugs = [d for d in detections if d.policy == PolicyId.SELF_PROMOTION]
    phones = [d for d in detections if d.policy == PolicyId.PRIVATE_INFO]
    assert len(plugs) == sum(s.kind == "plug" for s in events)
    assert len(phones) == sum(s.kind == "phone" for s in events)
    assert all(d.response == Response.NUDGE_FLAG and d.case_id for d in phones)
    assert len(cases) == len(phones)
    assert len(standin.messages("moderators")) == len(cases), "one card per case"


def test_sigterm_mid_burst_finishes_acknowledged_events_and_exits_cleanly(
    tmp_path: Path,
    slack_standin: SlackStandIn,
    signing_secret: str,
    db_url: str,
    session_factory: sessionmaker[Session],
) -> None:
    standin = slack_standin
    env = {"SHUTDOWN_TIMEOUT": str(SHUTDOWN_TIMEOUT)}
    bot = ConductProcess(
        tmp_path, standin, signing_secret, db_url, extra_env=env, args=("--no-migrate",)
    )
    fresh: ConductProcess | None = None
    try:
        ready = bot.wait_ready()
        assert ready["checks"]["classifier"] == "loaded"
        events = burst(standin)
        standin.inject("chat.postEphemeral", Fault.delay(EPHEMERAL_DELAY), times=len(events))
        standin.inject("chat.postMessage", Fault.delay(CARD_DELAY), times=len(events))

        enough = threading.Event()
        terminated_at: list[float] = []

        def terminate_mid_burst() -> None:
            enough.wait(timeout=60)
            terminated_at.append(time.monotonic())
            bot.terminate()

        killer = threading.Thread(target=terminate_mid_burst)
        killer.start()
        outcomes = deliver_all(bot, events, enough)
        killer.join()
        code = bot.wait(timeout=SHUTDOWN_TIMEOUT + 10)
        took = time.monotonic() - terminated_at[0]
        log = bot.output()

        assert code == 0, log
        assert took < SHUTDOWN_TIMEOUT + 2, f"exited {took:.1f} s after SIGTERM"
        assert "waiting for" in log and "acknowledged event(s) in progress" in log, (
            "SIGTERM landed with no listener work pending: the test proved nothing\n" + log
        )
        assert "shut down cleanly" in log, log
        # Not a terminal: every line is one JSON object, gunicorn's own included.
        lines = [json.loads(line) for line in log.splitlines() if line.strip()]
        assert any(line["logger"].startswith("gunicorn") for line in lines), log
        acked = [s for s in events if outcomes[s.event_id] == 200]
        unacked = [s for s in events if outcomes[s.event_id] != 200]
        assert len(acked) >= SIGTERM_AFTER
        assert unacked, f"the burst ended before SIGTERM: {outcomes}"
        assert all(isinstance(outcomes[s.event_id], str) for s in unacked), outcomes

        # Everything acknowledged was done before the process exited.
        assert_processed_once(session_factory, standin, acked)
        assert_cases_complete(session_factory, standin)
        done = {p.event_id for p in rows(session_factory, ProcessedEvent)}
        assert not {s.event_id for s in unacked} & done, "a refused delivery was processed"

        # What was not acknowledged, Slack retries: to a fresh process, handled once.
        fresh = ConductProcess(
            tmp_path, standin, signing_secret, db_url, extra_env=env, args=("--no-migrate",)
        )
        fresh.wait_ready()
        for s in unacked:
            response = fresh.delivery.event(
                s.event, event_id=s.event_id, retry_num=1, retry_reason="connection_failed"
            )
            assert response.status == 200
        fresh.terminate()  # its drain finishes the retried work before it exits
        assert fresh.wait(timeout=SHUTDOWN_TIMEOUT + 10) == 0, fresh.output()

        assert_processed_once(session_factory, standin, events)
        assert_cases_complete(session_factory, standin)
    finally:
        bot.stop()
        if fresh is not None:
            fresh.stop()
