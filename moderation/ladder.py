"""The enforcement ladder: Correction -> Warning -> Temporary Ban -> Permanent Ban.

From ATIH's Community Impact Guidelines (shared/seed/atih-guidelines.txt, "Enforcement"):
each step's community impact and consequence below are theirs, shortened. Pure: a member's
history in, a suggestion, validation errors and notice text out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from moderation.ids import ActionLevel

LADDER: tuple[ActionLevel, ...] = (
    ActionLevel.CORRECTION,
    ActionLevel.WARNING,
    ActionLevel.TEMPORARY_BAN,
    ActionLevel.PERMANENT_BAN,
)

LEVEL_NAMES: dict[ActionLevel, str] = {
    ActionLevel.CORRECTION: "Correction",
    ActionLevel.WARNING: "Warning",
    ActionLevel.TEMPORARY_BAN: "Temporary ban",
    ActionLevel.PERMANENT_BAN: "Permanent ban",
    ActionLevel.NO_ACTION: "No action",
}

#: What each step means for the member, in the guidelines' terms.
CONSEQUENCES: dict[ActionLevel, str] = {
    ActionLevel.CORRECTION: (
        "a private, written notice explaining what went against the Code of Conduct and why"
    ),
    ActionLevel.WARNING: (
        "a warning: for the period given, no interaction with the people involved, including "
        "unsolicited interaction with those enforcing the Code of Conduct, in community spaces "
        "or elsewhere (such as social media). Breaking these terms may lead to a temporary or "
        "permanent ban"
    ),
    ActionLevel.TEMPORARY_BAN: (
        "a temporary ban from any interaction or public communication with the community for "
        "the period given, with no public or private interaction with the people involved. "
        "Breaking these terms may lead to a permanent ban"
    ),
    ActionLevel.PERMANENT_BAN: "a permanent ban from any public interaction within the community",
    ActionLevel.NO_ACTION: "no action",
}

#: What repeating the behaviour leads to, for the notice.
NEXT_IF_REPEATED: dict[ActionLevel, str] = {
    ActionLevel.CORRECTION: "If it happens again, the next step is a warning.",
    ActionLevel.WARNING: "If it happens again, or the terms above are broken, the next step is a "
    "temporary ban.",
    ActionLevel.TEMPORARY_BAN: "If it happens again, or the terms above are broken, the next step "
    "is a permanent ban.",
    ActionLevel.PERMANENT_BAN: "",
    ActionLevel.NO_ACTION: "",
}

#: How long a step counts towards the next one. A correction from years ago should not turn
#: today's slip into a warning; a ban is never forgotten.
DEFAULT_MEMORY: dict[ActionLevel, timedelta | None] = {
    ActionLevel.CORRECTION: timedelta(days=365),
    ActionLevel.WARNING: timedelta(days=365 * 2),
    ActionLevel.TEMPORARY_BAN: None,
    ActionLevel.PERMANENT_BAN: None,
}

#: Temporary-ban lengths offered in the moderators' form.
BAN_PRESETS: tuple[timedelta, ...] = (
    timedelta(days=1),
    timedelta(days=7),
    timedelta(days=30),
    timedelta(days=90),
)


@dataclass(frozen=True)
class PriorAction:
    """One earlier decision about the member."""

    level: ActionLevel
    decided_at: datetime
    overturned: bool = False


def rank(level: ActionLevel) -> int:
    """Position on the ladder; -1 for "no action"."""
    return LADDER.index(level) if level in LADDER else -1


def counted(
    history: Sequence[PriorAction],
    now: datetime,
    memory: dict[ActionLevel, timedelta | None] = DEFAULT_MEMORY,
) -> list[PriorAction]:
    """The decisions that still count: not overturned, not "no action", not forgotten."""
    kept = []
    for action in history:
        if action.overturned or action.level not in LADDER:
            continue
        remembered = memory.get(action.level)
        if remembered is not None and action.decided_at < now - remembered:
            continue
        kept.append(action)
    return kept


def suggest_next(
    history: Sequence[PriorAction],
    now: datetime,
    memory: dict[ActionLevel, timedelta | None] = DEFAULT_MEMORY,
) -> ActionLevel:
    """The step after the highest one that still counts; a first time is a correction."""
    still = counted(history, now, memory)
    if not still:
        return ActionLevel.CORRECTION
    highest = max(rank(a.level) for a in still)
    return LADDER[min(highest + 1, len(LADDER) - 1)]


class DecisionField(StrEnum):
    """The parts of a decision a validation error can point at (the form maps them to blocks)."""

    LEVEL = "level"
    ENDS_AT = "ends_at"
    JUSTIFICATION = "justification"
    NOTICE = "notice"
    REASON = "reason"


@dataclass(frozen=True)
class Decision:
    level: ActionLevel
    reason: str
    notice: str
    ends_at: datetime | None = None
    justification: str = ""
    no_contact_user_ids: tuple[str, ...] = ()


MAX_TEXT = 3000


def validate(decision: Decision, suggested: ActionLevel, now: datetime) -> dict[DecisionField, str]:
    """Problems with a decision, worded for the moderator who made it; empty when it is fine."""
    errors: dict[DecisionField, str] = {}
    if not decision.reason.strip():
        errors[DecisionField.REASON] = "Write down why, for the other moderators and the audit log."
    elif len(decision.reason) > MAX_TEXT:
        errors[DecisionField.REASON] = f"Keep the reason under {MAX_TEXT} characters."
    if decision.level is not ActionLevel.NO_ACTION:
        if not decision.notice.strip():
            errors[DecisionField.NOTICE] = "The member must get a written notice."
        elif len(decision.notice) > MAX_TEXT:
            errors[DecisionField.NOTICE] = f"Keep the notice under {MAX_TEXT} characters."
    if decision.level is ActionLevel.TEMPORARY_BAN:
        if decision.ends_at is None:
            errors[DecisionField.ENDS_AT] = "A temporary ban needs an end."
        elif decision.ends_at <= now:
            errors[DecisionField.ENDS_AT] = "The end of a temporary ban must be in the future."
    elif decision.level is ActionLevel.WARNING:
        if decision.ends_at is not None and decision.ends_at <= now:
            errors[DecisionField.ENDS_AT] = "The end of the warning period must be in the future."
    elif decision.ends_at is not None and decision.level is not ActionLevel.NO_ACTION:
        errors[DecisionField.ENDS_AT] = "Only a warning or a temporary ban has an end."
    if rank(decision.level) > rank(suggested) and not decision.justification.strip():
        errors[DecisionField.JUSTIFICATION] = (
            f"The ladder suggests {LEVEL_NAMES[suggested].lower()}; write down why this case "
            f"skips to {LEVEL_NAMES[decision.level].lower()}."
        )
    return errors


def notice_template(
    level: ActionLevel,
    clause: str,
    community: str,
    ends_at: datetime | None = None,
) -> str:
    """The member's notice, prefilled for the moderator to edit. Plain text: the form shows
    it in a text input and the bot escapes it when it is sent."""
    if level is ActionLevel.NO_ACTION:
        return ""
    lines = [
        "Hello,",
        "",
        f"We are writing on behalf of the {community} moderators about a recent message "
        f"or behaviour of yours. Our Code of Conduct says: “{clause}”",
        "",
        f"What this means now: {CONSEQUENCES[level]}.",
    ]
    if ends_at is not None:
        lines.append(f"This lasts until {ends_at:%A %d %B %Y, %H:%M} UTC.")
    follow = NEXT_IF_REPEATED[level]
    if follow:
        lines.append(follow)
    lines += [
        "",
        "If you think we got this wrong, you can appeal with the button below; a moderator who "
        "did not make this decision will look at it.",
    ]
    return "\n".join(lines)
