"""A whole flow's log output, through the real handler and formatter at DEBUG: a message that
is nudged and flagged, one whose nudge Slack refuses, a /report quoting it, a decision.

At INFO and above no line holds the message's text, a profile's name or a token; at any level
no line holds a token (the formatter's safety net). Lines are JSON and the ones written while
handling an event carry its event_id and team, also from services that never heard of it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from models import Case
from moderation.ids import ActionLevel
from tests.integration.case_steps import decide, decision_values
from tests.integration.harness import RunningBot
from tests.integration.test_reports import form_values, open_form, submit
from tests.log_capture import json_logs
from tests.slack_standin import Fault
from tests.slack_standin.defaults import SIGNING_SECRET, default_workspace
from tests.slack_standin.payloads import message_event

PLANTED = "ZEBRA-PLANTED-TEXT-42"
PHONE = "+1 415 555 0132"
MESSAGE = (
    f"Here is Maria's personal cell, {PHONE} - everyone call her and tell her what you think "
    f"{PLANTED}"
)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every record from every logger, from before the bot is built (list it first)."""
    with json_logs() as buffer:
        yield buffer


def parse(buffer: io.StringIO) -> list[dict[str, Any]]:
    lines = buffer.getvalue().splitlines()
    parsed = [json.loads(line) for line in lines]  # every line is one JSON object
    for line in parsed:
        assert {"ts", "level", "logger", "message"} <= set(line)
    return parsed


def test_a_whole_flow_logs_no_text_names_or_tokens(
    log_lines: io.StringIO, running_bot: RunningBot
) -> None:
    bot = running_bot
    standin = bot.standin
    random = standin.channel_id("random")

    flagged = message_event(random, standin.user_id("dmitri"), MESSAGE)
    assert bot.delivery.event(flagged, event_id="Ev0FLAGGED").status == 200
    bot.drain()
    standin.inject("chat.postEphemeral", Fault.api_error("user_not_in_channel"))
    refused = message_event(random, standin.user_id("bob"), MESSAGE)
    assert bot.delivery.event(refused, event_id="Ev0REFUSED").status == 200
    bot.drain()
    open_form(bot, f"<@U0DMITRI|dmitri> {PLANTED}")
    assert submit(bot, form_values(who=("U0DMITRI",), what=f"He wrote {PLANTED}")).status == 200
    with bot.services.session_factory() as session:
        case = session.scalars(select(Case).order_by(Case.id)).first()
        assert case is not None
    values = decision_values(
        ActionLevel.CORRECTION, reason=f"Posted {PLANTED}", notice=f"You posted {PLANTED}"
    )
    assert decide(bot, case, "ada", values).status == 200

    lines = parse(log_lines)
    everything = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    shown = [line for line in lines if logging.getLevelName(line["level"]) >= logging.INFO]
    shown_text = "\n".join(json.dumps(line, ensure_ascii=False) for line in shown)

    # the flow ran and was logged
    assert any(line["message"] == "findings recorded" for line in shown)
    assert any(line["message"] == "nudge not delivered" for line in shown)
    assert any(line["message"] == "report filed" for line in shown)
    # ... without what members wrote, their names, or secrets
    names = [u.real_name for u in default_workspace().users if u.real_name]
    for forbidden in [PLANTED, PHONE, "Maria", *names, "Volkov"]:
        assert forbidden not in shown_text, forbidden
    for secret in (standin.bot_token, SIGNING_SECRET):
        assert secret not in everything, secret

    # lines about an event carry it, from the listener and from services alike
    findings = [line for line in shown if line["message"] == "findings recorded"]
    assert [(line["event_id"], line["team"]) for line in findings] == [
        ("Ev0FLAGGED", "T0CONDUCT"),
        ("Ev0REFUSED", "T0CONDUCT"),
    ]
    [refusal] = [line for line in shown if line["message"] == "nudge not delivered"]
    assert refusal["logger"] == "bot.services.nudges"
    assert (refusal["event_id"], refusal["team"]) == ("Ev0REFUSED", "T0CONDUCT")
    assert refusal["error"] == "user_not_in_channel"
    [filed] = [line for line in shown if line["message"] == "report filed"]
    assert filed["team"] == "T0CONDUCT"
    assert isinstance(filed["case_id"], int)
    assert "event_id" not in filed  # an interaction, not an event
    handled = [line for line in lines if line.get("event_type") == "message"]
    assert {line["event_id"] for line in handled} == {"Ev0FLAGGED", "Ev0REFUSED"}
