"""Standalone builders for what Slack sends to the app (events, slash commands, interactions).

Each returns a plain dict a test can tweak before handing it to ``SlackDelivery.send_*``. The
source of each shape is given per function (``§n`` = /work/shared/slack-notes.md section).
"""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass
from typing import Any

from .defaults import DEFAULT_WORKSPACE
from .state import JsonDict

VERIFICATION_TOKEN = (
    "legacy-verification-token"  # deprecated ``token`` field; apps verify signatures
)


@dataclass(frozen=True)
class AppIdentity:
    """Who the payloads are addressed to."""

    team_id: str = DEFAULT_WORKSPACE.team_id
    team_domain: str = DEFAULT_WORKSPACE.domain
    api_app_id: str = DEFAULT_WORKSPACE.app_id
    bot_user_id: str = DEFAULT_WORKSPACE.bot_user_id


DEFAULT_APP = AppIdentity()


def now_ts(now: float | None = None) -> str:
    """A Slack-style ts (``"1607081569.852971"``)."""
    value = time.time() if now is None else now
    return f"{value:.6f}"


def new_event_id() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "Ev" + "".join(secrets.choice(alphabet) for _ in range(10))


def fake_trigger_id() -> str:
    """Shaped like REF's ``"12345.98765.abcd2358fdea"``; not known to any stand-in."""
    return f"{secrets.randbelow(10**6)}.{int(time.time())}.{secrets.token_hex(16)}"


def user_ref(user_id: str, user_name: str, app: AppIdentity) -> JsonDict:
    """``user`` object of interaction payloads (block_actions / view_submission, §6)."""
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": app.team_id}


def team_ref(app: AppIdentity) -> JsonDict:
    return {"id": app.team_id, "domain": app.team_domain}


def event_envelope(
    event: JsonDict,
    *,
    app: AppIdentity = DEFAULT_APP,
    event_id: str | None = None,
    event_time: int | None = None,
) -> JsonDict:
    """``event_callback`` envelope, §1 (https://docs.slack.dev/reference/objects/event-object).
    ``authorizations`` holds at most one installation (the bot). ``event_ts`` is filled from
    ``ts`` when missing, as Slack always sends it."""
    inner = dict(event)
    if "event_ts" not in inner:
        inner["event_ts"] = inner.get("ts") or now_ts()
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": app.team_id,
        "context_team_id": app.team_id,
        "context_enterprise_id": None,
        "api_app_id": app.api_app_id,
        "event": inner,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": event_time if event_time is not None else int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": app.team_id,
                "user_id": app.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + secrets.token_urlsafe(24),
    }


def message_event(
    channel: str,
    user: str,
    text: str,
    *,
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
    subtype: str | None = None,
    team: str = DEFAULT_WORKSPACE.team_id,
    **extra: Any,
) -> JsonDict:
    """Plain user ``message`` event, §2 (bolt-js ``GenericMessageEvent``). ``channel_type`` is
    ``channel``/``group``/``im``/``mpim``."""
    ts = ts or now_ts()
    event: JsonDict = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": channel_type,
        "team": team,
        "client_msg_id": secrets.token_hex(16),
    }
    if subtype is not None:
        event["subtype"] = subtype
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def member_joined_channel_event(
    channel: str, user: str, *, team: str = DEFAULT_APP.team_id, inviter: str | None = None
) -> JsonDict:
    """``member_joined_channel`` (slack-notes §2): ``channel_type`` "C" public, "G" private."""
    event: JsonDict = {
        "type": "member_joined_channel",
        "user": user,
        "channel": channel,
        "channel_type": "C",
        "team": team,
    }
    if inviter is not None:
        event["inviter"] = inviter
    return event


def url_verification(
    challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
) -> JsonDict:
    """https://api.slack.com/events/url_verification (§1)."""
    return {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}


