"""The bot's Home tab for a member: where they stand, how to report, the guidelines in brief.

Pure: plain data in, a `home` view out. Dates use Slack's `<!date^…>` token, so each reader
sees their own time zone, with a UTC fallback for clients that cannot render it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.ids import ActionId, Command
from bot.views.moderator_home import HOME_MAX_BLOCKS, ModeratorHome, moderator_blocks
from models.enums import ActionLevel
from moderation.text import escape_mrkdwn, excerpt

NOTICE_LIMIT = 400

#: The Code of Conduct in brief, in our own words (the full text is linked below them).
GUIDELINES_IN_BRIEF: tuple[str, ...] = (
    "*Lead with goodwill.* Be kind, assume good intent, and disagree with ideas, not people.",
    "*Respect differences* in culture, belief and experience, and use people's pronouns and "
    "preferred titles.",
    "*Use your own name.* No anonymous accounts and no accounts that only speak for an "
    "organisation.",
    "*Keep promotion in #shameless-plugs*, and never ask members for money.",
    "*Protect privacy.* Don't share anyone's contact details, and don't quote what's said "
    "here outside Slack without permission.",
    "*No harassment*: no trolling, insults, personal or political attacks, or sexual "
    "language or advances.",
    "*Post in the channel that fits*, and keep geopolitics out of #general-discussions.",
)

LEVEL_TITLES: dict[ActionLevel, str] = {
    ActionLevel.CORRECTION: "Correction",
    ActionLevel.WARNING: "Warning",
    ActionLevel.TEMPORARY_BAN: "Temporary ban",
    ActionLevel.PERMANENT_BAN: "Permanent ban",
    ActionLevel.NO_ACTION: "No action",
}


@dataclass(frozen=True)
class StandingAction:
    """An enforcement action that still applies to the member."""

    level: ActionLevel
    starts_at: datetime
    expires_at: datetime | None
    notice: str
    """What the moderators told the member (shown shortened and escaped)."""
    no_contact_user_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpenAppeal:
    level: ActionLevel
    filed_at: datetime


@dataclass(frozen=True)
class Standing:
    actions: tuple[StandingAction, ...] = ()
    appeals: tuple[OpenAppeal, ...] = ()

    @property
    def good(self) -> bool:
        return not self.actions and not self.appeals


@dataclass(frozen=True)
class HomeView:
    user_id: str
    community_name: str
    guidelines_url: str
    standing: Standing = field(default_factory=Standing)
    report_button: bool = False
    """Show a "Report something" button (its handler opens the report form)."""
    moderator: ModeratorHome | None = None
    """For a moderator: the moderators' section, shown under their own standing."""


def slack_date(when: datetime, *, with_time: bool = True) -> str:
    """`<!date^…>`: rendered in the reader's time zone; the fallback is UTC."""
    token = "{date_short_pretty} at {time}" if with_time else "{date_short_pretty}"
    fallback = f"{when:%Y-%m-%d %H:%M} UTC" if with_time else f"{when:%Y-%m-%d}"
    return f"<!date^{int(when.timestamp())}^{token}|{fallback}>"


def _action_text(action: StandingAction) -> str:
    title = LEVEL_TITLES[action.level]
    if action.expires_at is not None:
        when = f"until {slack_date(action.expires_at)}"
    elif action.level is ActionLevel.PERMANENT_BAN:
        when = "with no end date"
    else:
        when = f"since {slack_date(action.starts_at, with_time=False)}"
    lines = [f"*{title}*, {when}."]
    if action.notice.strip():
        lines.append("> " + escape_mrkdwn(excerpt(action.notice, NOTICE_LIMIT)))
    if action.no_contact_user_ids:
        people = ", ".join(f"<@{uid}>" for uid in action.no_contact_user_ids)
        lines.append(f"Meanwhile, please don't contact {people}.")
    return "\n".join(lines)


def _standing_blocks(standing: Standing) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text="Your standing")]
    if standing.good:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=":white_check_mark: You're in good standing. Thank you for helping "
                    "keep this a good place to be."
                )
            )
        )
        return blocks
    for action in standing.actions:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_action_text(action))))
    for appeal in standing.appeals:
        title = LEVEL_TITLES[appeal.level].lower()
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f":hourglass_flowing_sand: Your appeal against the {title}, sent "
                    f"{slack_date(appeal.filed_at, with_time=False)}, is open. The community "
                    "leaders will write to you here once they have decided."
                )
            )
        )
    if standing.actions and not standing.appeals:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="Think a decision was wrong? You can appeal it to the "
                        "community leaders."
                    )
                ]
            )
        )
    return blocks


def _report_blocks(report_button: bool) -> list[Block]:
    section = SectionBlock(
        text=MarkdownTextObject(
            text=(
                f"• Type `{Command.REPORT.value}` in any channel to tell the moderators, "
                "privately, about something that worries you.\n"
                "• On a message, open its *⋯* menu and choose *Report message*."
            )
        ),
    )
    blocks: list[Block] = [HeaderBlock(text="Something wrong? Tell us"), section]
    if report_button:
        blocks.append(
            ActionsBlock(
                elements=[ButtonElement(text="Report something", action_id=ActionId.HOME_REPORT)]
            )
        )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Only the moderators read reports, and the person you report is "
                    "never told who reported them."
                )
            ]
        )
    )
    return blocks


def _guidelines_blocks(guidelines_url: str) -> list[Block]:
    bullets = "\n".join(f"• {line}" for line in GUIDELINES_IN_BRIEF)
    return [
        HeaderBlock(text="Our guidelines in brief"),
        SectionBlock(text=MarkdownTextObject(text=bullets)),
        ContextBlock(
            elements=[MarkdownTextObject(text=f"<{guidelines_url}|Read the full Code of Conduct>")]
        ),
    ]


def home_view(view: HomeView) -> View:
    top: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"Hi <@{view.user_id}>! I help {escape_mrkdwn(view.community_name)} "
                "live by its Code of Conduct."
            )
        ),
        *_standing_blocks(view.standing),
    ]
    rest: list[Block] = [
        DividerBlock(),
        *_report_blocks(view.report_button),
        DividerBlock(),
        *_guidelines_blocks(view.guidelines_url),
    ]
    moderators: list[Block] = []
    if view.moderator is not None:
        # The member's own part is drawn in full; the moderators' lists get what is left of
        # Slack's 100 blocks (less the divider before them).
        budget = HOME_MAX_BLOCKS - len(top) - len(rest) - 1
        section = moderator_blocks(view.moderator, max_blocks=budget)
        if section:
            moderators = [DividerBlock(), *section]
    return View(type="home", blocks=[*top, *moderators, *rest])
