"""The report form (a modal) and the direct messages around it: the receipt, and the note with
a button when the form could not be opened in time.

Pure: plain data in, Block Kit out. Member text shown here (the excerpt of a reported message)
is escaped; the receipt and the note relay no member text at all. Limits: shared/slack-notes.md
section 7 (private_metadata 3000, button value 2000, plain_text_input max_length 3000).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.ids import ActionId, CallbackId, ReportBlock
from bot.views.case_card import quote
from models.enums import ReportSource

DESCRIPTION_MAX = 3000
WHEN_MAX = 200  # stored in a 255-character column
EXTRA_MAX = 3000
LINK_MAX = 500
CONTACT_OTHER_MAX = 200  # "Other: " + this fits the 255-character column
MAX_NAMED = 10
EXCERPT_MAX = 300
PRIVATE_METADATA_MAX = 3000
BUTTON_VALUE_MAX = 2000

#: How soon moderators usually look at a report; said in the receipt.
REVIEW_TIME = "two working days"


class ContactChoice(StrEnum):
    """The reporter's answer to "how may we contact you?" (radio option values)."""

    DM = "dm"
    NONE = "none"
    OTHER = "other"


_CONTACT_OPTIONS: dict[ContactChoice, str] = {
    ContactChoice.DM: "Send me a direct message here",
    ContactChoice.NONE: "Please don't contact me",
    ContactChoice.OTHER: "Another way (tell us below)",
}


@dataclass(frozen=True)
class ReportPrefill:
    """What the form starts with: from the command's text, a shortcut's message, or the
    button of the note sent when the form did not open."""

    source: ReportSource = ReportSource.COMMAND
    user_ids: tuple[str, ...] = ()
    description: str = ""
    message_link: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    message_excerpt: str | None = None
    """Plain (unescaped) text of the reported message, already shortened."""


@dataclass(frozen=True)
class FormMetadata:
    """What the modal carries back in `private_metadata`: where it came from, and which
    message (for the shortcut) it is about."""

    source: ReportSource = ReportSource.COMMAND
    channel_id: str | None = None
    message_ts: str | None = None


def _compact(data: dict[str, Any]) -> str:
    return json.dumps(
        {k: v for k, v in data.items() if v}, separators=(",", ":"), ensure_ascii=False
    )


def encode_metadata(prefill: ReportPrefill) -> str:
    return _compact({"s": prefill.source.value, "c": prefill.channel_id, "t": prefill.message_ts})[
        :PRIVATE_METADATA_MAX
    ]


def decode_metadata(raw: str | None) -> FormMetadata:
    """Lenient: a form without (or with unreadable) metadata is a plain /report form."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return FormMetadata()
    if not isinstance(data, dict):
        return FormMetadata()
    try:
        source = ReportSource(data.get("s", ReportSource.COMMAND.value))
    except ValueError:
        source = ReportSource.COMMAND
    channel, ts = data.get("c"), data.get("t")
    return FormMetadata(
        source=source,
        channel_id=channel if isinstance(channel, str) and channel else None,
        message_ts=ts if isinstance(ts, str) and ts else None,
    )


def encode_button_value(prefill: ReportPrefill) -> str:
    """The prefill as compact JSON of at most BUTTON_VALUE_MAX characters: the excerpt, then
    the description, is cut to the longest beginning that fits (JSON escaping counts)."""
    prefill = replace(prefill, user_ids=prefill.user_ids[:MAX_NAMED])

    def encode(description: str, excerpt: str, link: str | None) -> str:
        return _compact(
            {
                "s": prefill.source.value,
                "u": list(prefill.user_ids),
                "d": description,
                "l": link,
                "c": prefill.channel_id,
                "t": prefill.message_ts,
                "x": excerpt,
            }
        )

    link = prefill.message_link
    if len(encode("", "", link)) > BUTTON_VALUE_MAX:
        link = None  # a link this long is not a Slack permalink anyway
        if len(encode("", "", link)) > BUTTON_VALUE_MAX:
            return _compact({"s": prefill.source.value})
    excerpt = _longest_fitting(prefill.message_excerpt or "", lambda x: encode("", x, link))
    description = _longest_fitting(prefill.description, lambda d: encode(d, excerpt, link))
    return encode(description, excerpt, link)


def _longest_fitting(text: str, encode: Callable[[str], str]) -> str:
    """The longest beginning of `text` whose encoding fits the button value."""
    if len(encode(text)) <= BUTTON_VALUE_MAX:
        return text
    low, high = 0, len(text)  # text[:low] fits, text[:high] does not
    while high - low > 1:
        middle = (low + high) // 2
        if len(encode(text[:middle])) <= BUTTON_VALUE_MAX:
            low = middle
        else:
            high = middle
    return text[:low]


def decode_button_value(raw: str | None, source: ReportSource) -> ReportPrefill:
    """Lenient: whatever cannot be read is left out, and the form opens anyway."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}

    def text(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) and value else None

    users = data.get("u")
    user_ids = tuple(u for u in users if isinstance(u, str)) if isinstance(users, list) else ()
    return ReportPrefill(
        source=source,
        user_ids=user_ids[:MAX_NAMED],
        description=(text("d") or "")[:DESCRIPTION_MAX],
        message_link=text("l"),
        channel_id=text("c"),
        message_ts=text("t"),
        message_excerpt=text("x"),
    )


