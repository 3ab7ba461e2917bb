"""`conduct audit EXPORT` end to end with the real engine, on a copy of the export sample
(../shared/datasets/slack-export-sample: channels.json, users.json, `<channel>/<day>.json`
in the shapes of slack-notes §16) with a day of rule-breaking messages added, plus housekeeping
the audit must skip and files it cannot read."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from bot.cli import main

SAMPLE = Path(__file__).resolve().parents[3] / "shared/datasets/slack-export-sample/testarchive"
pytestmark = pytest.mark.skipif(not SAMPLE.is_dir(), reason="no export sample in ../shared")

PHONE = (
    "Here is Maria's personal cell, +1 415 555 0132 - everyone call her and tell her what you think"
)
GOFUNDME = "Please chip in on my GoFundMe, any amount helps! <https://gofundme.com/f/x>"
INSULT = "you are a worthless idiot and everyone here hates you"

# 2016-04-02 00:00 UTC and later: the added day's messages
ADDED_DAY = [
    {"type": "message", "user": "U0BMYT2FL", "text": PHONE, "ts": "1459555200.000100"},
    {
        "type": "message",
        "user": "U0BMQB6JE",
        "text": INSULT,
        "ts": "1459555300.000200",
        "thread_ts": "1459555200.000100",
    },
    {"type": "message", "user": "U0BMQB6JE", "text": GOFUNDME, "ts": "1459555400.000300"},
    # not member content: a bot post, a join, a deletion notice (shapes: the sample's own
    # bot_message and channel_join rows; message_deleted from slack-notes §2)
    {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "B1",
        "text": PHONE,
        "ts": "1459555500.1",
    },
    {
        "type": "message",
        "subtype": "channel_join",
        "user": "U0BMS113R",
        "text": "<@U0BMS113R> has joined the channel",
        "ts": "1459555600.1",
    },
    {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "deleted_ts": "1459555400.000300",
        "ts": "1459555700.1",
    },
]


def build_export(tmp_path: Path) -> Path:
    root = tmp_path / "export"
    shutil.copytree(SAMPLE, root)
    (root / "enrique" / "2016-04-02.json").write_text(json.dumps(ADDED_DAY))
    (root / "traveling-sailor" / "2016-03-29.json").write_text("[{broken")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(root).as_posix())
    shutil.rmtree(root)
    return archive


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with no conduct.toml, no DATABASE_URL and no Slack credentials."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in ("DATABASE_URL", "CONDUCT_CONFIG", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return work


def test_audit_of_an_export_writes_findings_accounts_and_report_and_skips_bad_files(
    tmp_path: Path, no_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = build_export(tmp_path)
    out = tmp_path / "out"
    code = main(
        ["audit", str(archive), "--out", str(out), "--workspace-url", "https://atih.slack.com"]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    findings = rows(out / "findings.csv")
    assert Counter(r["policy"] for r in findings) == Counter(
        {"private_info": 1, "harassment": 1, "funds_request": 1, "self_promotion": 1}
    )
    assert {r["ts"] for r in findings} == {
        "1459555200.000100",
        "1459555300.000200",
        "1459555400.000300",
    }
    [insult] = [r for r in findings if r["policy"] == "harassment"]
    assert insult["thread_ts"] == "1459555200.000100" and insult["user_id"] == "U0BMQB6JE"
    assert insult["channel"] == "enrique" and insult["excerpt"] == INSULT
    # the sample's handle-only profile (heroeshannibal) is the one account to fix
    assert [a["real_name"] for a in rows(out / "accounts.csv")] == ["heroeshannibal"]
    html = (out / "report.html").read_text()
    assert "https://atih.slack.com/archives/C0JGLMMNX/p1459555200000100" in html
    assert "heroeshannibal" in html
    assert "Skipped: 1 file(s)." in captured.out
    assert "traveling-sailor/2016-03-29.json" in captured.err
    assert "Findings: 4" in captured.out and "Profiles: 4 checked, 1 to fix." in captured.out
    # the sample's 158 messages less the broken file's one bot post, plus the 6 added; its
    # 52 member messages plus the 3 added are checked
    assert "Audited 18 day files: 163 messages, 55 members' messages checked" in captured.out
    assert list(no_database.iterdir()) == []  # no conduct.db, nothing written here


def test_audit_limited_to_policies_dates_and_channels_reports_only_those(
    tmp_path: Path, no_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = build_export(tmp_path)
    out = tmp_path / "out"
    code = main(
        [
            "audit",
            str(archive),
            "--out",
            str(out),
            "--policies",
            "harassment,anonymous_account",
            "--since",
            "2016-04-01",
            "--until",
            "2016-04-03",
            "--channels",
            "enrique",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert [r["policy"] for r in rows(out / "findings.csv")] == ["harassment"]
    assert "Audited 1 day files" in captured.out and "Skipped: 0 file(s)." in captured.out


def test_audit_of_something_that_is_not_an_export_fails_with_a_message(
    tmp_path: Path, no_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["audit", str(tmp_path / "nothing.zip"), "--out", str(tmp_path / "out")])
    assert code == 1
    assert "no such file" in capsys.readouterr().err
