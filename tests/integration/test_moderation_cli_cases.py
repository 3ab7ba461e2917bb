"""`conduct cases list|show` and `conduct audit-log`, run through the real CLI entry point
against the database a real case was worked in."""

from __future__ import annotations

import csv
import io

import pytest

from bot.cli import main
from models import CaseStatus
from moderation.ids import ActionLevel
from tests.integration.case_steps import decide, decision_values, open_case
from tests.integration.harness import RunningBot


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: object) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("CONDUCT_CONFIG", raising=False)
    monkeypatch.chdir(str(tmp_path))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cases_list_shows_open_cases_oldest_first_and_filters_by_status(
    running_bot: RunningBot, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    first = open_case(running_bot)
    decide(running_bot, first, "ada", decision_values(ActionLevel.CORRECTION))
    second = open_case(running_bot, author="bob")

    code, everything, _ = run(capsys, "cases", "list")
    assert code == 0
    lines = everything.strip().splitlines()
    assert lines[0].split()[:2] == ["case", "status"]
    assert [int(line.split()[0]) for line in lines[1:]] == [first.id, second.id]

    _, open_only, _ = run(capsys, "cases", "list", "--status", CaseStatus.OPEN.value)
    assert [int(line.split()[0]) for line in open_only.strip().splitlines()[1:]] == [second.id]


def test_cases_show_gives_sources_decision_and_audit_trail(
    running_bot: RunningBot, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    case = open_case(running_bot)
    decide(running_bot, case, "ada", decision_values(ActionLevel.CORRECTION))

    code, out, _ = run(capsys, "cases", "show", str(case.id))

    assert code == 0
    assert f"Case #{case.id} · private_info · resolved" in out
    assert "detection private_info" in out
    assert "decision  Correction by U0ADA" in out
    assert "case.opened" in out and "action.decided" in out


def test_cases_show_for_an_unknown_case_says_so(
    running_bot: RunningBot, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "cases", "show", "999")
    assert code == 1
    assert "no case #999" in err


def test_audit_log_exports_csv_within_dates(
    running_bot: RunningBot, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    case = open_case(running_bot)
    decide(running_bot, case, "ada", decision_values(ActionLevel.CORRECTION))

    code, out, _ = run(capsys, "audit-log", "--since", "2026-11-01", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["action"] for r in rows][:2] == ["case.opened", "action.decided"]
    assert all(r["case_id"] == str(case.id) for r in rows if r["action"].startswith("case."))

    _, later, _ = run(capsys, "audit-log", "--since", "2026-11-03", "--format", "csv")
    assert list(csv.DictReader(io.StringIO(later))) == []


def test_audit_log_refuses_a_malformed_date(
    cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["audit-log", "--since", "last tuesday"])
    assert exit_info.value.code == 2
    assert "expected a date like 2026-11-01" in capsys.readouterr().err
