"""The engine runs without PyTorch: what a Slack admin installs stays small."""

from __future__ import annotations

import subprocess
import sys


def test_checking_a_message_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "from moderation.engine import Engine\n"
        "from moderation.message import Message\n"
        "Engine.load().check(Message('join my course, 20% off', 'random'))\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")
