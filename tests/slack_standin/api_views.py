"""views.* handlers (slack-notes §6, §7, §14)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from .api_common import ApiError, Ctx, Handler, arg_str, get_user
from .state import JsonDict, TriggerRecord, ViewRecord

MAX_VIEW_BLOCKS = 100  # blocks per modal / Home tab (slack-notes §7)
MAX_VIEW_BYTES = 250_000  # view_too_large (REF views.open.json)
MAX_STACK = 3  # root + 2 pushes, push_limit_reached (docs views.push)


def _new_hash() -> str:
    """Shaped like REF's ``"156772938.1827394"`` / ``"1569262015.55b5e41b"``."""
    return f"{int(time.time())}.{secrets.token_hex(4)}"


def _bad_args(message: str) -> ApiError:
    # REF views.open.json error example: invalid_arguments + response_metadata.messages
    return ApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {message}"]})


def _validate_view(args: JsonDict, expected_type: str) -> JsonDict:
    view: Any = args.get("view")
    if not isinstance(view, dict):
        raise _bad_args("missing required field: view")
    if view.get("type") != expected_type:
        raise _bad_args(f"must be '{expected_type}' [json-pointer:/view/type]")
    if expected_type == "modal" and not view.get("title"):
        raise _bad_args("missing required field: title [json-pointer:/view]")
    blocks = view.get("blocks", [])
    if not isinstance(blocks, list) or len(blocks) > MAX_VIEW_BLOCKS:
        raise _bad_args(f"must provide a list of at most {MAX_VIEW_BLOCKS} blocks")
    if len(json.dumps(view)) > MAX_VIEW_BYTES:
        raise ApiError("view_too_large")
    return view


def _check_external_id(ctx: Ctx, external_id: str, own_view_id: str | None = None) -> None:
    if external_id and any(
        v.external_id == external_id and v.id != own_view_id for v in ctx.ws.view_records.values()
    ):
        raise ApiError("duplicate_external_id")


def _take_trigger(ctx: Ctx, args: JsonDict) -> TriggerRecord:
    """trigger_ids are single use and expire (REF views.open errors, slack-notes §7)."""
    trigger_id = arg_str(args, "trigger_id")
    if trigger_id is None:
        raise _bad_args("missing required field: trigger_id")
    trigger = ctx.ws.trigger_records.get(trigger_id)
    if trigger is None:
        raise ApiError("invalid_trigger_id")
    if trigger.used:
        raise ApiError("exchanged_trigger_id")
    ttl = ctx.ws.prefs.trigger_ttl
    if trigger.expired or (ttl is not None and time.monotonic() - trigger.issued_at > ttl):
        raise ApiError("expired_trigger_id")
    return trigger


def _store(ctx: Ctx, view: JsonDict, user_id: str, root: str | None, prev: str | None) -> JsonDict:
    view_id = ctx.ws.new_id("V")
    record = ViewRecord(
        id=view_id,
        user_id=user_id,
        view=view,
        hash=_new_hash(),
        root_view_id=root or view_id,
        previous_view_id=prev,
        external_id=str(view.get("external_id", "")),
    )
    ctx.ws.view_records[view_id] = record
    return {"ok": True, "view": ctx.ws.render_view(record)}


def views_open(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF views.open.json: ``{"ok": true, "view": {...}}``."""
    view = _validate_view(args, "modal")
    trigger = _take_trigger(ctx, args)
    _check_external_id(ctx, str(view.get("external_id", "")))
    trigger.used = True
    return _store(ctx, view, trigger.user_id or ctx.caller, None, None)


def views_push(ctx: Ctx, args: JsonDict) -> JsonDict:
    """docs views.push: pushes onto the modal stack the trigger came from (or the user's latest
    modal); at most 3 views deep -> ``push_limit_reached``."""
    view = _validate_view(args, "modal")
    trigger = _take_trigger(ctx, args)
    _check_external_id(ctx, str(view.get("external_id", "")))
    user_id = trigger.user_id or ctx.caller
    anchor = ctx.ws.view_records.get(trigger.view_id or "")
    if anchor is None:
        modals = [
            v for v in ctx.ws.view_records.values() if v.user_id == user_id and v.type == "modal"
        ]
        anchor = modals[-1] if modals else None
    trigger.used = True
    if anchor is None:
        return _store(ctx, view, user_id, None, None)
    stack = [v for v in ctx.ws.view_records.values() if v.root_view_id == anchor.root_view_id]
    if len(stack) >= MAX_STACK:
        raise ApiError("push_limit_reached")
    return _store(ctx, view, user_id, anchor.root_view_id, stack[-1].id)


def views_update(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF views.update.json: by ``view_id`` or ``external_id``; stale ``hash`` ->
    ``hash_conflict``; unknown view -> ``not_found``. The hash changes on every update."""
    view_id, external_id = arg_str(args, "view_id"), arg_str(args, "external_id")
    if view_id is None and external_id is None:
        raise _bad_args("either view_id or external_id is required")
    record = None
    for candidate in ctx.ws.view_records.values():
        if (view_id is not None and candidate.id == view_id) or (
            view_id is None and candidate.external_id == external_id
        ):
            record = candidate
            break
    if record is None:
        raise ApiError("not_found")
    view = _validate_view(args, record.type)
    expected_hash = arg_str(args, "hash")
    if expected_hash is not None and expected_hash != record.hash:
        raise ApiError("hash_conflict")
    new_external = str(view.get("external_id", record.external_id))
    _check_external_id(ctx, new_external, record.id)
    record.view = view
    record.external_id = new_external
    record.hash = _new_hash()
    return {"ok": True, "view": ctx.ws.render_view(record)}


def views_publish(ctx: Ctx, args: JsonDict) -> JsonDict:
    """REF views.publish.json (slack-notes §14): ``user_id`` + a ``home`` view, optional ``hash``;
    ``not_enabled`` when the Home tab is off. Unknown user -> ``user_not_found`` (unverified)."""
    user_id = arg_str(args, "user_id")
    if user_id is None:
        raise _bad_args("missing required field: user_id")
    get_user(ctx, user_id)
    view = _validate_view(args, "home")
    if not ctx.ws.prefs.home_tab_enabled:
        raise ApiError("not_enabled")
    existing_id = ctx.ws.home_views.get(user_id)
    if existing_id is None:
        body = _store(ctx, view, user_id, None, None)
        ctx.ws.home_views[user_id] = body["view"]["id"]
        return body
    record = ctx.ws.view_records[existing_id]
    expected_hash = arg_str(args, "hash")
    if expected_hash is not None and expected_hash != record.hash:
        raise ApiError("hash_conflict")
    record.view = view
    record.external_id = str(view.get("external_id", record.external_id))
    record.hash = _new_hash()
    return {"ok": True, "view": ctx.ws.render_view(record)}


HANDLERS: dict[str, Handler] = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
}
