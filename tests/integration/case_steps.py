"""Shared steps for tests that work cases: open one the real way (a flagged message), click
its card's buttons, submit the decision form, read what members were sent."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.ids import CaseAction, CaseCallback, DecisionBlock
from bot.views.decision_form import TELL_REPORTER_VALUE, notice_block_id
from models import AuditEvent, Case, EnforcementAction
from moderation.ids import ActionLevel
from tests.integration.harness import RunningBot
from tests.slack_standin.payloads import message_event

OTHERS_PHONE = (
    "Here is Maria's personal cell, +1 415 555 0132 - everyone call her and tell her what you think"
)


def open_case(bot: RunningBot, author: str = "dmitri") -> Case:
    standin = bot.standin
    event = message_event(standin.channel_id("random"), standin.user_id(author), OTHERS_PHONE)
    assert bot.delivery.event(event).status == 200
    bot.drain()
    with bot.services.session_factory() as session:
        return session.scalars(select(Case).order_by(Case.id.desc())).first()  # type: ignore[return-value]


def card(bot: RunningBot, case: Case) -> dict[str, Any]:
    [message] = [m for m in bot.standin.messages("moderators") if f"Case #{case.id}" in m["text"]]
    return message


def click(bot: RunningBot, case: Case, action_id: str, user: str) -> Any:
    message = card(bot, case)
    response = bot.delivery.block_action(
        action_id, str(case.id), user, message=message, channel="moderators"
    )
    bot.drain()
    return response


def decision_values(
    level: ActionLevel,
    *,
    reason: str = "Posted a member's phone number and asked people to call her.",
    notice: str | None = "We removed your message because it shared someone's number.",
    days: int | None = None,
    justification: str | None = None,
    tell_reporter: bool = False,
    no_contact: tuple[str, ...] = (),
    ends_at: int | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        DecisionBlock.LEVEL: {
            CaseAction.DECISION_LEVEL: {
                "type": "radio_buttons",
                "selected_option": {"value": level.value},
            }
        },
        DecisionBlock.REASON: {"value": {"type": "plain_text_input", "value": reason}},
        DecisionBlock.JUSTIFICATION: {
            "value": {"type": "plain_text_input", "value": justification}
        },
    }
    if notice is not None:
        values[notice_block_id(level)] = {"value": {"type": "plain_text_input", "value": notice}}
    if days is not None:
        values[DecisionBlock.DURATION] = {
            "value": {"type": "static_select", "selected_option": {"value": str(days)}}
        }
    if ends_at is not None:
        values[DecisionBlock.ENDS_AT] = {
            "value": {"type": "datetimepicker", "selected_date_time": ends_at}
        }
    if no_contact:
        values[DecisionBlock.NO_CONTACT] = {
            "value": {"type": "multi_users_select", "selected_users": list(no_contact)}
        }
    if tell_reporter:
        values[DecisionBlock.TELL_REPORTER] = {
            "value": {"type": "checkboxes", "selected_options": [{"value": TELL_REPORTER_VALUE}]}
        }
    return values


def decide(bot: RunningBot, case: Case, user: str, values: dict[str, Any]) -> Any:
    response = bot.delivery.view_submission(
        CaseCallback.DECISION,
        values,
        user,
        private_metadata=json.dumps({"case_id": case.id}),
    )
    bot.drain()
    return response


def actions(bot: RunningBot) -> list[EnforcementAction]:
    with bot.services.session_factory() as session:
        return list(session.scalars(select(EnforcementAction).order_by(EnforcementAction.id)))


def audit_actions(bot: RunningBot) -> list[str]:
    with bot.services.session_factory() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def dms_to(bot: RunningBot, user: str) -> list[dict[str, Any]]:
    return bot.standin.messages(bot.standin.dm_id(user))


def reload(bot: RunningBot, case: Case) -> Case:
    with bot.services.session_factory() as session:
        fresh = session.get(Case, case.id)
        assert fresh is not None
        return fresh
