"""The `notify` backend (every Slack plan): the bot records and tells; people act.

Slack's free and Pro plans give apps no way to deactivate a member, so for a ban the
moderators get a checklist of what to do by hand in Slack's admin pages, in the case card's
thread where the rest of the case lives.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.enforcement.base import EnforcementRequest, Step
from moderation.ids import ActionLevel
from moderation.ladder import LEVEL_NAMES


def _until(ends_at: datetime | None) -> str:
    if ends_at is None:
        return ""
    return (
        f" until <!date^{int(ends_at.timestamp())}^{{date_long_pretty}} {{time}}|"
        f"{ends_at:%Y-%m-%d %H:%M} UTC>"
    )


def checklist(request: EnforcementRequest) -> str | None:
    member = f"<@{request.member_user_id}>"
    others = ", ".join(f"<@{u}>" for u in request.no_contact_user_ids)
    if request.level is ActionLevel.PERMANENT_BAN:
        return (
            f"*To carry out the permanent ban of {member} by hand:*\n"
            "1. In Slack, open *Tools & settings → Manage members*.\n"
            f"2. Find {member} and choose *Deactivate account*.\n"
            "3. Remove them from any shared channels (Slack Connect) and external spaces you run.\n"
            "4. Reply in this thread when done, so the team knows."
        )
    if request.level is ActionLevel.TEMPORARY_BAN:
        return (
            f"*To carry out the temporary ban of {member}{_until(request.ends_at)} by hand:*\n"
            "1. In Slack, open *Tools & settings → Manage members*.\n"
            f"2. Find {member} and choose *Deactivate account*.\n"
            "3. Write the end date in your calendar: reactivate them then "
            "(the bot will remind you here).\n"
            + (f"4. They must not contact {others} during the ban.\n" if others else "")
            + "Reply in this thread when done."
        )
    if request.level is ActionLevel.WARNING and others:
        return (
            f"*Warning for {member}{_until(request.ends_at)}:* they must not contact {others}. "
            "If they do, report it on this case."
        )
    return None


class NotifyBackend:
    name = "notify"

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def carry_out(self, request: EnforcementRequest, now: datetime) -> list[Step]:
        text = checklist(request)
        if text is None:
            return [Step("notice_only", True, now.isoformat())]
        return self._post(
            request,
            f"{LEVEL_NAMES[request.level]}: what to do by hand\n{text}",
            "checklist_posted",
            now,
        )

    def lift(self, request: EnforcementRequest, now: datetime) -> list[Step]:
        """A ban that ends (on time or overturned): the moderators undo by hand what they did."""
        if request.level not in (ActionLevel.TEMPORARY_BAN, ActionLevel.PERMANENT_BAN):
            return [Step("nothing_to_lift", True, now.isoformat())]
        text = (
            f"*The {LEVEL_NAMES[request.level].lower()} of <@{request.member_user_id}> has ended.* "
            "To undo it by hand: *Tools & settings → Manage members*, find them, choose "
            "*Activate account*, and add them back to the channels they were in."
        )
        return self._post(request, text, "lift_checklist_posted", now)

    def _post(self, request: EnforcementRequest, text: str, step: str, now: datetime) -> list[Step]:
        if request.card_channel_id is None or request.card_ts is None:
            return [Step(step, False, now.isoformat(), "case card not posted")]
        try:
            self._client.chat_postMessage(
                channel=request.card_channel_id, thread_ts=request.card_ts, text=text
            )
        except SlackApiError as exc:
            return [Step(step, False, now.isoformat(), str(exc.response.get("error")))]
        return [Step(step, True, now.isoformat())]
