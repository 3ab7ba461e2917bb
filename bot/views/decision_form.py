"""Moderators' forms: take action, dismiss, add a note. Built with slack_sdk.models, whose
constructors check Block Kit's length limits; read back into plain domain objects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DateTimePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.ids import CaseAction, CaseCallback, DecisionBlock
from moderation.ids import ActionLevel
from moderation.ladder import BAN_PRESETS, LEVEL_NAMES, Decision, DecisionField

LEVEL_ORDER = (
    ActionLevel.CORRECTION,
    ActionLevel.WARNING,
    ActionLevel.TEMPORARY_BAN,
    ActionLevel.PERMANENT_BAN,
    ActionLevel.NO_ACTION,
)
TIMED = (ActionLevel.WARNING, ActionLevel.TEMPORARY_BAN)
TELL_REPORTER_VALUE = "tell_reporter"
MAX_INPUT = 3000


def notice_block_id(level: ActionLevel) -> str:
    # A new block id per level: Slack keeps what was typed into a block whose id is
    # unchanged, so the notice prefill could not follow a change of level otherwise.
    return f"decision_notice_{level.value}"


def duration_label(duration: timedelta) -> str:
    days = duration.days
    return "1 day" if days == 1 else f"{days} days"


@dataclass(frozen=True)
class DecisionFormContext:
    case_id: int
    subject_user_id: str
    suggested: ActionLevel
    history_summary: str
    has_reporters: bool


def _level_option(level: ActionLevel, suggested: ActionLevel) -> Option:
    label = LEVEL_NAMES[level] + (" (suggested)" if level is suggested else "")
    return Option(value=level.value, text=label)


def decision_form(context: DecisionFormContext, level: ActionLevel, notice: str) -> View:
    """The "Take action" modal for `level`, its notice prefilled with `notice`."""
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Case #{context.case_id}* about <@{context.subject_user_id}>\n"
                f"History: {context.history_summary}\n"
                f"The ladder suggests: *{LEVEL_NAMES[context.suggested]}*"
            )
        ),
        InputBlock(
            block_id=DecisionBlock.LEVEL,
            label="Level",
            dispatch_action=True,
            element=RadioButtonsElement(
                action_id=CaseAction.DECISION_LEVEL,
                options=[_level_option(lv, context.suggested) for lv in LEVEL_ORDER],
                initial_option=_level_option(level, context.suggested),
            ),
        ),
    ]
    if level in TIMED:
        blocks += [
            InputBlock(
                block_id=DecisionBlock.DURATION,
                label="For how long" if level is ActionLevel.TEMPORARY_BAN else "Warning period",
                optional=True,
                element=StaticSelectElement(
                    action_id="value",
                    placeholder="Choose a period",
                    options=[
                        Option(value=str(d.days), text=duration_label(d)) for d in BAN_PRESETS
                    ],
                ),
            ),
            InputBlock(
                block_id=DecisionBlock.ENDS_AT,
                label="Or a custom end",
                optional=True,
                element=DateTimePickerElement(action_id="value"),
            ),
            InputBlock(
                block_id=DecisionBlock.NO_CONTACT,
                label="People the member must not contact",
                optional=True,
                element=UserMultiSelectElement(action_id="value", placeholder="Choose people"),
            ),
        ]
    blocks += [
        InputBlock(
            block_id=DecisionBlock.REASON,
            label="Reason (moderators only)",
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=MAX_INPUT),
        ),
        InputBlock(
            block_id=DecisionBlock.JUSTIFICATION,
            label="Why skip a step of the ladder?",
            hint="Needed only when the level is above the suggested one.",
            optional=True,
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=MAX_INPUT),
        ),
    ]
    if level is not ActionLevel.NO_ACTION:
        blocks.append(
            InputBlock(
                block_id=notice_block_id(level),
                label="Notice to the member",
                hint="Sent as a direct message, with a button to appeal. Edit freely.",
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=MAX_INPUT,
                    initial_value=notice[:MAX_INPUT],
                ),
            )
        )
    if context.has_reporters:
        blocks.append(
            InputBlock(
                block_id=DecisionBlock.TELL_REPORTER,
                label="Reporter",
                optional=True,
                element=CheckboxesElement(
                    action_id="value",
                    options=[
                        Option(
                            value=TELL_REPORTER_VALUE,
                            text="Tell the reporter the outcome, in general terms",
                        )
                    ],
                ),
            )
        )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(text="Everything you submit is kept in the case's audit log.")
            ]
        )
    )
    return View(
        type="modal",
        callback_id=CaseCallback.DECISION,
        title=f"Decide case #{context.case_id}"[:24],
        submit="Decide",
        close="Cancel",
        blocks=blocks,
        private_metadata=json.dumps({"case_id": context.case_id}),
    )


def _value(values: Mapping[str, Any], block_id: str) -> Any:
    return (values.get(block_id) or {}).get("value") or {}


def _text(values: Mapping[str, Any], block_id: str) -> str:
    return str(_value(values, block_id).get("value") or "").strip()


def selected_level(values: Mapping[str, Any]) -> ActionLevel:
    element = (values.get(DecisionBlock.LEVEL) or {}).get(CaseAction.DECISION_LEVEL) or {}
    option = element.get("selected_option") or {}
    return ActionLevel(option.get("value") or ActionLevel.CORRECTION.value)


@dataclass(frozen=True)
class DecisionSubmission:
    decision: Decision
    tell_reporter: bool


def read_decision(values: Mapping[str, Any], now: datetime) -> DecisionSubmission:
    """The form's `view.state.values` as a Decision (validated afterwards by the ladder)."""
    level = selected_level(values)
    ends_at: datetime | None = None
    if level in TIMED:
        custom = _value(values, DecisionBlock.ENDS_AT).get("selected_date_time")
        preset = (_value(values, DecisionBlock.DURATION).get("selected_option") or {}).get("value")
        if custom:
            ends_at = datetime.fromtimestamp(int(custom), tz=UTC)
        elif preset:
            ends_at = now + timedelta(days=int(preset))
    no_contact = tuple(_value(values, DecisionBlock.NO_CONTACT).get("selected_users") or ())
    notice = _text(values, notice_block_id(level)) if level is not ActionLevel.NO_ACTION else ""
    tell = any(
        o.get("value") == TELL_REPORTER_VALUE
        for o in _value(values, DecisionBlock.TELL_REPORTER).get("selected_options") or ()
    )
    return DecisionSubmission(
        Decision(
            level=level,
            reason=_text(values, DecisionBlock.REASON),
            notice=notice,
            ends_at=ends_at,
            justification=_text(values, DecisionBlock.JUSTIFICATION),
            no_contact_user_ids=no_contact,
        ),
        tell_reporter=tell,
    )


