"""What a banned member still does on Slack: messages posted where the ban could not reach
(the workspace's general channel) are deleted when the enforcement backend can; channels
joined again while a `channels` ban is in force are left again. Both are audited."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.enforcement import (
    DeletesBannedMessages,
    EnforcementBackend,
    RemovesRejoiningMembers,
    Step,
)
from bot.events import MemberMessage
from bot.services.audit import record
from bot.services.context import AppServices
from models import ActionStatus, EnforcementAction, Member
from moderation.ids import ActionLevel

log = logging.getLogger(__name__)

BAN_LEVELS = (ActionLevel.TEMPORARY_BAN, ActionLevel.PERMANENT_BAN)


@dataclass(frozen=True)
class Rejoin:
    """A banned member joined a channel again: their case, and whether they are out again."""

    case_id: int
    removed: bool


#: direct messages are left alone: a banned member still talks to the bot (to appeal) and
#: to people privately, and an admin's token cannot reach other people's DMs anyway
PRIVATE_CONVERSATION_TYPES = frozenset({"im", "mpim"})


def active_ban(session: Session, user_id: str, now: datetime) -> EnforcementAction | None:
    """The member's ban in force now, if any (active, and a temporary one not yet ended)."""
    return session.scalars(
        select(EnforcementAction)
        .join(Member, EnforcementAction.member_id == Member.id)
        .where(
            Member.slack_user_id == user_id,
            EnforcementAction.status == ActionStatus.ACTIVE,
            EnforcementAction.level.in_(BAN_LEVELS),
            or_(EnforcementAction.expires_at.is_(None), EnforcementAction.expires_at > now),
        )
        .order_by(EnforcementAction.decided_at.desc())
        .limit(1)
    ).first()


def delete_if_banned(
    services: AppServices,
    backend: EnforcementBackend,
    message: MemberMessage,
    now: datetime,
) -> bool:
    """Delete `message` when its author is banned and the backend can delete messages.

    True when the message was deleted (the caller does nothing more with it). A failed
    deletion is audited too, and False lets the message go through the usual checks."""
    if not isinstance(backend, DeletesBannedMessages) or not backend.deletes_messages:
        return False
    if message.channel_type in PRIVATE_CONVERSATION_TYPES or message.channel_id.startswith("D"):
        return False
    with services.session_factory() as session:
        ban = active_ban(session, message.user_id, now)
        if ban is None:
            return False
        action_id, case_id = ban.id, ban.case_id
    step = backend.on_banned_member_message(message.channel_id, message.ts, message.user_id, now)
    if step is None:
        return False
    with services.session_factory.begin() as session:
        record(
            session,
            "enforcement.message_deleted" if step.ok else "enforcement.message_delete_failed",
            now,
            case_id=case_id,
            subject=message.user_id,
            action_id=action_id,
            channel=message.channel_id,
            ts=message.ts,
            error=None if step.ok else step.detail,
        )
    _count(services, backend, step, action_id, "banned member's message not deleted")
    return step.ok


def remove_if_banned(
    services: AppServices,
    backend: EnforcementBackend,
    user_id: str,
    channel_id: str,
    now: datetime,
) -> Rejoin | None:
    """Take a banned member out of a channel they just joined, when the backend's bans are
    channel removals. None when there was nothing to do. The step joins the ban's own
    steps, so a failure shows on the case card as something to do by hand."""
    if not isinstance(backend, RemovesRejoiningMembers):
        return None
    with services.session_factory() as session:
        ban = active_ban(session, user_id, now)
        if ban is None:
            return None
        action_id, case_id = ban.id, ban.case_id
    step = backend.on_banned_member_joined(action_id, user_id, channel_id, now)
    with services.session_factory.begin() as session:
        action = session.get(EnforcementAction, action_id)
        if action is not None:
            action.enforcement_steps.append(step.to_json())
        record(
            session,
            "enforcement.rejoin_removed" if step.ok else "enforcement.rejoin_remove_failed",
            now,
            case_id=case_id,
            subject=user_id,
            action_id=action_id,
            channel=channel_id,
            error=None if step.ok else step.detail,
        )
    _count(services, backend, step, action_id, "banned member not removed from a channel")
    return Rejoin(case_id=case_id, removed=step.ok)


def _count(
    services: AppServices, backend: EnforcementBackend, step: Step, action_id: int, failure: str
) -> None:
    services.metrics.failed_steps(backend.name, [step])
    if not step.ok:
        log.warning(failure, extra={"action_id": action_id, "error": step.detail})
