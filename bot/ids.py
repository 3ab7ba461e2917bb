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
