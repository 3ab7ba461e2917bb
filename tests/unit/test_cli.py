from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CONDUCT = str(Path(sys.executable).parent / "conduct")


def run_conduct(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "CONDUCT_", "DATABASE_URL"))
    }
    base.update(env or {})
    return subprocess.run(
        [CONDUCT, *args], cwd=cwd, env=base, capture_output=True, text=True, timeout=60, check=False
    )


def test_run_without_credentials_exits_2_naming_variables_and_manifest(tmp_path: Path) -> None:
    result = run_conduct("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" in result.stderr
    assert "manifest.yml" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "conduct.db").exists(), "nothing is created before the checks pass"


def test_socket_mode_flag_without_app_token_names_it(tmp_path: Path) -> None:
    result = run_conduct("run", "--socket-mode", cwd=tmp_path, env={"SLACK_BOT_TOKEN": "xoxb-1"})
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_community_file_exits_2_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "conduct.toml").write_text('[community]\nmode = "strict"\n')
    result = run_conduct(
        "run", cwd=tmp_path, env={"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "y"}
    )
    assert result.returncode == 2
    assert "community.mode" in result.stderr and "enforce, shadow" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("action", ["upgrade", "current"])
def test_db_commands_report_the_revision(tmp_path: Path, action: str) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    upgraded = run_conduct("db", "upgrade", cwd=tmp_path, env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    result = run_conduct("db", action, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "revision" in result.stdout


def test_db_current_says_when_schema_is_behind(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    result = run_conduct("db", "current", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "base: behind" in result.stdout
