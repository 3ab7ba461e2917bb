"""Posting a case's card to the moderators' channel, and redrawing it when the case changes."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.enforcement.base import outstanding_failures
from bot.services.case_work import recused_moderators, suggested_step
from bot.services.channels import ChannelDirectory
from bot.services.context import AppServices
from bot.services.moderators import ModeratorDirectory
from bot.views.case_card import (
    CaseCard,
    DecisionEntry,
    DetectionEntry,
    MemberHistory,
    NoteEntry,
    PastAction,
    ReportEntry,
    case_card_blocks,
    fallback_text,
)
from models import Case, CaseStatus, Detection, EnforcementAction, Nudge, Report

log = logging.getLogger(__name__)


def load_case_card(session: Session, case_id: int) -> Case | None:
    return session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(
            selectinload(Case.subject),
            selectinload(Case.assignee),
            selectinload(Case.detections).selectinload(Detection.nudge),
            selectinload(Case.reports).selectinload(Report.reporter),
            selectinload(Case.reports).selectinload(Report.subjects),
            selectinload(Case.notes),
            selectinload(Case.actions).selectinload(EnforcementAction.decided_by),
        )
    )


def member_history(session: Session, case: Case) -> MemberHistory:
    """Everything about the member from before or outside this case."""
    actions = session.scalars(
        select(EnforcementAction)
        .where(EnforcementAction.member_id == case.subject_id, EnforcementAction.case_id != case.id)
        .order_by(EnforcementAction.decided_at)
    )
    nudges = list(
        session.execute(
            select(Nudge.id, Detection.false_positive_at)
            .join(Detection, Detection.id == Nudge.detection_id)
            .where(
                Nudge.member_id == case.subject_id,
                or_(Detection.case_id.is_(None), Detection.case_id != case.id),
            )
        )
    )
    return MemberHistory(
        actions=tuple(PastAction(a.level, a.decided_at, a.status) for a in actions),
        nudges=len(nudges),
        disputed_nudges=sum(1 for _, disputed in nudges if disputed is not None),
    )


def _permalink(client: WebClient, detection: Detection) -> str | None:
    try:
        answer = client.chat_getPermalink(
            channel=detection.channel_id, message_ts=detection.message_ts
        )
    except SlackApiError:
        return None
    permalink = answer.get("permalink")
    return str(permalink) if permalink else None


def build_case_card(
    session: Session,
    case: Case,
    client: WebClient,
    now: datetime,
    moderators: ModeratorDirectory | None = None,
) -> CaseCard:
    detections = tuple(
        DetectionEntry(
            policy=d.policy,
            score=d.score,
            clause=d.clause,
            excerpt=d.excerpt,
            permalink=_permalink(client, d),
            false_positive=d.false_positive_at is not None,
            nudge=d.nudge.status if d.nudge is not None else None,
        )
        for d in sorted(case.detections, key=lambda d: d.id)
    )
    reports = tuple(
        ReportEntry(
            reporter_user_id=r.reporter.slack_user_id,
            description=r.description,
            named_user_ids=tuple(m.slack_user_id for m in r.subjects),
            message_link=r.message_link,
            occurred_when=r.occurred_when,
            extra=r.extra,
            contact_preference=r.contact_preference,
        )
        for r in sorted(case.reports, key=lambda r: r.id)
    )
    latest = max(case.actions, key=lambda a: a.decided_at, default=None)
    is_open = case.status in (CaseStatus.OPEN, CaseStatus.TRIAGED)
    return CaseCard(
        case_id=case.id,
        status=case.status,
        subject_user_id=case.subject.slack_user_id,
        opened_at=case.opened_at,
        policy=case.policy,
        detections=detections,
        reports=reports,
        assignee_user_id=case.assignee.slack_user_id if case.assignee else None,
        history=member_history(session, case),
        suggested=suggested_step(session, case, now) if is_open else None,
        recused_user_ids=tuple(recused_moderators(case, moderators.all())) if moderators else (),
        notes=tuple(
            NoteEntry(n.author_slack_id, n.text, n.created_at)
            for n in sorted(case.notes, key=lambda n: n.id)
        ),
        decision=DecisionEntry(
            level=latest.level,
            decided_by_user_id=latest.decided_by.slack_user_id,
            decided_at=latest.decided_at,
            status=latest.status,
            ends_at=latest.expires_at,
            action_id=latest.id,
            failed_steps=tuple(
                f"{step.get('step')} ({step.get('detail') or 'failed'})"
                for step in outstanding_failures(list(latest.enforcement_steps or ()))
            ),
        )
        if latest is not None
        else None,
        dismiss_reason=case.dismiss_reason,
        no_contact_violations=case.no_contact_violations,
    )


def publish_case_card(
    session_factory: sessionmaker[Session],
    client: WebClient,
    directory: ChannelDirectory,
    moderators_channel: str,
    case_id: int,
    *,
    now: datetime | None = None,
    moderators: ModeratorDirectory | None = None,
) -> bool:
    """Post the card (first time) or redraw it in place. False when Slack refused.

    Called after the case is committed: a Slack failure leaves the case stored and the card
    missing, which the moderators' App Home and the next change to the case make good.
    """
    with session_factory() as session:
        case = load_case_card(session, case_id)
        if case is None:
            return False
        card = build_case_card(session, case, client, now or case.updated_at, moderators)
        blocks = case_card_blocks(card)
        text = fallback_text(card)
        try:
            if case.card_channel_id and case.card_ts:
                client.chat_update(
                    channel=case.card_channel_id, ts=case.card_ts, text=text, blocks=blocks
                )
                return True
            channel_id = directory.id_of(moderators_channel)
            if channel_id is None:
                log.error(
                    "moderators' channel not found; invite the bot to it",
                    extra={"case_id": case_id},
                )
                return False
            posted = client.chat_postMessage(channel=channel_id, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning(
                "case card not posted",
                extra={"case_id": case_id, "error": exc.response.get("error")},
            )
            return False
        # Recorded only if no other thread or replica recorded its own card meanwhile (a plain
        # UPDATE, so it neither needs nor bumps the case's version: a moderator deciding at
        # this moment is not told the case changed). The loser removes its duplicate.
        session.rollback()
        claimed = session.execute(
            update(Case)
            .where(Case.id == case_id, Case.card_ts.is_(None))
            .values(card_channel_id=str(posted["channel"]), card_ts=str(posted["ts"]))
            .execution_options(synchronize_session=False)
        )
        session.commit()
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        return True
    try:
        client.chat_delete(channel=str(posted["channel"]), ts=str(posted["ts"]))
    except SlackApiError as exc:
        log.warning(
            "duplicate case card not removed",
            extra={"case_id": case_id, "error": exc.response.get("error")},
        )
    return publish_case_card(
        session_factory,
        client,
        directory,
        moderators_channel,
        case_id,
        now=now,
        moderators=moderators,
    )


def redraw_case_card(services: AppServices, moderators_channel: str, case_id: int) -> bool:
    """`publish_case_card` with everything taken from the app's services."""
    return publish_case_card(
        services.session_factory,
        services.client,
        services.directory,
        moderators_channel,
        case_id,
        now=services.clock.now(),
        moderators=services.moderators,
    )
