"""`conduct classify`: JSON Lines in, one JSON line out per input, in order, in bounded
memory. Messages are `{"id", "text", "channel"}`, accounts `{"id", "real_name",
"display_name"}`; a line that is neither gets `{"id", "error"}` and the run goes on."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from moderation.engine import Engine
from moderation.message import Account, Message
from moderation.verdict import Verdict

CHUNK = 64


def _parse(line: str) -> tuple[Any, Message | Account | str]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(obj, dict):
        return None, "each line must be a JSON object"
    item_id = obj.get("id")
    if "text" in obj:
        text, channel = obj["text"], obj.get("channel", "")
        if not isinstance(text, str) or not isinstance(channel, str | None):
            return item_id, "text and channel must be strings"
        return item_id, Message(text=text, channel=(channel or "").lstrip("#"), id=_str(item_id))
    if "real_name" in obj or "display_name" in obj:
        real, display = obj.get("real_name") or "", obj.get("display_name") or ""
        if not isinstance(real, str) or not isinstance(display, str):
            return item_id, "real_name and display_name must be strings"
        return item_id, Account(real_name=real, display_name=display, id=_str(item_id))
    return item_id, 'expected "text" (a message) or "real_name"/"display_name" (an account)'


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _result(item_id: Any, verdict: Verdict) -> dict[str, Any]:
    return {
        "id": item_id,
        "findings": [
            {"policy": f.policy.value, "score": f.score, "response": f.response.value}
            for f in verdict.findings
        ],
    }


def classify_lines(engine: Engine, lines: Iterable[str], chunk: int = CHUNK) -> Iterator[str]:
    pending: list[tuple[Any, Message | Account | str]] = []
    for line in lines:
        if not line.strip():
            continue
        pending.append(_parse(line))
        if len(pending) >= chunk:
            yield from _flush(engine, pending)
            pending = []
    if pending:
        yield from _flush(engine, pending)


def _flush(engine: Engine, items: list[tuple[Any, Message | Account | str]]) -> Iterator[str]:
    messages = [item for _, item in items if isinstance(item, Message)]
    verdicts = iter(engine.check_batch(messages)) if messages else iter(())
    for item_id, item in items:
        if isinstance(item, str):
            out: dict[str, Any] = {"id": item_id, "error": item}
        elif isinstance(item, Message):
            out = _result(item_id, next(verdicts))
        else:
            out = _result(item_id, engine.check_account(item))
        yield json.dumps(out, ensure_ascii=False)