def slash_command_form(
    command: str,
    text: str,
    *,
    user_id: str,
    user_name: str,
    channel_id: str,
    channel_name: str,
    trigger_id: str,
    response_url: str,
    app: AppIdentity = DEFAULT_APP,
) -> dict[str, str]:
    """Form fields of a slash command, §4 (bolt-js ``SlashCommand``; JSDK
    ``SlashCommandPayload.json``). ``channel_name`` is ``directmessage`` in DMs."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": app.team_id,
        "team_domain": app.team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": app.api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def message_shortcut_payload(
    callback_id: str,
    *,
    user_id: str,
    user_name: str,
    channel_id: str,
    channel_name: str,
    message: JsonDict,
    trigger_id: str,
    response_url: str,
    app: AppIdentity = DEFAULT_APP,
) -> JsonDict:
    """``message_action`` payload, §5 (https://api.slack.com/reference/interaction-payloads/shortcuts)."""
    return {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": now_ts(),
        "team": team_ref(app),
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": app.team_id},
        "channel": {"id": channel_id, "name": channel_name},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "response_url": response_url,
        "message_ts": message.get("ts"),
        "message": message,
    }


def global_shortcut_payload(
    callback_id: str,
    *,
    user_id: str,
    user_name: str,
    trigger_id: str,
    app: AppIdentity = DEFAULT_APP,
) -> JsonDict:
    """``shortcut`` payload, §5 (bolt-js ``GlobalShortcut``): no channel."""
    return {
        "type": "shortcut",
        "token": VERIFICATION_TOKEN,
        "action_ts": now_ts(),
        "team": team_ref(app),
        "user": {"id": user_id, "username": user_name, "team_id": app.team_id},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
    }


def view_object(
    callback_id: str,
    *,
    view_id: str,
    state_values: JsonDict | None = None,
    private_metadata: str = "",
    view_type: str = "modal",
    blocks: list[JsonDict] | None = None,
    title: str = "Report",
    external_id: str = "",
    hash: str | None = None,
    root_view_id: str | None = None,
    previous_view_id: str | None = None,
    app: AppIdentity = DEFAULT_APP,
    bot_id: str = DEFAULT_WORKSPACE.bot_id,
) -> JsonDict:
    """``view`` inside interaction payloads, §6 (view keys list; JSDK ``ViewSubmissionPayload.json``)."""
    return {
        "id": view_id,
        "team_id": app.team_id,
        "type": view_type,
        "title": {"type": "plain_text", "text": title, "emoji": True},
        "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
        "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "external_id": external_id,
        "state": {"values": state_values or {}},
        "hash": hash or f"{int(time.time())}.{secrets.token_hex(4)}",
        "clear_on_close": False,
        "notify_on_close": False,
        "root_view_id": root_view_id or view_id,
        "previous_view_id": previous_view_id,
        "app_id": app.api_app_id,
        "app_installed_team_id": app.team_id,
        "bot_id": bot_id,
    }


def block_actions_payload(
    action_id: str,
    *,
    user_id: str,
    user_name: str,
    trigger_id: str,
    value: str | None = None,
    block_id: str | None = None,
    action_type: str = "button",
    action: JsonDict | None = None,
    message: JsonDict | None = None,
    channel_id: str | None = None,
    channel_name: str | None = None,
    view: JsonDict | None = None,
    state_values: JsonDict | None = None,
    response_url: str | None = None,
    container: JsonDict | None = None,
    app: AppIdentity = DEFAULT_APP,
) -> JsonDict:
    """``block_actions`` payload, §6 (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload).
    From a message: ``container.type == "message"`` + ``channel``/``message``/``response_url``;
    from a modal or Home tab: ``container.type == "view"`` + ``view``. ``action`` adds/overrides
    keys of the single action (e.g. ``selected_option`` for selects)."""
    act: JsonDict = {
        "type": action_type,
        "action_id": action_id,
        "block_id": block_id or secrets.token_hex(3),
        "action_ts": now_ts(),
    }
    if action_type == "button":
        act["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    if value is not None:
        act["value"] = value
    act.update(action or {})
    if container is None:
        if view is not None:
            container = {"type": "view", "view_id": view.get("id")}
        elif message is not None:
            container = {
                "type": "message",
                "message_ts": message.get("ts"),
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
        else:
            container = {}
    payload: JsonDict = {
        "type": "block_actions",
        "user": user_ref(user_id, user_name, app),
        "api_app_id": app.api_app_id,
        "token": VERIFICATION_TOKEN,
        "container": container,
        "trigger_id": trigger_id,
        "team": team_ref(app),
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": state_values or {}},
        "actions": [act],
    }
    if view is not None:
        payload["view"] = view
    if message is not None:
        payload["channel"] = {"id": channel_id, "name": channel_name or ""}
        payload["message"] = message
    if response_url is not None:
        payload["response_url"] = response_url
    return payload


def view_submission_payload(
    view: JsonDict,
    *,
    user_id: str,
    user_name: str,
    trigger_id: str,
    response_urls: list[JsonDict] | None = None,
    app: AppIdentity = DEFAULT_APP,
) -> JsonDict:
    """``view_submission`` payload, §6 (top keys per JSDK ``ViewSubmissionPayload.json``)."""
    return {
        "type": "view_submission",
        "team": team_ref(app),
        "user": user_ref(user_id, user_name, app),
        "api_app_id": app.api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": view,
        "response_urls": response_urls or [],
        "enterprise": None,
        "is_enterprise_install": False,
    }


def view_closed_payload(
    view: JsonDict,
    *,
    user_id: str,
    user_name: str,
    is_cleared: bool = False,
    app: AppIdentity = DEFAULT_APP,
) -> JsonDict:
    """``view_closed`` payload, §6 (JSDK ``ViewClosedPayload.json``); only sent when the view had
    ``notify_on_close``."""
    return {
        "type": "view_closed",
        "team": team_ref(app),
        "user": user_ref(user_id, user_name, app),
        "api_app_id": app.api_app_id,
        "token": VERIFICATION_TOKEN,
        "view": view,
        "is_cleared": is_cleared,
        "enterprise": None,
        "is_enterprise_install": False,
    }
