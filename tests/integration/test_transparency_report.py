"""`conduct report`: the transparency report's numbers from a database where real cases were
reported, decided, dismissed and appealed through the running bot, with known timings."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.ids import CaseCallback, DecisionBlock
from models import Case, EnforcementAction, Member
from moderation.ids import ActionLevel
from tests.integration.case_steps import decide, decision_values, open_case
from tests.integration.harness import RunningBot
from tests.integration.test_appeals import review, submit_appeal
from tests.integration.test_reports import form_values, submit

REPORTED = ("bob", "dmitri", "zoe", "gus", "frank")


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("CONDUCT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def work_a_month(bot: RunningBot) -> None:
    """Nov 2026: five reports, each decided (a correction) 1..5 hours later; one flagged
    message dismissed; one appeal overturned."""
    standin = bot.standin
    for name in REPORTED:
        response = submit(bot, form_values(who=(standin.user_id(name),), what="Rude to me."))
        assert response.status == 200
    with bot.services.session_factory() as session:
        report_cases = list(session.scalars(select(Case).order_by(Case.id)))
    assert len(report_cases) == 5
    for case in report_cases:
        bot.clock.advance(timedelta(hours=1))
        decide(bot, case, "ada", decision_values(ActionLevel.CORRECTION))
    flagged = open_case(bot, author="alice")  # also nudges alice (private_info)
    values: dict[str, Any] = {
        DecisionBlock.DISMISS_REASON: {
            "value": {"type": "plain_text_input", "value": "Her own number."}
        }
    }
    bot.delivery.view_submission(
        CaseCallback.DISMISS, values, "carla", private_metadata=json.dumps({"case_id": flagged.id})
    )
    bot.drain()
    dmitri_action = next(
        a.id for a in _actions(bot) if a.member_id == _member_id(bot, standin.user_id("dmitri"))
    )
    submit_appeal(bot, dmitri_action)
    review(bot, "carla", overturn=True, note="He was quoting.")


def _actions(bot: RunningBot) -> list[EnforcementAction]:
    with bot.services.session_factory() as session:
        return list(session.scalars(select(EnforcementAction)))


def _member_id(bot: RunningBot, slack_id: str) -> int:
    with bot.services.session_factory() as session:
        return session.scalars(select(Member.id).where(Member.slack_user_id == slack_id)).one()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def test_report_counts_cases_decisions_appeals_and_suppresses_counts_under_five(
    running_bot: RunningBot, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    work_a_month(running_bot)
    out = run(capsys, "report", "--since", "2026-11-01", "--until", "2026-12-01", "--format", "csv")
    values = {(r["section"], r["item"]): r["value"] for r in csv.DictReader(io.StringIO(out))}
    assert values[("Reports", "reports received")] == "5"
    assert values[("Cases", "opened")] == "6"
    assert values[("Cases", "resolved with a decision")] == "5"
    assert values[("Cases", "dismissed")] == "<5"
    assert values[("Decisions", "Correction")] == "5"
    assert values[("Decisions", "Temporary ban")] == "0"
    # decided 1, 2, 3, 4 and 5 hours after the report: median 3 h, 90th percentile 4.6 h
    assert values[("Response times", "report to decision, median")] == "3.0 h"
    assert values[("Response times", "report to decision, 90th percentile")] == "4.6 h"
    assert values[("Appeals", "filed")] == "<5"
    assert values[("Appeals", "overturned")] == "<5"
    assert values[("Appeals", "upheld (decision stands)")] == "0"
    assert values[("Nudges", "private_info: sent")] == "<5"
    assert values[("Nudges", "private_info: marked as a mistake")] == "not shown (fewer than 5)"
    # aggregates only: no member ids or names anywhere
    for fmt in ("csv", "md", "html"):
        text = run(
            capsys, "report", "--since", "2026-11-01", "--until", "2026-12-01", "--format", fmt
        )
        text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", text)  # chart bytes are not text
        assert "U0" not in text and "Bob" not in text and "bob" not in text


def test_report_for_a_period_with_nothing_in_it_says_zero(
    running_bot: RunningBot, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    work_a_month(running_bot)
    out = run(capsys, "report", "--since", "2026-10-01", "--until", "2026-11-01")
    assert "• reports received: 0" in out and "• opened: 0" in out
    assert "Moderation report, 2026-10-01 to 2026-10-31" in out


def test_html_report_embeds_every_chart_and_is_written_to_a_file(
    running_bot: RunningBot, cli_env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    work_a_month(running_bot)
    target = tmp_path / "report.html"
    run(
        capsys,
        "report",
        "--since",
        "2026-11-01",
        "--until",
        "2026-12-01",
        "--format",
        "html",
        "--out",
        str(target),
    )
    html = target.read_text()
    assert html.count("src='data:image/png;base64,") == 3
    assert "http://" not in html and "https://" not in html
