"""The real-name check's decisions: who is checked, what counts as "needs fix", and what
each new check does given where the member stood."""

from __future__ import annotations

import pytest

from bot.services.members import Profile
from bot.services.names import NextStep, SkipReason, decide, names_need_fix, skip_reason
from bot.settings import CommunitySettings, NudgeSettings
from models.enums import NameCheckStatus
from moderation.config import EngineConfig, PolicyThresholds
from moderation.engine import Engine
from moderation.ids import PolicyId

S = NameCheckStatus


def profile(
    real_name: str,
    display_name: str | None = None,
    *,
    user_id: str = "U0NEW",
    is_bot: bool = False,
    is_deleted: bool = False,
) -> Profile:
    return Profile(user_id, "T1", real_name, display_name, is_bot=is_bot, is_deleted=is_deleted)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(EngineConfig())  # account policies need no classifier


@pytest.mark.parametrize(("real", "display"), [("anon123", None), ("Acme Inc", None), ("", None)])
def test_anonymous_or_organisation_names_need_fixing(
    engine: Engine, real: str, display: str | None
) -> None:
    assert names_need_fix(engine, profile(real, display))


@pytest.mark.parametrize(
    ("real", "display"),
    [
        ("Zoë Ångström", "zoë"),
        ("李小龙", None),
        ("dev_ninja42", "Tomás Rivera"),
        ("Priya Raman", "pr"),
    ],
)
def test_real_names_in_any_script_or_either_field_pass(
    engine: Engine, real: str, display: str | None
) -> None:
    assert not names_need_fix(engine, profile(real, display))


def test_names_pass_when_the_policy_is_switched_off() -> None:
    policies = dict(CommunitySettings().policies)
    policies[PolicyId.ANONYMOUS_ACCOUNT] = PolicyThresholds(enabled=False)
    config = CommunitySettings(policies=policies).engine_config()
    assert not names_need_fix(Engine(config), profile("anon123"))


def test_bots_slackbot_and_deactivated_accounts_are_skipped_but_guests_are_not() -> None:
    community = CommunitySettings()
    assert skip_reason(profile("conduct", is_bot=True), community) is SkipReason.BOT
    assert skip_reason(profile("Slackbot", user_id="USLACKBOT"), community) is SkipReason.SLACKBOT
    assert skip_reason(profile("Frank", is_deleted=True), community) is SkipReason.DELETED
    assert skip_reason(profile("anon123"), community) is None


def test_members_exempt_from_the_policy_are_skipped() -> None:
    community = CommunitySettings(
        nudges=NudgeSettings(exempt_user_ids={PolicyId.ANONYMOUS_ACCOUNT: frozenset({"U0NEW"})})
    )
    assert skip_reason(profile("All Tech Is Human"), community) is SkipReason.EXEMPT


@pytest.mark.parametrize(
    ("current", "dm_sent", "needs_fix", "status", "step"),
    [
        # first check of a bad name: record it and ask, once
        (None, False, True, S.NEEDS_FIX, NextStep.ASK_TO_FIX),
        (S.OK, False, True, S.NEEDS_FIX, NextStep.ASK_TO_FIX),
        # shadow mode recorded needs_fix without writing: enforce mode now writes
        (S.NEEDS_FIX, False, True, S.NEEDS_FIX, NextStep.ASK_TO_FIX),
        # already told and still bad: nothing more
        (S.DM_SENT, True, True, S.DM_SENT, NextStep.NOTHING),
        # fixed once, broken again: recorded, never a second note
        (S.FIXED, True, True, S.NEEDS_FIX, NextStep.NOTHING),
        (S.NEEDS_FIX, True, True, S.NEEDS_FIX, NextStep.NOTHING),
        # told, and now it passes: thank them
        (S.DM_SENT, True, False, S.FIXED, NextStep.THANK),
        # thanked already: stays fixed, no second thank-you
        (S.FIXED, True, False, S.FIXED, NextStep.NOTHING),
        # never told: a good name is simply ok
        (None, False, False, S.OK, NextStep.NOTHING),
        (S.NEEDS_FIX, False, False, S.OK, NextStep.NOTHING),
        (S.NEEDS_FIX, True, False, S.OK, NextStep.NOTHING),
    ],
)
def test_decision_from_previous_status_and_new_check(
    current: NameCheckStatus | None,
    dm_sent: bool,
    needs_fix: bool,
    status: NameCheckStatus,
    step: NextStep,
) -> None:
    decision = decide(current, dm_sent, needs_fix)
    assert (decision.status, decision.step) == (status, step)
