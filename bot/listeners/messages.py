"""Listener for `message` events: parse, hand to services, nothing more."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import App

from bot.enforcement import EnforcementBackend
from bot.events import MemberMessage, is_member_message, member_message
from bot.services.banned_messages import delete_if_banned
from bot.services.case_cards import redraw_case_card
from bot.services.members import ensure_member
from bot.services.message_checks import CheckOutcome, check_message, record_verdict
from bot.services.names import check_names_on_first_message
from bot.services.no_contact import check_no_contact
from bot.services.nudges import deliver_nudge
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import AppServices

log = logging.getLogger(__name__)

# Direct messages with the bot are members talking to us (questions, appeals), not
# community content: they are not checked.
UNCHECKED_CHANNEL_TYPES = frozenset({"im"})


def register(
    app: App,
    settings: Settings,
    services: AppServices,
    backend: EnforcementBackend | None = None,
) -> None:
    def member_content(event: dict[str, Any]) -> bool:
        return is_member_message(event)

    # Events are acknowledged by Bolt before this runs (auto-ack, then a worker thread), so
    # the work below never holds up Slack's 3-second window.
    @app.event("message", matchers=[member_content])
    def on_member_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        message = member_message(event)
        if message is None:  # the matcher already checked; keeps the type checker honest
            return
        handle_member_message(services, settings, message, body.get("event_id"), backend)

    @app.event("message")
    def on_other_message(body: dict[str, Any]) -> None:
        """Joins, topic changes, deletions and bot posts carry no member content: ack only."""
        log.debug("ignored message subtype", extra={"event_id": body.get("event_id")})


def handle_member_message(
    services: AppServices,
    settings: Settings,
    message: MemberMessage,
    event_id: str | None,
    backend: EnforcementBackend | None = None,
) -> None:
    now = services.clock.now()
    # First, so it also sees a banned member's message that the next step deletes.
    check_no_contact(services, settings.community, message)
    # A banned member's message (where the ban could not remove them) is deleted, not nudged.
    if backend is not None and delete_if_banned(services, backend, message, now):
        log.info("banned member's message deleted", extra={"event_id": event_id})
        return
    checked = (
        message.channel_type not in UNCHECKED_CHANNEL_TYPES
        and not message.channel_id.startswith("D")
    )
    verdict = (
        check_message(
            services.engine,
            message,
            services.directory.name_of(message.channel_id),
            services.metrics,
        )
        if checked
        else None
    )
    with services.session_factory.begin() as session:
        member = ensure_member(session, services.client, message.user_id, now)
        names_unchecked = member is not None and member.name_check_status is None
        if member is None or verdict is None or not verdict.findings:
            outcome = None
        else:
            outcome = record_verdict(session, settings.community, message, member, verdict, now)
    if outcome is not None:
        _carry_out(services, settings, outcome, event_id)
    else:
        log.debug("member message checked", extra={"event_id": event_id})
    # After the nudge: a newcomer's first message waits for nothing it does not need. (Known
    # from the row just read: most messages come from members checked long ago.)
    if names_unchecked:
        check_names_on_first_message(services, settings, message.user_id, now)


def _carry_out(
    services: AppServices, settings: Settings, outcome: CheckOutcome, event_id: str | None
) -> None:
    log.info(
        "findings recorded",
        extra={
            "event_id": event_id,
            "policies": [f.policy.value for f in outcome.verdict.findings],
            "nudges": len(outcome.nudges),
            "cases": outcome.cases,
        },
    )
    for policy, status in outcome.held_nudges:
        services.metrics.nudge(policy.value, status.value)
    for planned in outcome.nudges:
        delivered = deliver_nudge(
            services.session_factory,
            services.client,
            services.directory,
            settings.community,
            planned,
        )
        services.metrics.nudge(planned.policy.value, "sent" if delivered else "failed")
    for case_id in outcome.cases:
        redraw_case_card(services, settings.community.channels.moderators, case_id)
