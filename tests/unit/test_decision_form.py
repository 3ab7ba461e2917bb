"""The moderators' decision form: valid Block Kit for every level, read back faithfully."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.ids import CaseAction, DecisionBlock
from bot.views.decision_form import (
    TELL_REPORTER_VALUE,
    DecisionFormContext,
    decision_form,
    dismiss_form,
    error_blocks,
    note_form,
    notice_block_id,
    read_decision,
)
from moderation.ids import ActionLevel
from moderation.ladder import DecisionField, notice_template

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CONTEXT = DecisionFormContext(
    case_id=12345,
    subject_user_id="U0BOB",
    suggested=ActionLevel.WARNING,
    history_summary="Correction (2026-10-01)",
    has_reporters=True,
)


@pytest.mark.parametrize("level", list(ActionLevel))
def test_form_is_valid_block_kit_for_every_level(level: ActionLevel) -> None:
    notice = notice_template(level, "Be kind. " * 200, "All Tech Is Human", None)
    view = decision_form(CONTEXT, level, notice)
    view.validate_json()  # slack_sdk checks lengths and required fields
    data = view.to_dict()
    assert len(data["title"]["text"]) <= 24
    assert len(data["blocks"]) <= 100
    ids = [b.get("block_id") for b in data["blocks"]]
    assert (DecisionBlock.DURATION in ids) == (
        level in (ActionLevel.WARNING, ActionLevel.TEMPORARY_BAN)
    )
    assert (notice_block_id(level) in ids) == (level is not ActionLevel.NO_ACTION)


def test_the_suggested_level_is_marked_and_preselected() -> None:
    data = decision_form(CONTEXT, ActionLevel.WARNING, "notice").to_dict()
    radio = next(b for b in data["blocks"] if b.get("block_id") == DecisionBlock.LEVEL)["element"]
    assert radio["initial_option"]["value"] == ActionLevel.WARNING.value
    assert radio["initial_option"]["text"]["text"] == "Warning (suggested)"


def state(level: ActionLevel, **blocks: dict[str, object]) -> dict[str, object]:
    values: dict[str, object] = {
        DecisionBlock.LEVEL: {
            CaseAction.DECISION_LEVEL: {"selected_option": {"value": level.value}}
        }
    }
    values.update(blocks)
    return values


def test_a_preset_period_ends_that_many_days_from_now() -> None:
    values = state(
        ActionLevel.TEMPORARY_BAN,
        **{DecisionBlock.DURATION: {"value": {"selected_option": {"value": "7"}}}},
    )
    assert read_decision(values, NOW).decision.ends_at == NOW + timedelta(days=7)


def test_a_custom_end_wins_over_a_preset() -> None:
    custom = NOW + timedelta(days=3, hours=5)
    values = state(
        ActionLevel.TEMPORARY_BAN,
        **{
            DecisionBlock.DURATION: {"value": {"selected_option": {"value": "30"}}},
            DecisionBlock.ENDS_AT: {"value": {"selected_date_time": int(custom.timestamp())}},
        },
    )
    assert read_decision(values, NOW).decision.ends_at == custom


def test_reason_notice_people_and_reporter_choice_are_read_back() -> None:
    values = state(
        ActionLevel.WARNING,
        **{
            DecisionBlock.REASON: {"value": {"value": "  insulted a member  "}},
            notice_block_id(ActionLevel.WARNING): {"value": {"value": "Please stop."}},
            DecisionBlock.NO_CONTACT: {"value": {"selected_users": ["U0ZOE"]}},
            DecisionBlock.TELL_REPORTER: {
                "value": {"selected_options": [{"value": TELL_REPORTER_VALUE}]}
            },
        },
    )
    submission = read_decision(values, NOW)
    assert submission.decision.reason == "insulted a member"
    assert submission.decision.notice == "Please stop."
    assert submission.decision.no_contact_user_ids == ("U0ZOE",)
    assert submission.decision.ends_at is None
    assert submission.tell_reporter is True


def test_errors_point_at_the_blocks_the_moderator_sees() -> None:
    errors = error_blocks(
        {DecisionField.NOTICE: "n", DecisionField.ENDS_AT: "e"}, ActionLevel.TEMPORARY_BAN
    )
    assert errors == {
        notice_block_id(ActionLevel.TEMPORARY_BAN): "n",
        DecisionBlock.DURATION.value: "e",
    }


def test_dismiss_and_note_forms_are_valid_block_kit() -> None:
    for view in (dismiss_form(98765), note_form(98765)):
        view.validate_json()
        assert len(view.to_dict()["title"]["text"]) <= 24
