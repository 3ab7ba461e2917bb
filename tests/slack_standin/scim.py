"""SCIM v1 Users endpoints (slack-notes §12).

Shapes: user resource and list response from python-slack-sdk
``tests/slack_sdk/scim/test_response.py`` (a recorded Slack answer); error body
``{"Errors": {"description", "code"}}`` from java-slack-sdk ``SCIMApiErrorResponse``. The
``description`` strings and the DELETE status (204) are not verified against Slack.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from .state import JsonDict, UserRecord
from .workspace import SLACKBOT_ID, Workspace

SCHEMA = "urn:scim:schemas:core:1.0"
DEFAULT_COUNT = 100
MAX_COUNT = 1000
_FILTER = re.compile(r'^\s*([A-Za-z.]+)\s+(eq|co|sw)\s+"([^"]*)"\s*$', re.IGNORECASE)
_USER_PATH = re.compile(r"^/Users/([^/]+)$")


def _error(status: int, description: str) -> tuple[int, JsonDict]:
    return status, {"Errors": {"description": description, "code": status}}


def scim_user(ws: Workspace, u: UserRecord) -> JsonDict:
    created = datetime.fromtimestamp(u.created, tz=UTC).isoformat(timespec="seconds")
    groups = [
        {"value": g.id, "display": g.name} for g in ws.usergroup_records.values() if u.id in g.users
    ]
    return {
        "schemas": [SCHEMA],
        "id": u.id,
        "externalId": "",
        "meta": {"created": created, "location": f"https://api.slack.com/scim/v1/Users/{u.id}"},
        "userName": u.name,
        "nickName": u.display_name or u.name,
        "name": {"givenName": u.first_name, "familyName": u.last_name},
        "displayName": u.display_name,
        "profileUrl": f"https://{ws.domain}.slack.com/team/{u.name}",
        "title": u.title,
        "timezone": u.tz,
        "active": not u.deleted,
        "emails": [{"value": u.email, "primary": True}] if u.email else [],
        "photos": [{"value": f"https://secure.gravatar.com/avatar/{u.id}.jpg", "type": "photo"}],
        "groups": groups,
    }


def _matches(ws: Workspace, u: UserRecord, attr: str, op: str, value: str) -> bool:
    data = scim_user(ws, u)
    attr = attr.lower()
    if attr in ("email", "emails", "emails.value"):
        candidates = [str(e["value"]) for e in data["emails"]]
    else:
        lookup = {k.lower(): v for k, v in data.items()}
        if attr not in lookup or isinstance(lookup[attr], (dict, list)):
            return False
        candidates = [str(lookup[attr])]
    value = value.lower()
    for c in (c.lower() for c in candidates):
        if (op == "eq" and c == value) or (op == "co" and value in c):
            return True
        if op == "sw" and c.startswith(value):
            return True
    return False


def _int_param(query: dict[str, str], key: str, default: int) -> int:
    try:
        return int(query.get(key, default))
    except ValueError:
        return default


def _search(ws: Workspace, query: dict[str, str]) -> tuple[int, JsonDict]:
    users = [u for u in ws.user_records.values() if u.id != SLACKBOT_ID]
    flt = query.get("filter")
    if flt:
        match = _FILTER.match(flt)
        if match is None:
            return _error(400, "invalid_filter")
        attr, op, value = match.groups()
        users = [u for u in users if _matches(ws, u, attr, op.lower(), value)]
    start = max(1, _int_param(query, "startIndex", 1))
    count = min(MAX_COUNT, max(0, _int_param(query, "count", DEFAULT_COUNT)))
    page = users[start - 1 : start - 1 + count]
    return 200, {
        "totalResults": len(users),
        "itemsPerPage": len(page),
        "startIndex": start,
        "schemas": [SCHEMA],
        "Resources": [scim_user(ws, u) for u in page],
    }


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _set_active(u: UserRecord, active: bool) -> None:
    """Deactivation only flips ``deleted``: memberships, messages and groups stay as they are."""
    u.deleted = not active
    u.updated = int(time.time())


def _patch(ws: Workspace, u: UserRecord, body: JsonDict) -> tuple[int, JsonDict]:
    if "active" in body:
        active = _as_bool(body["active"])
        if active is None:
            return _error(400, "invalid_active_value")
        _set_active(u, active)
    if isinstance(body.get("userName"), str):
        u.name = body["userName"]
    if isinstance(body.get("displayName"), str):
        u.display_name = body["displayName"]
    if isinstance(body.get("title"), str):
        u.title = body["title"]
    name = body.get("name")
    if isinstance(name, dict):
        u.first_name = str(name.get("givenName", u.first_name))
        u.last_name = str(name.get("familyName", u.last_name))
    return 200, scim_user(ws, u)


def handle_scim(
    ws: Workspace, verb: str, path: str, query: dict[str, str], body: JsonDict, token: str | None
) -> tuple[int, JsonDict | None]:
    """Answer one SCIM request; ``path`` is relative to ``/scim/v1`` (``/Users/U1``)."""
    with ws.lock:
        auth = ws.token_records.get(token or "")
        if auth is None:
            return _error(401, "invalid_authentication")
        caller = ws.user_records.get(auth.user_id)
        if auth.is_bot or caller is None or not (caller.is_admin or caller.is_owner):
            return _error(403, "permission_denied")  # needs an admin's xoxp token (§12)
        if not ws.prefs.scim_available:
            return _error(403, "scim_not_available_for_plan")
        if path == "/Users":
            if verb == "GET":
                return _search(ws, query)
            return _error(405, "method_not_supported_by_standin")
        match = _USER_PATH.match(path)
        if match is None:
            return _error(404, "resource_not_found")
        user = ws.user_records.get(match.group(1))
        if user is None or user.id == SLACKBOT_ID:
            return _error(404, "user_not_found")
        if verb == "GET":
            return 200, scim_user(ws, user)
        if verb == "PATCH":
            return _patch(ws, user, body)
        if verb == "DELETE":
            _set_active(user, False)
            return 204, None
        return _error(405, "method_not_supported_by_standin")
