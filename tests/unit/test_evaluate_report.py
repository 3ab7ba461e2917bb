"""The evaluation report prints every metrics row the same way, whichever section it is in,
and tells nudges from moderator flags."""

from __future__ import annotations

import re

import pytest

from moderation.evaluate import FLAGGING, NUDGING, print_report, score, share_answered
from moderation.ids import PolicyId, Response
from moderation.verdict import Finding, Verdict


def test_a_section_without_positives_prints_its_firing_rate_instead_of_failing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report: dict[str, object] = {
        "own_heldout": {"harassment": score([1, 1, 0, 0], [True, False, True, False]).row()},
        "pending_examples": {"harassment, held-out split": score([0, 0], [True, False]).row()},
        "tech_policy_taken_for_geopolitics": {"rate": 0.0, "n": 3},
        "false_nudge_rate": {},
    }
    print_report(report)
    out = capsys.readouterr().out
    assert re.search(r"^  harassment\s+0\.500\s+0\.500\s+0\.500\s+4\s+2$", out, re.MULTILINE)
    assert "harassment, held-out split   fires on 50.00% of 2 negatives" in out


def test_ordinary_chat_counts_nudges_and_moderator_flags_apart() -> None:
    flagged = Finding(PolicyId.HARASSMENT, 0.7, Response.FLAG, "clause")
    nudged = Finding(PolicyId.SELF_PROMOTION, 0.85, Response.NUDGE, "clause")
    both = Finding(PolicyId.HARASSMENT, 0.95, Response.NUDGE_FLAG, "clause")
    verdicts = [Verdict((flagged,)), Verdict((nudged,)), Verdict((both,)), Verdict()]
    assert share_answered(verdicts, NUDGING) == {
        "rate": 0.5,
        "n": 4,
        "by_policy": {"self_promotion": 1, "harassment": 1},
    }
    assert share_answered(verdicts, FLAGGING) == {
        "rate": 0.5,
        "n": 4,
        "by_policy": {"harassment": 2},
    }


def test_the_report_shows_nudge_only_figures_where_flags_change_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report: dict[str, object] = {
        "own_heldout": {"harassment": score([1, 1, 0, 0], [True, True, False, False]).row()},
        "own_heldout_nudged": {
            "harassment": score([1, 1, 0, 0], [True, False, False, False]).row()
        },
        "tech_policy_taken_for_geopolitics": {"rate": 0.0, "n": 3},
        "false_nudge_rate": {},
        "moderator_flag_rate": {"own:ordinary_chat": {"rate": 0.01, "n": 100, "by_policy": {}}},
    }
    print_report(report)
    out = capsys.readouterr().out
    assert "Counting nudges alone" in out
    assert re.search(r"^  harassment\s+1\.000\s+0\.500\s+0\.667\s+4\s+2$", out, re.MULTILINE)
    assert "flagged for moderators" in out and "1.00% of 100" in out
