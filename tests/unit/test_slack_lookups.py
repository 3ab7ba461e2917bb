"""bot.services.slack_lookups: read-through caches over the real WebClient and the stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from bot.services.slack_lookups import SlackLookups, ThreadAuthors, WorkspaceLinks
from tests.slack_standin import BOT_TOKEN, Fault, SlackStandIn

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def client(slack_standin: SlackStandIn) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=slack_standin.api_url, timeout=5)


def test_the_workspace_link_is_asked_of_slack_once(
    client: WebClient, slack_standin: SlackStandIn
) -> None:
    links = WorkspaceLinks(client)
    first, second = links.profile_url(), links.profile_url()
    assert first is not None and first == second
    assert len(slack_standin.calls("auth.test")) == 1


def test_a_failed_lookup_is_not_kept(client: WebClient, slack_standin: SlackStandIn) -> None:
    slack_standin.inject("auth.test", Fault.api_error("invalid_auth"))
    links = WorkspaceLinks(client)
    assert links.profile_url() is None
    assert links.profile_url() is not None  # asked again, and answered this time
    assert len(slack_standin.calls("auth.test")) == 2


def test_a_thread_author_is_read_once_until_it_expires(
    client: WebClient, slack_standin: SlackStandIn
) -> None:
    channel = slack_standin.channel_id("random")
    parent = slack_standin.add_message(channel, "alice", "Who is going to the meetup?")
    authors = ThreadAuthors(client, ttl=timedelta(minutes=10))

    assert authors.author_of(channel, parent, NOW) == slack_standin.user_id("alice")
    assert authors.author_of(channel, parent, NOW + timedelta(minutes=9)) is not None
    assert len(slack_standin.calls("conversations.replies")) == 1
    authors.author_of(channel, parent, NOW + timedelta(minutes=11))
    assert len(slack_standin.calls("conversations.replies")) == 2


def test_each_app_has_its_own_caches_over_its_own_client(slack_standin: SlackStandIn) -> None:
    one = SlackLookups(WebClient(token=BOT_TOKEN, base_url=slack_standin.api_url))
    two = SlackLookups(WebClient(token=BOT_TOKEN, base_url=slack_standin.api_url))
    assert one.thread_authors is not two.thread_authors
    assert one.workspace is not two.workspace
