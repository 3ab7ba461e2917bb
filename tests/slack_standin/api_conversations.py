"""conversations.* handlers."""

from __future__ import annotations

from .api_common import (
    ApiError,
    Ctx,
    Handler,
    arg_bool,
    arg_list,
    arg_str,
    can_read,
    get_channel,
    get_user,
    paginate,
)
from .state import ChannelRecord, JsonDict, MessageRecord
from .workspace import ts_key

ALL_TYPES = frozenset({"public_channel", "private_channel", "mpim", "im"})


def _channel_type(ch: ChannelRecord) -> str:
    if ch.is_im:
        return "im"
    if ch.is_mpim:
        return "mpim"
    return "private_channel" if ch.is_private else "public_channel"


def _with_thread_summary(ctx: Ctx, msg: MessageRecord) -> JsonDict:
    """Parent messages carry thread_ts/reply_count/reply_users/latest_reply
    (conversations.history docs, threads: https://docs.slack.dev/messaging#threading)."""
    data = msg.to_api()
    replies = ctx.ws.replies_of(msg.channel, msg.ts)
    if replies:
        users = list(dict.fromkeys(r.user for r in replies if r.user is not None))
        data.update(
            thread_ts=msg.ts,
            reply_count=len(replies),
            reply_users_count=len(users),
            reply_users=users,
            latest_reply=replies[-1].ts,
            is_locked=False,
            subscribed=False,
        )
    return data


