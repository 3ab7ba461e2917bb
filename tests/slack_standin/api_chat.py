"""chat.* handlers (slack-notes §8)."""

from __future__ import annotations

from typing import Any

from .api_common import ApiError, Ctx, Handler, arg_bool, arg_str, get_channel, get_user
from .state import ChannelRecord, EphemeralRecord, JsonDict, MessageRecord, ts_to_permalink_part

MAX_BLOCKS_PER_MESSAGE = 50  # https://docs.slack.dev/reference/block-kit/blocks (slack-notes §7)
MAX_ATTACHMENTS = 100  # REF chat.postMessage.json too_many_attachments
MAX_UPDATE_TEXT = 4000  # REF chat.update.json msg_too_long (slack-notes §8)


def _post_target(ctx: Ctx, args: JsonDict) -> ChannelRecord:
    """``channel`` may be an id, ``#name`` or a user id (posts to the caller's DM with that user;
    slack-notes §18.11 — exact Slack behaviour for user ids unverified)."""
    raw = arg_str(args, "channel")
    if raw is not None and raw[:1] in ("U", "W") and raw in ctx.ws.user_records:
        return ctx.ws.channel_records[ctx.ws.open_dm(ctx.caller, raw)]
    return get_channel(ctx, args)


def _check_can_post(ctx: Ctx, ch: ChannelRecord) -> None:
    if ch.is_archived:
        raise ApiError("is_archived")
    if ctx.caller not in ch.members and not (
        ctx.auth.is_bot and ctx.ws.prefs.chat_write_public and not ch.is_private
    ):
        raise ApiError("not_in_channel")


def _content(args: JsonDict) -> tuple[str | None, list[JsonDict] | None, list[JsonDict] | None]:
    """Validate text/blocks/attachments. Errors per REF chat.postMessage.json."""
    text = args.get("text")
    blocks: Any = args.get("blocks")
    attachments: Any = args.get("attachments")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise ApiError("invalid_blocks_format")
        if len(blocks) > MAX_BLOCKS_PER_MESSAGE or not all(
            isinstance(b, dict) and b.get("type") for b in blocks
        ):
            raise ApiError("invalid_blocks")
    if attachments is not None:
        if not isinstance(attachments, list):
            raise ApiError("invalid_attachments")
        if len(attachments) > MAX_ATTACHMENTS:
            raise ApiError("too_many_attachments")
    if not text and not blocks and not attachments:
        raise ApiError("no_text")
    return (None if text is None else str(text)), blocks, attachments


def _may_modify(ctx: Ctx, msg: MessageRecord) -> bool:
    """Bot tokens may only touch the bot's own messages (chat.delete docs, slack-notes §8)."""
    if ctx.auth.is_bot:
        return msg.bot_id == ctx.auth.bot_id
    return msg.user == ctx.caller and msg.bot_id is None


