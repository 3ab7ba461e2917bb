"""Shared plumbing for the Web API method handlers: errors, argument coercion, pagination."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .state import ChannelRecord, JsonDict, TokenInfo, UserRecord
from .workspace import Workspace

T = TypeVar("T")

# Argument names whose form-encoded value is a JSON document (WebClient sends blocks/attachments as
# JSON strings in form bodies, view/files as JSON; REF arg descriptions "JSON-encoded string").
JSON_ARGS = frozenset({"blocks", "attachments", "view", "files", "metadata", "user_auth_blocks"})


class ApiError(Exception):
    """Raised by handlers; answered as HTTP 200 ``{"ok": false, "error": code, **extra}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> JsonDict:
        return {"ok": False, "error": self.error, **self.extra}


@dataclass
class Ctx:
    ws: Workspace
    auth: TokenInfo
    base_url: str  # "http://127.0.0.1:PORT" (no trailing slash)

    @property
    def caller(self) -> str:
        return self.auth.user_id


Handler = Callable[[Ctx, JsonDict], JsonDict]


def decode_json_args(args: JsonDict) -> JsonDict:
    """Decode JSON-encoded string values of ``JSON_ARGS`` (undecodable strings are kept)."""
    out = dict(args)
    for key in JSON_ARGS & out.keys():
        value = out[key]
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                out[key] = json.loads(value)
    return out


def arg_str(args: JsonDict, key: str) -> str | None:
    value = args.get(key)
    if value is None:
        return None
    text = str(value)
    return text if text != "" else None


def require_str(args: JsonDict, key: str, error: str = "invalid_arguments") -> str:
    value = arg_str(args, key)
    if value is None:
        raise ApiError(error)
    return value


def arg_bool(args: JsonDict, key: str, default: bool = False) -> bool:
    """Form bools arrive as "1"/"0"/"true"/"false" (WebClient converts True to "1")."""
    value = args.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def arg_int(args: JsonDict, key: str, default: int) -> int:
    value = args.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError("invalid_arguments") from exc


def arg_list(args: JsonDict, key: str) -> list[str]:
    """Comma-separated list (``users=U1,U2``) or a JSON list."""
    value = args.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if str(v)]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def arg_json(args: JsonDict, key: str, error: str = "invalid_arguments") -> Any:
    value = args.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ApiError(error) from exc
    return value


def encode_cursor(kind: str, offset: int) -> str:
    return base64.b64encode(f"{kind}:{offset}".encode()).decode("ascii")


def decode_cursor(cursor: str | None, kind: str) -> int:
    if not cursor:
        return 0
    try:
        prefix, _, offset = base64.b64decode(cursor, validate=True).decode().partition(":")
        if prefix != kind:
            raise ValueError(prefix)
        value = int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiError("invalid_cursor") from exc
    if value < 0:
        raise ApiError("invalid_cursor")
    return value


def paginate(
    items: Sequence[T], args: JsonDict, kind: str, *, default_limit: int, max_limit: int = 1000
) -> tuple[list[T], str]:
    """Cursor pagination: returns the page and ``next_cursor`` ("" at the end), per
    https://docs.slack.dev/apis/web-api/pagination (slack-notes §9)."""
    start = decode_cursor(arg_str(args, "cursor"), kind)
    limit = arg_int(args, "limit", 0)
    if limit <= 0:
        limit = default_limit
    limit = min(limit, max_limit)
    page = list(items[start : start + limit])
    end = start + len(page)
    return page, (encode_cursor(kind, end) if end < len(items) else "")


def get_channel(ctx: Ctx, args: JsonDict, key: str = "channel") -> ChannelRecord:
    """Look up a conversation the caller can see, else ``channel_not_found``.

    Private channels, DMs and MPIMs are invisible to non-members (Slack answers
    ``channel_not_found`` rather than revealing them)."""
    channel_id = arg_str(args, key)
    if channel_id is None:
        raise ApiError("channel_not_found")
    ch = ctx.ws.channel_records.get(channel_id)
    if ch is None and channel_id.startswith("#"):
        for rec in ctx.ws.channel_records.values():
            if rec.name == channel_id[1:] and not rec.is_im:
                ch = rec
                break
    if ch is None:
        raise ApiError("channel_not_found")
    if (ch.is_private or ch.is_im or ch.is_mpim) and ctx.caller not in ch.members:
        raise ApiError("channel_not_found")
    return ch


def get_user(ctx: Ctx, user_id: str | None, error: str = "user_not_found") -> UserRecord:
    if user_id is None:
        raise ApiError(error)
    rec = ctx.ws.user_records.get(user_id)
    if rec is None:
        raise ApiError(error)
    return rec


def can_read(ctx: Ctx, ch: ChannelRecord) -> None:
    """History-style reads: bots must be in the channel (``not_in_channel``)."""
    if ctx.caller not in ch.members:
        raise ApiError("not_in_channel")
