"""files.getUploadURLExternal / files.completeUploadExternal and the raw upload endpoint, enough for
``WebClient.files_upload_v2`` end to end (slack-notes §15, SDK ``web/client.py``)."""

from __future__ import annotations

from typing import Any

from .api_common import ApiError, Ctx, Handler, arg_int, arg_list, arg_str, get_channel
from .state import FileRecord, JsonDict, MessageRecord
from .workspace import Workspace

MAX_ALT_TXT = 1000  # alt_txt_too_large (slack-notes §15)
UPLOAD_PATH = "/upload/v1/"


def files_get_upload_url_external(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF files.getUploadURLExternal.json: ``{"ok", "upload_url", "file_id"}``."""
    filename = arg_str(args, "filename")
    length = arg_int(args, "length", -1)
    if filename is None or length < 0:
        raise ApiError("invalid_arguments")
    alt_txt = arg_str(args, "alt_txt")
    if alt_txt is not None and len(alt_txt) > MAX_ALT_TXT:
        raise ApiError("alt_txt_too_large")
    file_id = ctx.ws.new_id("F")
    ctx.ws.file_records[file_id] = FileRecord(
        id=file_id, filename=filename, length=length, alt_txt=alt_txt
    )
    return {"ok": True, "upload_url": f"{ctx.base_url}{UPLOAD_PATH}{file_id}", "file_id": file_id}


def files_complete_upload_external(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF files.completeUploadExternal.json: ``{"ok": true, "files": [{"id", "title"}]}``.
    Shares into ``channel_id`` / ``channels`` as one message carrying the files (with
    ``initial_comment`` as text); the bot must be a member (``not_in_channel``)."""
    items: Any = args.get("files")
    if not isinstance(items, list) or not items:
        raise ApiError("invalid_arguments")
    records: list[FileRecord] = []
    for item in items:
        file_id = item.get("id") if isinstance(item, dict) else None
        record = ctx.ws.file_records.get(str(file_id))
        if record is None or record.content is None or record.completed:
            raise ApiError("file_not_found")
        records.append(record)
    channel_ids = arg_list(args, "channels")
    single = arg_str(args, "channel_id")
    if single is not None:
        channel_ids.insert(0, single)
    channels = [get_channel(ctx, {"channel": cid}) for cid in channel_ids]
    for ch in channels:
        if ch.is_archived:
            raise ApiError("is_archived")
        if ctx.caller not in ch.members:
            raise ApiError("not_in_channel")
    thread_ts = arg_str(args, "thread_ts")
    comment = arg_str(args, "initial_comment")
    for item, record in zip(items, records, strict=True):
        title = item.get("title")
        record.title = str(title) if title else record.filename
        record.completed = True
        record.channels = [ch.id for ch in channels]
        record.thread_ts = thread_ts
        record.initial_comment = comment
    for ch in channels:
        ctx.ws.store_message(
            MessageRecord(
                channel=ch.id,
                ts=ctx.ws.next_ts(),
                text=comment or "",
                user=ctx.caller,
                bot_id=ctx.auth.bot_id,
                app_id=ctx.ws.app_id if ctx.auth.is_bot else None,
                team=ctx.ws.team_id,
                thread_ts=thread_ts,
                files=[r.to_api() for r in records],
                bot_profile=ctx.ws.bot_profile() if ctx.auth.is_bot else None,
            )
        )
    return {"ok": True, "files": [{"id": r.id, "title": r.title} for r in records]}


def receive_upload(ws: Workspace, file_id: str, data: bytes) -> tuple[int, str]:
    """The plain POST of the bytes to ``upload_url`` (no Slack auth; must answer 200). Slack's
    body text is ``OK - <length>`` (observed, unverified)."""
    with ws.lock:
        record = ws.file_records.get(file_id)
        if record is None:
            return 404, "file_not_found"
        record.content = data
        return 200, f"OK - {len(data)}"


HANDLERS: dict[str, Handler] = {
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
}
