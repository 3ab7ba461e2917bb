"""Appeals: the member's button and form; the moderators' Uphold / Overturn."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.enforcement import EnforcementBackend
from bot.ids import CaseAction, CaseCallback, DecisionBlock
from bot.listeners.guards import moderators_only
from bot.services.appeals import (
    AppealOutcome,
    check_can_appeal,
    check_can_decide,
    decide_appeal,
    file_appeal,
    load_appeal,
)
from bot.services.case_cards import redraw_case_card
from bot.services.context import AppServices
from bot.services.direct_messages import send_and_record, send_direct_message
from bot.services.expiry import finish_lift
from bot.settings import Settings
from bot.views.appeals import (
    AppealCard,
    appeal_answer_text,
    appeal_card_blocks,
    appeal_card_text,
    appeal_decision_form,
    appeal_form,
    appeal_received_text,
    appeal_sent_view,
)
from bot.views.decision_form import read_text

log = logging.getLogger(__name__)


def register(
    app: App, settings: Settings, services: AppServices, backend: EnforcementBackend
) -> None:
    community = settings.community
    window = timedelta(days=community.appeals.window_days)
    guard = [moderators_only(services)]

    def card_for(appeal_id: int) -> AppealCard:
        with services.session_factory() as session:
            appeal = load_appeal(session, appeal_id)
            return AppealCard(
                appeal_id=appeal.id,
                case_id=appeal.action.case_id,
                member_user_id=appeal.member.slack_user_id,
                level=appeal.action.level,
                decided_by_user_id=appeal.action.decided_by.slack_user_id,
                decided_at=appeal.action.decided_at,
                text=appeal.text,
                status=appeal.status,
                reviewed_by_user_id=appeal.decided_by.slack_user_id if appeal.decided_by else None,
                reviewed_at=appeal.decided_at,
                note=appeal.decision_note,
            )

    def post_card(appeal_id: int) -> None:
        card = card_for(appeal_id)
        channel_name = community.appeals.channel or community.channels.moderators
        channel_id = services.directory.id_of(channel_name)
        if channel_id is None:
            log.error("appeals channel not found; invite the bot", extra={"appeal_id": appeal_id})
            return
        try:
            posted = services.client.chat_postMessage(
                channel=channel_id, text=appeal_card_text(card), blocks=appeal_card_blocks(card)
            )
        except SlackApiError as exc:
            log.warning(
                "appeal card not posted",
                extra={"appeal_id": appeal_id, "error": exc.response.get("error")},
            )
            return
        with services.session_factory.begin() as session:
            appeal = load_appeal(session, appeal_id)
            appeal.card_channel_id = str(posted["channel"])
            appeal.card_ts = str(posted["ts"])

    def redraw_card(appeal_id: int) -> None:
        card = card_for(appeal_id)
        with services.session_factory() as session:
            appeal = load_appeal(session, appeal_id)
            where = (appeal.card_channel_id, appeal.card_ts)
        if where[0] and where[1]:
            try:
                services.client.chat_update(
                    channel=where[0],
                    ts=where[1],
                    text=appeal_card_text(card),
                    blocks=appeal_card_blocks(card),
                )
            except SlackApiError as exc:
                log.warning(
                    "appeal card not redrawn",
                    extra={"appeal_id": appeal_id, "error": exc.response.get("error")},
                )

    @app.action(CaseAction.APPEAL_OPEN)
    def on_appeal_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        action_id = int(body["actions"][0]["value"])
        with services.session_factory() as session:
            action = check_can_appeal(
                session, action_id, body["user"]["id"], window, services.clock.now()
            )
            view = appeal_form(action.id, action.level, action.decided_at)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(CaseCallback.APPEAL)
    def on_appeal_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        text = read_text(view["state"]["values"], DecisionBlock.APPEAL_TEXT)
        if not text:
            ack(
                response_action="errors",
                errors={DecisionBlock.APPEAL_TEXT: "Tell the moderators why, in a few words."},
            )
            return
        action_id = int(json.loads(view["private_metadata"])["action_id"])
        user_id = body["user"]["id"]
        with services.session_factory.begin() as session:
            filed = file_appeal(session, action_id, user_id, text, window, services.clock.now())
        ack(response_action="update", view=appeal_sent_view().to_dict())
        try:
            send_direct_message(services.client, user_id, appeal_received_text(filed.case_id))
        except SlackApiError as exc:
            log.warning(
                "appeal receipt not sent",
                extra={"appeal_id": filed.appeal_id, "error": exc.response.get("error")},
            )
        post_card(filed.appeal_id)

    def open_decision(ack: Ack, body: dict[str, Any], client: WebClient, overturn: bool) -> None:
        appeal_id = int(body["actions"][0]["value"])
        with services.session_factory() as session:
            check_can_decide(
                session, load_appeal(session, appeal_id), body["user"]["id"], services.clock.now()
            )
        ack()
        client.views_open(
            trigger_id=body["trigger_id"], view=appeal_decision_form(appeal_id, overturn)
        )

    @app.action(CaseAction.APPEAL_UPHOLD, middleware=guard)
    def on_uphold(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        open_decision(ack, body, client, overturn=False)

    @app.action(CaseAction.APPEAL_OVERTURN, middleware=guard)
    def on_overturn(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        open_decision(ack, body, client, overturn=True)

    @app.view(CaseCallback.APPEAL_DECISION, middleware=guard)
    def on_appeal_decided(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = json.loads(view["private_metadata"])
        note = read_text(view["state"]["values"], DecisionBlock.APPEAL_NOTE)
        with services.session_factory() as session:
            outcome = decide_appeal(
                session,
                int(meta["appeal_id"]),
                body["user"]["id"],
                overturn=bool(meta["overturn"]),
                note=note,
                now=services.clock.now(),
            )
            session.commit()
        ack()
        tell_member(outcome)
        if outcome.overturned and outcome.was_active_ban:
            services.timers.cancel(outcome.action_id)
            finish_lift(services, backend, community, outcome.action_id, tell_member=False)
        redraw_card(outcome.appeal_id)
        redraw_case_card(services, community.channels.moderators, outcome.case_id)

    def tell_member(outcome: AppealOutcome) -> None:
        send_and_record(
            services,
            outcome.member_user_id,
            appeal_answer_text(outcome.case_id, outcome.level, outcome.overturned),
            sent="appeal.answer_sent",
            failed="appeal.answer_failed",
            case_id=outcome.case_id,
            appeal_id=outcome.appeal_id,
        )
