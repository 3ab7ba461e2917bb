"""Members' reports: the form's prefill, checking a submission, filing it, and telling the
reporter and the moderators.

Order matters: a report is stored (with its case and audit row) and committed before anything
is posted, so a Slack failure afterwards never loses it. The reported person is sent nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.ids import ReportBlock
from bot.services.audit import record
from bot.services.case_cards import redraw_case_card
from bot.services.cases import open_or_join_case
from bot.services.context import AppServices
from bot.services.direct_messages import send_direct_message
from bot.services.members import PROFILE_MAX_AGE, Profile, ensure_member, upsert_member
from bot.slack_client import derived_client
from bot.views.report_form import (
    CONTACT_OTHER_MAX,
    DESCRIPTION_MAX,
    EXCERPT_MAX,
    EXTRA_MAX,
    LINK_MAX,
    MAX_NAMED,
    REOPEN_TEXT,
    REVIEW_TIME,
    WHEN_MAX,
    ContactChoice,
    FormMetadata,
    ReportPrefill,
    decode_metadata,
    encode_button_value,
    receipt_blocks,
    receipt_text,
    reopen_blocks,
    report_form_view,
)
from models import Member, Report, ReportSource
from moderation.text import excerpt, parse_slack_text

log = logging.getLogger(__name__)

#: views.open refusals that mean "this trigger_id can no longer open anything" (§7).
TRIGGER_ERRORS = frozenset({"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"})
#: The permalink lookup may use at most this much of the 3-second trigger window.
PERMALINK_TIMEOUT_SECONDS = 1
#: Slackbot cannot be reported either (it is not a member's account).
SLACKBOT_ID = "USLACKBOT"

# `<@U123>` or `<@U123|name>` in a slash command's escaped text (shared/slack-notes.md §4).
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# https://<workspace>.slack.com/archives/<channel>/p<ts digits>[?thread_ts=<ts>[&cid=<channel>]]
_PERMALINK = re.compile(
    r"https://[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.slack\.com"
    r"/archives/(?P<channel>[CGD][A-Z0-9]{2,})/p(?P<digits>\d{7,})"
    r"(?:\?thread_ts=(?P<thread>\d+\.\d+)(?:&cid=[CGD][A-Z0-9]{2,})?)?/?",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------- prefill


def parse_command_text(text: str) -> ReportPrefill:
    """`/report <@U123|name> what happened`: mentioned people are named, the rest describes.

    Handles Slack's escaped form (`<@U123|name>`, `should_escape: true`), the bare `<@U123>`
    and plain text (with `should_escape: false` a typed `@name` stays in the description).
    """
    user_ids = tuple(dict.fromkeys(_USER_MENTION.findall(text)))[:MAX_NAMED]
    rest = parse_slack_text(_USER_MENTION.sub(" ", text)).plain
    lines = (" ".join(line.split()) for line in rest.splitlines())
    description = "\n".join(line for line in lines if line).strip()
    return ReportPrefill(
        source=ReportSource.COMMAND,
        user_ids=user_ids,
        description=description[:DESCRIPTION_MAX],
    )


def prefill_from_shortcut(body: Mapping[str, Any], permalink: str | None) -> ReportPrefill:
    """The "Report message" shortcut: the author is named and the message quoted (§5)."""
    message = body.get("message") or {}
    channel_id = (body.get("channel") or {}).get("id")
    ts = message.get("ts") or body.get("message_ts")
    author = message.get("user")
    # A bot's post (bot_id set) has no member behind it to name; the reporter picks.
    named = (author,) if isinstance(author, str) and not message.get("bot_id") else ()
    plain = parse_slack_text(str(message.get("text") or "")).plain
    return ReportPrefill(
        source=ReportSource.SHORTCUT,
        user_ids=named,
        message_link=permalink if permalink and len(permalink) <= LINK_MAX else None,
        channel_id=str(channel_id) if channel_id else None,
        message_ts=str(ts) if ts else None,
        message_excerpt=excerpt(plain, EXCERPT_MAX) if plain.strip() else None,
    )


def quick_permalink(
    client: WebClient, channel_id: str | None, message_ts: str | None
) -> str | None:
    """chat.getPermalink within a short, retry-free budget: it runs before views.open, inside
    the trigger's 3 seconds. None when Slack is slow or refuses (the form opens without it;
    the link is looked up again when the report is filed)."""
    if not channel_id or not message_ts:
        return None
    quick = derived_client(client, timeout=PERMALINK_TIMEOUT_SECONDS, retry_handlers=[])
    return _permalink(quick, channel_id, message_ts)


def _permalink(client: WebClient, channel_id: str, message_ts: str) -> str | None:
    try:
        answer = client.chat_getPermalink(channel=channel_id, message_ts=message_ts)
    except SlackApiError as exc:
        log.warning(
            "permalink not found",
            extra={"channel_id": channel_id, "error": exc.response.get("error")},
        )
        return None
    except OSError as exc:
        log.warning(
            "permalink lookup failed",
            extra={"channel_id": channel_id, "error": type(exc).__name__},
        )
        return None
    link = answer.get("permalink")
    return str(link) if link else None


# ---------------------------------------------------------------------------- opening the form


def open_report_form(
    client: WebClient, trigger_id: str, user_id: str, prefill: ReportPrefill
) -> bool:
    """Open the form; when Slack refuses (most often a trigger that expired while we worked),
    DM the member a button that opens it again, prefill kept. True when the form opened."""
    try:
        client.views_open(trigger_id=trigger_id, view=report_form_view(prefill))
        return True
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.log(
            logging.WARNING if error in TRIGGER_ERRORS else logging.ERROR,
            "report form not opened",
            extra={"user_id": user_id, "error": error, "source": prefill.source.value},
        )
    except OSError as exc:
        log.warning(
            "report form not opened",
            extra={"user_id": user_id, "error": type(exc).__name__},
        )
    send_reopen_note(client, user_id, prefill)
    return False


def send_reopen_note(client: WebClient, user_id: str, prefill: ReportPrefill) -> bool:
    try:
        send_direct_message(
            client, user_id, REOPEN_TEXT, reopen_blocks(encode_button_value(prefill))
        )
        return True
    except (SlackApiError, OSError) as exc:
        log.error(
            "report form note not delivered",
            extra={"user_id": user_id, "error": _error_code(exc)},
        )
        return False


# ---------------------------------------------------------------------------- the submission


@dataclass(frozen=True)
class MessageRef:
    channel_id: str
    message_ts: str
    thread_ts: str | None = None


def parse_message_link(link: str) -> MessageRef | None:
    """Channel and ts from a Slack message permalink; None when `link` is not one."""
    match = _PERMALINK.fullmatch(link.strip())
    if match is None:
        return None
    digits = match["digits"]
    return MessageRef(
        channel_id=match["channel"].upper(),
        message_ts=f"{digits[:-6]}.{digits[-6:]}",
        thread_ts=match["thread"],
    )


@dataclass(frozen=True)
class ReportSubmission:
    """The form's answers, whitespace trimmed, not yet checked."""

    user_ids: tuple[str, ...]
    description: str
    message_link: str | None = None
    occurred_when: str | None = None
    extra: str | None = None
    contact: ContactChoice | None = None
    contact_other: str | None = None
    metadata: FormMetadata = field(default_factory=FormMetadata)


