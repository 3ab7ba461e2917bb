"""Keeping our record of a member in step with their Slack profile."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Member

log = logging.getLogger(__name__)

PROFILE_MAX_AGE = timedelta(hours=12)


@dataclass(frozen=True)
class Profile:
    """The parts of a Slack user object the bot relies on."""

    user_id: str
    team_id: str
    real_name: str
    display_name: str | None
    is_bot: bool
    is_deleted: bool

    @classmethod
    def from_user_object(cls, user: Mapping[str, Any]) -> Profile:
        # Shape: https://api.slack.com/types/user (shared/slack-notes.md §3).
        profile = user.get("profile") or {}
        return cls(
            user_id=str(user["id"]),
            team_id=str(user.get("team_id") or ""),
            real_name=str(profile.get("real_name") or user.get("real_name") or ""),
            display_name=profile.get("display_name") or None,
            is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
            is_deleted=bool(user.get("deleted")),
        )


def find_member(session: Session, user_id: str) -> Member | None:
    return session.scalar(select(Member).where(Member.slack_user_id == user_id))


def upsert_member(session: Session, profile: Profile, now: datetime) -> Member:
    member = find_member(session, profile.user_id)
    if member is None:
        member = Member(slack_user_id=profile.user_id, first_seen_at=now)
        _apply(member, profile, now)
        try:
            with session.begin_nested():
                session.add(member)
            return member
        except IntegrityError:
            # Another thread or replica recorded this member a moment ago.
            member = find_member(session, profile.user_id)
            if member is None:
                raise
    _apply(member, profile, now)
    return member


def _apply(member: Member, profile: Profile, now: datetime) -> None:
    member.team_id = profile.team_id
    member.real_name = profile.real_name
    member.display_name = profile.display_name
    member.is_bot = profile.is_bot
    member.is_deleted = profile.is_deleted
    member.updated_at = now


def fetch_profile(client: WebClient, user_id: str) -> Profile | None:
    try:
        response = client.users_info(user=user_id)
    except SlackApiError as exc:
        log.warning(
            "users.info failed", extra={"user_id": user_id, "error": exc.response.get("error")}
        )
        return None
    user = response.get("user")
    return Profile.from_user_object(user) if isinstance(user, Mapping) else None


def ensure_member(
    session: Session,
    client: WebClient,
    user_id: str,
    now: datetime,
    *,
    max_age: timedelta = PROFILE_MAX_AGE,
) -> Member | None:
    """The member's record, refreshed from Slack when unknown or older than `max_age`.

    When Slack cannot tell us who it is, the stored record (if any) is still returned, so a
    Slack hiccup never stops a message from being checked.
    """
    member = find_member(session, user_id)
    if member is not None and member.updated_at >= now - max_age:
        return member
    profile = fetch_profile(client, user_id)
    if profile is None:
        return member
    return upsert_member(session, profile, now)
