"""After a decision is committed: tell the member, tell the reporter, ask the enforcement
backend, redraw the card. Each step is audited; a Slack failure in one step does not stop
the others, and is recorded where moderators will see it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.enforcement import EnforcementBackend, EnforcementRequest
from bot.services.audit import record
from bot.services.case_cards import redraw_case_card
from bot.services.case_work import DecisionOutcome
from bot.services.context import AppServices
from bot.services.direct_messages import send_and_record
from bot.settings import CommunitySettings
from bot.views.notices import notice_blocks, notice_fallback_text, reporter_outcome_text
from models import EnforcementAction
from moderation.ids import ActionLevel


def carry_out_decision(
    services: AppServices,
    community: CommunitySettings,
    backend: EnforcementBackend,
    outcome: DecisionOutcome,
) -> None:
    services.metrics.decisions.labels(outcome.level.value).inc()
    _send_notice(services, community, outcome)
    _tell_reporters(services, outcome)
    # The card first, so the backend's checklist can go into its thread.
    redraw_case_card(services, community.channels.moderators, outcome.case_id)
    if _enforce(services, backend, outcome):
        # Something still needs a person: the card says what.
        redraw_case_card(services, community.channels.moderators, outcome.case_id)


def _send_notice(
    services: AppServices, community: CommunitySettings, outcome: DecisionOutcome
) -> None:
    if outcome.level is ActionLevel.NO_ACTION:
        return
    send_and_record(
        services,
        outcome.member_user_id,
        notice_fallback_text(outcome.level),
        notice_blocks(
            outcome.level, outcome.notice, outcome.action_id, community.name, appealable=True
        ),
        sent="notice.sent",
        failed="notice.failed",
        case_id=outcome.case_id,
        action_id=outcome.action_id,
    )


def _tell_reporters(services: AppServices, outcome: DecisionOutcome) -> None:
    acted = outcome.level is not ActionLevel.NO_ACTION
    for reporter in outcome.reporters_to_tell:
        send_and_record(
            services,
            reporter,
            reporter_outcome_text(outcome.case_id, acted),
            sent="reporter.notified",
            failed="reporter.notify_failed",
            case_id=outcome.case_id,
        )


def enforcement_request(session: Session, action_id: int) -> EnforcementRequest | None:
    """What a backend needs to know about an action, read in one place."""
    action = session.scalar(
        select(EnforcementAction)
        .where(EnforcementAction.id == action_id)
        .options(selectinload(EnforcementAction.member), selectinload(EnforcementAction.case))
    )
    if action is None:
        return None
    return EnforcementRequest(
        action_id=action.id,
        case_id=action.case_id,
        level=action.level,
        member_user_id=action.member.slack_user_id,
        ends_at=action.expires_at,
        no_contact_user_ids=tuple(action.no_contact_user_ids),
        card_channel_id=action.case.card_channel_id,
        card_ts=action.case.card_ts,
    )


def _run_backend(
    services: AppServices,
    backend: EnforcementBackend,
    action_id: int,
    verb: str,
    lifting: bool,
) -> bool:
    """Ask the backend; True when a step failed."""
    with services.session_factory() as session:
        request = enforcement_request(session, action_id)
    if request is None:
        return False
    now = services.clock.now()
    steps = backend.lift(request, now) if lifting else backend.carry_out(request, now)
    with services.session_factory.begin() as session:
        action = session.get(EnforcementAction, action_id)
        if action is not None:
            action.enforcement_steps.extend(step.to_json() for step in steps)
        record(
            session,
            verb,
            now,
            case_id=request.case_id,
            subject=request.member_user_id,
            action_id=action_id,
            backend=backend.name,
            failed=[s.step for s in steps if not s.ok],
        )
    services.metrics.failed_steps(backend.name, steps)
    return any(not s.ok for s in steps)


def _enforce(services: AppServices, backend: EnforcementBackend, outcome: DecisionOutcome) -> bool:
    if outcome.level is ActionLevel.NO_ACTION:
        return False
    if outcome.level is ActionLevel.TEMPORARY_BAN and outcome.ends_at is not None:
        services.timers.schedule(outcome.action_id, outcome.ends_at)
    return _run_backend(
        services, backend, outcome.action_id, "enforcement.requested", lifting=False
    )


def carry_out_lift(services: AppServices, backend: EnforcementBackend, action_id: int) -> None:
    """Undo on Slack what the backend did for an action that has ended (the caller has
    already marked it lifted, expired or overturned in the database)."""
    _run_backend(services, backend, action_id, "enforcement.lifted", lifting=True)
