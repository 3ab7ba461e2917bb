"""The pure parts of the enforcement backends: the factory, the clients it builds, error codes,
and what needs no Slack call at all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.scim.v1.response import SCIMResponse
from slack_sdk.web import SlackResponse
from sqlalchemy.orm import sessionmaker

from bot.enforcement import (
    ChannelsBackend,
    DeletesBannedMessages,
    EnforcementBackend,
    EnforcementRequest,
    NotifyBackend,
    ScimBackend,
    build_backend,
)
from bot.enforcement.channels import _next_cursor, error_code, invite_step, kick_step
from bot.enforcement.scim import scim_error
from bot.events import MemberMessage
from bot.services.banned_messages import delete_if_banned
from bot.settings import (
    DEFAULT_SCIM_URL,
    CommunitySettings,
    ConfigError,
    EnforcementSettings,
    Settings,
    SlackSettings,
)
from moderation.ids import ActionLevel

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
API_URL = "https://slack-gov.com/api/"
#: nothing listens here: a test that reaches Slack fails at once
NOWHERE = "http://127.0.0.1:9/api/"


def settings(backend: str, admin_token: str | None = None) -> Settings:
    return Settings(
        slack=SlackSettings(
            bot_token="xoxb-1",
            signing_secret="s",
            app_token=None,
            api_url=API_URL,
            admin_user_token=admin_token,
        ),
        community=CommunitySettings(enforcement=EnforcementSettings(backend=backend)),
    )


def request(level: ActionLevel) -> EnforcementRequest:
    return EnforcementRequest(
        action_id=1,
        case_id=1,
        level=level,
        member_user_id="U0DMITRI",
        ends_at=None,
        no_contact_user_ids=(),
        card_channel_id=None,
        card_ts=None,
    )


def build(choice: str, admin_token: str | None = None) -> EnforcementBackend:
    return build_backend(settings(choice, admin_token), WebClient(base_url=NOWHERE), sessionmaker())


def handler_types(handlers: list[object]) -> set[type]:
    return {type(h) for h in handlers}


RETRIES = {ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler}


def test_the_factory_builds_the_backend_the_settings_name() -> None:
    assert isinstance(build("notify"), NotifyBackend)
    assert isinstance(build("channels"), ChannelsBackend)
    assert isinstance(build("scim", "xoxp-owner"), ScimBackend)
    assert [build(b, "xoxp-owner").name for b in ("notify", "channels", "scim")] == [
        "notify",
        "channels",
        "scim",
    ]


def test_scim_without_an_admin_token_is_a_start_up_error_naming_the_variable() -> None:
    with pytest.raises(ConfigError) as raised:
        build("scim")
    assert raised.value.key == "SLACK_ADMIN_USER_TOKEN"
    assert str(raised.value).startswith("SLACK_ADMIN_USER_TOKEN: not set")


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        build("deactivate")
    assert raised.value.key == "enforcement.backend"


def test_channels_deletes_messages_only_with_an_admin_token_on_the_same_url_and_retries() -> None:
    without = build("channels")
    assert isinstance(without, ChannelsBackend) and not without.deletes_messages
    with_token = build("channels", "xoxp-owner")
    assert isinstance(with_token, ChannelsBackend) and with_token.deletes_messages
    admin = with_token._admin_client
    assert admin is not None
    assert admin.token == "xoxp-owner"
    assert admin.base_url == API_URL
    assert handler_types(admin.retry_handlers) == RETRIES


def test_the_scim_client_uses_the_scim_url_the_owner_token_and_the_retry_handlers() -> None:
    backend = build("scim", "xoxp-owner")
    assert isinstance(backend, ScimBackend)
    scim = backend._scim
    assert scim.token == "xoxp-owner"
    assert scim.base_url == DEFAULT_SCIM_URL
    assert handler_types(scim.retry_handlers) == RETRIES


def test_only_the_channels_backend_can_delete_a_banned_members_messages() -> None:
    assert isinstance(build("channels"), DeletesBannedMessages)
    assert not isinstance(build("notify"), DeletesBannedMessages)
    assert not isinstance(build("scim", "xoxp-owner"), DeletesBannedMessages)
    assert build("channels").on_banned_member_message("C1", "1.2", "U1", NOW) is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("level", [ActionLevel.CORRECTION, ActionLevel.WARNING])
@pytest.mark.parametrize("choice", ["channels", "scim"])
def test_corrections_and_warnings_need_nothing_on_slack(level: ActionLevel, choice: str) -> None:
    backend = build(choice, "xoxp-owner")
    for steps in (backend.carry_out(request(level), NOW), backend.lift(request(level), NOW)):
        assert [s.to_json() for s in steps] == [
            {"step": "nothing_to_do", "ok": True, "at": NOW.isoformat(), "detail": None}
        ]


def test_step_names_carry_the_channel_so_a_later_success_clears_a_failure() -> None:
    assert kick_step("C0RANDOM") == "conversations.kick C0RANDOM"
    assert invite_step("C0RANDOM") == "conversations.invite C0RANDOM"


def slack_error(body: dict[str, object], status: int = 200) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url=API_URL + "conversations.kick",
        req_args={},
        data=body,
        headers={},
        status_code=status,
    )
    return SlackApiError("failed", response)


def test_error_codes_come_from_slack_or_from_what_went_wrong_on_the_way() -> None:
    assert error_code(slack_error({"ok": False, "error": "cant_kick_from_general"})) == (
        "cant_kick_from_general"
    )
    assert error_code(slack_error({"ok": False}, status=503)) == "http_503"
    assert error_code(ConnectionResetError()) == "ConnectionResetError"


def test_scim_errors_read_the_status_and_the_description() -> None:
    body = '{"Errors": {"description": "permission_denied", "code": 403}}'
    response = SCIMResponse(url="u", status_code=403, raw_body=body, headers={})
    assert scim_error(response) == "http_403 permission_denied"
    assert scim_error(SCIMResponse(url="u", status_code=502, raw_body="<html>", headers={})) == (
        "http_502"
    )


def test_pagination_stops_on_an_empty_or_missing_cursor() -> None:
    assert _next_cursor({"response_metadata": {"next_cursor": "dGVhbTpD"}}) == "dGVhbTpD"
    assert _next_cursor({"response_metadata": {"next_cursor": ""}}) is None
    assert _next_cursor({"ok": True}) is None
    assert _next_cursor(b"bytes") is None


def test_messages_are_not_looked_at_when_the_backend_cannot_delete_or_in_direct_messages() -> None:
    """No database and no Slack are reached: the services stand-in would fail if they were."""
    services: object = None
    channel_message = MemberMessage(channel_id="C0GENERAL", user_id="U0DMITRI", ts="1.2", text="x")
    dm = MemberMessage(
        channel_id="D0DMITRI", user_id="U0DMITRI", ts="1.3", text="x", channel_type="im"
    )
    assert not delete_if_banned(services, build("notify"), channel_message, NOW)  # type: ignore[arg-type]
    assert not delete_if_banned(services, build("channels"), channel_message, NOW)  # type: ignore[arg-type]
    assert not delete_if_banned(services, build("channels", "xoxp-owner"), dm, NOW)  # type: ignore[arg-type]
