"""Open a self-contained HTML report in headless Chromium (Debian's `chromium` package) and
say what it showed: console messages, how many images rendered, and a screenshot.

The page is opened as written, with its Content-Security-Policy, plus one checking script
allowed by its hash; any blocked request, failed image or script error shows up as a console
message, which Chromium prints on stderr with `--enable-logging=stderr`."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

CHECK = (
    "addEventListener('load',()=>{const i=[...document.images];"
    "const ok=i.filter(x=>x.complete&&x.naturalWidth>0).length;"
    "i.filter(x=>!(x.complete&&x.naturalWidth>0)).forEach(x=>console.error('image failed',x.alt));"
    "document.title='rendered '+ok+'/'+i.length;});"
)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"]


@dataclass(frozen=True)
class Rendered:
    console: list[str]
    title: str
    screenshot: bytes


def render(html: Path, workdir: Path) -> Rendered:
    assert CHROMIUM is not None
    digest = base64.b64encode(hashlib.sha256(CHECK.encode()).digest()).decode()
    page = html.read_text(encoding="utf-8")
    page = page.replace("img-src data:;", f"img-src data:; script-src 'sha256-{digest}';", 1)
    page = page.replace("</body>", f"<script>{CHECK}</script></body>", 1)
    checked = workdir / "checked.html"
    checked.write_text(page, encoding="utf-8")
    dom = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--dump-dom",
            checked.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    shot = workdir / "screenshot.png"
    subprocess.run(
        [CHROMIUM, *FLAGS, "--window-size=1280,2400", f"--screenshot={shot}", html.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    title = re.search(r"<title>(.*?)</title>", dom.stdout)
    return Rendered(console, title.group(1) if title else "", shot.read_bytes())
