"""A signed Events API delivery through the real HTTP handler, Bolt and the Slack stand-in.

Envelope shape: https://docs.slack.dev/reference/objects/event-object ; retries carry
X-Slack-Retry-Num (shared/slack-notes.md §1). Message shapes: slack-notes §2.
"""

from __future__ import annotations

import threading
import urllib.request

from sqlalchemy import func, select

from models import Member, ProcessedEvent
from tests.integration.harness import RunningBot
from tests.slack_standin import Fault
from tests.slack_standin.payloads import message_event


def count(bot: RunningBot, model: type) -> int:
    with bot.services.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_member_message_is_acked_and_its_author_recorded(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    alice = standin.user_id("alice")
    event = message_event(standin.channel_id("general-discussions"), alice, "Hello everyone!")

    response = running_bot.delivery.event(event)

    assert response.status == 200
    running_bot.drain()
    calls = standin.calls("users.info")
    assert calls[0].args["user"] == alice
    with running_bot.services.session_factory() as session:
        member = session.scalar(select(Member).where(Member.slack_user_id == alice))
    assert member is not None
    assert member.real_name == standin.user(alice)["real_name"]
    assert member.first_seen_at == running_bot.clock.now()


def test_retried_delivery_is_handled_exactly_once(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    event = message_event(standin.channel_id("random"), standin.user_id("bob"), "lunch anyone?")

    first = running_bot.delivery.event(event, event_id="Ev0RETRY01")
    running_bot.drain()
    retries = [
        running_bot.delivery.event(
            event, event_id="Ev0RETRY01", retry_num=n, retry_reason="http_timeout"
        )
        for n in (1, 2, 3)
    ]

    assert first.status == 200
    assert [r.status for r in retries] == [200, 200, 200]
    assert len(standin.calls("users.info")) == 1
    assert count(running_bot, ProcessedEvent) == 1


def test_simultaneous_duplicate_deliveries_are_handled_once(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    event = message_event(standin.channel_id("random"), standin.user_id("dmitri"), "hi")
    statuses: list[int] = []

    def deliver(n: int) -> None:
        statuses.append(
            running_bot.delivery.event(event, event_id="Ev0RACE", retry_num=n or None).status
        )

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    running_bot.drain()

    assert statuses == [200] * 4
    assert len(standin.calls("users.info")) == 1
    assert count(running_bot, ProcessedEvent) == 1


def test_known_author_is_not_looked_up_again(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    channel, alice = standin.channel_id("random"), standin.user_id("alice")
    running_bot.delivery.event(message_event(channel, alice, "one"))
    running_bot.drain()
    running_bot.delivery.event(message_event(channel, alice, "two"))
    running_bot.delivery.event(message_event(channel, standin.user_id("bob"), "three"))
    running_bot.drain()

    looked_up = [c.args["user"] for c in standin.calls("users.info")]
    assert sorted(looked_up) == sorted([alice, standin.user_id("bob")])


def test_bot_and_housekeeping_messages_are_acked_without_work(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    channel = standin.channel_id("random")
    alice = standin.user_id("alice")
    ignored = [
        message_event(channel, alice, "<@U1> has joined the channel", subtype="channel_join"),
        message_event(channel, alice, "set the topic", subtype="channel_topic"),
        message_event(
            channel, "U0OTHERBOT", "beep", bot_id="B0OTHER", bot_profile={"id": "B0OTHER"}
        ),
        message_event(channel, "USLACKBOT", "reminder"),
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": channel,
            "ts": "1700000001.000200",
            "deleted_ts": "1700000000.000100",
        },
    ]
    statuses = [running_bot.delivery.event(e).status for e in ignored]
    running_bot.delivery.event(message_event(channel, standin.user_id("bob"), "real words"))
    running_bot.drain()
    calls = standin.calls("users.info")

    assert statuses == [200] * len(ignored)
    assert [c.args["user"] for c in calls] == [standin.user_id("bob")]


def test_unsigned_request_is_rejected_and_nothing_happens(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    event = message_event(standin.channel_id("random"), standin.user_id("alice"), "hi")

    response = running_bot.delivery.event(event, bad_signature=True)

    assert response.status == 401
    assert standin.calls("users.info") == []
    assert count(running_bot, ProcessedEvent) == 0


def test_rate_limited_profile_lookup_is_retried(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    standin.inject("users.info", Fault.rate_limited(retry_after=0))
    alice = standin.user_id("alice")

    running_bot.delivery.event(message_event(standin.channel_id("random"), alice, "hi"))
    running_bot.drain()
    calls = standin.calls("users.info")

    assert [c.status for c in calls] == [429, 200]
    with running_bot.services.session_factory() as session:
        assert session.scalar(select(Member).where(Member.slack_user_id == alice)) is not None


def test_url_verification_is_answered_with_the_challenge(running_bot: RunningBot) -> None:
    response = running_bot.delivery.send_json(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    assert response.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.body


def test_liveness_probe_answers_json(running_bot: RunningBot) -> None:
    url = running_bot.url.replace("/slack/events", "/healthz")
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local test server
        assert response.status == 200
        assert response.read() == b'{"status": "ok"}'
