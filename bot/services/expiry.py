"""Ending temporary bans on time, once, whatever the number of replicas or restarts.

The database is the truth. Lifting has two steps with a commit between them:
1. **claim**: one conditional UPDATE (`… WHERE status = 'active' AND expires_at <= now`)
   turns the ban into `expired` and stamps `lift_started_at`; of several replicas racing,
   exactly one sees a row count of 1. The AuditEvent is written in the same transaction.
2. **finish**: undo on Slack what the backend did, tell the member, redraw the card, stamp
   `lift_finished_at`. A process killed between the two leaves a started, unfinished lift;
   after `lift_lease_seconds` another attempt re-claims it (again with a conditional
   UPDATE) and finishes it. Backends' lifts are idempotent, so finishing twice is harmless.

A lift never undoes a later decision: when the member has another active ban, nothing is
restored; what this ban took away is handed over to the later ban instead.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.enforcement import EnforcementBackend
from bot.services.audit import record
from bot.services.case_cards import redraw_case_card
from bot.services.context import AppServices
from bot.services.decision_effects import carry_out_lift
from bot.services.direct_messages import send_and_record
from bot.settings import CommunitySettings
from bot.views.notices import ban_ended_text
from models import ActionStatus, EnforcementAction, Member, RemovedMembership
from moderation.ids import ActionLevel

if TYPE_CHECKING:
    from bot.observability import Metrics

log = logging.getLogger(__name__)

BANS = (ActionLevel.TEMPORARY_BAN, ActionLevel.PERMANENT_BAN)


@dataclass(frozen=True)
class LiftCounts:
    lifted: int = 0
    finished_after_interruption: int = 0


def due_bans(session: Session, now: datetime, limit: int | None = None) -> list[int]:
    return list(
        session.scalars(
            select(EnforcementAction.id)
            .where(
                EnforcementAction.status == ActionStatus.ACTIVE,
                EnforcementAction.level == ActionLevel.TEMPORARY_BAN,
                EnforcementAction.expires_at <= now,
            )
            .order_by(EnforcementAction.expires_at, EnforcementAction.id)
            .limit(limit)
        )
    )


def stalled_lifts(session: Session, now: datetime, lease: timedelta) -> list[int]:
    return list(
        session.scalars(
            select(EnforcementAction.id).where(
                EnforcementAction.lift_started_at.is_not(None),
                EnforcementAction.lift_finished_at.is_(None),
                EnforcementAction.lift_started_at <= now - lease,
            )
        )
    )


def active_temporary_bans(session: Session) -> list[tuple[int, datetime]]:
    """(action id, end) of every ban a timer should exist for."""
    rows = session.execute(
        select(EnforcementAction.id, EnforcementAction.expires_at).where(
            EnforcementAction.status == ActionStatus.ACTIVE,
            EnforcementAction.level == ActionLevel.TEMPORARY_BAN,
            EnforcementAction.expires_at.is_not(None),
        )
    )
    return [(action_id, expires_at) for action_id, expires_at in rows if expires_at is not None]


def claim_expiry(
    session: Session, action_id: int, now: datetime, metrics: Metrics | None = None
) -> bool:
    """Mark one ended ban expired, if nobody has; True for the one caller that did."""
    claimed = session.execute(
        update(EnforcementAction)
        .where(
            EnforcementAction.id == action_id,
            EnforcementAction.status == ActionStatus.ACTIVE,
            EnforcementAction.level == ActionLevel.TEMPORARY_BAN,
            EnforcementAction.expires_at <= now,
        )
        .values(status=ActionStatus.EXPIRED, lifted_at=now, lift_started_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    action = session.get(EnforcementAction, action_id)
    assert action is not None
    member = session.get(Member, action.member_id)
    if metrics is not None and action.expires_at is not None:
        metrics.lift_delay.observe((now - action.expires_at).total_seconds())
    record(
        session,
        "action.expired",
        now,
        case_id=action.case_id,
        subject=member.slack_user_id if member else None,
        action_id=action_id,
        delay_seconds=round((now - action.expires_at).total_seconds(), 3)
        if action.expires_at
        else None,
    )
    return True


def claim_due_bans(session: Session, now: datetime, metrics: Metrics | None = None) -> list[int]:
    """Claim every ended ban still active in one statement (UPDATE … RETURNING): under
    concurrent sweeps each row goes to exactly one of them, and a burst of expiries ends in
    one round trip rather than one per ban."""
    rows = session.execute(
        update(EnforcementAction)
        .where(
            EnforcementAction.status == ActionStatus.ACTIVE,
            EnforcementAction.level == ActionLevel.TEMPORARY_BAN,
            EnforcementAction.expires_at <= now,
        )
        .values(status=ActionStatus.EXPIRED, lifted_at=now, lift_started_at=now)
        .returning(
            EnforcementAction.id,
            EnforcementAction.case_id,
            EnforcementAction.member_id,
            EnforcementAction.expires_at,
        )
        .execution_options(synchronize_session=False)
    ).all()
    if not rows:
        return []
    # (a Result has .keys(), so dict() would take it for a mapping)
    members = {
        member_id: slack_id
        for member_id, slack_id in session.execute(
            select(Member.id, Member.slack_user_id).where(
                Member.id.in_({row.member_id for row in rows})
            )
        )
    }
    for row in rows:
        if metrics is not None:
            metrics.lift_delay.observe((now - row.expires_at).total_seconds())
        record(
            session,
            "action.expired",
            now,
            case_id=row.case_id,
            subject=members.get(row.member_id),
            action_id=row.id,
            delay_seconds=round((now - row.expires_at).total_seconds(), 3),
        )
    return sorted(row.id for row in rows)


def claim_stalled(session: Session, action_id: int, now: datetime, lease: timedelta) -> bool:
    claimed = session.execute(
        update(EnforcementAction)
        .where(
            EnforcementAction.id == action_id,
            EnforcementAction.lift_finished_at.is_(None),
            EnforcementAction.lift_started_at <= now - lease,
        )
        .values(lift_started_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


def later_ban(session: Session, action: EnforcementAction) -> EnforcementAction | None:
    """Another ban in force for the same member, which this lift must not undo."""
    return session.scalar(
        select(EnforcementAction)
        .where(
            EnforcementAction.member_id == action.member_id,
            EnforcementAction.id != action.id,
            EnforcementAction.status == ActionStatus.ACTIVE,
            EnforcementAction.level.in_(BANS),
        )
        .order_by(EnforcementAction.decided_at.desc())
    )


def finish_lift(
    services: AppServices,
    backend: EnforcementBackend,
    community: CommunitySettings,
    action_id: int,
    *,
    tell_member: bool = True,
) -> None:
    """Undo the ban on Slack (unless a later ban is in force), tell the member, redraw the
    card, and mark the lift finished. Safe to run again on a half-finished lift."""
    now = services.clock.now()
    with services.session_factory.begin() as session:
        action = session.get(EnforcementAction, action_id)
        if action is None or action.lift_finished_at is not None:
            return
        case_id = action.case_id
        member = session.get(Member, action.member_id)
        member_id = member.slack_user_id if member else None
        successor = later_ban(session, action)
        if successor is not None:
            # What this ban took away stays away, now on the later ban's account.
            session.execute(
                update(RemovedMembership)
                .where(
                    RemovedMembership.action_id == action.id,
                    RemovedMembership.restored_at.is_(None),
                )
                .values(action_id=successor.id)
                .execution_options(synchronize_session=False)
            )
            record(
                session,
                "enforcement.lift_superseded",
                now,
                case_id=case_id,
                subject=member_id,
                action_id=action.id,
                superseded_by=successor.id,
            )
    if successor is None:
        carry_out_lift(services, backend, action_id)
        if tell_member and member_id:
            _tell_member(services, member_id, case_id, action_id)
    with services.session_factory.begin() as session:
        session.execute(
            update(EnforcementAction)
            .where(EnforcementAction.id == action_id, EnforcementAction.lift_finished_at.is_(None))
            .values(lift_finished_at=services.clock.now())
            .execution_options(synchronize_session=False)
        )
    redraw_case_card(services, community.channels.moderators, case_id)


def _tell_member(services: AppServices, user_id: str, case_id: int, action_id: int) -> None:
    send_and_record(
        services,
        user_id,
        ban_ended_text(),
        sent="ban.end_notice_sent",
        failed="ban.end_notice_failed",
        case_id=case_id,
        action_id=action_id,
    )


def lift_if_due(
    services: AppServices,
    backend: EnforcementBackend,
    community: CommunitySettings,
    action_id: int,
) -> bool:
    """The per-ban timer's job: lift this ban if it has ended and nobody else has."""
    with services.session_factory.begin() as session:
        claimed = claim_expiry(session, action_id, services.clock.now(), services.metrics)
    if claimed:
        finish_lift(services, backend, community, action_id)
    return claimed