def chat_post_message(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF chat.postMessage.json: ``{"ok", "channel", "ts", "message"}``."""
    ch = _post_target(ctx, args)
    _check_can_post(ctx, ch)
    text, blocks, attachments = _content(args)
    ws = ctx.ws
    thread_ts = arg_str(args, "thread_ts")
    broadcast = thread_ts is not None and arg_bool(args, "reply_broadcast")
    msg = MessageRecord(
        channel=ch.id,
        ts=ws.next_ts(),
        text=text or "",
        user=ctx.caller,
        bot_id=ctx.auth.bot_id,
        app_id=ws.app_id if ctx.auth.is_bot else None,
        team=ws.team_id,
        blocks=blocks,
        attachments=attachments,
        thread_ts=thread_ts,
        subtype="thread_broadcast" if broadcast else None,
        reply_broadcast=broadcast,
        metadata=args.get("metadata") if isinstance(args.get("metadata"), dict) else None,
        bot_profile=ws.bot_profile() if ctx.auth.is_bot else None,
    )
    if thread_ts is not None:
        parent = ws.find_message(ch.id, thread_ts)
        msg.parent_user_id = parent.user if parent is not None else None
    ws.store_message(msg)
    return {"ok": True, "channel": ch.id, "ts": msg.ts, "message": msg.to_api()}


def chat_post_ephemeral(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF chat.postEphemeral.json: ``{"ok": true, "message_ts"}``; ``user_not_in_channel`` when
    the recipient is not a member."""
    ch = get_channel(ctx, args)
    user = get_user(ctx, arg_str(args, "user"))
    _check_can_post(ctx, ch)
    if user.id not in ch.members:
        raise ApiError("user_not_in_channel")
    text, blocks, _ = _content(args)
    record = EphemeralRecord(
        channel=ch.id,
        user=user.id,
        ts=ctx.ws.next_ts(),
        text=text or "",
        blocks=blocks,
        thread_ts=arg_str(args, "thread_ts"),
        sender=ctx.caller,
    )
    ctx.ws.ephemeral_log.append(record)
    return {"ok": True, "message_ts": record.ts}


def chat_update(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF chat.update.json: ``{"ok", "channel", "ts", "text", "message"}``; errors
    message_not_found, cant_update_message, msg_too_long, is_archived."""
    ch = get_channel(ctx, args)
    msg = ctx.ws.find_message(ch.id, arg_str(args, "ts") or "")
    if msg is None:
        raise ApiError("message_not_found")
    if ch.is_archived:
        raise ApiError("is_archived")
    if not _may_modify(ctx, msg):
        raise ApiError("cant_update_message")
    text, blocks, attachments = _content(args)
    if text is not None and len(text) > MAX_UPDATE_TEXT:
        raise ApiError("msg_too_long")
    if "text" in args:
        msg.text = text or ""
    if "blocks" in args:
        msg.blocks = blocks
    if "attachments" in args:
        msg.attachments = attachments
    msg.edited = {"user": ctx.caller, "ts": ctx.ws.next_ts()}
    return {"ok": True, "channel": ch.id, "ts": msg.ts, "text": msg.text, "message": msg.to_api()}


def chat_delete(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF chat.delete.json: ``{"ok", "channel", "ts"}``. Bot tokens delete only the bot's
    messages; a user token its own, or others' when the user is an admin and
    ``prefs.admins_can_delete_others`` (unconfirmed in Slack docs, slack-notes §18.3)."""
    ch = get_channel(ctx, args)
    msg = ctx.ws.find_message(ch.id, arg_str(args, "ts") or "")
    if msg is None:
        raise ApiError("message_not_found")
    allowed = _may_modify(ctx, msg)
    if not allowed and not ctx.auth.is_bot:
        caller = ctx.ws.user_records[ctx.caller]
        allowed = caller.is_admin and ctx.ws.prefs.admins_can_delete_others
    if not allowed:
        raise ApiError("cant_delete_message")
    ctx.ws.message_log[ch.id].remove(msg)
    ctx.ws.deleted_log.append(msg)
    return {"ok": True, "channel": ch.id, "ts": msg.ts}


def chat_get_permalink(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF chat.getPermalink.json: ``https://{domain}.slack.com/archives/{C}/p{ts without dot}``,
    replies add ``?thread_ts={parent}&cid={C}``."""
    ch = get_channel(ctx, args)
    msg = ctx.ws.find_message(ch.id, arg_str(args, "message_ts") or "")
    if msg is None:
        raise ApiError("message_not_found")
    link = f"https://{ctx.ws.domain}.slack.com/archives/{ch.id}/{ts_to_permalink_part(msg.ts)}"
    if msg.is_reply:
        link += f"?thread_ts={msg.thread_ts}&cid={ch.id}"
    return {"ok": True, "channel": ch.id, "permalink": link}


HANDLERS: dict[str, Handler] = {
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.getPermalink": chat_get_permalink,
}
