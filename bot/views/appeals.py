"""Appeal forms and cards: the member's form, the moderators' card with Uphold / Overturn,
the decision form, and the member's answers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.ids import CaseAction, CaseCallback, DecisionBlock
from bot.views.case_card import quote, when
from models.enums import AppealStatus
from moderation.ids import ActionLevel
from moderation.ladder import LEVEL_NAMES

MAX_APPEAL = 3000


def appeal_form(action_id: int, level: ActionLevel, decided_at: datetime) -> View:
    return View(
        type="modal",
        callback_id=CaseCallback.APPEAL,
        title="Appeal a decision",
        submit="Send appeal",
        close="Cancel",
        private_metadata=json.dumps({"action_id": action_id}),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"You're appealing the *{LEVEL_NAMES[level].lower()}* decided on "
                    f"{decided_at:%d %B %Y}. A moderator who did not make that decision will "
                    "read your appeal."
                )
            ),
            InputBlock(
                block_id=DecisionBlock.APPEAL_TEXT,
                label="Why should the moderators look again?",
                hint="Anything they may have missed helps: context, what you meant, what "
                "has changed.",
                element=PlainTextInputElement(
                    action_id="value", multiline=True, max_length=MAX_APPEAL
                ),
            ),
        ],
    )


def appeal_sent_view() -> View:
    return View(
        type="modal",
        title="Appeal sent",
        close="Close",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="Thank you. Your appeal is with the moderators; we'll write to you "
                    "here when it has been reviewed."
                )
            )
        ],
    )


@dataclass(frozen=True)
class AppealCard:
    appeal_id: int
    case_id: int
    member_user_id: str
    level: ActionLevel
    decided_by_user_id: str
    decided_at: datetime
    text: str
    status: AppealStatus
    reviewed_by_user_id: str | None = None
    reviewed_at: datetime | None = None
    note: str | None = None


def appeal_card_text(card: AppealCard) -> str:
    return f"Appeal on case #{card.case_id} ({card.status.value})"


def appeal_card_blocks(card: AppealCard) -> list[Block]:
    blocks: list[Block] = [
        HeaderBlock(text=f"Appeal · case #{card.case_id}"),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"<@{card.member_user_id}> appeals the *{LEVEL_NAMES[card.level]}* decided "
                f"by <@{card.decided_by_user_id}>, {when(card.decided_at)}.\n{quote(card.text)}"
            )
        ),
    ]
    if card.status is AppealStatus.OPEN:
        value = str(card.appeal_id)
        blocks += [
            ActionsBlock(
                block_id=f"appeal_card:{value}",
                elements=[
                    ButtonElement(text="Uphold", action_id=CaseAction.APPEAL_UPHOLD, value=value),
                    ButtonElement(
                        text="Overturn",
                        action_id=CaseAction.APPEAL_OVERTURN,
                        value=value,
                        style="danger",
                    ),
                ],
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"Decided by a moderator other than <@{card.decided_by_user_id}>."
                    )
                ]
            ),
        ]
    else:
        line = f"*{card.status.value.capitalize()}*"
        if card.reviewed_by_user_id:
            line += f" by <@{card.reviewed_by_user_id}>"
        if card.reviewed_at:
            line += f", {when(card.reviewed_at)}"
        if card.note:
            line += f"\n{quote(card.note)}"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=line)))
    return blocks


def appeal_decision_form(appeal_id: int, overturn: bool) -> View:
    verb = "Overturn" if overturn else "Uphold"
    return View(
        type="modal",
        callback_id=CaseCallback.APPEAL_DECISION,
        title=f"{verb} the decision",
        submit=verb,
        close="Cancel",
        private_metadata=json.dumps({"appeal_id": appeal_id, "overturn": overturn}),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="Overturning ends the decision (a ban is lifted) and tells the member."
                    if overturn
                    else "Upholding keeps the decision and tells the member it was reviewed."
                )
            ),
            InputBlock(
                block_id=DecisionBlock.APPEAL_NOTE,
                label="Note for the moderators",
                optional=True,
                element=PlainTextInputElement(
                    action_id="value", multiline=True, max_length=MAX_APPEAL
                ),
            ),
        ],
    )


def appeal_answer_text(case_id: int, level: ActionLevel, overturned: bool) -> str:
    what = LEVEL_NAMES[level].lower()
    if overturned:
        return (
            f"Good news about your appeal (case #{case_id}): the moderators have overturned the "
            f"{what}. It no longer applies and no longer counts on your record. Thank you for "
            "taking the time to explain."
        )
    return (
        f"About your appeal (case #{case_id}): a moderator who was not part of the original "
        f"decision reviewed it and has upheld the {what}. We know this may be disappointing; "
        "thank you for taking the time to explain."
    )


def appeal_received_text(case_id: int) -> str:
    return (
        f"We've received your appeal (case #{case_id}). A moderator who did not make the "
        "original decision will review it, and we'll write to you here."
    )
