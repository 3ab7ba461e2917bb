"""Which `message` events carry member content. Payload shapes follow
https://docs.slack.dev/reference/events/message and its subtype pages (slack-notes §2)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.events import member_message


def plain(**extra: Any) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": "C1",
        "user": "U1",
        "text": "hello",
        "ts": "1700000000.000100",
        "channel_type": "channel",
    }
    event.update(extra)
    return event


def test_plain_member_message_is_content() -> None:
    message = member_message(plain())
    assert message is not None
    assert (message.channel_id, message.user_id, message.text) == ("C1", "U1", "hello")
    assert not message.in_thread


def test_thread_reply_keeps_its_thread() -> None:
    message = member_message(plain(thread_ts="1699999999.000001"))
    assert message is not None and message.in_thread


@pytest.mark.parametrize("subtype", ["thread_broadcast", "file_share", "me_message"])
def test_subtypes_with_new_member_words_are_content(subtype: str) -> None:
    assert member_message(plain(subtype=subtype)) is not None


@pytest.mark.parametrize(
    "subtype",
    [
        "channel_join",
        "channel_leave",
        "channel_topic",
        "channel_purpose",
        "message_deleted",
        "bot_message",
        "pinned_item",
        "reminder_add",
        "channel_name",
    ],
)
def test_housekeeping_subtypes_are_ignored(subtype: str) -> None:
    assert member_message(plain(subtype=subtype)) is None


def test_modern_bot_posts_without_subtype_are_ignored() -> None:
    assert member_message(plain(bot_id="B1", bot_profile={"id": "B1"})) is None


def test_slackbot_is_not_a_member() -> None:
    assert member_message(plain(user="USLACKBOT")) is None


def test_edit_with_new_text_is_content_marked_as_edited() -> None:
    event = {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": "C1",
        "ts": "1700000100.000001",
        "message": {
            "type": "message",
            "user": "U1",
            "text": "new words",
            "ts": "1700000000.000100",
            "edited": {"user": "U1", "ts": "1700000100.000001"},
        },
        "previous_message": {
            "type": "message",
            "user": "U1",
            "text": "old words",
            "ts": "1700000000.000100",
        },
    }
    message = member_message(event)
    assert message is not None
    assert message.edited and message.text == "new words" and message.previous_text == "old words"
    assert message.ts == "1700000000.000100"


def test_edit_that_only_unfurls_a_link_is_ignored() -> None:
    same = {"type": "message", "user": "U1", "text": "see <https://x.example>", "ts": "1.1"}
    event = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "ts": "2.2",
        "message": dict(same, attachments=[{"title": "x"}]),
        "previous_message": same,
    }
    assert member_message(event) is None


def test_non_message_event_is_not_content() -> None:
    assert member_message({"type": "app_home_opened", "user": "U1"}) is None
