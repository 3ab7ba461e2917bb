"""Real-name onboarding: "Required to use your name - no anonymous participants or
organizations only".

A member's profile names are checked (the `anonymous_account` policy) when they join, when
their profile changes, on their first message, and by a periodic sweep over everyone. Who
needs to fix their name gets one kind direct message, ever; who then fixes it gets one
thank-you. Where each member stands is `Member.name_check_status`:

    (none) --check--> ok | needs_fix --DM claimed--> dm_sent --names pass--> fixed

Sending is claimed first with a conditional UPDATE (``name_dm_sent_at IS NULL`` for the
request, ``name_check_status = 'dm_sent'`` for the thank-you) and sent only by whoever's
UPDATE changed the row, so replicas, retried events and a sweep racing an event cannot send
twice. A member who fixed their name and later breaks it again is recorded as needs_fix but
not written to again: they have had the note.

In shadow mode the status is recorded and nothing is sent.

Names never reach the logs (user ids only); they are shown back only to their owner, in the
DM, escaped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.events import SLACKBOT_USER_ID
from bot.services.audit import record
from bot.services.direct_messages import send_direct_message
from bot.services.members import Profile, upsert_member
from bot.settings import CommunitySettings, Settings
from bot.views.names import (
    NAME_FIX_FALLBACK_TEXT,
    NAME_THANKS_TEXT,
    NameFixView,
    name_fix_blocks,
    name_thanks_blocks,
)
from models import Member, NameCheckStatus
from moderation.engine import Engine
from moderation.ids import Mode, PolicyId, Response
from moderation.message import Account

if TYPE_CHECKING:
    from bot.services.context import AppServices

log = logging.getLogger(__name__)

#: users.list is Tier 2 (20+ requests a minute, shared/slack-notes.md §11): a pause of 3 s
#: between pages keeps a sweep inside it; a 429 is still waited out by the client's
#: RateLimitErrorRetryHandler.
SWEEP_PAGE_SIZE = 200
SWEEP_PAUSE_SECONDS = 3.0

_NUDGING = frozenset({Response.NUDGE, Response.NUDGE_FLAG})


class SkipReason(StrEnum):
    BOT = "bot"
    SLACKBOT = "slackbot"
    DELETED = "deleted"
    EXEMPT = "exempt"


class NextStep(StrEnum):
    NOTHING = "nothing"
    ASK_TO_FIX = "ask_to_fix"
    THANK = "thank"


class Sent(StrEnum):
    FIX_REQUEST = "fix_request"
    THANK_YOU = "thank_you"


@dataclass(frozen=True)
class NameDecision:
    status: NameCheckStatus
    """The status the member ends with once `step` is done (or would be, in shadow mode)."""
    step: NextStep


@dataclass(frozen=True)
class NameCheckResult:
    user_id: str
    status: NameCheckStatus | None
    """As recorded after the check; None when the member was skipped."""
    skipped: SkipReason | None = None
    sent: Sent | None = None
    dm_failed: bool = False


def skip_reason(profile: Profile, community: CommunitySettings) -> SkipReason | None:
    """Accounts the rule is not about.

    Guests (`is_restricted`, `is_ultra_restricted`) are checked like everyone else: the rule
    asks *participants* to use their name, and a guest posts in channels beside members just
    the same; they can edit their own profile, so the note is as useful to them.
    """
    if profile.user_id == SLACKBOT_USER_ID:
        return SkipReason.SLACKBOT
    if profile.is_bot:
        return SkipReason.BOT
    if profile.is_deleted:
        return SkipReason.DELETED
    if profile.user_id in community.nudges.exempt_user_ids.get(PolicyId.ANONYMOUS_ACCOUNT, ()):
        return SkipReason.EXEMPT
    return None


def names_need_fix(engine: Engine, profile: Profile) -> bool:
    """True when the anonymous_account policy would nudge about these names."""
    verdict = engine.check_account(
        Account(profile.real_name, profile.display_name or "", id=profile.user_id)
    )
    finding = verdict.finding(PolicyId.ANONYMOUS_ACCOUNT)
    return finding is not None and finding.response in _NUDGING


def decide(current: NameCheckStatus | None, dm_sent: bool, needs_fix: bool) -> NameDecision:
    """What to record and whether to write, from where the member stood and the new check."""
    if needs_fix:
        if not dm_sent:
            return NameDecision(NameCheckStatus.NEEDS_FIX, NextStep.ASK_TO_FIX)
        if current is NameCheckStatus.DM_SENT:
            return NameDecision(NameCheckStatus.DM_SENT, NextStep.NOTHING)
        # They fixed it once and changed it back: recorded, but we don't write twice.
        return NameDecision(NameCheckStatus.NEEDS_FIX, NextStep.NOTHING)
    if current is NameCheckStatus.DM_SENT:
        return NameDecision(NameCheckStatus.FIXED, NextStep.THANK)
    if current is NameCheckStatus.FIXED:
        return NameDecision(NameCheckStatus.FIXED, NextStep.NOTHING)
    return NameDecision(NameCheckStatus.OK, NextStep.NOTHING)


# --------------------------------------------------------------------------- the check


def check_member_names(
    services: AppServices, community: CommunitySettings, profile: Profile, now: datetime
) -> NameCheckResult:
    """Record `profile` (fresh from Slack) and run the real-name check on it."""
    with services.session_factory.begin() as session:
        upsert_member(session, profile, now)
    return _check(services, community, profile, now)


def check_names_on_first_message(
    services: AppServices, settings: Settings, user_id: str, now: datetime
) -> NameCheckResult | None:
    """After a member's message: check their names if they have never been checked (they
    joined before the bot, and no sweep has reached them yet). Cheap when they have been:
    one indexed read."""
    if not settings.community.onboarding.enabled:
        return None
    with services.session_factory() as session:
        member = session.scalar(select(Member).where(Member.slack_user_id == user_id))
    if member is None or member.name_check_status is not None:
        return None
    profile = Profile(
        user_id=member.slack_user_id,
        team_id=member.team_id,
        real_name=member.real_name,
        display_name=member.display_name,
        is_bot=member.is_bot,
        is_deleted=member.is_deleted,
    )
    try:
        return _check(services, settings.community, profile, now)
    except SlackApiError as exc:  # never let the name check spoil message handling
        log.warning(
            "name check failed", extra={"user_id": user_id, "error": exc.response.get("error")}
        )
        return None


def _check(
    services: AppServices, community: CommunitySettings, profile: Profile, now: datetime
) -> NameCheckResult:
    session_factory = services.session_factory
    user_id = profile.user_id
    skipped = skip_reason(profile, community)
    if skipped is SkipReason.EXEMPT:
        _record_status(session_factory, user_id, NameCheckStatus.OK, now)
        return NameCheckResult(user_id, NameCheckStatus.OK, skipped=skipped)
    if skipped is not None:
        return NameCheckResult(user_id, None, skipped=skipped)

    needs_fix = names_need_fix(services.engine, profile)
    with session_factory.begin() as session:
        row = session.execute(
            select(Member.name_check_status, Member.name_dm_sent_at)
            .where(Member.slack_user_id == user_id)
            .with_for_update()
        ).one()
        decision = decide(row.name_check_status, row.name_dm_sent_at is not None, needs_fix)
        # A thank-you's status change is its claim (below), so it is not written here.
        if decision.step is not NextStep.THANK:
            _set(session, user_id, now, name_check_status=decision.status, name_checked_at=now)

    shadow = community.mode is Mode.SHADOW
    if decision.step is NextStep.ASK_TO_FIX and not shadow:
        return _ask_to_fix(services, community, profile, now)
    if decision.step is NextStep.THANK:
        return _thank(session_factory, services.client, user_id, now, send=not shadow)
    if decision.step is NextStep.ASK_TO_FIX:
        log.info("name needs fixing (shadow mode: no message)", extra={"user_id": user_id})
    return NameCheckResult(user_id, decision.status)


def _set(session: Session, user_id: str, now: datetime, *conditions: Any, **values: Any) -> int:
    """One conditional UPDATE on the member's row; returns how many rows it changed.

    `updated_at` is kept as it is: it says when the *profile* was last read from Slack
    (bot.services.members.ensure_member), and the column's onupdate would move it."""
    result = session.execute(
        update(Member)
        .where(Member.slack_user_id == user_id, *conditions)
        .values(updated_at=Member.updated_at, **values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _record_status(
    session_factory: sessionmaker[Session], user_id: str, status: NameCheckStatus, now: datetime
) -> None:
    with session_factory.begin() as session:
        _set(session, user_id, now, name_check_status=status, name_checked_at=now)


def _ask_to_fix(
    services: AppServices, community: CommunitySettings, profile: Profile, now: datetime
) -> NameCheckResult:
    session_factory, client = services.session_factory, services.client
    user_id = profile.user_id
    with session_factory.begin() as session:
        claimed = _set(
            session,
            user_id,
            now,
            Member.name_dm_sent_at.is_(None),
            Member.name_check_status == NameCheckStatus.NEEDS_FIX,
            name_dm_sent_at=now,
            name_check_status=NameCheckStatus.DM_SENT,
        )
    if not claimed:
        log.info("name note already claimed elsewhere", extra={"user_id": user_id})
        return NameCheckResult(user_id, NameCheckStatus.DM_SENT)
    view = NameFixView(
        community_name=community.name,
        guidelines_url=community.guidelines_url,
        shown_name=profile.display_name or profile.real_name,
        profile_url=services.lookups.workspace.profile_url(),
    )
    try:
        send_direct_message(client, user_id, NAME_FIX_FALLBACK_TEXT, name_fix_blocks(view))
    except SlackApiError as exc:
        # Slack refused, so nothing was sent: give the claim back for a later check to retry.
        # (Any other failure, a timeout say, may have delivered it: the claim stays.)
        log.warning(
            "name note not delivered",
            extra={"user_id": user_id, "error": exc.response.get("error")},
        )
        with session_factory.begin() as session:
            _set(
                session,
                user_id,
                now,
                Member.name_dm_sent_at == now,
                Member.name_check_status == NameCheckStatus.DM_SENT,
                name_dm_sent_at=None,
                name_check_status=NameCheckStatus.NEEDS_FIX,
            )
        return NameCheckResult(user_id, NameCheckStatus.NEEDS_FIX, dm_failed=True)
    with session_factory.begin() as session:
        record(session, "member.name_note_sent", now, subject=user_id)
    log.info("name note sent", extra={"user_id": user_id})
    return NameCheckResult(user_id, NameCheckStatus.DM_SENT, sent=Sent.FIX_REQUEST)


def _thank(
    session_factory: sessionmaker[Session],
    client: WebClient,
    user_id: str,
    now: datetime,
    *,
    send: bool,
) -> NameCheckResult:
    with session_factory.begin() as session:
        claimed = _set(
            session,
            user_id,
            now,
            Member.name_check_status == NameCheckStatus.DM_SENT,
            name_check_status=NameCheckStatus.FIXED,
            name_checked_at=now,
        )
        if claimed:
            record(session, "member.name_fixed", now, subject=user_id)
    if not claimed or not send:
        return NameCheckResult(user_id, NameCheckStatus.FIXED)
    try:
        send_direct_message(client, user_id, NAME_THANKS_TEXT, name_thanks_blocks())
    except SlackApiError as exc:
        log.warning(
            "name thank-you not delivered",
            extra={"user_id": user_id, "error": exc.response.get("error")},
        )
        return NameCheckResult(user_id, NameCheckStatus.FIXED, dm_failed=True)
    log.info("name thank-you sent", extra={"user_id": user_id})
    return NameCheckResult(user_id, NameCheckStatus.FIXED, sent=Sent.THANK_YOU)


# --------------------------------------------------------------------------- the sweep


@dataclass
class SweepCounts:
    pages: int = 0
    members: int = 0
    checked: int = 0
    skipped: int = 0
    needs_fix: int = 0
    notes_sent: int = 0
    thanks_sent: int = 0
    failed: int = 0
    complete: bool = False
    """False when Slack stopped answering before the last page."""


def sweep_member_names(
    services: AppServices,
    community: CommunitySettings,
    *,
    page_size: int = SWEEP_PAGE_SIZE,
    pause_seconds: float = SWEEP_PAUSE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> SweepCounts:
    """Every member in `users.list`, page by page: record their profile and check their
    names. Members who joined before the bot (no team_join seen) are found this way."""
    counts = SweepCounts()
    cursor: str | None = None
    while True:
        if counts.pages:
            sleep(pause_seconds)
        try:
            response = services.client.users_list(limit=page_size, cursor=cursor)
        except SlackApiError as exc:
            log.warning(
                "name sweep stopped: users.list failed",
                extra={"error": exc.response.get("error"), "pages": counts.pages},
            )
            return counts
        counts.pages += 1
        for user in response.get("members") or []:
            if isinstance(user, Mapping) and user.get("id"):
                _sweep_one(services, community, user, counts)
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            counts.complete = True
            log.info("name sweep finished", extra=vars(counts))
            return counts


def _sweep_one(
    services: AppServices,
    community: CommunitySettings,
    user: Mapping[str, Any],
    counts: SweepCounts,
) -> None:
    counts.members += 1
    profile = Profile.from_user_object(user)
    result = check_member_names(services, community, profile, services.clock.now())
    if result.skipped is not None:
        counts.skipped += 1
        return
    counts.checked += 1
    if result.status in (NameCheckStatus.NEEDS_FIX, NameCheckStatus.DM_SENT):
        counts.needs_fix += 1
    if result.sent is Sent.FIX_REQUEST:
        counts.notes_sent += 1
    elif result.sent is Sent.THANK_YOU:
        counts.thanks_sent += 1
    if result.dm_failed:
        counts.failed += 1
