"""The evaluation report prints every metrics row the same way, whichever section it is in."""

from __future__ import annotations

import re

import pytest

from moderation.evaluate import print_report, score


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
