"""The member's Home tab: what it shows about them, and publishing it."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.services.moderator_home import load_moderator_home
from bot.settings import CommunitySettings
from bot.views.home import HomeView, OpenAppeal, Standing, StandingAction, home_view
from models import (
    ActionLevel,
    ActionStatus,
    Appeal,
    AppealStatus,
    EnforcementAction,
    Member,
)

log = logging.getLogger(__name__)

#: Levels that limit what a member may do while they last. A correction is a one-time
#: private note and "no action" is none: neither changes anyone's standing.
STANDING_LEVELS = (ActionLevel.WARNING, ActionLevel.TEMPORARY_BAN, ActionLevel.PERMANENT_BAN)


def load_standing(session: Session, user_id: str, now: datetime) -> Standing:
    """Active actions that have not ended yet (the expiry sweep may lag a little behind),
    and the member's open appeals."""
    member_id = session.scalar(select(Member.id).where(Member.slack_user_id == user_id))
    if member_id is None:
        return Standing()
    actions = session.scalars(
        select(EnforcementAction)
        .where(
            EnforcementAction.member_id == member_id,
            EnforcementAction.status == ActionStatus.ACTIVE,
            EnforcementAction.level.in_(STANDING_LEVELS),
            or_(EnforcementAction.expires_at.is_(None), EnforcementAction.expires_at > now),
        )
        .order_by(EnforcementAction.starts_at)
    ).all()
    appeals = session.execute(
        select(Appeal.filed_at, EnforcementAction.level)
        .join(EnforcementAction, Appeal.action_id == EnforcementAction.id)
        .where(Appeal.member_id == member_id, Appeal.status == AppealStatus.OPEN)
        .order_by(Appeal.filed_at)
    ).all()
    return Standing(
        actions=tuple(
            StandingAction(
                level=a.level,
                starts_at=a.starts_at,
                expires_at=a.expires_at,
                notice=a.notice,
                no_contact_user_ids=tuple(a.no_contact_user_ids or ()),
            )
            for a in actions
        ),
        appeals=tuple(OpenAppeal(level=row.level, filed_at=row.filed_at) for row in appeals),
    )


def publish_home(
    session_factory: sessionmaker[Session],
    client: WebClient,
    community: CommunitySettings,
    user_id: str,
    now: datetime,
    *,
    report_button: bool,
    moderator: bool = False,
) -> bool:
    """`views.publish` the member's Home tab (with the moderators' section when `moderator`).
    False when Slack refused (e.g. `not_enabled`: the Home tab is switched off in the app's
    settings)."""
    with session_factory() as session:
        standing = load_standing(session, user_id, now)
        moderator_home = load_moderator_home(session, now) if moderator else None
    view = HomeView(
        user_id=user_id,
        community_name=community.name,
        guidelines_url=community.guidelines_url,
        standing=standing,
        report_button=report_button,
        moderator=moderator_home,
    )
    try:
        client.views_publish(user_id=user_id, view=home_view(view))
    except SlackApiError as exc:
        log.warning(
            "home tab not published",
            extra={"user_id": user_id, "error": exc.response.get("error")},
        )
        return False
    log.debug("home tab published", extra={"user_id": user_id, "good": standing.good})
    return True
