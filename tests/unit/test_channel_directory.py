"""Channel names for the engine's scopes, from a short-lived cache over Slack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.services.channels import ChannelDirectory
from tests.slack_standin import Fault, SlackStandIn


@pytest.fixture
def client(slack_standin: SlackStandIn) -> Iterator[WebClient]:
    yield WebClient(token=slack_standin.bot_token, base_url=slack_standin.api_url)


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_names_are_cached_until_they_expire(slack_standin: SlackStandIn, client: WebClient) -> None:
    ticker = Ticker()
    directory = ChannelDirectory(client, ttl_seconds=60, monotonic=ticker)
    general = slack_standin.channel_id("general-discussions")

    assert directory.name_of(general) == "general-discussions"
    assert directory.name_of(general) == "general-discussions"
    assert len(slack_standin.calls("conversations.info")) == 1
    ticker.now = 61
    directory.name_of(general)
    assert len(slack_standin.calls("conversations.info")) == 2


def test_direct_messages_have_no_name_and_cost_no_call(
    slack_standin: SlackStandIn, client: WebClient
) -> None:
    assert ChannelDirectory(client).name_of("D0123") == ""
    assert slack_standin.calls("conversations.info") == []


def test_a_channel_slack_will_not_describe_has_no_name(
    slack_standin: SlackStandIn, client: WebClient
) -> None:
    slack_standin.inject("conversations.info", Fault.api_error("channel_not_found"))
    assert ChannelDirectory(client).name_of("C0NOPE") == ""


def test_ids_are_found_by_name_including_private_channels(
    slack_standin: SlackStandIn, client: WebClient
) -> None:
    directory = ChannelDirectory(client)
    assert directory.id_of("#moderators") == slack_standin.channel_id("moderators")
    assert directory.id_of("shameless-plugs") == slack_standin.channel_id("shameless-plugs")
    assert directory.id_of("no-such-channel") is None
