"""The Slack stand-in speaks the Web API and SCIM API to the real slack_sdk clients over HTTP."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs

import pytest
from slack_bolt import Ack, App, BoltResponse, Respond
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.scim import SCIMClient
from slack_sdk.scim.v1.user import User
from slack_sdk.signature import SignatureVerifier

from tests.slack_standin import (
    ADMIN_TOKEN,
    BOT_TOKEN,
    Fault,
    SlackDelivery,
    SlackStandIn,
    WorkspaceSpec,
    payloads,
)

pytest_plugins = ["tests.slack_standin.fixtures"]


def _error_of(exc: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(exc.value.response["error"])


@pytest.fixture
def bot(slack_standin: SlackStandIn) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=slack_standin.api_url, timeout=5)


@pytest.fixture
def admin(slack_standin: SlackStandIn) -> WebClient:
    return WebClient(token=ADMIN_TOKEN, base_url=slack_standin.api_url, timeout=5)


@pytest.fixture
def scim(slack_standin: SlackStandIn) -> SCIMClient:
    return SCIMClient(token=ADMIN_TOKEN, base_url=slack_standin.scim_url, timeout=5)


# --------------------------------------------------------------------------- server and auth


def test_urls_have_the_shape_the_sdk_clients_expect(slack_standin: SlackStandIn) -> None:
    assert slack_standin.api_url.startswith("http://127.0.0.1:")
    assert slack_standin.api_url.endswith("/api/")
    assert slack_standin.scim_url.endswith("/scim/v1/")


def test_stopped_stand_in_refuses_connections() -> None:
    with SlackStandIn() as standin:
        url = standin.api_url
        assert WebClient(token=BOT_TOKEN, base_url=url).auth_test()["ok"]
    client = WebClient(token=BOT_TOKEN, base_url=url, timeout=1, retry_handlers=[])
    with pytest.raises(urllib.error.URLError):
        client.auth_test()


def test_auth_test_identifies_the_bot_with_its_bot_id(bot: WebClient) -> None:
    resp = bot.auth_test()
    assert resp["user_id"] == "U0BOT"
    assert resp["bot_id"] == "B0BOT"
    assert resp["team_id"] == "T0CONDUCT"
    assert resp["url"] == "https://atih.slack.com/"


def test_auth_test_with_a_user_token_has_no_bot_id(admin: WebClient) -> None:
    resp = admin.auth_test()
    assert resp["user_id"] == "U0ADA"
    assert "bot_id" not in resp


def test_missing_token_is_not_authed(slack_standin: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as exc:
        WebClient(base_url=slack_standin.api_url).auth_test()
    assert exc.value.response.status_code == 200
    assert _error_of(exc) == "not_authed"


def test_unknown_token_is_invalid_auth(slack_standin: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as exc:
        WebClient(token="xoxb-nope", base_url=slack_standin.api_url).users_list()
    assert _error_of(exc) == "invalid_auth"


def test_unknown_method_is_reported(bot: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        bot.api_call("nonexistent.method")
    assert _error_of(exc) == "unknown_method"


def test_token_of_a_deactivated_user_is_account_inactive(slack_standin: SlackStandIn) -> None:
    slack_standin.add_token("xoxp-alice", "alice")
    slack_standin.set_user_deleted("alice")
    with pytest.raises(SlackApiError) as exc:
        WebClient(token="xoxp-alice", base_url=slack_standin.api_url).auth_test()
    assert _error_of(exc) == "account_inactive"


def test_get_style_query_params_are_accepted(slack_standin: SlackStandIn) -> None:
    url = f"{slack_standin.api_url}users.info?user=U0ALICE"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {BOT_TOKEN}"})  # noqa: S310
    with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310
        body = json.loads(resp.read())
    assert body["user"]["name"] == "alice"


# --------------------------------------------------------------------------- users and groups


def test_users_info_returns_full_profile_with_normalized_names(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    user = bot.users_info(user=slack_standin.user_id("zoe"))["user"]
    assert user["profile"]["real_name"] == "Zoë Ångström"
    assert user["profile"]["real_name_normalized"] == "Zoe Angstrom"
    assert user["profile"]["display_name_normalized"] == "zoe"
    assert user["profile"]["first_name"] == "Zoë"
    assert user["is_bot"] is False
    assert user["deleted"] is False


def test_users_info_of_slackbot_and_the_bot_user(bot: WebClient) -> None:
    assert bot.users_info(user="USLACKBOT")["user"]["is_bot"] is False
    me = bot.users_info(user="U0BOT")["user"]
    assert me["is_bot"] is True
    assert me["profile"]["bot_id"] == "B0BOT"


def test_users_info_of_unknown_user_is_user_not_found(bot: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        bot.users_info(user="U404")
    assert _error_of(exc) == "user_not_found"


def test_users_list_paginates_with_cursor_until_empty_next_cursor(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    seen: list[str] = []
    cursors: list[str] = []
    for page in bot.users_list(limit=3):
        assert len(page["members"]) <= 3
        seen += [m["id"] for m in page["members"]]
        cursors.append(page["response_metadata"]["next_cursor"])
    assert cursors[-1] == ""
    assert len(cursors) > 2
    assert seen == [u["id"] for u in bot.users_list()["members"]]
    assert {"USLACKBOT", "U0BOT", "U0FRANK"} <= set(seen)


def test_users_list_rejects_a_garbage_cursor(bot: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        bot.users_list(cursor="garbage!", limit=2)
    assert _error_of(exc) == "invalid_cursor"


def test_usergroups_list_and_members(bot: WebClient, slack_standin: SlackStandIn) -> None:
    groups = bot.usergroups_list(include_users=True)["usergroups"]
    mods = next(g for g in groups if g["handle"] == "moderators")
    assert mods["id"] == slack_standin.usergroup_id("moderators")
    assert set(mods["users"]) == {"U0ADA", "U0CARLA"}
    assert bot.usergroups_users_list(usergroup=mods["id"])["users"] == ["U0ADA", "U0CARLA"]


def test_usergroups_users_list_of_unknown_group_is_no_such_subteam(bot: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        bot.usergroups_users_list(usergroup="S404")
    assert _error_of(exc) == "no_such_subteam"


def test_usergroups_on_free_plan_need_an_upgrade(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    slack_standin.configure(usergroups_available=False)
    with pytest.raises(SlackApiError) as exc:
        bot.usergroups_list()
    assert _error_of(exc) == "plan_upgrade_required"


# --------------------------------------------------------------------------- conversations


def test_conversations_info_of_public_channel(bot: WebClient, slack_standin: SlackStandIn) -> None:
    ch = bot.conversations_info(channel=slack_standin.channel_id("general-discussions"))["channel"]
    assert ch["name"] == "general-discussions"
    assert ch["is_general"] is True
    assert ch["is_member"] is True
    assert ch["is_private"] is False


def test_private_channel_is_invisible_to_non_members(slack_standin: SlackStandIn) -> None:
    slack_standin.add_token("xoxp-alice", "alice")
    alice = WebClient(token="xoxp-alice", base_url=slack_standin.api_url)
    with pytest.raises(SlackApiError) as exc:
        alice.conversations_info(channel=slack_standin.channel_id("moderators"))
    assert _error_of(exc) == "channel_not_found"


def test_conversations_list_filters_types_and_paginates(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    public = [c["name"] for page in bot.conversations_list(limit=2) for c in page["channels"]]
    assert public == ["general-discussions", "shameless-plugs", "random"]
    both = bot.conversations_list(types="public_channel,private_channel")["channels"]
    assert "moderators" in [c["name"] for c in both]
    assert (
        bot.conversations_list(types="public_channel,private_channel")["response_metadata"][
            "next_cursor"
        ]
        == ""
    )


def test_conversations_list_can_exclude_archived(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    slack_standin.archive_channel("random")
    names = [c["name"] for c in bot.conversations_list(exclude_archived=True)["channels"]]
    assert "random" not in names


def test_conversations_list_rejects_unknown_types(bot: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        bot.conversations_list(types="public_channel,bogus")
    assert _error_of(exc) == "invalid_types"


def test_conversations_members_paginates(bot: WebClient, slack_standin: SlackStandIn) -> None:
    channel = slack_standin.channel_id("general-discussions")
    members = [
        m for page in bot.conversations_members(channel=channel, limit=3) for m in page["members"]
    ]
    assert members == slack_standin.members(channel)
    assert "U0BOT" in members


def test_conversations_open_gives_a_stable_dm_per_user(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    first = bot.conversations_open(users="U0ALICE")
    assert first["channel"]["id"].startswith("D")
    assert "already_open" not in first
    again = bot.conversations_open(users="U0ALICE")
    assert again["channel"]["id"] == first["channel"]["id"]
    assert again["already_open"] is True
    assert again["channel"]["user"] == "U0ALICE"
    assert slack_standin.dm_id("alice") == first["channel"]["id"]
    assert bot.conversations_open(users="U0BOB")["channel"]["id"] != first["channel"]["id"]


def test_conversations_open_errors(bot: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        bot.conversations_open(users="U404")
    assert _error_of(exc) == "user_not_found"
    with pytest.raises(SlackApiError) as exc:
        bot.conversations_open(users="U0FRANK")
    assert _error_of(exc) == "user_disabled"


def test_conversations_kick_removes_the_member(bot: WebClient, slack_standin: SlackStandIn) -> None:
    plugs = slack_standin.channel_id("shameless-plugs")
    assert bot.conversations_kick(channel=plugs, user="U0BOB")["ok"]
    assert not slack_standin.is_member(plugs, "bob")


@pytest.mark.parametrize(
    ("channel", "user", "error"),
    [
        ("shameless-plugs", "U0BOT", "cant_kick_self"),
        ("general-discussions", "U0ALICE", "cant_kick_from_general"),
        ("random", "U0BOB", "not_in_channel"),
        ("random", "U404", "user_not_found"),
        ("C404", "U0ALICE", "channel_not_found"),
    ],
)
def test_conversations_kick_errors(
    bot: WebClient, slack_standin: SlackStandIn, channel: str, user: str, error: str
) -> None:
    channel_id = channel if channel.startswith("C4") else slack_standin.channel_id(channel)
    with pytest.raises(SlackApiError) as exc:
        bot.conversations_kick(channel=channel_id, user=user)
    assert _error_of(exc) == error


def test_conversations_kick_by_bot_can_be_restricted_by_workspace_pref(
    bot: WebClient, admin: WebClient, slack_standin: SlackStandIn
) -> None:
    slack_standin.configure(restrict_bot_kicks=True)
    plugs = slack_standin.channel_id("shameless-plugs")
    with pytest.raises(SlackApiError) as exc:
        bot.conversations_kick(channel=plugs, user="U0BOB")
    assert _error_of(exc) == "restricted_action"
    assert admin.conversations_kick(channel=plugs, user="U0BOB")["ok"]


def test_conversations_invite_adds_several_users(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    random = slack_standin.channel_id("random")
    resp = bot.conversations_invite(channel=random, users=["U0BOB", "U0ZOE"])
    assert resp["channel"]["id"] == random
    assert slack_standin.is_member(random, "bob") and slack_standin.is_member(random, "zoe")
    assert bot.conversations_invite(channel=random, users="U0CARLA")["ok"]


def test_conversations_invite_of_a_member_is_already_in_channel(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    random = slack_standin.channel_id("random")
    with pytest.raises(SlackApiError) as exc:
        bot.conversations_invite(channel=random, users="U0BOB,U0ALICE")
    assert _error_of(exc) == "already_in_channel"
    assert exc.value.response["errors"] == [
        {"user": "U0ALICE", "ok": False, "error": "already_in_channel"}
    ]
    assert not slack_standin.is_member(random, "bob")
    forced = bot.conversations_invite(channel=random, users="U0BOB,U0ALICE", force=True)
    assert forced["ok"] and slack_standin.is_member(random, "bob")


def test_conversations_invite_needs_the_caller_in_the_channel(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    lounge = slack_standin.add_channel("lounge", members=["alice"], bot_member=False)
    with pytest.raises(SlackApiError) as exc:
        bot.conversations_invite(channel=lounge, users="U0BOB")
    assert _error_of(exc) == "not_in_channel"


def test_conversations_history_is_newest_first_and_paginates(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    random = slack_standin.channel_id("random")
    posted = [slack_standin.add_message(random, "alice", f"msg {i}") for i in range(5)]
    slack_standin.add_message(random, "dmitri", "a reply", thread_ts=posted[0])
    # SlackResponse iteration mutates the response in place: copy each page's data
    pages = [dict(page.data) for page in bot.conversations_history(channel=random, limit=2)]
    texts = [m["text"] for page in pages for m in page["messages"]]
    assert texts == ["msg 4", "msg 3", "msg 2", "msg 1", "msg 0"]
    assert [page["has_more"] for page in pages] == [True, True, False]
    assert pages[-1]["response_metadata"]["next_cursor"] == ""
    parent = pages[-1]["messages"][-1]
    assert parent["reply_count"] == 1 and parent["thread_ts"] == posted[0]
    replies = bot.conversations_replies(channel=random, ts=posted[0])["messages"]
    assert [m["text"] for m in replies] == ["msg 0", "a reply"]


def test_conversations_history_needs_the_bot_in_the_channel(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    lounge = slack_standin.add_channel("lounge", members=["alice"], bot_member=False)
    with pytest.raises(SlackApiError) as exc:
        bot.conversations_history(channel=lounge)
    assert _error_of(exc) == "not_in_channel"


# --------------------------------------------------------------------------- chat


def test_post_message_records_a_bot_message_with_decoded_blocks(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    channel = slack_standin.channel_id("general-discussions")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    resp = bot.chat_postMessage(channel=channel, text="hi", blocks=blocks)
    assert resp["channel"] == channel
    assert resp["message"]["bot_id"] == "B0BOT"
    assert resp["message"]["user"] == "U0BOT"
    stored = slack_standin.messages(channel)[-1]
    assert stored["ts"] == resp["ts"]
    assert stored["blocks"] == blocks
    call = slack_standin.last("chat.postMessage")
    assert call.args["blocks"] == blocks
    assert call.token == BOT_TOKEN
    assert call.headers["authorization"] == f"Bearer {BOT_TOKEN}"


def test_post_message_in_a_thread_and_to_a_dm(bot: WebClient, slack_standin: SlackStandIn) -> None:
    random = slack_standin.channel_id("random")
    parent = slack_standin.add_message(random, "alice", "question")
    reply = bot.chat_postMessage(channel=random, text="answer", thread_ts=parent)
    assert reply["message"]["thread_ts"] == parent
    assert reply["message"]["parent_user_id"] == "U0ALICE"
    dm = bot.conversations_open(users="U0BOB")["channel"]["id"]
    assert bot.chat_postMessage(channel=dm, text="a private note")["channel"] == dm


def test_message_ts_values_are_unique_and_increasing(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    channel = slack_standin.channel_id("random")
    stamps = [bot.chat_postMessage(channel=channel, text=str(i))["ts"] for i in range(30)]
    assert len(set(stamps)) == 30
    assert stamps == sorted(stamps, key=lambda ts: tuple(int(p) for p in ts.split(".")))


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize(
    ("setup", "kwargs", "error"),
    [
        ("none", {"channel": "C404", "text": "x"}, "channel_not_found"),
        ("none", {"channel": "C0RANDOM"}, "no_text"),
        (
            "none",
            {"channel": "C0RANDOM", "text": "x", "blocks": [{"no": "type"}]},
            "invalid_blocks",
        ),
        ("archive", {"channel": "C0RANDOM", "text": "x"}, "is_archived"),
        ("kick_bot", {"channel": "C0RANDOM", "text": "x"}, "not_in_channel"),
    ],
)
def test_post_message_errors(
    bot: WebClient, slack_standin: SlackStandIn, setup: str, kwargs: dict[str, Any], error: str
) -> None:
    if setup == "archive":
        slack_standin.archive_channel("random")
    if setup == "kick_bot":
        slack_standin.remove_member("random", "U0BOT")
    with pytest.raises(SlackApiError) as exc:
        bot.chat_postMessage(**kwargs)
    assert _error_of(exc) == error
    assert slack_standin.messages("random") == []


def test_post_ephemeral_is_recorded_apart_from_history(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    channel = slack_standin.channel_id("general-discussions")
    resp = bot.chat_postEphemeral(channel=channel, user="U0ALICE", text="only for you")
    assert resp["message_ts"]
    assert slack_standin.messages(channel) == []
    (eph,) = slack_standin.ephemerals(channel, user="alice")
    assert eph["text"] == "only for you"
    assert eph["ts"] == resp["message_ts"]


def test_post_ephemeral_to_a_non_member_is_user_not_in_channel(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    with pytest.raises(SlackApiError) as exc:
        bot.chat_postEphemeral(channel=slack_standin.channel_id("random"), user="U0BOB", text="x")
    assert _error_of(exc) == "user_not_in_channel"


def test_chat_update_edits_the_bots_message(bot: WebClient, slack_standin: SlackStandIn) -> None:
    channel = slack_standin.channel_id("random")
    ts = bot.chat_postMessage(channel=channel, text="draft")["ts"]
    resp = bot.chat_update(channel=channel, ts=ts, text="final")
    assert resp["text"] == "final"
    stored = slack_standin.message(channel, ts)
    assert stored is not None
    assert stored["text"] == "final"
    assert stored["edited"]["user"] == "U0BOT"


def test_chat_update_errors(bot: WebClient, slack_standin: SlackStandIn) -> None:
    channel = slack_standin.channel_id("random")
    theirs = slack_standin.add_message(channel, "alice", "mine")
    with pytest.raises(SlackApiError) as exc:
        bot.chat_update(channel=channel, ts=theirs, text="hijacked")
    assert _error_of(exc) == "cant_update_message"
    with pytest.raises(SlackApiError) as exc:
        bot.chat_update(channel=channel, ts="1.000001", text="x")
    assert _error_of(exc) == "message_not_found"


def test_chat_delete_by_bot_only_for_its_own_messages(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    channel = slack_standin.channel_id("random")
    own = bot.chat_postMessage(channel=channel, text="oops")["ts"]
    theirs = slack_standin.add_message(channel, "alice", "rude words")
    assert bot.chat_delete(channel=channel, ts=own)["ts"] == own
    with pytest.raises(SlackApiError) as exc:
        bot.chat_delete(channel=channel, ts=theirs)
    assert _error_of(exc) == "cant_delete_message"
    assert [m["ts"] for m in slack_standin.messages(channel)] == [theirs]
    assert [m["ts"] for m in slack_standin.deleted_messages(channel)] == [own]


def test_chat_delete_by_admin_user_token_removes_others_messages(
    admin: WebClient, slack_standin: SlackStandIn
) -> None:
    channel = slack_standin.channel_id("random")
    theirs = slack_standin.add_message(channel, "alice", "rude words")
    assert admin.chat_delete(channel=channel, ts=theirs)["ok"]
    assert slack_standin.message(channel, theirs) is None


def test_chat_delete_by_admin_can_be_disabled(
    admin: WebClient, slack_standin: SlackStandIn
) -> None:
    slack_standin.configure(admins_can_delete_others=False)
    channel = slack_standin.channel_id("random")
    theirs = slack_standin.add_message(channel, "alice", "rude words")
    with pytest.raises(SlackApiError) as exc:
        admin.chat_delete(channel=channel, ts=theirs)
    assert _error_of(exc) == "cant_delete_message"


def test_get_permalink_for_messages_and_replies(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    channel = slack_standin.channel_id("random")
    parent = slack_standin.add_message(channel, "alice", "root", ts="1712345678.000100")
    reply = slack_standin.add_message(
        channel, "bob", "reply", ts="1712345679.000200", thread_ts=parent
    )
    link = bot.chat_getPermalink(channel=channel, message_ts=parent)["permalink"]
    assert link == f"https://atih.slack.com/archives/{channel}/p1712345678000100"
    reply_link = bot.chat_getPermalink(channel=channel, message_ts=reply)["permalink"]
    assert reply_link == (
        f"https://atih.slack.com/archives/{channel}/p1712345679000200"
        f"?thread_ts={parent}&cid={channel}"
    )
    with pytest.raises(SlackApiError) as exc:
        bot.chat_getPermalink(channel=channel, message_ts="1.000001")
    assert _error_of(exc) == "message_not_found"


# --------------------------------------------------------------------------- views

MODAL = {
    "type": "modal",
    "callback_id": "report",
    "title": {"type": "plain_text", "text": "Report"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Tell us"}}],
}
HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]}


def test_views_open_accepts_an_issued_trigger_once(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    trigger = slack_standin.issue_trigger_id("alice")
    view = bot.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"].startswith("V")
    assert view["callback_id"] == "report"
    assert view["root_view_id"] == view["id"]
    assert slack_standin.views("alice")[0]["id"] == view["id"]
    with pytest.raises(SlackApiError) as exc:
        bot.views_open(trigger_id=trigger, view=MODAL)
    assert _error_of(exc) == "exchanged_trigger_id"


def test_views_open_rejects_unknown_and_expired_triggers(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    with pytest.raises(SlackApiError) as exc:
        bot.views_open(trigger_id="123.456.abc", view=MODAL)
    assert _error_of(exc) == "invalid_trigger_id"
    expired = slack_standin.issue_trigger_id("alice", expired=True)
    with pytest.raises(SlackApiError) as exc:
        bot.views_open(trigger_id=expired, view=MODAL)
    assert _error_of(exc) == "expired_trigger_id"
    slack_standin.configure(trigger_ttl=0.05)
    stale = slack_standin.issue_trigger_id("alice")
    time.sleep(0.1)
    with pytest.raises(SlackApiError) as exc:
        bot.views_open(trigger_id=stale, view=MODAL)
    assert _error_of(exc) == "expired_trigger_id"


def test_views_update_changes_the_hash_and_detects_conflicts(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    opened = bot.views_open(
        trigger_id=slack_standin.issue_trigger_id("alice"),
        view={**MODAL, "external_id": "case-42"},
    )["view"]
    updated = bot.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)["view"]
    assert updated["id"] == opened["id"]
    assert updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as exc:
        bot.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)
    assert _error_of(exc) == "hash_conflict"
    by_external = bot.views_update(external_id="case-42", view=MODAL)["view"]
    assert by_external["id"] == opened["id"]
    with pytest.raises(SlackApiError) as exc:
        bot.views_update(view_id="V404", view=MODAL)
    assert _error_of(exc) == "not_found"


def test_views_push_stacks_at_most_three_views(bot: WebClient, slack_standin: SlackStandIn) -> None:
    root = bot.views_open(trigger_id=slack_standin.issue_trigger_id("alice"), view=MODAL)["view"]
    second = bot.views_push(
        trigger_id=slack_standin.issue_trigger_id("alice", view_id=root["id"]), view=MODAL
    )["view"]
    assert second["root_view_id"] == root["id"]
    assert second["previous_view_id"] == root["id"]
    bot.views_push(trigger_id=slack_standin.issue_trigger_id("alice"), view=MODAL)
    with pytest.raises(SlackApiError) as exc:
        bot.views_push(trigger_id=slack_standin.issue_trigger_id("alice"), view=MODAL)
    assert _error_of(exc) == "push_limit_reached"


def test_views_publish_keeps_one_home_view_per_user(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    first = bot.views_publish(user_id="U0ALICE", view=HOME)["view"]
    second = bot.views_publish(user_id="U0ALICE", view=HOME, hash=first["hash"])["view"]
    assert second["id"] == first["id"]
    assert second["hash"] != first["hash"]
    assert second["type"] == "home"
    home = slack_standin.home_view("alice")
    assert home is not None and home["hash"] == second["hash"]
    with pytest.raises(SlackApiError) as exc:
        bot.views_publish(user_id="U0ALICE", view=HOME, hash=first["hash"])
    assert _error_of(exc) == "hash_conflict"


def test_views_publish_errors(bot: WebClient, slack_standin: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as exc:
        bot.views_publish(user_id="U0ALICE", view=MODAL)
    assert _error_of(exc) == "invalid_arguments"
    slack_standin.configure(home_tab_enabled=False)
    with pytest.raises(SlackApiError) as exc:
        bot.views_publish(user_id="U0ALICE", view=HOME)
    assert _error_of(exc) == "not_enabled"


# --------------------------------------------------------------------------- files


def test_files_upload_v2_works_end_to_end(bot: WebClient, slack_standin: SlackStandIn) -> None:
    channel = slack_standin.channel_id("moderators")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    resp = bot.files_upload_v2(
        channel=channel,
        content=png,
        filename="chart.png",
        title="Weekly chart",
        alt_txt="reports per week",
        initial_comment="This week's reports",
    )
    file_id = resp["file"]["id"]
    stored = slack_standin.uploaded_file(file_id)
    assert stored.content == png
    assert stored.title == "Weekly chart"
    assert stored.channels == [channel]
    message = slack_standin.messages(channel)[-1]
    assert message["text"] == "This week's reports"
    assert message["files"][0]["id"] == file_id
    assert [c.method for c in slack_standin.calls()] == [
        "files.getUploadURLExternal",
        "files.upload_url",
        "files.completeUploadExternal",
    ]


def test_files_upload_v2_into_a_channel_without_the_bot_fails(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    lounge = slack_standin.add_channel("lounge", members=["alice"], bot_member=False)
    with pytest.raises(SlackApiError) as exc:
        bot.files_upload_v2(channel=lounge, content=b"x", filename="a.txt")
    assert _error_of(exc) == "not_in_channel"


def test_complete_upload_of_unknown_file_is_file_not_found(bot: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        bot.files_completeUploadExternal(files=[{"id": "F404"}])
    assert _error_of(exc) == "file_not_found"


# --------------------------------------------------------------------------- SCIM


def test_scim_search_users_by_user_name(scim: SCIMClient) -> None:
    page = scim.search_users(start_index=1, count=10, filter='userName Eq "alice"')
    assert page.status_code == 200
    assert [u.id for u in page.users] == ["U0ALICE"]
    assert page.users[0].active is True
    assert page.body is not None and page.body["totalResults"] == 1


def test_scim_search_users_paginates_with_start_index(scim: SCIMClient) -> None:
    first = scim.search_users(start_index=1, count=3)
    second = scim.search_users(start_index=4, count=3)
    assert first.body is not None and second.body is not None
    assert first.body["itemsPerPage"] == 3
    assert second.body["startIndex"] == 4
    ids = [u.id for u in first.users] + [u.id for u in second.users]
    assert len(set(ids)) == 6
    assert "USLACKBOT" not in ids


def test_scim_deactivate_and_reactivate_a_user(
    scim: SCIMClient, bot: WebClient, slack_standin: SlackStandIn
) -> None:
    plugs = slack_standin.channel_id("shameless-plugs")
    patched = scim.patch_user(id="U0ALICE", partial_user=User(active=False))
    assert patched.status_code == 200
    assert patched.user.active is False
    assert bot.users_info(user="U0ALICE")["user"]["deleted"] is True
    assert slack_standin.is_member(plugs, "alice")  # deactivation removes nothing else
    call = slack_standin.last("scim.PATCH /Users/U0ALICE")
    assert call.args["active"] is False
    assert scim.read_user("U0ALICE").user.active is False
    scim.patch_user(id="U0ALICE", partial_user=User(active=True))
    assert bot.users_info(user="U0ALICE")["user"]["deleted"] is False


def test_scim_delete_user_deactivates(scim: SCIMClient, bot: WebClient) -> None:
    resp = scim.delete_user("U0BOB")
    assert resp.status_code == 204
    assert bot.users_info(user="U0BOB")["user"]["deleted"] is True
    assert bot.users_info(user="U0BOB")["user"]["name"] == "bob"


def test_scim_errors_have_the_errors_shape(scim: SCIMClient, slack_standin: SlackStandIn) -> None:
    missing = scim.read_user("U404")
    assert missing.status_code == 404
    assert missing.errors is not None and missing.errors.code == 404
    as_bot = SCIMClient(token=BOT_TOKEN, base_url=slack_standin.scim_url)
    assert as_bot.read_user("U0ALICE").status_code == 403
    anonymous = SCIMClient(token="xoxp-nope", base_url=slack_standin.scim_url)
    assert anonymous.read_user("U0ALICE").status_code == 401


# --------------------------------------------------------------------------- faults


def test_rate_limit_is_retried_by_the_sdk_retry_handler(slack_standin: SlackStandIn) -> None:
    slack_standin.inject("chat.postMessage", Fault.rate_limited(retry_after=0))
    client = WebClient(
        token=BOT_TOKEN,
        base_url=slack_standin.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    assert client.chat_postMessage(channel="C0RANDOM", text="hello")["ok"]
    first, second = slack_standin.calls("chat.postMessage")
    assert (first.status, first.error, first.fault) == (
        429,
        "ratelimited",
        "ratelimited(retry_after=0)",
    )
    assert second.ok
    assert len(slack_standin.messages("random")) == 1


def test_rate_limit_without_retry_handler_surfaces_429_and_retry_after(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    slack_standin.inject("users.list", Fault.rate_limited(retry_after=1), times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as exc:
            bot.users_list()
        assert exc.value.response.status_code == 429
        assert exc.value.response.headers["Retry-After"] == "1"
        assert _error_of(exc) == "ratelimited"
    assert bot.users_list()["ok"]
    assert slack_standin.pending_faults() == 0


def test_server_error_is_retried_by_server_error_retry_handler(
    slack_standin: SlackStandIn,
) -> None:
    slack_standin.inject("conversations.kick", Fault.http_status(500))
    client = WebClient(
        token=BOT_TOKEN,
        base_url=slack_standin.api_url,
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)],
    )
    assert client.conversations_kick(channel="C0PLUGS", user="U0BOB")["ok"]
    assert [c.status for c in slack_standin.calls("conversations.kick")] == [500, 200]


def test_slow_answer_trips_the_client_timeout(slack_standin: SlackStandIn) -> None:
    slack_standin.inject("auth.test", Fault.delay(2.0))
    impatient = WebClient(
        token=BOT_TOKEN, base_url=slack_standin.api_url, timeout=1, retry_handlers=[]
    )
    started = time.monotonic()
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        impatient.auth_test()
    assert time.monotonic() - started < 1.9
    assert impatient.auth_test()["ok"]


def test_injected_api_error_and_disconnect(slack_standin: SlackStandIn, bot: WebClient) -> None:
    slack_standin.inject("conversations.info", Fault.api_error("fatal_error", detail="boom"))
    with pytest.raises(SlackApiError) as exc:
        bot.conversations_info(channel="C0RANDOM")
    assert exc.value.response["detail"] == "boom"
    slack_standin.inject("conversations.info", Fault.disconnect())
    retrying = WebClient(
        token=BOT_TOKEN,
        base_url=slack_standin.api_url,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )
    assert retrying.conversations_info(channel="C0RANDOM")["ok"]
    assert [c.fault for c in slack_standin.calls("conversations.info")] == [
        "error(fatal_error)",
        "disconnect",
        None,
    ]


def test_scim_rate_limit_is_retried(slack_standin: SlackStandIn) -> None:
    slack_standin.inject("scim.PATCH", Fault.rate_limited(retry_after=0))
    client = SCIMClient(
        token=ADMIN_TOKEN,
        base_url=slack_standin.scim_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    assert client.patch_user(id="U0BOB", partial_user=User(active=False)).status_code == 200
    assert [c.status for c in slack_standin.calls("scim.PATCH /Users/U0BOB")] == [429, 200]


def test_fault_parameters_are_bounded(slack_standin: SlackStandIn) -> None:
    with pytest.raises(ValueError):
        Fault.delay(600)
    with pytest.raises(ValueError):
        Fault.rate_limited(retry_after=3600)
    with pytest.raises(ValueError):
        slack_standin.inject("auth.test", Fault.http_status(500), times=1000)


# --------------------------------------------------------------------------- recording


def test_wait_for_blocks_until_a_threaded_caller_has_posted(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    def later() -> None:
        time.sleep(0.2)
        bot.chat_postMessage(channel="C0RANDOM", text="from a listener thread")

    threading.Thread(target=later, daemon=True).start()
    (call,) = slack_standin.wait_for("chat.postMessage", timeout=5)
    assert call.args["text"] == "from a listener thread"
    assert slack_standin.messages("random")[-1]["text"] == "from a listener thread"


def test_wait_for_times_out_with_a_helpful_message(
    bot: WebClient, slack_standin: SlackStandIn
) -> None:
    bot.auth_test()
    with pytest.raises(AssertionError, match=r"chat\.postMessage.*auth\.test"):
        slack_standin.wait_for("chat.postMessage", timeout=0.2)


def test_reset_calls_forgets_recorded_calls(bot: WebClient, slack_standin: SlackStandIn) -> None:
    bot.auth_test()
    assert slack_standin.calls("auth.test")
    slack_standin.reset_calls()
    assert slack_standin.calls() == []
    with pytest.raises(AssertionError):
        slack_standin.last("auth.test")


def test_custom_workspace_spec_can_start_nearly_empty() -> None:
    with SlackStandIn(WorkspaceSpec(team_id="T1", domain="tiny")) as standin:
        client = WebClient(token=BOT_TOKEN, base_url=standin.api_url)
        assert client.auth_test()["team_id"] == "T1"
        assert [u["id"] for u in client.users_list()["members"]] == ["USLACKBOT", "U0BOT"]


# --------------------------------------------------------------------------- delivery


Captured = list[tuple[dict[str, str], bytes]]


class _Capture(BaseHTTPRequestHandler):
    captured: ClassVar[Captured]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).captured.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def capture() -> Iterator[tuple[str, Captured]]:
    class Handler(_Capture):
        captured: ClassVar[Captured] = []

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events", Handler.captured
    server.shutdown()
    server.server_close()


def test_delivery_signature_verifies_with_signature_verifier(
    capture: tuple[str, Captured],
    slack_standin: SlackStandIn,
    signing_secret: str,
) -> None:
    url, captured = capture
    delivery = SlackDelivery(url, signing_secret, standin=slack_standin)
    status, _, _ = delivery.event(payloads.message_event("C0RANDOM", "U0ALICE", "hello"))
    assert status == 200
    headers, body = captured[-1]
    assert SignatureVerifier(signing_secret).is_valid_request(body, headers)
    envelope = json.loads(body)
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"].startswith("Ev")
    assert envelope["authorizations"][0]["user_id"] == "U0BOT"
    assert envelope["event"]["event_ts"] == envelope["event"]["ts"]

    delivery.event({"type": "app_home_opened"}, bad_signature=True)
    bad_headers, bad_body = captured[-1]
    assert not SignatureVerifier(signing_secret).is_valid_request(bad_body, bad_headers)


def test_delivery_retry_headers_keep_the_event_id(
    capture: tuple[str, Captured], signing_secret: str
) -> None:
    url, captured = capture
    delivery = SlackDelivery(url, signing_secret)
    delivery.event({"type": "team_join", "user": {}}, event_id="Ev0001", retry_num=1)
    headers, body = captured[-1]
    assert headers["x-slack-retry-num"] == "1"
    assert headers["x-slack-retry-reason"] == "http_timeout"
    assert json.loads(body)["event_id"] == "Ev0001"


def test_command_form_carries_all_fields_and_a_usable_trigger(
    capture: tuple[str, Captured],
    slack_standin: SlackStandIn,
    signing_secret: str,
    bot: WebClient,
) -> None:
    url, captured = capture
    delivery = SlackDelivery(url, signing_secret, standin=slack_standin)
    delivery.command("/report", "<@U0BOB> was rude", user_id="alice", channel_id="random")
    headers, body = captured[-1]
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    assert form["command"] == "/report"
    assert form["user_id"] == "U0ALICE" and form["user_name"] == "alice"
    assert form["channel_id"] == "C0RANDOM" and form["channel_name"] == "random"
    assert form["team_domain"] == "atih"
    assert form["is_enterprise_install"] == "false"
    assert form["response_url"].startswith(slack_standin.base_url)
    assert bot.views_open(trigger_id=form["trigger_id"], view=MODAL)["ok"]


def test_payload_builders_are_usable_standalone() -> None:
    payload = payloads.block_actions_payload(
        "case_take_action",
        value="42",
        user_id="U1",
        user_name="mod",
        trigger_id="1.2.3",
        message={"ts": "111.222", "text": "case"},
        channel_id="C1",
    )
    assert payload["container"] == {
        "type": "message",
        "message_ts": "111.222",
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    assert payload["actions"][0]["value"] == "42"
    view = payloads.view_object("report", view_id="V1", state_values={"b": {"a": {"value": "x"}}})
    submission = payloads.view_submission_payload(
        view, user_id="U1", user_name="mod", trigger_id="1.2.3"
    )
    assert submission["view"]["state"]["values"]["b"]["a"]["value"] == "x"


# --------------------------------------------------------------------------- a real Bolt app


@pytest.fixture
def bolt_app(
    slack_standin: SlackStandIn, signing_secret: str
) -> Iterator[tuple[App, SlackDelivery]]:
    app = App(
        signing_secret=signing_secret,
        client=WebClient(token=BOT_TOKEN, base_url=slack_standin.api_url),
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            headers: dict[str, str | Sequence[str]] = dict(self.headers.items())
            resp: BoltResponse = app.dispatch(BoltRequest(body=body, headers=headers))
            payload = resp.body.encode()
            self.send_response(resp.status)
            for name, values in resp.headers.items():
                for value in values:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    yield app, SlackDelivery(url, signing_secret, standin=slack_standin)
    server.shutdown()
    server.server_close()


def test_bolt_app_opens_a_modal_from_a_command_and_answers_its_submission(
    bolt_app: tuple[App, SlackDelivery], slack_standin: SlackStandIn
) -> None:
    app, delivery = bolt_app

    @app.command("/report")
    def open_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view={**MODAL, "private_metadata": "m"})

    submitted_views: list[dict[str, Any]] = []

    @app.view("report")
    def submitted(ack: Ack, view: dict[str, Any]) -> None:
        submitted_views.append(view)
        ack(response_action="errors", errors={"b": view["state"]["values"]["b"]["a"]["value"]})

    assert delivery.command("/report", "", user_id="alice").status == 200
    (opened,) = slack_standin.wait_for("views.open")
    assert opened.ok
    resp = delivery.view_submission("report", {"b": {"a": {"type": "x", "value": "too short"}}})
    assert resp.status == 200
    assert resp.json() == {"response_action": "errors", "errors": {"b": "too short"}}
    assert opened.response is not None
    assert submitted_views[0]["id"] == opened.response["view"]["id"]
    assert submitted_views[0]["private_metadata"] == "m"


def test_bolt_app_reacts_to_events_and_responds_to_block_actions(
    bolt_app: tuple[App, SlackDelivery], slack_standin: SlackStandIn
) -> None:
    app, delivery = bolt_app

    @app.message("hello")
    def greet(message: dict[str, Any], say: Any) -> None:
        say(text=f"hi <@{message['user']}>", thread_ts=message["ts"])

    @app.action("case_take_action")
    def take(ack: Ack, respond: Respond, action: dict[str, Any]) -> None:
        ack()
        respond(text=f"taking case {action['value']}", replace_original=False)

    event = payloads.message_event("C0RANDOM", "U0ALICE", "hello there")
    assert delivery.event(event).status == 200
    (posted,) = slack_standin.wait_for("chat.postMessage")
    assert posted.args["thread_ts"] == event["ts"]

    ts = slack_standin.add_message("random", "U0BOT", "case 42", bot_id="B0BOT")
    resp = delivery.block_action("case_take_action", "42", "carla", message=ts, channel="random")
    assert resp.status == 200
    (responded,) = slack_standin.wait_for("response_url")
    assert responded.args["text"] == "taking case 42"
    assert slack_standin.responses()[0].body["replace_original"] is False


def test_bolt_app_rejects_a_badly_signed_request(bolt_app: tuple[App, SlackDelivery]) -> None:
    _, delivery = bolt_app
    resp = delivery.event(payloads.message_event("C0RANDOM", "U0ALICE", "x"), bad_signature=True)
    assert resp.status == 401
    stale = delivery.event(
        payloads.message_event("C0RANDOM", "U0ALICE", "x"), timestamp=int(time.time()) - 600
    )
    assert stale.status == 401


def test_bolt_app_handles_a_message_shortcut_and_pushes_from_a_modal_action(
    bolt_app: tuple[App, SlackDelivery], slack_standin: SlackStandIn
) -> None:
    app, delivery = bolt_app
    seen: dict[str, Any] = {}

    @app.message_shortcut("report_message")
    def report(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        seen.update(shortcut)
        client.views_open(trigger_id=shortcut["trigger_id"], view=MODAL)

    @app.action("add_details")
    def details(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_push(trigger_id=body["trigger_id"], view=MODAL)

    ts = slack_standin.add_message("random", "bob", "rude words")
    assert delivery.message_shortcut("report_message", "alice", ts, "random").status == 200
    (opened,) = slack_standin.wait_for("views.open")
    assert seen["message"]["text"] == "rude words"
    assert seen["message"]["user"] == "U0BOB"
    assert seen["channel"] == {"id": "C0RANDOM", "name": "random"}
    assert opened.response is not None
    modal_id = opened.response["view"]["id"]

    assert delivery.block_action("add_details", None, "alice", view=modal_id).status == 200
    (pushed,) = slack_standin.wait_for("views.push")
    assert pushed.response is not None
    assert pushed.response["view"]["root_view_id"] == modal_id
