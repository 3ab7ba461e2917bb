"""The private note a member gets about one of their messages. Kind first: most members who
get one meant well, and some got it by mistake (the second button says so)."""

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
from bot.views.labels import NOT_A_MATCH
from moderation.ids import PolicyId
from moderation.text import escape_mrkdwn


@dataclass(frozen=True)
class NudgeView:
    detection_id: int
    policy: PolicyId
    clause: str
    guidelines_url: str
    plugs_channel: str
    """`<#C…>` when the channel's id is known, else "#shameless-plugs"."""


def _explanation(view: NudgeView) -> str:
    plugs = view.plugs_channel
    texts = {
        PolicyId.SELF_PROMOTION: (
            "It looks like this message promotes something you offer: a product, a service, "
            f"an event, a course or a sign-up. Our community keeps promotion in {plugs}, where "
            "members go looking for it. Would you mind sharing it there instead?\n"
            "_Just discussing a tool or sharing the news? Then all is well, and sorry to bother you._"
        ),
        PolicyId.FUNDS_REQUEST: (
            "It looks like this message asks members for money: a donation, a crowdfunding "
            "link, or payment. Our guidelines don't allow direct requests for funds in any "
            f"channel, {plugs} included. You're welcome to talk about your work without the ask."
        ),
        PolicyId.GEOPOLITICS: (
            "This channel is for tech policy and responsible tech. Wars, territorial disputes "
            "and foreign elections are outside what we discuss here, because they so easily "
            "divide a community. Tech-policy questions that involve governments are very "
            "welcome."
        ),
        PolicyId.HARASSMENT: (
            "This message might land as a personal attack or as hurtful language about someone. "
            "We ask everyone to disagree with ideas, not people, and to keep it kind. Would you "
            "consider editing it?"
        ),
        PolicyId.PRIVATE_INFO: (
            "This message seems to include someone's contact details (an email address, a phone "
            "number or a street address). Please share other people's details only with their "
            "permission. Would you consider editing them out?"
        ),
        PolicyId.ANONYMOUS_ACCOUNT: ("Our community asks everyone to use their own name on Slack."),
    }
    return texts[view.policy]


NUDGE_FALLBACK_TEXT = "A private note about your message and our Code of Conduct"


def nudge_blocks(view: NudgeView) -> list[Block]:
    value = str(view.detection_id)
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":wave: A quick, private note about your message.\n{_explanation(view)}"
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Our guidelines: “{escape_mrkdwn(view.clause)}” "
                    f"<{view.guidelines_url}|Read the Code of Conduct>. Only you can see this note."
                )
            ]
        ),
        ActionsBlock(
            block_id=f"nudge:{value}",
            elements=[
                ButtonElement(
                    text="Got it", action_id=ActionId.NUDGE_GOT_IT, value=value, style="primary"
                ),
                ButtonElement(
                    text=NOT_A_MATCH[view.policy], action_id=ActionId.NUDGE_NOT_A_MATCH, value=value
                ),
            ],
        ),
    ]


def thanks_for_feedback_text() -> str:
    return (
        "Thank you for telling us. We've noted that this note missed the mark, and the "
        "moderators use that to make the bot better. Nothing else happens to your message."
    )
