"""Messages and small views the bot sends to members about decisions: the notice with its
Appeal button, the reporter's outcome, a refusal shown in place of a form."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.ids import CaseAction
from moderation.ids import ActionLevel
from moderation.ladder import LEVEL_NAMES
from moderation.text import escape_mrkdwn


def refusal_view(message: str) -> dict[str, Any]:
    view = View(
        type="modal",
        title="conduct",
        close="Close",
        blocks=[SectionBlock(text=MarkdownTextObject(text=message))],
    )
    return view.to_dict()


def notice_fallback_text(level: ActionLevel) -> str:
    return f"A message from the moderators: {LEVEL_NAMES[level].lower()}"


def notice_blocks(
    level: ActionLevel, notice: str, action_id: int, community: str, appealable: bool
) -> list[Block]:
    """The member's notice. The moderator wrote it (it may quote the member's words), so it
    is escaped: a quoted "<!here>" reaches the member as text and pings no one."""
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*A message from the {escape_mrkdwn(community)} moderators* "
                f"({LEVEL_NAMES[level]})"
            )
        ),
        SectionBlock(text=MarkdownTextObject(text=escape_mrkdwn(notice)[:3000])),
    ]
    if appealable:
        blocks.append(
            ActionsBlock(
                block_id=f"appeal:{action_id}",
                elements=[
                    ButtonElement(
                        text="Appeal this decision",
                        action_id=CaseAction.APPEAL_OPEN,
                        value=str(action_id),
                    )
                ],
            )
        )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Only you and the moderators can see this. Replying here does not "
                    "reach the moderators; use the button to appeal."
                )
            ]
        )
    )
    return blocks


def reporter_outcome_text(case_id: int, acted: bool) -> str:
    if acted:
        return (
            f"An update on your report (case #{case_id}): the moderators have reviewed it and "
            "taken action under the Code of Conduct. To protect everyone's privacy we don't "
            "share the details. Thank you for speaking up."
        )
    return (
        f"An update on your report (case #{case_id}): the moderators have reviewed it and "
        "decided that no action is needed this time. Reports like yours still help us; "
        "thank you for speaking up."
    )


def ban_ended_text() -> str:
    return (
        "Your temporary ban has ended, and you can take part in the community again. "
        "Welcome back: we're glad to have you here, and we trust the Code of Conduct is "
        "clearer now. If anything is unclear, you can always ask the moderators."
    )


def ban_end_changed_text(case_id: int, ends_at_text: str) -> str:
    return (
        f"The moderators have changed the end of your temporary ban (case #{case_id}): "
        f"it now ends {ends_at_text}."
    )