def conversations_info(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF conversations.info.json: ``{"ok": true, "channel": {...}}``."""
    ch = get_channel(ctx, args)
    return {
        "ok": True,
        "channel": ch.to_api(ctx.caller, include_num_members=arg_bool(args, "include_num_members")),
    }


def conversations_list(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF conversations.list.json: ``channels`` + ``response_metadata.next_cursor``; ``types``
    defaults to ``public_channel``; private conversations only when the caller is a member."""
    types = set(arg_list(args, "types")) or {"public_channel"}
    if not types <= ALL_TYPES:
        raise ApiError("invalid_types")
    exclude_archived = arg_bool(args, "exclude_archived")
    visible = [
        ch
        for ch in ctx.ws.channel_records.values()
        if _channel_type(ch) in types
        and not (exclude_archived and ch.is_archived)
        and (_channel_type(ch) == "public_channel" or ctx.caller in ch.members)
    ]
    page, next_cursor = paginate(visible, args, "channels", default_limit=100)
    return {
        "ok": True,
        "channels": [ch.to_api(ctx.caller) for ch in page],
        "response_metadata": {"next_cursor": next_cursor},
    }


def conversations_members(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF conversations.members.json: ``members`` ids + ``response_metadata.next_cursor``."""
    ch = get_channel(ctx, args)
    page, next_cursor = paginate(ch.members, args, "members", default_limit=100)
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}


def conversations_open(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF conversations.open.json: new DM -> ``{"channel": {"id": "D…"}}``; an existing one ->
    ``no_op``/``already_open`` + the full IM object. 2–8 users -> an MPIM."""
    ws = ctx.ws
    channel_id = arg_str(args, "channel")
    user_ids = arg_list(args, "users")
    if channel_id is not None and not user_ids:
        ch = get_channel(ctx, args)
        if not (ch.is_im or ch.is_mpim):
            raise ApiError("method_not_supported_for_channel_type")
        return {"ok": True, "no_op": True, "already_open": True, "channel": ch.to_api(ctx.caller)}
    if not user_ids:
        raise ApiError("users_list_not_supplied")
    for uid in user_ids:
        if get_user(ctx, uid).deleted:
            raise ApiError("user_disabled")
    others = [u for u in dict.fromkeys(user_ids) if u != ctx.caller]
    if len(others) > 8:
        raise ApiError("too_many_users")
    if len(others) <= 1:
        other = others[0] if others else ctx.caller
        existed = ws.has_dm(ctx.caller, other)
        ch = ws.channel_records[ws.open_dm(ctx.caller, other)]
    else:
        members = [ctx.caller, *others]
        existing = [
            c for c in ws.channel_records.values() if c.is_mpim and set(c.members) == set(members)
        ]
        existed = bool(existing)
        if existing:
            ch = existing[0]
        else:
            names = "--".join(ws.user_records[m].name for m in members)
            ch = ChannelRecord(
                id=ws.new_id("C"), name=f"mpdm-{names}-1", is_mpim=True, members=members
            )
            ws.channel_records[ch.id] = ch
            ws.message_log[ch.id] = []
    if existed:
        return {"ok": True, "no_op": True, "already_open": True, "channel": ch.to_api(ctx.caller)}
    full = arg_bool(args, "return_im")
    return {"ok": True, "channel": ch.to_api(ctx.caller) if full else {"id": ch.id}}


def conversations_history(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF conversations.history.json: newest first; ``has_more``, ``pin_count``,
    ``response_metadata.next_cursor``. Thread replies are left out unless broadcast."""
    ch = get_channel(ctx, args)
    can_read(ctx, ch)
    latest, oldest = arg_str(args, "latest"), arg_str(args, "oldest")
    inclusive = arg_bool(args, "inclusive")

    def in_range(m: MessageRecord) -> bool:
        key = ts_key(m.ts)
        if latest is not None and (
            key > ts_key(latest) or (key == ts_key(latest) and not inclusive)
        ):
            return False
        return not (
            oldest is not None
            and (key < ts_key(oldest) or (key == ts_key(oldest) and not inclusive))
        )

    msgs = [
        m
        for m in reversed(ctx.ws.message_log.get(ch.id, []))
        if (not m.is_reply or m.reply_broadcast) and in_range(m)
    ]
    page, next_cursor = paginate(msgs, args, "history", default_limit=100, max_limit=999)
    return {
        "ok": True,
        "messages": [_with_thread_summary(ctx, m) for m in page],
        "has_more": bool(next_cursor),
        "pin_count": 0,
        "channel_actions_ts": None,
        "channel_actions_count": 0,
        "response_metadata": {"next_cursor": next_cursor},
    }


def conversations_replies(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF conversations.replies.json: parent first, then replies oldest first;
    ``thread_not_found`` for an unknown parent ts."""
    ch = get_channel(ctx, args)
    can_read(ctx, ch)
    ts = arg_str(args, "ts")
    parent = ctx.ws.find_message(ch.id, ts or "")
    if parent is None:
        raise ApiError("thread_not_found")
    root = parent.thread_ts if parent.is_reply and parent.thread_ts else parent.ts
    root_msg = ctx.ws.find_message(ch.id, root) or parent
    thread = [root_msg, *ctx.ws.replies_of(ch.id, root)]
    page, next_cursor = paginate(thread, args, "replies", default_limit=1000)
    return {
        "ok": True,
        "messages": [_with_thread_summary(ctx, m) if m is root_msg else m.to_api() for m in page],
        "has_more": bool(next_cursor),
        "response_metadata": {"next_cursor": next_cursor},
    }


def conversations_kick(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF conversations.kick.json: ``{"ok": true, "errors": {}}``; errors no_user,
    user_not_found, cant_kick_self, cant_kick_from_general, not_in_channel, restricted_action,
    method_not_supported_for_channel_type (slack-notes §9)."""
    ch = get_channel(ctx, args)
    if ch.is_im or ch.is_mpim:
        raise ApiError("method_not_supported_for_channel_type")
    user_id = arg_str(args, "user")
    if user_id is None:
        raise ApiError("no_user")
    get_user(ctx, user_id)
    if user_id == ctx.caller:
        raise ApiError("cant_kick_self")
    if ch.is_general:
        raise ApiError("cant_kick_from_general")
    if ctx.auth.is_bot and ctx.ws.prefs.restrict_bot_kicks:
        raise ApiError("restricted_action")
    if user_id not in ch.members:
        raise ApiError("not_in_channel")
    ch.members.remove(user_id)
    return {"ok": True, "errors": {}}


def conversations_invite(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF conversations.invite.json: ``{"ok": true, "channel": {...}}``. Per-user failures:
    ``error`` = the first failure and ``errors`` = ``[{"user", "ok": false, "error"}]``; with
    ``force`` the valid users are invited anyway (the per-user list shape is unverified)."""
    ch = get_channel(ctx, args)
    if ch.is_im or ch.is_mpim:
        raise ApiError("method_not_supported_for_channel_type")
    if ch.is_archived:
        raise ApiError("is_archived")
    if ctx.caller not in ch.members:
        raise ApiError("not_in_channel")
    user_ids = arg_list(args, "users")
    if not user_ids:
        raise ApiError("no_user")
    failures: list[JsonDict] = []
    valid: list[str] = []
    for uid in user_ids:
        user = ctx.ws.user_records.get(uid)
        error = None
        if user is None:
            error = "user_not_found"
        elif uid == ctx.caller:
            error = "cant_invite_self"
        elif user.deleted:
            error = "cant_invite"
        elif uid in ch.members:
            error = "already_in_channel"
        if error is None:
            valid.append(uid)
        else:
            failures.append({"user": uid, "ok": False, "error": error})
    if failures and not arg_bool(args, "force"):
        raise ApiError(failures[0]["error"], errors=failures)
    ch.members.extend(valid)
    body: JsonDict = {"ok": True, "channel": ch.to_api(ctx.caller)}
    if failures:
        body["errors"] = failures
    return body


def conversations_join(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF conversations.join.json; already a member -> ok with ``already_in_channel`` warning."""
    ch = get_channel(ctx, args)
    if ch.is_private or ch.is_im or ch.is_mpim:
        raise ApiError("method_not_supported_for_channel_type")
    if ch.is_archived:
        raise ApiError("is_archived")
    if ctx.caller in ch.members:
        return {
            "ok": True,
            "channel": ch.to_api(ctx.caller),
            "warning": "already_in_channel",
            "response_metadata": {"warnings": ["already_in_channel"]},
        }
    ch.members.append(ctx.caller)
    return {"ok": True, "channel": ch.to_api(ctx.caller)}


HANDLERS: dict[str, Handler] = {
    "conversations.info": conversations_info,
    "conversations.list": conversations_list,
    "conversations.members": conversations_members,
    "conversations.open": conversations_open,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "conversations.kick": conversations_kick,
    "conversations.invite": conversations_invite,
    "conversations.join": conversations_join,
}