def read_submission(view: Mapping[str, Any]) -> ReportSubmission:
    """`view.state.values[block_id][action_id]` (shared/slack-notes.md §6) into answers."""
    values: Mapping[str, Any] = (view.get("state") or {}).get("values") or {}

    def element(block: ReportBlock) -> Mapping[str, Any]:
        actions = values.get(block) or {}
        found = actions.get(block) or next(iter(actions.values()), None)
        return found if isinstance(found, Mapping) else {}

    def text(block: ReportBlock) -> str | None:
        value = element(block).get("value")
        return (value.strip() or None) if isinstance(value, str) else None

    users = element(ReportBlock.WHO).get("selected_users") or []
    option = element(ReportBlock.CONTACT).get("selected_option") or {}
    try:
        contact: ContactChoice | None = ContactChoice(str(option.get("value")))
    except ValueError:
        contact = None
    return ReportSubmission(
        user_ids=tuple(dict.fromkeys(u for u in users if isinstance(u, str))),
        description=text(ReportBlock.WHAT) or "",
        message_link=text(ReportBlock.WHERE),
        occurred_when=text(ReportBlock.WHEN),
        extra=text(ReportBlock.EXTRA),
        contact=contact,
        contact_other=text(ReportBlock.CONTACT_OTHER),
        metadata=decode_metadata(view.get("private_metadata")),
    )


