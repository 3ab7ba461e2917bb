"""Sending a planned nudge, and what the member says back with its two buttons."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import ConductError
from bot.services.audit import record
from bot.services.channels import ChannelDirectory
from bot.services.message_checks import PlannedNudge
from bot.settings import CommunitySettings
from bot.views.nudge import NUDGE_FALLBACK_TEXT, NudgeView, nudge_blocks
from models import Detection, Member, Nudge, NudgeStatus

log = logging.getLogger(__name__)


class NotYourNudge(ConductError):
    user_message = "That note was meant for someone else."


def plugs_channel_reference(directory: ChannelDirectory, community: CommunitySettings) -> str:
    name = community.channels.shameless_plugs
    channel_id = directory.id_of(name)
    return f"<#{channel_id}>" if channel_id else f"#{name}"


def deliver_nudge(
    session_factory: sessionmaker[Session],
    client: WebClient,
    directory: ChannelDirectory,
    community: CommunitySettings,
    planned: PlannedNudge,
) -> bool:
    """Post the ephemeral note; a refusal from Slack marks the nudge failed (the detection
    stays recorded, so the moderators still see what the engine found)."""
    view = NudgeView(
        detection_id=planned.detection_id,
        policy=planned.policy,
        clause=planned.clause,
        guidelines_url=community.guidelines_url,
        plugs_channel=plugs_channel_reference(directory, community),
    )
    try:
        client.chat_postEphemeral(
            channel=planned.channel_id,
            user=planned.user_id,
            text=NUDGE_FALLBACK_TEXT,
            blocks=nudge_blocks(view),
            thread_ts=planned.thread_ts,
        )
    except SlackApiError as exc:
        log.warning(
            "nudge not delivered",
            extra={"nudge_id": planned.nudge_id, "error": exc.response.get("error")},
        )
        with session_factory.begin() as session:
            nudge = session.get(Nudge, planned.nudge_id)
            if nudge is not None:
                nudge.status = NudgeStatus.FAILED
        return False
    return True


def _own_detection(session: Session, detection_id: int, user_id: str) -> Detection:
    detection = session.get(Detection, detection_id)
    member = session.scalar(select(Member).where(Member.slack_user_id == user_id))
    if detection is None or member is None or detection.member_id != member.id:
        raise NotYourNudge(f"detection {detection_id} is not {user_id}'s")
    return detection


def acknowledge_nudge(session: Session, detection_id: int, user_id: str, now: datetime) -> None:
    detection = _own_detection(session, detection_id, user_id)
    nudge = session.scalar(select(Nudge).where(Nudge.detection_id == detection.id))
    if nudge is not None and nudge.acknowledged_at is None:
        nudge.acknowledged_at = now


def report_false_positive(
    session: Session, detection_id: int, user_id: str, now: datetime
) -> int | None:
    """Store the member's "this isn't <rule>" on the detection. Returns its case, if any,
    whose card should be redrawn to show the feedback."""
    detection = _own_detection(session, detection_id, user_id)
    if detection.false_positive_at is None:
        detection.false_positive_at = now
        detection.false_positive_by_id = detection.member_id
        record(
            session,
            "detection.disputed",
            now,
            actor=user_id,
            case_id=detection.case_id,
            subject=user_id,
            detection_id=detection.id,
            policy=detection.policy.value,
        )
    return detection.case_id
