"""Listener middleware shared by the moderators' handlers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse

from bot.errors import NotAModerator
from bot.services.audit import record
from bot.services.context import AppServices
from bot.services.members import ensure_member


def _actor(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id")
    return body.get("user_id")


def _target(body: dict[str, Any]) -> str:
    if body.get("actions"):
        return str(body["actions"][0].get("action_id"))
    if body.get("view"):
        return str(body["view"].get("callback_id"))
    return str(body.get("command") or body.get("callback_id") or "")


def moderators_only(services: AppServices) -> Callable[..., BoltResponse | None]:
    """Refuse anyone who is not a moderator, on the server, before the listener runs (and
    record the moderator as a member when they pass).

    Slack shows the case card's buttons to everyone in the channel, and a request can be
    forged by anyone holding a trigger; the refusal is audited and explained privately
    (the app's error handler turns NotAModerator into an ephemeral reply or a modal).
    """

    def guard(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse | None:
        actor = _actor(body)
        if actor and services.moderators.is_moderator(actor):
            # Decisions and notes name their moderator by foreign key: make sure we know them.
            with services.session_factory.begin() as session:
                ensure_member(session, services.client, actor, services.clock.now())
            return next()
        with services.session_factory.begin() as session:
            record(
                session,
                "auth.refused",
                services.clock.now(),
                actor=actor,
                kind=str(body.get("type") or "command"),
                target=_target(body),
            )
        raise NotAModerator(f"{actor} is not a moderator")

    return guard