SELF_REPORT_ERROR = (
    "Moderators can't act on a report about yourself. If something you did is on your mind, "
    "or you'd like to talk it through, message any moderator directly: they're glad to help."
)
BOT_REPORT_ERROR = (
    "I'm the bot that carries reports to the moderators, so I can't be reported here. If one "
    "of my notes missed the mark, please tell a moderator directly; we'd like to hear about it."
)


def _too_long(limit: int, length: int) -> str:
    return f"Please keep this to {limit:,} characters; it's {length:,} now."


def validate_submission(
    submission: ReportSubmission, reporter_id: str, unreportable: Collection[str]
) -> dict[str, str]:
    """Errors keyed by the form's input block ids (`response_action: errors`); empty if fine.

    `unreportable` holds the bot's own user id (and Slackbot's)."""
    errors: dict[str, str] = {}
    named = submission.user_ids
    if reporter_id in named:
        errors[ReportBlock.WHO] = SELF_REPORT_ERROR
    elif any(user_id in unreportable for user_id in named):
        errors[ReportBlock.WHO] = BOT_REPORT_ERROR
    elif not named:
        errors[ReportBlock.WHO] = (
            "Please choose who this is about. If you'd rather not name anyone, you can "
            "message a moderator directly."
        )
    elif len(named) > MAX_NAMED:
        errors[ReportBlock.WHO] = f"Please name at most {MAX_NAMED} people in one report."
    if not submission.description:
        errors[ReportBlock.WHAT] = "Please tell us what happened; a sentence or two is enough."
    elif len(submission.description) > DESCRIPTION_MAX:
        errors[ReportBlock.WHAT] = _too_long(DESCRIPTION_MAX, len(submission.description))
    if submission.message_link and (
        len(submission.message_link) > LINK_MAX
        or parse_message_link(submission.message_link) is None
    ):
        errors[ReportBlock.WHERE] = (
            "That doesn't look like a link to a Slack message. On the message, choose "
            "⋮ (More actions) → Copy link and paste it here, or leave this empty."
        )
    if submission.occurred_when and len(submission.occurred_when) > WHEN_MAX:
        errors[ReportBlock.WHEN] = _too_long(WHEN_MAX, len(submission.occurred_when))
    if submission.extra and len(submission.extra) > EXTRA_MAX:
        errors[ReportBlock.EXTRA] = _too_long(EXTRA_MAX, len(submission.extra))
    if submission.contact is ContactChoice.OTHER and not submission.contact_other:
        errors[ReportBlock.CONTACT_OTHER] = (
            "Tell us how you'd like to be contacted, or choose another option above."
        )
    elif submission.contact_other and len(submission.contact_other) > CONTACT_OTHER_MAX:
        errors[ReportBlock.CONTACT_OTHER] = _too_long(
            CONTACT_OTHER_MAX, len(submission.contact_other)
        )
    return errors


def contact_preference(submission: ReportSubmission) -> str | None:
    """What the moderators' card says about contacting the reporter (escaped by the card)."""
    if submission.contact is ContactChoice.DM:
        return "By direct message in Slack"
    if submission.contact is ContactChoice.NONE:
        return "Asked not to be contacted"
    if submission.contact is ContactChoice.OTHER and submission.contact_other:
        return f"Other: {submission.contact_other}"
    return None


# ---------------------------------------------------------------------------- filing


@dataclass(frozen=True)
class FiledReport:
    report_id: int
    case_id: int
    case_created: bool
    reporter_user_id: str
    contact: ContactChoice | None


