"""Both HTML reports open in headless Chromium with no console errors (so no blocked
network request either: their Content-Security-Policy allows inline images only) and every
chart rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.integration.browser import needs_chromium, render
from tests.integration.harness import RunningBot
from tests.integration.test_audit_cli import SAMPLE, build_export
from tests.integration.test_transparency_report import work_a_month

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("CONDUCT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


@needs_chromium
@pytest.mark.skipif(not SAMPLE.is_dir(), reason="no export sample in ../shared")
def test_audit_report_renders_in_chromium_with_its_chart_and_no_console_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONDUCT_CONFIG", raising=False)
    out = tmp_path / "out"
    args = ["audit", str(build_export(tmp_path)), "--out", str(out)]
    assert main([*args, "--workspace-url", "https://atih.slack.com"]) == 0
    capsys.readouterr()

    shown = render(out / "report.html", tmp_path)

    assert shown.console == []
    assert shown.title == "rendered 1/1"
    assert shown.screenshot.startswith(PNG_MAGIC)


@needs_chromium
def test_transparency_report_renders_in_chromium_with_every_chart_and_no_console_errors(
    running_bot: RunningBot, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work_a_month(running_bot)
    target = tmp_path / "report.html"
    argv = ["report", "--since", "2026-11-01", "--until", "2026-12-01", "--format", "html"]
    assert main([*argv, "--out", str(target)]) == 0
    capsys.readouterr()

    shown = render(target, tmp_path)

    assert shown.console == []
    assert shown.title == "rendered 3/3"
    assert shown.screenshot.startswith(PNG_MAGIC)
