"""The two buttons on a nudge: "Got it" and "This isn't <rule>"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond

from bot.ids import ActionId
from bot.services.case_cards import redraw_case_card
from bot.services.nudges import acknowledge_nudge, report_false_positive
from bot.settings import Settings
from bot.views.nudge import thanks_for_feedback_text

if TYPE_CHECKING:
    from bot.app import AppServices


def _detection_id(body: dict[str, Any]) -> int:
    return int(body["actions"][0]["value"])


def register(app: App, settings: Settings, services: AppServices) -> None:
    @app.action(ActionId.NUDGE_GOT_IT)
    def on_got_it(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        with services.session_factory.begin() as session:
            acknowledge_nudge(
                session, _detection_id(body), body["user"]["id"], services.clock.now()
            )
        respond(delete_original=True)

    @app.action(ActionId.NUDGE_NOT_A_MATCH)
    def on_not_a_match(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        with services.session_factory.begin() as session:
            case_id = report_false_positive(
                session, _detection_id(body), body["user"]["id"], services.clock.now()
            )
        ack()
        respond(replace_original=True, text=thanks_for_feedback_text())
        if case_id is not None:
            redraw_case_card(services, settings.community.channels.moderators, case_id)
