"""findings.csv and accounts.csv, written row by row as the audit runs."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

from bot.audit.runner import AccountFinding, AuditFinding

FINDING_COLUMNS = (
    "channel",
    "ts",
    "thread_ts",
    "user_id",
    "policy",
    "score",
    "response",
    "excerpt",
)
ACCOUNT_COLUMNS = ("user_id", "real_name", "display_name", "score", "reason")


class CsvSink:
    """Receives findings and accounts from the run and writes each at once (nothing kept)."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.findings_path = out_dir / "findings.csv"
        self.accounts_path = out_dir / "accounts.csv"
        self._files: list[IO[str]] = []
        self._findings = csv.writer(self._open(self.findings_path))
        self._findings.writerow(FINDING_COLUMNS)
        self._accounts = csv.writer(self._open(self.accounts_path))
        self._accounts.writerow(ACCOUNT_COLUMNS)

    def _open(self, path: Path) -> IO[str]:
        handle = path.open("w", newline="", encoding="utf-8")
        self._files.append(handle)
        return handle

    def finding(self, f: AuditFinding) -> None:
        self._findings.writerow(
            (
                f.channel,
                f.ts,
                f.thread_ts or "",
                f.user_id,
                f.policy.value,
                f"{f.score:.4f}",
                f.response,
                _safe(f.excerpt),
            )
        )

    def account(self, a: AccountFinding) -> None:
        self._accounts.writerow(
            (a.user_id, _safe(a.real_name), _safe(a.display_name), f"{a.score:.4f}", a.reason)
        )

    def close(self) -> None:
        for handle in self._files:
            handle.close()


def _safe(text: str) -> str:
    """Member text must not become a formula when the CSV is opened in a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
