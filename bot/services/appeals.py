"""Appeals: a member asks the moderators to look again; a moderator who did not make the
decision upholds or overturns it. Database only; Slack effects are in the listener."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.errors import ConductError
from bot.services.audit import record
from bot.services.case_work import load_case, recusal_reason
from bot.services.members import find_member
from models import ActionStatus, Appeal, AppealStatus, EnforcementAction
from moderation.ids import ActionLevel

MAX_APPEAL = 3000


class AppealRefused(ConductError):
    """The member cannot appeal this action now; the message says why, kindly."""


class AppealDecisionRefused(ConductError):
    """A moderator may not decide this appeal; the message says why."""


def _action(session: Session, action_id: int) -> EnforcementAction:
    action = session.scalar(
        select(EnforcementAction)
        .where(EnforcementAction.id == action_id)
        .options(
            selectinload(EnforcementAction.member),
            selectinload(EnforcementAction.decided_by),
            selectinload(EnforcementAction.appeals),
        )
    )
    if action is None:
        raise AppealRefused(
            f"action {action_id}", user_message="We couldn't find that decision any more."
        )
    return action


def check_can_appeal(
    session: Session, action_id: int, user_id: str, window: timedelta, now: datetime
) -> EnforcementAction:
    action = _action(session, action_id)
    if action.member.slack_user_id != user_id:
        raise AppealRefused(
            f"{user_id} is not the subject of action {action_id}",
            user_message="Only the member a decision is about can appeal it.",
        )
    if action.level is ActionLevel.NO_ACTION or action.status is ActionStatus.OVERTURNED:
        raise AppealRefused(
            f"action {action_id} not appealable",
            user_message="This decision has already been withdrawn; there is nothing to appeal.",
        )
    if any(a.status is AppealStatus.OPEN for a in action.appeals):
        raise AppealRefused(
            f"action {action_id} has an open appeal",
            user_message="Your appeal is already with the moderators. We'll write to you here "
            "as soon as it has been reviewed.",
        )
    if any(a.status is not AppealStatus.OPEN for a in action.appeals):
        raise AppealRefused(
            f"action {action_id} already appealed",
            user_message="This decision has already been reviewed on appeal. If something new "
            "has come up, you can write to the moderators with /report.",
        )
    if now > action.decided_at + window:
        days = window.days
        raise AppealRefused(
            f"appeal window closed for action {action_id}",
            user_message=f"Appeals are open for {days} days after a decision, and this one was "
            f"made on {action.decided_at:%d %B %Y}. If something new has come up, you can "
            "still write to the moderators with /report.",
        )
    return action


@dataclass(frozen=True)
class FiledAppeal:
    appeal_id: int
    action_id: int
    case_id: int
    member_user_id: str


def file_appeal(
    session: Session,
    action_id: int,
    user_id: str,
    text: str,
    window: timedelta,
    now: datetime,
) -> FiledAppeal:
    action = check_can_appeal(session, action_id, user_id, window, now)
    appeal = Appeal(
        action_id=action.id,
        member_id=action.member_id,
        text=text[:MAX_APPEAL],
        status=AppealStatus.OPEN,
        filed_at=now,
    )
    try:
        with session.begin_nested():
            session.add(appeal)
    except IntegrityError:
        # The partial unique index: a second submission raced the first one.
        raise AppealRefused(
            f"action {action_id} has an open appeal",
            user_message="Your appeal is already with the moderators.",
        ) from None
    record(
        session,
        "appeal.filed",
        now,
        actor=user_id,
        case_id=action.case_id,
        subject=user_id,
        appeal_id=appeal.id,
        action_id=action.id,
    )
    return FiledAppeal(appeal.id, action.id, action.case_id, user_id)


def load_appeal(session: Session, appeal_id: int) -> Appeal:
    appeal = session.scalar(
        select(Appeal)
        .where(Appeal.id == appeal_id)
        .options(
            selectinload(Appeal.member),
            selectinload(Appeal.decided_by),
            selectinload(Appeal.action).selectinload(EnforcementAction.decided_by),
        )
    )
    if appeal is None:
        raise AppealDecisionRefused(f"appeal {appeal_id}", user_message="That appeal is gone.")
    return appeal


def check_can_decide(session: Session, appeal: Appeal, user_id: str, now: datetime) -> None:
    """A fresh pair of eyes: not the moderator who decided, not anyone involved."""
    if appeal.status is not AppealStatus.OPEN:
        by = f"<@{appeal.decided_by.slack_user_id}>" if appeal.decided_by else "a moderator"
        when = f"{appeal.decided_at:%Y-%m-%d %H:%M} UTC" if appeal.decided_at else "earlier"
        raise AppealDecisionRefused(
            f"appeal {appeal.id} closed",
            user_message=f"This appeal was already {appeal.status.value} by {by} at {when}.",
        )
    reason: str | None = None
    if appeal.action.decided_by.slack_user_id == user_id:
        reason = "you made the original decision, so another moderator reviews the appeal"
    else:
        involvement = recusal_reason(load_case(session, appeal.action.case_id), user_id)
        if involvement is not None:
            reason = f"you {involvement}"
    if reason is not None:
        record(
            session,
            "auth.recused",
            now,
            actor=user_id,
            case_id=appeal.action.case_id,
            appeal_id=appeal.id,
        )
        session.commit()
        raise AppealDecisionRefused(
            f"{user_id} may not decide appeal {appeal.id}",
            user_message=f"You can't decide this appeal: {reason}.",
        )


@dataclass(frozen=True)
class AppealOutcome:
    appeal_id: int
    action_id: int
    case_id: int
    member_user_id: str
    overturned: bool
    level: ActionLevel
    was_active_ban: bool


def decide_appeal(
    session: Session,
    appeal_id: int,
    user_id: str,
    *,
    overturn: bool,
    note: str,
    now: datetime,
) -> AppealOutcome:
    appeal = load_appeal(session, appeal_id)
    check_can_decide(session, appeal, user_id, now)
    moderator = find_member(session, user_id)
    action = appeal.action
    # Claimed with a conditional UPDATE: of two moderators deciding at once, one matches.
    claimed = session.execute(
        update(Appeal)
        .where(Appeal.id == appeal.id, Appeal.status == AppealStatus.OPEN)
        .values(
            status=AppealStatus.OVERTURNED if overturn else AppealStatus.UPHELD,
            decided_at=now,
            decided_by_id=moderator.id if moderator else None,
            decision_note=note or None,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        check_can_decide(session, load_appeal(session, appeal_id), user_id, now)
        raise AppealDecisionRefused(f"appeal {appeal_id} changed")
    was_active_ban = action.status is ActionStatus.ACTIVE and action.level in (
        ActionLevel.TEMPORARY_BAN,
        ActionLevel.PERMANENT_BAN,
    )
    if overturn:
        # Ending the action is what "overturned" means: a ban is lifted, and it stops
        # counting on the ladder (moderation.ladder.counted skips overturned actions).
        action.status = ActionStatus.OVERTURNED
        action.lifted_at = now
        action.lifted_by_id = moderator.id if moderator else None
        if was_active_ban:
            # Claimed for lifting like an expiry (bot/services/expiry.py), so a crash before
            # the lift is done on Slack is finished by the sweep.
            action.lift_started_at = now
    record(
        session,
        "appeal.overturned" if overturn else "appeal.upheld",
        now,
        actor=user_id,
        case_id=action.case_id,
        subject=appeal.member.slack_user_id,
        appeal_id=appeal.id,
        action_id=action.id,
    )
    return AppealOutcome(
        appeal_id=appeal.id,
        action_id=action.id,
        case_id=action.case_id,
        member_user_id=appeal.member.slack_user_id,
        overturned=overturn,
        level=action.level,
        was_active_ban=was_active_ban,
    )
