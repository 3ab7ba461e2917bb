"""The real-name DMs: the request (steps, button, escaping) and the thank-you."""

from __future__ import annotations

import json
from typing import Any

from bot.ids import ActionId
from bot.views.names import NameFixView, name_fix_blocks, name_thanks_blocks, profile_url


def as_json(blocks: list[Any]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def text_of(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def view(**overrides: Any) -> NameFixView:
    values: dict[str, Any] = {
        "community_name": "All Tech Is Human",
        "guidelines_url": "https://alltechishuman.org/code-of-conduct",
        "shown_name": "anon123",
        "profile_url": "https://atih.slack.com/account/profile",
    }
    values.update(overrides)
    return NameFixView(**values)


def test_profile_url_comes_from_the_workspace_url() -> None:
    assert profile_url("https://atih.slack.com/") == "https://atih.slack.com/account/profile"
    assert profile_url("https://atih.slack.com") == "https://atih.slack.com/account/profile"
    assert profile_url(None) is None
    assert profile_url("") is None
    assert profile_url("javascript:alert(1)") is None


def test_note_explains_the_rule_and_why_and_has_a_button_to_the_profile() -> None:
    blocks = as_json(name_fix_blocks(view()))
    text = text_of(blocks)
    assert "use their own name" in text
    assert "real people" in text and "trust" in text
    assert "profile picture" in text and "*Profile*" in text and "*Edit*" in text
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == 1
    assert buttons[0]["action_id"] == ActionId.NAME_OPEN_PROFILE
    assert buttons[0]["url"] == "https://atih.slack.com/account/profile"
    assert "https://alltechishuman.org/code-of-conduct" in text


def test_without_a_workspace_url_the_note_gives_the_steps_only() -> None:
    blocks = as_json(name_fix_blocks(view(profile_url=None)))
    assert not [b for b in blocks if b["type"] == "actions"]
    assert "profile picture" in text_of(blocks)


def test_the_name_shown_back_is_escaped_so_it_cannot_ping_or_link() -> None:
    text = text_of(as_json(name_fix_blocks(view(shown_name="<!channel> & <@U1|x>"))))
    assert "<!channel>" not in text and "<@U1" not in text
    assert "&lt;!channel&gt; &amp; &lt;@U1|x&gt;" in text


def test_an_empty_profile_is_described_without_quoting_a_name() -> None:
    text = text_of(as_json(name_fix_blocks(view(shown_name="  "))))
    assert "no name in it" in text


def test_a_long_name_is_shortened() -> None:
    text = text_of(as_json(name_fix_blocks(view(shown_name="x" * 500))))
    assert "x" * 80 not in text and "x" * 79 + "…" in text


def test_thank_you_is_short_and_relays_nothing() -> None:
    blocks = as_json(name_thanks_blocks())
    assert len(blocks) == 1
    assert "Thank you" in text_of(blocks)
