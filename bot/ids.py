"""Every action_id, callback_id and command the app answers, in one place.

Slack sends these strings back to us; an enum keeps the sender (a view) and the receiver (a
listener) from drifting apart, and makes "who handles this button?" one grep away.
"""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    REPORT = "/report"


class CallbackId(StrEnum):
    """Modals and shortcuts (`callback_id`)."""

    REPORT_FORM = "report_form"
    REPORT_MESSAGE = "report_message"  # the message shortcut; must match manifest.yml


class ActionId(StrEnum):
    """Buttons and other interactive elements (`action_id`)."""

    NUDGE_GOT_IT = "nudge_got_it"
    NUDGE_NOT_A_MATCH = "nudge_not_a_match"
    REPORT_REOPEN = "report_reopen"
    HOME_REPORT = "home_report"
    NAME_OPEN_PROFILE = "name_open_profile"


class ReportBlock(StrEnum):
    """Input block ids of the report form: the keys of `response_action: errors`."""

    WHO = "report_who"
    WHAT = "report_what"
    WHERE = "report_where"
    WHEN = "report_when"
    EXTRA = "report_extra"
    CONTACT = "report_contact"
    CONTACT_OTHER = "report_contact_other"


class CaseAction(StrEnum):
    """Buttons on the moderators' case card and appeal card."""

    ASSIGN = "case_assign"
    TAKE_ACTION = "case_take_action"
    DISMISS = "case_dismiss"
    ADD_NOTE = "case_add_note"
    DECISION_LEVEL = "decision_level"  # the level radio in the decision form redraws it
    APPEAL_OPEN = "appeal_open"  # the member's button under a notice
    APPEAL_UPHOLD = "appeal_uphold"
    APPEAL_OVERTURN = "appeal_overturn"
    CHANGE_END = "ban_change_end"


class CaseCallback(StrEnum):
    """Moderator and appeal modals (`callback_id`)."""

    DECISION = "case_decision"
    DISMISS = "case_dismiss_form"
    NOTE = "case_note_form"
    APPEAL = "appeal_form"
    APPEAL_DECISION = "appeal_decision_form"
    CHANGE_END = "ban_change_end_form"


class DecisionBlock(StrEnum):
    """Input block ids of the decision form (the notice's id carries the level: see
    bot.views.decision_form.notice_block_id)."""

    LEVEL = "decision_level"
    DURATION = "decision_duration"
    ENDS_AT = "decision_ends_at"
    NO_CONTACT = "decision_no_contact"
    REASON = "decision_reason"
    JUSTIFICATION = "decision_justification"
    TELL_REPORTER = "decision_tell_reporter"
    DISMISS_REASON = "dismiss_reason"
    NOTE = "note_text"
    APPEAL_TEXT = "appeal_text"
    APPEAL_NOTE = "appeal_note"
