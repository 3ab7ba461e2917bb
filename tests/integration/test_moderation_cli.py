"""`conduct check` and `conduct classify` with the real local model (no network)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CONDUCT = str(Path(sys.executable).parent / "conduct")


def run(
    args: list[str], stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CONDUCT_CONFIG"))}
    return subprocess.run(
        [CONDUCT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        cwd=cwd,
    )


def test_classify_streams_one_line_per_input_in_order_and_survives_bad_lines(
    tmp_path: Path,
) -> None:
    lines = [
        json.dumps(
            {
                "id": 1,
                "text": "Please chip in on my GoFundMe, any amount helps! <https://gofundme.com/f/x>",
                "channel": "random",
            }
        ),
        json.dumps(
            {
                "id": 2,
                "text": "Anyone going to the privacy meetup on Thursday?",
                "channel": "random",
            }
        ),
        "{not json",
        json.dumps({"id": 4, "real_name": "anon", "display_name": "user1234"}),
        json.dumps({"id": 5, "note": "neither a message nor an account"}),
        json.dumps({"id": 6, "real_name": "Amara Okafor", "display_name": ""}),
    ]
    result = run(["classify"], "\n".join(lines) + "\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == [1, 2, None, 4, 5, 6]
    assert "funds_request" in {f["policy"] for f in out[0]["findings"]}
    assert out[1]["findings"] == []
    assert "error" in out[2] and "error" in out[4]
    assert [f["policy"] for f in out[3]["findings"]] == ["anonymous_account"]
    assert out[5]["findings"] == []
    for finding in out[0]["findings"]:
        assert set(finding) == {"policy", "score", "response"}


def test_check_explains_the_verdict_for_a_person(tmp_path: Path) -> None:
    plug = run(
        [
            "check",
            "Our new AI audit toolkit just launched, 20% off for the first 50 sign-ups: <https://example.com/buy>",
            "--channel",
            "general-discussions",
        ],
        cwd=tmp_path,
    )
    assert plug.returncode == 0, plug.stderr
    assert "self_promotion" in plug.stdout and "Shameless Plugs" in plug.stdout

    fine = run(["check", "Same launch post", "--channel", "shameless-plugs"], cwd=tmp_path)
    assert fine.returncode == 0
    assert "No policy applies" in fine.stdout


def test_check_without_text_or_profile_is_a_usage_error(tmp_path: Path) -> None:
    result = run(["check"], cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
