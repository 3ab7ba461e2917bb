"""The `scim` backend (Business+ and Enterprise Grid): a ban deactivates the member's
account through Slack's SCIM API, and lifting it reactivates the account.

SCIM needs an Owner's user token with the `admin` scope (`SLACK_ADMIN_USER_TOKEN`,
slack-notes §12). `PATCH /Users/{id}` with `active` set is idempotent: deactivating an
account that is already deactivated (a lift retried after a crash, a second attempt) is
harmless. SCIM answers errors as HTTP statuses, not exceptions: 429 and 5xx are retried by
the client's retry handlers, what still fails is recorded as a failed step.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.errors import SlackClientError
from slack_sdk.scim import SCIMClient
from slack_sdk.scim.v1.response import SCIMResponse
from slack_sdk.scim.v1.user import User

from bot.enforcement.base import EnforcementRequest, Step
from bot.slack_client import DEFAULT_TIMEOUT_SECONDS, retry_handlers
from moderation.ids import ActionLevel

BANS = frozenset({ActionLevel.TEMPORARY_BAN, ActionLevel.PERMANENT_BAN})


def build_scim_client(
    token: str,
    base_url: str,
    *,
    timeout: int = DEFAULT_TIMEOUT_SECONDS,
    max_retries: int = 3,
) -> SCIMClient:
    """The same retry policy as the Web API clients (429 after Retry-After, 500/503 and
    dropped connections with backoff)."""
    return SCIMClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=retry_handlers(max_retries),
    )


def scim_error(response: SCIMResponse) -> str:
    """`http_<status>` plus SCIM's description when the body has one."""
    detail = f"http_{response.status_code}"
    body = response.body if isinstance(response.body, dict) else {}
    errors = body.get("Errors")
    if isinstance(errors, dict) and errors.get("description"):
        detail += f" {errors['description']}"
    return detail


class ScimBackend:
    name = "scim"

    def __init__(self, scim: SCIMClient) -> None:
        self._scim = scim

    def carry_out(self, request: EnforcementRequest, now: datetime) -> list[Step]:
        if request.level not in BANS:
            return [Step("nothing_to_do", True, now.isoformat())]
        return [self._set_active(request.member_user_id, False, "scim.deactivate", now)]

    def lift(self, request: EnforcementRequest, now: datetime) -> list[Step]:
        if request.level not in BANS:
            return [Step("nothing_to_do", True, now.isoformat())]
        return [self._set_active(request.member_user_id, True, "scim.reactivate", now)]

    def _set_active(self, user_id: str, active: bool, step: str, now: datetime) -> Step:
        at = now.isoformat()
        try:
            response = self._scim.patch_user(id=user_id, partial_user=User(active=active))
        except (SlackClientError, OSError) as exc:
            return Step(step, False, at, type(exc).__name__)
        if not 200 <= response.status_code < 300:
            return Step(step, False, at, scim_error(response))
        return Step(step, True, at)