#: Lifts finished at once in one process (Slack calls dominate; tier-3 methods allow 50+/min).
FINISH_THREADS = 4


def lift_due_bans(
    services: AppServices,
    backend: EnforcementBackend,
    community: CommunitySettings,
    lease: timedelta,
) -> LiftCounts:
    """The sweep: every ended ban still active, and every lift whose process died.

    Ended bans are claimed together, then finished on a few threads: the claim ends the bans
    in the database close to their end even when restoring them on Slack takes a while (and
    Slack's per-workspace rate limits bound that however many replicas share the work).
    """
    with services.session_factory.begin() as session:
        claimed = claim_due_bans(session, services.clock.now(), services.metrics)
    if claimed:
        with ThreadPoolExecutor(max_workers=FINISH_THREADS, thread_name_prefix="lift") as pool:
            for future in [
                pool.submit(finish_lift, services, backend, community, action_id)
                for action_id in claimed
            ]:
                future.result()
    lifted = len(claimed)
    finished = 0
    with services.session_factory() as session:
        stalled = stalled_lifts(session, services.clock.now(), lease)
    for action_id in stalled:
        with services.session_factory.begin() as session:
            claimed_again = claim_stalled(session, action_id, services.clock.now(), lease)
        if claimed_again:
            log.warning("finishing an interrupted lift", extra={"action_id": action_id})
            finish_lift(services, backend, community, action_id)
            finished += 1
    return LiftCounts(lifted=lifted, finished_after_interruption=finished)
