"""auth.*, users.* and usergroups.* handlers."""

from __future__ import annotations

from .api_common import ApiError, Ctx, Handler, arg_bool, arg_str, get_user, paginate
from .state import JsonDict


def auth_test(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF auth.test.json; ``bot_id`` present for bot tokens (bolt-python mock_handler shape)."""
    ws = ctx.ws
    user = ws.user_records[ctx.caller]
    body: JsonDict = {
        "ok": True,
        "url": f"https://{ws.domain}.slack.com/",
        "team": ws.team_name,
        "user": user.name,
        "team_id": ws.team_id,
        "user_id": user.id,
        "is_enterprise_install": False,
    }
    if ctx.auth.bot_id is not None:
        body["bot_id"] = ctx.auth.bot_id
    return body


def users_info(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF users.info.json: ``{"ok": true, "user": {...}}``; errors ``user_not_found``."""
    user = get_user(ctx, arg_str(args, "user"))
    return {"ok": True, "user": user.to_api(ctx.ws.team_id)}


def users_profile_get(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF users.profile.get.json: ``{"ok": true, "profile": {...}}`` (defaults to the caller)."""
    user = get_user(ctx, arg_str(args, "user") or ctx.caller)
    return {"ok": True, "profile": user.to_api(ctx.ws.team_id)["profile"]}


def users_lookup_by_email(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF users.lookupByEmail.json; ``users_not_found`` when nobody has that email."""
    email = (arg_str(args, "email") or "").lower()
    for user in ctx.ws.user_records.values():
        if user.email is not None and user.email.lower() == email:
            return {"ok": True, "user": user.to_api(ctx.ws.team_id)}
    raise ApiError("users_not_found")


def users_list(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF users.list.json: ``members`` (bots and deactivated users included), ``cache_ts``,
    ``response_metadata.next_cursor`` ("" on the last page). Without ``limit`` Slack tries to
    return everyone (slack-notes §10); we do the same."""
    users = list(ctx.ws.user_records.values())
    page, next_cursor = paginate(users, args, "users", default_limit=len(users) or 1)
    return {
        "ok": True,
        "members": [u.to_api(ctx.ws.team_id) for u in page],
        "cache_ts": int(ctx.ws.next_ts().split(".")[0]),
        "response_metadata": {"next_cursor": next_cursor},
    }


def _require_usergroups(ctx: Ctx) -> None:
    if not ctx.ws.prefs.usergroups_available:
        raise ApiError("plan_upgrade_required")  # Free plan (slack-notes §10)


def usergroups_list(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF usergroups.list.json (``include_users``, ``include_disabled``)."""
    _require_usergroups(ctx)
    include_disabled = arg_bool(args, "include_disabled")
    include_users = arg_bool(args, "include_users")
    groups = [
        g.to_api(ctx.ws.team_id, include_users=include_users)
        for g in ctx.ws.usergroup_records.values()
        if include_disabled or not g.disabled
    ]
    return {"ok": True, "usergroups": groups}


def usergroups_users_list(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF usergroups.users.list.json: ``{"ok": true, "users": [...]}``; ``no_such_subteam``."""
    _require_usergroups(ctx)
    group_id = arg_str(args, "usergroup")
    group = ctx.ws.usergroup_records.get(group_id or "")
    if group is None or (group.disabled and not arg_bool(args, "include_disabled")):
        raise ApiError("no_such_subteam")
    return {"ok": True, "users": list(group.users)}


HANDLERS: dict[str, Handler] = {
    "auth.test": auth_test,
    "users.info": users_info,
    "users.list": users_list,
    "users.profile.get": users_profile_get,
    "users.lookupByEmail": users_lookup_by_email,
    "usergroups.list": usergroups_list,
    "usergroups.users.list": usergroups_users_list,
}