def file_report(
    session: Session,
    client: WebClient,
    *,
    reporter_id: str,
    submission: ReportSubmission,
    now: datetime,
) -> FiledReport:
    """Store the report and open or join its case (with an audit row), in `session`'s
    transaction; the caller commits, then announces. The subject of the case is the first
    person named; with a message the case is per (subject, channel, ts), so a detection and
    a report of the same message share one case."""
    if not submission.user_ids:
        raise ValueError("a report names at least one person (validate_submission first)")
    source = submission.metadata.source
    link = submission.message_link
    ref = parse_message_link(link) if link else None
    channel_id: str | None
    message_ts: str | None
    if ref is not None:
        channel_id, message_ts = ref.channel_id, ref.message_ts
    else:
        link = None
        channel_id, message_ts = submission.metadata.channel_id, submission.metadata.message_ts
        if channel_id and message_ts:
            link = _permalink(client, channel_id, message_ts)

    reporter = _member(session, client, reporter_id, now)
    subjects = [_member(session, client, user_id, now) for user_id in submission.user_ids]
    subject = subjects[0]
    opening = open_or_join_case(
        session,
        subject,
        now,
        source="report",
        channel_id=channel_id if message_ts else None,
        message_ts=message_ts if channel_id else None,
        actor=reporter_id,
    )
    case = opening.case
    if not opening.created:
        case.updated_at = now
    report = Report(
        reporter_id=reporter.id,
        case_id=case.id,
        source=source,
        description=submission.description,
        message_link=link,
        channel_id=channel_id,
        message_ts=message_ts,
        occurred_when=submission.occurred_when,
        extra=submission.extra,
        contact_preference=contact_preference(submission),
        created_at=now,
    )
    report.subjects = subjects
    session.add(report)
    session.flush()
    record(
        session,
        "report.filed",
        now,
        actor=reporter_id,
        case_id=case.id,
        subject=subject.slack_user_id,
        report_id=report.id,
        source=source.value,
        named=list(submission.user_ids),
        channel_id=channel_id,
        message_ts=message_ts,
        joined_open_case=not opening.created,
    )
    return FiledReport(
        report_id=report.id,
        case_id=case.id,
        case_created=opening.created,
        reporter_user_id=reporter_id,
        contact=submission.contact,
    )


def _member(session: Session, client: WebClient, user_id: str, now: datetime) -> Member:
    member = ensure_member(session, client, user_id, now)
    if member is not None:
        return member
    # Slack could not say who this is just now. Keep a bare record so the report is not lost;
    # its stale `updated_at` makes the next lookup fetch the profile.
    bare = Profile(
        user_id=user_id,
        team_id="",
        real_name="",
        display_name=None,
        is_bot=False,
        is_deleted=False,
    )
    member = upsert_member(session, bare, now)
    member.updated_at = now - PROFILE_MAX_AGE - timedelta(minutes=1)
    return member


# ---------------------------------------------------------------------------- announcing


def send_receipt(client: WebClient, filed: FiledReport, review_time: str = REVIEW_TIME) -> bool:
    try:
        send_direct_message(
            client,
            filed.reporter_user_id,
            receipt_text(filed.case_id),
            receipt_blocks(filed.case_id, filed.contact, review_time),
        )
        return True
    except (SlackApiError, OSError) as exc:
        log.warning(
            "report receipt not delivered",
            extra={"report_id": filed.report_id, "error": _error_code(exc)},
        )
        return False


def announce_report(services: AppServices, moderators_channel: str, filed: FiledReport) -> None:
    """The reporter's receipt, then the moderators' card; each is tried whatever happened to
    the other, and neither raises (the report is already stored)."""
    send_receipt(services.client, filed)
    try:
        posted = redraw_case_card(services, moderators_channel, filed.case_id)
    except (SlackApiError, OSError) as exc:
        posted = False
        log.warning(
            "case card not posted",
            extra={"case_id": filed.case_id, "error": _error_code(exc)},
        )
    if not posted:
        log.warning("report stored without a card", extra={"report_id": filed.report_id})


def _error_code(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return type(exc).__name__
