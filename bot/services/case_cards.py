"""Posting a case's card to the moderators' channel, and redrawing it when the case changes."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.services.channels import ChannelDirectory
from bot.views.case_card import (
    CaseCard,
    DetectionEntry,
    ReportEntry,
    case_card_blocks,
    fallback_text,
)
from models import Case, Detection, Report

log = logging.getLogger(__name__)


def load_case_card(session: Session, client: WebClient, case_id: int) -> Case | None:
    return session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(
            selectinload(Case.subject),
            selectinload(Case.detections),
            selectinload(Case.reports).selectinload(Report.reporter),
            selectinload(Case.reports).selectinload(Report.subjects),
        )
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


def build_case_card(case: Case, client: WebClient) -> CaseCard:
    detections = tuple(
        DetectionEntry(
            policy=d.policy,
            score=d.score,
            clause=d.clause,
            excerpt=d.excerpt,
            permalink=_permalink(client, d),
            false_positive=d.false_positive_at is not None,
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
    return CaseCard(
        case_id=case.id,
        status=case.status,
        subject_user_id=case.subject.slack_user_id,
        opened_at=case.opened_at,
        policy=case.policy,
        detections=detections,
        reports=reports,
    )


def publish_case_card(
    session_factory: sessionmaker[Session],
    client: WebClient,
    directory: ChannelDirectory,
    moderators_channel: str,
    case_id: int,
) -> bool:
    """Post the card (first time) or redraw it in place. False when Slack refused.

    Called after the case is committed: a Slack failure leaves the case stored and the card
    missing, which the moderators' App Home and the next change to the case make good.
    """
    with session_factory() as session:
        case = load_case_card(session, client, case_id)
        if case is None:
            return False
        card = build_case_card(case, client)
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
        case.card_channel_id = str(posted["channel"])
        case.card_ts = str(posted["ts"])
        session.commit()
        return True
