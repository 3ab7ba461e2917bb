"""Two real `conduct run` processes on one PostgreSQL database, as behind a load balancer.

Each scenario is driven through the processes' HTTP endpoints (signed deliveries) or their
schedulers; the database is the only thing they share:

1. a delivery and its retry (same event_id, X-Slack-Retry-Num) landing on different replicas
   do the work once (one ProcessedEvent, one nudge);
2. two reports of the same message submitted at the same moment on the two replicas make one
   case (two Report rows, one Case, one card);
3. temporary bans that end while both replicas' sweeps run (`sweep_seconds = 1`) are lifted
   exactly once each: one set at start-up (every replica's timer and first sweep race) and
   one decided "elsewhere" after start (only the sweeps see it).

Both processes are then stopped with SIGTERM, which drains their work, before the checks.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.ids import CallbackId
from models import (
    ActionStatus,
    AuditEvent,
    Case,
    CaseStatus,
    EnforcementAction,
    Member,
    Nudge,
    ProcessedEvent,
    Report,
)
from tests.integration.ban_seeding import add_banned_member, add_moderator
from tests.integration.conduct_process import COMMUNITY_TOML, ConductProcess
from tests.integration.test_reports import form_values
from tests.integration.test_shutdown import PLUG
from tests.slack_standin import DeliveryResponse, SlackStandIn
from tests.slack_standin.payloads import message_event

pytestmark = pytest.mark.postgres

CONFIG = COMMUNITY_TOML + '\n[enforcement]\nbackend = "channels"\nsweep_seconds = 1\n'
CHANNELS = ("random", "general-discussions")
LINK = "https://atih.slack.com/archives/C0GENERAL/p1700000000000200"


def seed_ban(
    standin: SlackStandIn, session_factory: sessionmaker[Session], name: str, ends_at: datetime
) -> int:
    """A member under a temporary ban (channels backend) that removed them from CHANNELS."""
    decided = ends_at - timedelta(days=7)
    user_id = standin.add_user(name, f"Banned {name.title()}")
    with session_factory.begin() as session:
        moderator = session.scalar(select(Member).where(Member.slack_user_id == "U0ADA"))
        if moderator is None:
            moderator = add_moderator(session)
        return add_banned_member(
            session,
            standin,
            user_id=user_id,
            real_name=name,
            moderator=moderator,
            decided_at=decided,
            ends_at=ends_at,
            channels=CHANNELS,
        )


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def at_once(*calls: Callable[[], DeliveryResponse]) -> list[DeliveryResponse]:
    """Run the calls in threads released together."""
    barrier = threading.Barrier(len(calls))
    results: list[DeliveryResponse | None] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def start_replicas(
    tmp_path: Path, standin: SlackStandIn, signing_secret: str, db_url: str
) -> list[ConductProcess]:
    (tmp_path / "conduct.toml").write_text(CONFIG)
    replicas = [
        ConductProcess(tmp_path, standin, signing_secret, db_url, args=("--no-migrate",))
        for _ in range(2)
    ]
    try:
        for replica in replicas:
            replica.wait_ready()
    except BaseException:
        for replica in replicas:
            replica.stop()
        raise
    return replicas


def report_at_once(a: ConductProcess, b: ConductProcess) -> None:
    """Alice reports bob's message on A while Dmitri reports the same message on B."""
    values = form_values(who=("U0BOB",), what="He was rude.", where=LINK)
    submissions = at_once(
        lambda: a.delivery.view_submission(CallbackId.REPORT_FORM, values, user_id="alice"),
        lambda: b.delivery.view_submission(CallbackId.REPORT_FORM, values, user_id="dmitri"),
    )
    assert [s.status for s in submissions] == [200, 200], submissions


def stop_gracefully(replicas: list[ConductProcess]) -> None:
    for replica in replicas:
        replica.terminate()
    for replica in replicas:
        assert replica.wait(timeout=30) == 0, replica.output()