def report_form_view(prefill: ReportPrefill) -> View:
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text="Tell the moderators what happened. Only they will read this, and the "
                "person you report is never told who reported them."
            )
        )
    ]
    if prefill.message_excerpt:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text="*The message you're reporting*\n"
                    + quote(prefill.message_excerpt, EXCERPT_MAX)
                )
            )
        )
    blocks += [
        InputBlock(
            block_id=ReportBlock.WHO,
            label="Who is this about?",
            element=UserMultiSelectElement(
                action_id=ReportBlock.WHO,
                placeholder="Choose one or more people",
                initial_users=list(prefill.user_ids[:MAX_NAMED]) or None,
                max_selected_items=MAX_NAMED,
            ),
        ),
        InputBlock(
            block_id=ReportBlock.WHAT,
            label="What happened?",
            element=PlainTextInputElement(
                action_id=ReportBlock.WHAT,
                multiline=True,
                max_length=DESCRIPTION_MAX,
                initial_value=prefill.description[:DESCRIPTION_MAX] or None,
                placeholder="In your own words. A few sentences are enough.",
            ),
        ),
        InputBlock(
            block_id=ReportBlock.WHERE,
            label="Where? Link to the message",
            optional=True,
            hint="On the message: ⋮ (More actions) → Copy link, then paste it here.",
            element=PlainTextInputElement(
                action_id=ReportBlock.WHERE,
                max_length=LINK_MAX,
                initial_value=prefill.message_link or None,
                placeholder="https://….slack.com/archives/…",
            ),
        ),
        InputBlock(
            block_id=ReportBlock.WHEN,
            label="When did it happen?",
            optional=True,
            element=PlainTextInputElement(
                action_id=ReportBlock.WHEN,
                max_length=WHEN_MAX,
                placeholder="e.g. yesterday evening, or during Tuesday's AMA",
            ),
        ),
        InputBlock(
            block_id=ReportBlock.EXTRA,
            label="Anything else we should know?",
            optional=True,
            element=PlainTextInputElement(
                action_id=ReportBlock.EXTRA, multiline=True, max_length=EXTRA_MAX
            ),
        ),
        InputBlock(
            block_id=ReportBlock.CONTACT,
            label="How may the moderators contact you?",
            optional=True,
            element=RadioButtonsElement(
                action_id=ReportBlock.CONTACT,
                options=[_contact_option(choice) for choice in ContactChoice],
                initial_option=_contact_option(ContactChoice.DM),
            ),
        ),
        InputBlock(
            block_id=ReportBlock.CONTACT_OTHER,
            label="If another way, how?",
            optional=True,
            element=PlainTextInputElement(
                action_id=ReportBlock.CONTACT_OTHER,
                max_length=CONTACT_OTHER_MAX,
                placeholder="e.g. email me at …",
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=CallbackId.REPORT_FORM,
        title="Report a concern",
        submit="Send report",
        close="Cancel",
        blocks=blocks,
        private_metadata=encode_metadata(prefill),
    )


def _contact_option(choice: ContactChoice) -> Option:
    return Option(value=choice.value, label=_CONTACT_OPTIONS[choice])


def report_sent_view() -> View:
    """What the modal turns into once a valid report is submitted."""
    return View(
        type="modal",
        title="Report sent",
        close="Close",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="Thank you. Your report is on its way to the moderators. I'll send "
                    "you a receipt with your case number in a direct message."
                )
            )
        ],
    )


def receipt_text(case_id: int) -> str:
    return f"Thank you. Your report is Case #{case_id}."


def receipt_blocks(
    case_id: int, contact: ContactChoice | None, review_time: str = REVIEW_TIME
) -> list[Block]:
    """The reporter's receipt. No member text is relayed: only the case number and what
    happens next."""
    if contact is ContactChoice.NONE:
        contact_line = (
            "You asked us not to contact you, and the moderators will respect that. "
            "If you change your mind, just reply here."
        )
    elif contact is ContactChoice.OTHER:
        contact_line = "If they need to know more, they'll contact you the way you described."
    else:
        contact_line = "If they need to know more, they'll send you a direct message here."
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":white_check_mark: *Thank you. Your report is Case #{case_id}.*\n"
                "Telling us wasn't nothing, and we're glad you did."
            )
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text="*What happens next*\n"
                f"• The moderators review every report, typically within {review_time}.\n"
                f"• {contact_line}\n"
                "• The person you reported is never told who reported them."
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Please mention Case #{case_id} if you write to a moderator about it."
                )
            ]
        ),
    ]


REOPEN_TEXT = "The report form didn't open in time. Use the button to open it again."


def reopen_blocks(button_value: str) -> list[Block]:
    """The note sent when Slack would not open the form: one button that opens it again (its
    click brings a fresh trigger_id), with what the reporter started carried in its value."""
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text="Sorry, the report form didn't open in time (Slack gives apps only a "
                "few seconds). Nothing is lost: the button below opens it again, with what "
                "you started."
            )
        ),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Open the report form",
                    action_id=ActionId.REPORT_REOPEN,
                    value=button_value[:BUTTON_VALUE_MAX],
                    style="primary",
                )
            ]
        ),
    ]
