"""A temporary ban written straight to the database, as a decision on the `channels` backend
leaves it: the resolved case, the active action and one RemovedMembership per channel. For
tests and benches of what happens when bans end (several replicas, many bans at once)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from models import (
    ActionStatus,
    Case,
    CaseStatus,
    EnforcementAction,
    Member,
    RemovedMembership,
)
from moderation.ids import ActionLevel
from tests.slack_standin import SlackStandIn


def add_moderator(session: Session) -> Member:
    moderator = Member(slack_user_id="U0ADA", team_id="T0CONDUCT", real_name="Ada")
    session.add(moderator)
    session.flush()
    return moderator


def add_banned_member(
    session: Session,
    standin: SlackStandIn,
    *,
    user_id: str,
    real_name: str,
    moderator: Member,
    decided_at: datetime,
    ends_at: datetime,
    channels: Iterable[str],
) -> int:
    """The member (already known to `standin`) under a temporary ban from `decided_at` to
    `ends_at` that removed them from `channels` (names); returns the action's id."""
    member = Member(slack_user_id=user_id, team_id="T0CONDUCT", real_name=real_name)
    session.add(member)
    session.flush()
    case = Case(subject_id=member.id, status=CaseStatus.RESOLVED, opened_at=decided_at)
    session.add(case)
    session.flush()
    action = EnforcementAction(
        case_id=case.id,
        member_id=member.id,
        level=ActionLevel.TEMPORARY_BAN,
        status=ActionStatus.ACTIVE,
        reason="r",
        notice="n",
        starts_at=decided_at,
        expires_at=ends_at,
        decided_by_id=moderator.id,
        decided_at=decided_at,
        backend="channels",
    )
    session.add(action)
    session.flush()
    for name in channels:
        session.add(
            RemovedMembership(
                action_id=action.id,
                member_id=member.id,
                channel_id=standin.channel_id(name),
                removed_at=decided_at,
            )
        )
    return int(action.id)
