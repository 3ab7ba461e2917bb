"""The moderators' case card and forms: assign, take action, dismiss, add a note.

Thin: every handler checks the moderator (guards.moderators_only), calls a service in
bot/services/case_work.py, commits, acknowledges, then touches Slack.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm.exc import StaleDataError

from bot.enforcement import EnforcementBackend
from bot.ids import CaseAction, CaseCallback, DecisionBlock
from bot.listeners.guards import moderators_only
from bot.services.case_cards import redraw_case_card
from bot.services.case_work import (
    BanEndChange,
    BanNotChangeable,
    DecisionOutcome,
    add_note,
    assign_case,
    case_clause,
    change_ban_end,
    decide_case,
    decision_conflict,
    dismiss_case,
    ensure_may_act,
    ensure_open,
    history_summary,
    load_case,
    suggested_step,
)
from bot.services.context import AppServices
from bot.services.decision_effects import carry_out_decision
from bot.services.direct_messages import send_direct_message
from bot.services.expiry import lift_if_due
from bot.settings import Settings
from bot.views.case_card import when
from bot.views.decision_form import (
    DecisionFormContext,
    case_id_of,
    change_end_form,
    decision_form,
    dismiss_form,
    error_blocks,
    note_form,
    read_decision,
    read_new_end,
    read_text,
    selected_level,
)
from bot.views.notices import ban_end_changed_text
from models import ActionStatus, EnforcementAction
from moderation.ids import ActionLevel
from moderation.ladder import notice_template, validate

log = logging.getLogger(__name__)


def _case_id(body: dict[str, Any]) -> int:
    return int(body["actions"][0]["value"])


def register(
    app: App, settings: Settings, services: AppServices, backend: EnforcementBackend
) -> None:
    community = settings.community
    guard = [moderators_only(services)]

    def redraw(case_id: int) -> None:
        redraw_case_card(services, community.channels.moderators, case_id)

    def form_for(case_id: int, user_id: str, level: ActionLevel | None = None) -> dict[str, Any]:
        now = services.clock.now()
        with services.session_factory() as session:
            case = load_case(session, case_id)
            ensure_open(case)
            ensure_may_act(session, case, user_id, now)
            suggested = suggested_step(session, case, now)
            chosen = level or suggested
            context = DecisionFormContext(
                case_id=case.id,
                subject_user_id=case.subject.slack_user_id,
                suggested=suggested,
                history_summary=history_summary(session, case, now),
                has_reporters=bool(case.reports),
            )
            clause = case_clause(session, case)
        notice = notice_template(chosen, clause, community.name, None)
        return decision_form(context, chosen, notice).to_dict()

    @app.action(CaseAction.ASSIGN, middleware=guard)
    def on_assign(ack: Ack, body: dict[str, Any]) -> None:
        case_id = _case_id(body)
        with services.session_factory() as session:
            assign_case(session, case_id, body["user"]["id"], services.clock.now())
            session.commit()
        ack()
        redraw(case_id)

    @app.action(CaseAction.TAKE_ACTION, middleware=guard)
    def on_take_action(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = form_for(_case_id(body), body["user"]["id"])
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(CaseAction.DECISION_LEVEL, middleware=guard)
    def on_level_change(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = body["view"]
        level = selected_level(view["state"]["values"])
        new_view = form_for(case_id_of(view["private_metadata"]), body["user"]["id"], level)
        ack()
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=new_view)

    @app.action(CaseAction.DISMISS, middleware=guard)
    def on_dismiss(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        case_id = _case_id(body)
        with services.session_factory() as session:
            case = load_case(session, case_id)
            ensure_open(case)
            ensure_may_act(session, case, body["user"]["id"], services.clock.now())
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=dismiss_form(case_id))

    @app.action(CaseAction.ADD_NOTE, middleware=guard)
    def on_add_note(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=note_form(_case_id(body)))

    @app.view(CaseCallback.DECISION, middleware=guard)
    def on_decision(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        case_id = case_id_of(view["private_metadata"])
        user_id = body["user"]["id"]
        now = services.clock.now()
        submission = read_decision(view["state"]["values"], now)
        with services.session_factory() as session:
            case = load_case(session, case_id)
            suggested = suggested_step(session, case, now)
            errors = validate(submission.decision, suggested, now)
            if errors:
                ack(
                    response_action="errors",
                    errors=error_blocks(errors, submission.decision.level),
                )
                return
            try:
                outcome: DecisionOutcome = decide_case(
                    session,
                    case_id,
                    user_id,
                    submission.decision,
                    tell_reporter=submission.tell_reporter,
                    backend=backend.name,
                    now=now,
                )
                session.commit()
            except StaleDataError:
                # Another moderator's decision was committed a moment before ours.
                raise decision_conflict(session, case_id) from None
        ack()
        carry_out_decision(services, community, backend, outcome)

    @app.view(CaseCallback.DISMISS, middleware=guard)
    def on_dismiss_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        case_id = case_id_of(view["private_metadata"])
        reason = read_text(view["state"]["values"], DecisionBlock.DISMISS_REASON)
        if not reason:
            ack(
                response_action="errors",
                errors={DecisionBlock.DISMISS_REASON: "Say why, for the audit log."},
            )
            return
        with services.session_factory() as session:
            try:
                dismiss_case(session, case_id, body["user"]["id"], reason, services.clock.now())
                session.commit()
            except StaleDataError:
                raise decision_conflict(session, case_id) from None
        ack()
        redraw(case_id)

    @app.action(CaseAction.CHANGE_END, middleware=guard)
    def on_change_end(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        action_id = int(body["actions"][0]["value"])
        with services.session_factory() as session:
            action = session.get(EnforcementAction, action_id)
            if action is None or action.status is not ActionStatus.ACTIVE:
                raise BanNotChangeable(f"action {action_id}")
            ensure_may_act(
                session,
                load_case(session, action.case_id),
                body["user"]["id"],
                services.clock.now(),
            )
            view = change_end_form(action.id, action.expires_at)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(CaseCallback.CHANGE_END, middleware=guard)
    def on_change_end_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        action_id = int(json.loads(view["private_metadata"])["action_id"])
        now = services.clock.now()
        ends_at = read_new_end(view["state"]["values"], now)
        if ends_at is None:
            ack(
                response_action="errors",
                errors={DecisionBlock.DURATION: "Choose a new end, or a custom one below."},
            )
            return
        with services.session_factory.begin() as session:
            change = change_ban_end(session, action_id, body["user"]["id"], ends_at, now)
        ack()
        services.timers.schedule(change.action_id, change.new_end)
        tell_new_end(change)
        if change.new_end <= services.clock.now():
            lift_if_due(services, backend, community, change.action_id)
        redraw(change.case_id)

    def tell_new_end(change: BanEndChange) -> None:
        if change.new_end <= services.clock.now():
            return  # the lift's own message ("your ban has ended") says it
        try:
            send_direct_message(
                services.client,
                change.member_user_id,
                ban_end_changed_text(change.case_id, when(change.new_end)),
            )
        except SlackApiError as exc:
            log.warning(
                "new ban end not delivered",
                extra={"case_id": change.case_id, "error": exc.response.get("error")},
            )

    @app.view(CaseCallback.NOTE, middleware=guard)
    def on_note_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        case_id = case_id_of(view["private_metadata"])
        text = read_text(view["state"]["values"], DecisionBlock.NOTE)
        if not text:
            ack(response_action="errors", errors={DecisionBlock.NOTE: "Write the note first."})
            return
        with services.session_factory() as session:
            add_note(session, case_id, body["user"]["id"], text, services.clock.now())
            session.commit()
        ack()
        redraw(case_id)