def error_blocks(errors: Mapping[DecisionField, str], level: ActionLevel) -> dict[str, str]:
    """Ladder validation errors keyed by the form's block ids (`response_action: errors`)."""
    where = {
        DecisionField.LEVEL: DecisionBlock.LEVEL.value,
        DecisionField.ENDS_AT: DecisionBlock.DURATION.value,
        DecisionField.JUSTIFICATION: DecisionBlock.JUSTIFICATION.value,
        DecisionField.NOTICE: notice_block_id(level),
        DecisionField.REASON: DecisionBlock.REASON.value,
    }
    return {where[field]: message for field, message in errors.items()}


def dismiss_form(case_id: int) -> View:
    return View(
        type="modal",
        callback_id=CaseCallback.DISMISS,
        title=f"Dismiss case #{case_id}"[:24],
        submit="Dismiss",
        close="Cancel",
        private_metadata=json.dumps({"case_id": case_id}),
        blocks=[
            InputBlock(
                block_id=DecisionBlock.DISMISS_REASON,
                label="Why is no action needed?",
                element=PlainTextInputElement(
                    action_id="value", multiline=True, max_length=MAX_INPUT
                ),
            )
        ],
    )


def note_form(case_id: int) -> View:
    return View(
        type="modal",
        callback_id=CaseCallback.NOTE,
        title=f"Note on case #{case_id}"[:24],
        submit="Add note",
        close="Cancel",
        private_metadata=json.dumps({"case_id": case_id}),
        blocks=[
            InputBlock(
                block_id=DecisionBlock.NOTE,
                label="Note (moderators only)",
                element=PlainTextInputElement(
                    action_id="value", multiline=True, max_length=MAX_INPUT
                ),
            )
        ],
    )


def read_text(values: Mapping[str, Any], block_id: str) -> str:
    return _text(values, block_id)


def case_id_of(private_metadata: str) -> int:
    return int(json.loads(private_metadata or "{}")["case_id"])


END_NOW = "now"


def change_end_form(action_id: int, current_end: datetime | None) -> View:
    current = f"{current_end:%A %d %B %Y, %H:%M} UTC" if current_end else "not set"
    return View(
        type="modal",
        callback_id=CaseCallback.CHANGE_END,
        title="Change the ban's end",
        submit="Change",
        close="Cancel",
        private_metadata=json.dumps({"action_id": action_id}),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"The ban now ends *{current}*.")),
            InputBlock(
                block_id=DecisionBlock.DURATION,
                label="New end",
                optional=True,
                element=StaticSelectElement(
                    action_id="value",
                    placeholder="Choose",
                    options=[Option(value=END_NOW, text="End it now")]
                    + [
                        Option(value=str(d.days), text=f"{duration_label(d)} from now")
                        for d in BAN_PRESETS
                    ],
                ),
            ),
            InputBlock(
                block_id=DecisionBlock.ENDS_AT,
                label="Or a custom end",
                optional=True,
                element=DateTimePickerElement(action_id="value"),
            ),
        ],
    )


def read_new_end(values: Mapping[str, Any], now: datetime) -> datetime | None:
    custom = _value(values, DecisionBlock.ENDS_AT).get("selected_date_time")
    if custom:
        return datetime.fromtimestamp(int(custom), tz=UTC)
    preset = (_value(values, DecisionBlock.DURATION).get("selected_option") or {}).get("value")
    if preset == END_NOW:
        return now
    if preset:
        return now + timedelta(days=int(preset))
    return None
