"""Pytest plugin: ``pytest_plugins = ["tests.slack_standin.fixtures"]``.

Fixtures: ``slack_standin`` (a running stand-in seeded with ``DEFAULT_WORKSPACE``, one per test),
``signing_secret``, ``slack_bot_client`` (a ``WebClient`` with the bot token pointed at the
stand-in) and ``make_slack_delivery`` (``make_slack_delivery(app_url) -> SlackDelivery`` wired to
the stand-in and the signing secret).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from slack_sdk import WebClient

from .defaults import DEFAULT_WORKSPACE, SIGNING_SECRET
from .delivery import SlackDelivery
from .server import SlackStandIn


@pytest.fixture
def signing_secret() -> str:
    return SIGNING_SECRET


@pytest.fixture
def slack_standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(DEFAULT_WORKSPACE) as standin:
        yield standin


@pytest.fixture
def slack_bot_client(slack_standin: SlackStandIn) -> WebClient:
    return WebClient(token=slack_standin.bot_token, base_url=slack_standin.api_url, timeout=5)


@pytest.fixture
def make_slack_delivery(
    slack_standin: SlackStandIn, signing_secret: str
) -> Callable[[str], SlackDelivery]:
    def make(app_url: str) -> SlackDelivery:
        return SlackDelivery(app_url, signing_secret, standin=slack_standin)

    return make
