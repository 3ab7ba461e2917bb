"""Audit throughput and peak RSS against `conduct classify` on the same messages.

Generates a Slack export (shapes of ../shared/datasets/slack-export-sample) of N member
messages spread over channels and days, runs `conduct audit` and `conduct classify` on it in
child processes, and prints messages/s and peak RSS. Usage:

    python bench/audit_throughput.py 10000 100000
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TEXTS = [
    "what should setup.py do? install dependencies for docker?",
    "Nope. Just install the executor, see <https://github.com/hfaran/progressive>",
    "Check out my new course, 20% off this week: <https://example.com/course>",
    "Could someone chip in on my GoFundMe? <https://gofundme.com/f/x>",
    "Thanks everyone, the meetup notes are in the drive folder",
    "Has anyone read the new AI act draft? Curious what people think",
]


def build(root: Path, n: int) -> list[str]:
    rng = random.Random(n)
    channels = ["general-discussions", "random", "shameless-plugs", "ai-policy"]
    (root / "channels.json").write_text(
        json.dumps([{"id": f"C{i:08d}", "name": c} for i, c in enumerate(channels)])
    )
    (root / "users.json").write_text(
        json.dumps(
            [
                {
                    "id": f"U{i:08d}",
                    "real_name": f"Member {i}",
                    "profile": {"real_name": f"Member {i}"},
                }
                for i in range(200)
            ]
        )
    )
    per_day = 250
    lines = []
    for d in range(0, n, per_day):
        channel = channels[(d // per_day) % len(channels)]
        day = f"{2020 + (d // per_day) // 4 // 365}-{1 + ((d // per_day) // 4 // 28) % 12:02d}-{1 + ((d // per_day) // 4) % 28:02d}"
        folder = root / channel
        folder.mkdir(exist_ok=True)
        messages = []
        for i in range(min(per_day, n - d)):
            text = f"{rng.choice(TEXTS)} #{d + i}"
            messages.append(
                {
                    "type": "message",
                    "user": f"U{rng.randrange(200):08d}",
                    "text": text,
                    "ts": f"{1600000000 + d + i}.000100",
                }
            )
            lines.append(json.dumps({"id": d + i, "text": text, "channel": channel}))
        (folder / f"{day}.json").write_text(json.dumps(messages))
    return lines


def measured(args: list[str], stdin: Path | None = None) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one command, run under a fresh child of this script so
    RUSAGE_CHILDREN holds that command alone."""
    out = subprocess.run(  # noqa: S603 - our own interpreter, this script, fixed arguments
        [sys.executable, __file__, "--child", str(stdin or ""), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024


def child(stdin: str, args: list[str]) -> None:
    started = time.monotonic()
    with open(stdin or "/dev/null") as source:
        subprocess.run(args, stdin=source, capture_output=True, check=True)  # noqa: S603
    print(time.monotonic() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3:])
        return
    conduct = str(BIN / "conduct")
    for n in [int(a) for a in sys.argv[1:]] or [10000]:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "export"
            root.mkdir()
            jsonl = Path(tmp) / "in.jsonl"
            jsonl.write_text("\n".join(build(root, n)) + "\n")
            a_s, a_rss = measured([conduct, "audit", str(root), "--out", f"{tmp}/out"])
            c_s, c_rss = measured([conduct, "classify"], jsonl)
            print(
                f"{n} messages: audit {n / a_s:,.0f} msg/s, peak RSS {a_rss:.0f} MB; "
                f"classify {n / c_s:,.0f} msg/s, peak RSS {c_rss:.0f} MB; "
                f"audit at {c_s / a_s:.0%} of classify (wall time incl. model load)"
            )


if __name__ == "__main__":
    main()
