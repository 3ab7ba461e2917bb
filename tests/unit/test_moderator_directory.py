"""Who is a moderator: configured ids plus a user group, cached briefly."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.services.moderators import ModeratorDirectory
from bot.settings import ModeratorSettings
from tests.slack_standin import Fault, SlackStandIn


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def client(standin: SlackStandIn) -> WebClient:
    return WebClient(token=standin.bot_token, base_url=standin.api_url)


def test_configured_ids_and_group_members_are_moderators(slack_standin: SlackStandIn) -> None:
    directory = ModeratorDirectory(
        client(slack_standin),
        ModeratorSettings(user_ids=frozenset({"U0ZOE"}), usergroup="moderators"),
    )
    assert directory.is_moderator("U0ZOE")
    assert directory.is_moderator("U0ADA") and directory.is_moderator("U0CARLA")
    assert not directory.is_moderator("U0BOB")
    assert directory.all() == {"U0ZOE", "U0ADA", "U0CARLA"}


def test_group_membership_is_cached_then_refreshed(slack_standin: SlackStandIn) -> None:
    ticker = Ticker()
    directory = ModeratorDirectory(
        client(slack_standin),
        ModeratorSettings(usergroup="@moderators", cache_seconds=300),
        monotonic=ticker,
    )
    assert not directory.is_moderator("U0BOB")
    slack_standin.set_usergroup_users("moderators", ["ada", "carla", "bob"])
    assert not directory.is_moderator("U0BOB"), "still cached"
    ticker.now = 301
    assert directory.is_moderator("U0BOB")
    assert len(slack_standin.calls("usergroups.users.list")) == 2


def test_an_outage_grants_no_one_rights(slack_standin: SlackStandIn) -> None:
    slack_standin.inject("usergroups.list", Fault.api_error("fatal_error"), times=1)
    directory = ModeratorDirectory(client(slack_standin), ModeratorSettings(usergroup="moderators"))
    assert not directory.is_moderator("U0ADA")
    assert directory.is_moderator("U0ADA"), "the next call retries"


def test_without_a_group_only_configured_ids_count(slack_standin: SlackStandIn) -> None:
    directory = ModeratorDirectory(
        client(slack_standin), ModeratorSettings(user_ids=frozenset({"U0ADA"}))
    )
    assert directory.is_moderator("U0ADA")
    assert not directory.is_moderator("U0CARLA")
    assert slack_standin.calls("usergroups.list") == []
