"""The enforcement ladder: suggestions from history, validation, notice text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderation.ids import ActionLevel
from moderation.ladder import (
    Decision,
    DecisionField,
    PriorAction,
    notice_template,
    suggest_next,
    validate,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def prior(level: ActionLevel, days_ago: int = 10, *, overturned: bool = False) -> PriorAction:
    return PriorAction(level, NOW - timedelta(days=days_ago), overturned)


def test_a_first_time_is_a_correction() -> None:
    assert suggest_next([], NOW) is ActionLevel.CORRECTION


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([ActionLevel.CORRECTION], ActionLevel.WARNING),
        ([ActionLevel.CORRECTION, ActionLevel.WARNING], ActionLevel.TEMPORARY_BAN),
        ([ActionLevel.WARNING, ActionLevel.CORRECTION], ActionLevel.TEMPORARY_BAN),
        ([ActionLevel.TEMPORARY_BAN], ActionLevel.PERMANENT_BAN),
        ([ActionLevel.PERMANENT_BAN], ActionLevel.PERMANENT_BAN),
        ([ActionLevel.NO_ACTION], ActionLevel.CORRECTION),
    ],
)
def test_each_step_follows_the_highest_one_that_counts(
    history: list[ActionLevel], expected: ActionLevel
) -> None:
    assert suggest_next([prior(level) for level in history], NOW) is expected


def test_overturned_decisions_do_not_count() -> None:
    assert (
        suggest_next([prior(ActionLevel.WARNING, overturned=True)], NOW) is ActionLevel.CORRECTION
    )


def test_an_old_correction_is_forgotten_but_a_ban_never_is() -> None:
    assert (
        suggest_next([prior(ActionLevel.CORRECTION, days_ago=400)], NOW) is ActionLevel.CORRECTION
    )
    assert (
        suggest_next([prior(ActionLevel.TEMPORARY_BAN, days_ago=2000)], NOW)
        is ActionLevel.PERMANENT_BAN
    )


def decision(level: ActionLevel, **overrides: object) -> Decision:
    values: dict[str, object] = {"level": level, "reason": "insulted a member", "notice": "Hello"}
    values.update(overrides)
    return Decision(**values)  # type: ignore[arg-type]


def test_a_temporary_ban_needs_an_end_in_the_future() -> None:
    suggested = ActionLevel.TEMPORARY_BAN
    assert validate(decision(suggested), suggested, NOW) == {
        DecisionField.ENDS_AT: "A temporary ban needs an end."
    }
    past = decision(suggested, ends_at=NOW - timedelta(minutes=1))
    assert DecisionField.ENDS_AT in validate(past, suggested, NOW)
    assert validate(decision(suggested, ends_at=NOW + timedelta(days=7)), suggested, NOW) == {}


def test_skipping_a_step_needs_a_written_justification() -> None:
    errors = validate(decision(ActionLevel.PERMANENT_BAN), ActionLevel.CORRECTION, NOW)
    assert "skips to permanent ban" in errors[DecisionField.JUSTIFICATION]
    justified = decision(ActionLevel.PERMANENT_BAN, justification="threats of violence")
    assert validate(justified, ActionLevel.CORRECTION, NOW) == {}


def test_a_gentler_step_than_suggested_needs_no_justification() -> None:
    assert validate(decision(ActionLevel.CORRECTION), ActionLevel.WARNING, NOW) == {}


def test_every_action_needs_a_reason_and_a_notice_except_no_action() -> None:
    errors = validate(
        decision(ActionLevel.WARNING, reason=" ", notice=""), ActionLevel.WARNING, NOW
    )
    assert set(errors) == {DecisionField.REASON, DecisionField.NOTICE}
    assert validate(decision(ActionLevel.NO_ACTION, notice=""), ActionLevel.WARNING, NOW) == {}


def test_only_warnings_and_temporary_bans_have_an_end() -> None:
    errors = validate(
        decision(ActionLevel.CORRECTION, ends_at=NOW + timedelta(days=1)),
        ActionLevel.CORRECTION,
        NOW,
    )
    assert set(errors) == {DecisionField.ENDS_AT}


def test_notice_names_the_clause_the_consequence_and_what_comes_next() -> None:
    text = notice_template(
        ActionLevel.WARNING, "Be kind.", "All Tech Is Human", NOW + timedelta(days=30)
    )
    assert "“Be kind.”" in text
    assert "no interaction with the people involved" in text
    assert "Friday 25 December 2026, 12:00 UTC" in text
    assert "next step is a temporary ban" in text
    assert notice_template(ActionLevel.NO_ACTION, "Be kind.", "ATIH") == ""