def test_two_replicas_do_each_thing_once(
    tmp_path: Path,
    slack_standin: SlackStandIn,
    signing_secret: str,
    db_url: str,
    session_factory: sessionmaker[Session],
) -> None:
    standin = slack_standin
    startup_ban = seed_ban(standin, session_factory, "early", datetime.now(UTC))
    replicas = start_replicas(tmp_path, standin, signing_secret, db_url)
    a, b = replicas
    try:
        later_ban = seed_ban(
            standin, session_factory, "later", datetime.now(UTC) + timedelta(seconds=1)
        )

        # 1. A delivery on A, Slack's retry of it on B (and a second retry at the same time).
        plugger = standin.add_user("plugger", "Pat Plugger")
        standin.add_member("general-discussions", plugger)
        event = message_event(standin.channel_id("general-discussions"), plugger, PLUG)
        assert a.delivery.event(event, event_id="Ev0REPLICA1").status == 200
        retries = at_once(
            lambda: b.delivery.event(event, event_id="Ev0REPLICA1", retry_num=1),
            lambda: a.delivery.event(event, event_id="Ev0REPLICA1", retry_num=2),
        )
        assert [r.status for r in retries] == [200, 200]

        # 2. Two reports of one message at the same moment, one on each replica.
        report_at_once(a, b)

        # 3. Both bans end while both sweeps run every second.
        def lifted() -> bool:
            with session_factory() as session:
                statuses = session.scalars(
                    select(EnforcementAction.status).where(
                        EnforcementAction.id.in_((startup_ban, later_ban))
                    )
                ).all()
            return set(statuses) == {ActionStatus.EXPIRED}

        wait_until(lifted)
        wait_until(lambda: len(standin.ephemerals(user=plugger)) >= 1)
        time.sleep(3)  # several more sweeps on both replicas: nothing may happen twice

        stop_gracefully(replicas)
    finally:
        for replica in replicas:
            replica.stop()

    with session_factory() as session:
        # 1. once
        assert session.scalars(
            select(ProcessedEvent.event_id).where(ProcessedEvent.event_id == "Ev0REPLICA1")
        ).all() == ["Ev0REPLICA1"]
        assert len(session.scalars(select(Nudge)).all()) == 1
        assert len(standin.ephemerals(user=plugger)) == 1

        # 2. one case, two reports
        reports = session.scalars(select(Report).where(Report.message_ts.is_not(None))).all()
        assert len(reports) == 2
        assert len({r.case_id for r in reports}) == 1
        [case] = session.scalars(select(Case).where(Case.message_ts == "1700000000.000200"))
        assert case.status == CaseStatus.OPEN
        opened = session.scalars(
            select(AuditEvent).where(
                AuditEvent.case_id == case.id, AuditEvent.action == "case.opened"
            )
        ).all()
        assert len(opened) == 1
        assert case.card_ts is not None
        assert any(m["ts"] == case.card_ts for m in standin.messages("moderators"))

        # 3. each ban lifted once
        expired = Counter(
            e.details.get("action_id") if isinstance(e.details, dict) else None
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "action.expired")
            )
        )
    assert len(expired) == 2 and set(expired.values()) == {1}, expired
    invites = Counter(c.args["users"] for c in standin.calls("conversations.invite"))
    for name in ("early", "later"):
        user_id = standin.user_id(name)
        assert invites[user_id] == len(CHANNELS), invites
        assert all(standin.is_member(channel, user_id) for channel in CHANNELS)


def test_two_reports_at_once_on_two_replicas_post_one_card(
    tmp_path: Path,
    slack_standin: SlackStandIn,
    signing_secret: str,
    db_url: str,
    session_factory: sessionmaker[Session],
) -> None:
    replicas = start_replicas(tmp_path, slack_standin, signing_secret, db_url)
    try:
        report_at_once(*replicas)
        stop_gracefully(replicas)
    finally:
        for replica in replicas:
            replica.stop()
    with session_factory() as session:
        [case] = session.scalars(select(Case))
    cards = [m for m in slack_standin.messages("moderators") if f"Case #{case.id}" in m["text"]]
    assert len(cards) == 1, cards
