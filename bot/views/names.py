"""The two direct messages of real-name onboarding: the request to add one's name, and the
thank-you once it is there.

Kind first: many people who get the first one simply never filled in their profile, or
joined for their organisation and did not know the rule; a few have a real name the check
does not recognise, and the note says what to do then.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.ids import ActionId
from moderation.text import escape_mrkdwn

PROFILE_PATH = "account/profile"

NAME_FIX_FALLBACK_TEXT = "A friendly note about the name on your Slack profile"
NAME_THANKS_TEXT = "Thank you for adding your name to your profile!"

# Slack caps a section's text at 3,000 characters; profile names are far shorter, but a
# relayed value is always bounded.
_MAX_SHOWN_NAME = 80


@dataclass(frozen=True)
class NameFixView:
    community_name: str
    guidelines_url: str
    shown_name: str
    """What members see for this person now (display name, else full name); may be empty."""
    profile_url: str | None
    """`https://<workspace>.slack.com/account/profile`, or None when the workspace URL is
    unknown: then the note gives the steps only."""


def profile_url(workspace_url: str | None) -> str | None:
    """The member's own profile page from `auth.test`'s `url` ("https://atih.slack.com/")."""
    if not workspace_url or not workspace_url.startswith(("https://", "http://")):
        return None
    return workspace_url.rstrip("/") + "/" + PROFILE_PATH


def _shown(name: str) -> str:
    name = " ".join(name.split())
    if len(name) > _MAX_SHOWN_NAME:
        name = name[: _MAX_SHOWN_NAME - 1] + "…"
    return escape_mrkdwn(name)


def name_fix_blocks(view: NameFixView) -> list[Block]:
    current = (
        f"Right now your profile shows *{_shown(view.shown_name)}*, which doesn't look like a "
        "person's name to us."
        if view.shown_name.strip()
        else "Right now your profile has no name in it."
    )
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    f":wave: Hi! A quick, friendly note from {escape_mrkdwn(view.community_name)} "
                    "about your Slack profile.\n\n"
                    "We ask everyone here to use their own name: no anonymous accounts, and no "
                    "accounts that speak only for an organisation. We're a community of real "
                    "people, and knowing who you're talking to is what lets members trust each "
                    "other, speak openly and stay in touch after a conversation.\n\n"
                    f"{current} Would you add your name?"
                )
            )
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    "*How to change it*\n"
                    "1. Click your profile picture (top right on a computer; on your phone, "
                    "tap *You*).\n"
                    "2. Choose *Profile*.\n"
                    "3. Click *Edit*, put your name in *Full name*, and save. Your display "
                    "name can stay as it is."
                )
            )
        ),
    ]
    if view.profile_url is not None:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Open my profile",
                        action_id=ActionId.NAME_OPEN_PROFILE,
                        url=view.profile_url,
                        style="primary",
                    )
                ]
            )
        )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=(
                        "If that already is your real name, sorry for the mix-up: there's "
                        "nothing to do. Representing an organisation? You're very welcome, "
                        "under your own name. "
                        f"<{view.guidelines_url}|Read our Code of Conduct>"
                    )
                )
            ]
        )
    )
    return blocks


def name_thanks_blocks() -> list[Block]:
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    ":raised_hands: Thank you for adding your name to your profile! It helps "
                    "everyone here know who they're talking to. Enjoy the community."
                )
            )
        )
    ]
