"""Moderators work a case from its card: assign, take action at each ladder level, dismiss,
note; refusals for non-moderators and recused moderators; two decisions at once.

Cases are opened the real way: a member posts someone else's phone number, the engine flags
it, the card lands in #moderators. Moderators are the @moderators user group (ada, carla).
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.ids import CaseAction, CaseCallback, DecisionBlock
from bot.services.members import find_member
from bot.views.decision_form import notice_block_id
from models import (
    ActionStatus,
    Case,
    CaseNote,
    CaseStatus,
    Report,
    ReportSource,
)
from moderation.ids import ActionLevel
from tests.integration.case_steps import (
    actions,
    audit_actions,
    card,
    click,
    decide,
    decision_values,
    dms_to,
    open_case,
    reload,
)
from tests.integration.harness import RunningBot


def test_flagged_message_card_shows_history_suggestion_and_buttons(running_bot: RunningBot) -> None:
    case = open_case(running_bot)

    message = card(running_bot, case)
    text = json.dumps(message["blocks"])
    assert "<@U0DMITRI>" in text
    assert "nothing before this case" in text
    assert "Ladder suggests*\\nCorrection" in text
    assert "The member was sent a private nudge." in text
    buttons = [
        e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == [
        CaseAction.ASSIGN,
        CaseAction.TAKE_ACTION,
        CaseAction.DISMISS,
        CaseAction.ADD_NOTE,
    ]


def test_assign_to_me_marks_the_case_and_redraws_the_card(running_bot: RunningBot) -> None:
    case = open_case(running_bot)

    click(running_bot, case, CaseAction.ASSIGN, "carla")

    fresh = reload(running_bot, case)
    assert fresh.status == CaseStatus.TRIAGED
    assert fresh.first_response_at == running_bot.clock.now()
    update = running_bot.standin.last("chat.update")
    assert "<@U0CARLA>" in json.dumps(update.args["blocks"])
    assert "case.assigned" in audit_actions(running_bot)


def test_non_moderator_is_refused_on_every_case_button_and_audited(running_bot: RunningBot) -> None:
    case = open_case(running_bot)
    for action_id in (
        CaseAction.ASSIGN,
        CaseAction.TAKE_ACTION,
        CaseAction.DISMISS,
        CaseAction.ADD_NOTE,
    ):
        response = click(running_bot, case, action_id, "bob")
        assert response.status == 200
        assert "Only moderators" in running_bot.standin.responses()[-1].body["text"]

    assert running_bot.standin.calls("views.open") == []
    assert reload(running_bot, case).status == CaseStatus.OPEN
    assert audit_actions(running_bot).count("auth.refused") == 4


def test_non_moderator_form_submission_is_refused_and_nothing_is_stored(
    running_bot: RunningBot,
) -> None:
    case = open_case(running_bot)

    for callback in (CaseCallback.DECISION, CaseCallback.DISMISS, CaseCallback.NOTE):
        response = running_bot.delivery.view_submission(
            callback,
            decision_values(ActionLevel.PERMANENT_BAN, justification="x"),
            "bob",
            private_metadata=json.dumps({"case_id": case.id}),
        )
        body = response.json()
        assert body["response_action"] == "update"
        assert "Only moderators" in json.dumps(body["view"])

    assert actions(running_bot) == []
    assert reload(running_bot, case).status == CaseStatus.OPEN
    assert audit_actions(running_bot).count("auth.refused") == 3


def test_take_action_opens_the_form_with_the_suggested_level_and_a_prefilled_notice(
    running_bot: RunningBot,
) -> None:
    case = open_case(running_bot)

    click(running_bot, case, CaseAction.TAKE_ACTION, "ada")

    view = running_bot.standin.last("views.open").args["view"]
    assert view["callback_id"] == CaseCallback.DECISION
    notice = next(
        b for b in view["blocks"] if b.get("block_id") == notice_block_id(ActionLevel.CORRECTION)
    )
    prefill = notice["element"]["initial_value"]
    assert "private, written notice" in prefill
    assert "next step is a warning" in prefill


def test_changing_the_level_redraws_the_form_with_that_levels_notice(
    running_bot: RunningBot,
) -> None:
    case = open_case(running_bot)
    click(running_bot, case, CaseAction.TAKE_ACTION, "ada")
    [opened] = running_bot.standin.views("ada", view_type="modal")
    state = {
        DecisionBlock.LEVEL: {
            CaseAction.DECISION_LEVEL: {
                "type": "radio_buttons",
                "selected_option": {"value": ActionLevel.TEMPORARY_BAN.value},
            }
        }
    }
    opened["state"] = {"values": state}

    running_bot.delivery.block_action(
        CaseAction.DECISION_LEVEL,
        None,
        "ada",
        view=opened,
        action={
            "type": "radio_buttons",
            "action_id": CaseAction.DECISION_LEVEL,
            "block_id": DecisionBlock.LEVEL,
            "selected_option": {"value": ActionLevel.TEMPORARY_BAN.value},
        },
    )
    running_bot.drain()

    updated = running_bot.standin.last("views.update").args["view"]
    ids = [b.get("block_id") for b in updated["blocks"]]
    assert notice_block_id(ActionLevel.TEMPORARY_BAN) in ids
    assert DecisionBlock.DURATION in ids


def test_correction_stores_the_action_sends_the_notice_with_an_appeal_button_and_closes_the_case(
    running_bot: RunningBot,
) -> None:
    case = open_case(running_bot)

    response = decide(running_bot, case, "ada", decision_values(ActionLevel.CORRECTION))

    assert response.status == 200
    [action] = actions(running_bot)
    assert action.level == ActionLevel.CORRECTION
    assert action.status == ActionStatus.ACTIVE
    assert action.backend == "notify"
    fresh = reload(running_bot, case)
    assert fresh.status == CaseStatus.RESOLVED
    [notice] = dms_to(running_bot, "dmitri")
    text = json.dumps(notice["blocks"])
    assert "shared someone's number" in text
    assert CaseAction.APPEAL_OPEN in text
    redrawn = json.dumps(running_bot.standin.last("chat.update").args["blocks"])
    assert "*Decided:* Correction by <@U0ADA>" in redrawn
    assert CaseAction.TAKE_ACTION not in redrawn, "a closed case has no buttons"
    trail = audit_actions(running_bot)
    assert (
        trail.index("action.decided")
        < trail.index("notice.sent")
        < trail.index("enforcement.requested")
    )


def test_warning_records_the_people_not_to_contact_and_its_period(running_bot: RunningBot) -> None:
    case = open_case(running_bot)

    decide(
        running_bot,
        case,
        "ada",
        decision_values(
            ActionLevel.WARNING, days=30, justification="Repeated after a DM", no_contact=("U0ZOE",)
        ),
    )

    [action] = actions(running_bot)
    assert action.level == ActionLevel.WARNING
    assert action.no_contact_user_ids == ["U0ZOE"]
    assert action.expires_at == running_bot.clock.now() + timedelta(days=30)
    thread = [m for m in running_bot.standin.calls("chat.postMessage") if m.args.get("thread_ts")]
    assert thread and "<@U0ZOE>" in thread[-1].args["text"]


def test_temporary_ban_needs_an_end_in_the_future(running_bot: RunningBot) -> None:
    case = open_case(running_bot)

    response = decide(
        running_bot,
        case,
        "ada",
        decision_values(ActionLevel.TEMPORARY_BAN, justification="Threatened a member"),
    )

    body = response.json()
    assert body["response_action"] == "errors"
    assert body["errors"] == {DecisionBlock.DURATION: "A temporary ban needs an end."}
    assert actions(running_bot) == []


def test_temporary_ban_with_a_preset_ends_on_time_and_posts_the_checklist(
    running_bot: RunningBot,
) -> None:
    case = open_case(running_bot)

    decide(
        running_bot,
        case,
        "ada",
        decision_values(ActionLevel.TEMPORARY_BAN, days=7, justification="Threatened a member"),
    )

    [action] = actions(running_bot)
    assert action.expires_at == running_bot.clock.now() + timedelta(days=7)
    assert action.skipped_step_justification == "Threatened a member"
    assert action.enforcement_steps[0]["step"] == "checklist_posted"
    assert action.enforcement_steps[0]["ok"] is True
    fresh = reload(running_bot, case)
    checklist = running_bot.standin.last("chat.postMessage")
    assert checklist.args["thread_ts"] == fresh.card_ts
    assert "Deactivate account" in checklist.args["text"]


def test_skipping_to_a_permanent_ban_needs_a_written_justification(
    running_bot: RunningBot,
) -> None:
    case = open_case(running_bot)

    refused = decide(running_bot, case, "ada", decision_values(ActionLevel.PERMANENT_BAN))
    assert DecisionBlock.JUSTIFICATION in refused.json()["errors"]
    decide(
        running_bot,
        case,
        "ada",
        decision_values(ActionLevel.PERMANENT_BAN, justification="Doxxing with a call to harass"),
    )

    [action] = actions(running_bot)
    assert action.level == ActionLevel.PERMANENT_BAN
    assert action.expires_at is None


def test_no_action_closes_the_case_without_a_notice(running_bot: RunningBot) -> None:
    case = open_case(running_bot)

    decide(running_bot, case, "ada", decision_values(ActionLevel.NO_ACTION, notice=None))

    [action] = actions(running_bot)
    assert action.level == ActionLevel.NO_ACTION
    assert dms_to(running_bot, "dmitri") == []
    assert reload(running_bot, case).status == CaseStatus.RESOLVED


def test_the_ladder_climbs_with_the_members_history(running_bot: RunningBot) -> None:
    first = open_case(running_bot)
    decide(running_bot, first, "ada", decision_values(ActionLevel.CORRECTION))
    running_bot.clock.advance(timedelta(days=2))

    second = open_case(running_bot)

    text = json.dumps(card(running_bot, second)["blocks"])
    assert "Ladder suggests*\\nWarning" in text
    assert "Correction 2026-11-02" in text


def test_second_decision_on_a_decided_case_is_told_who_decided(running_bot: RunningBot) -> None:
    case = open_case(running_bot)
    decide(running_bot, case, "ada", decision_values(ActionLevel.CORRECTION))

    late = decide(running_bot, case, "carla", decision_values(ActionLevel.WARNING, days=30))

    body = late.json()
    assert body["response_action"] == "update"
    assert "already decided by <@U0ADA>" in json.dumps(body["view"])
    assert len(actions(running_bot)) == 1


def test_two_simultaneous_decisions_resolve_to_one_action(running_bot: RunningBot) -> None:
    case = open_case(running_bot)
    start = threading.Barrier(2)
    responses: dict[str, Any] = {}

    def submit(user: str, level: ActionLevel) -> None:
        payload = running_bot.delivery.build_view_submission(
            CaseCallback.DECISION,
            decision_values(
                level, days=30 if level is ActionLevel.WARNING else None, justification="x"
            ),
            user,
            private_metadata=json.dumps({"case_id": case.id}),
        )
        start.wait()
        responses[user] = running_bot.delivery.send_interaction(payload)

    threads = [
        threading.Thread(target=submit, args=("ada", ActionLevel.CORRECTION)),
        threading.Thread(target=submit, args=("carla", ActionLevel.WARNING)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    running_bot.drain()

    assert len(actions(running_bot)) == 1
    bodies = [r.body for r in responses.values()]
    refused = [b for b in bodies if b and "already decided" in b]
    assert len(refused) == 1, bodies


def test_recused_moderator_cannot_act_and_the_card_says_so(running_bot: RunningBot) -> None:
    case = open_case(running_bot, author="ada")

    assert "Recused (involved): <@U0ADA>" in json.dumps(card(running_bot, case)["blocks"])
    click(running_bot, case, CaseAction.TAKE_ACTION, "ada")

    assert "You can't act on case" in running_bot.standin.responses()[-1].body["text"]
    assert running_bot.standin.calls("views.open") == []
    assert "auth.recused" in audit_actions(running_bot)
    refused = decide(running_bot, case, "ada", decision_values(ActionLevel.NO_ACTION, notice=None))
    assert refused.json()["response_action"] == "update"
    assert actions(running_bot) == []


def test_dismiss_needs_a_reason_then_closes_the_case(running_bot: RunningBot) -> None:
    case = open_case(running_bot)
    click(running_bot, case, CaseAction.DISMISS, "carla")
    assert (
        running_bot.standin.last("views.open").args["view"]["callback_id"] == CaseCallback.DISMISS
    )

    def submit(reason: str) -> Any:
        values = {
            DecisionBlock.DISMISS_REASON: {"value": {"type": "plain_text_input", "value": reason}}
        }
        response = running_bot.delivery.view_submission(
            CaseCallback.DISMISS, values, "carla", private_metadata=json.dumps({"case_id": case.id})
        )
        running_bot.drain()
        return response

    assert submit("  ").json()["response_action"] == "errors"
    submit("Maria posted her own number earlier and asked for calls <!here>")

    fresh = reload(running_bot, case)
    assert fresh.status == CaseStatus.DISMISSED
    redrawn = json.dumps(running_bot.standin.last("chat.update").args["blocks"])
    assert "*Dismissed:*" in redrawn and "&lt;!here&gt;" in redrawn
    assert "case.dismissed" in audit_actions(running_bot)


def test_notes_are_kept_on_the_case_and_shown_inert_on_the_card(running_bot: RunningBot) -> None:
    case = open_case(running_bot)
    click(running_bot, case, CaseAction.ADD_NOTE, "carla")
    values = {
        DecisionBlock.NOTE: {
            "value": {"type": "plain_text_input", "value": "Asked Maria; <!channel> she says no"}
        }
    }

    running_bot.delivery.view_submission(
        CaseCallback.NOTE, values, "carla", private_metadata=json.dumps({"case_id": case.id})
    )
    running_bot.drain()

    with running_bot.services.session_factory() as session:
        [note] = session.scalars(select(CaseNote))
    assert note.author_slack_id == "U0CARLA"
    redrawn = json.dumps(running_bot.standin.last("chat.update").args["blocks"])
    assert "&lt;!channel&gt; she says no" in redrawn
    assert "<!channel>" not in redrawn


def test_notice_quoting_hostile_text_reaches_the_member_inert(running_bot: RunningBot) -> None:
    case = open_case(running_bot)

    decide(
        running_bot,
        case,
        "ada",
        decision_values(
            ActionLevel.CORRECTION,
            notice='You wrote "<!here> call her" and &lt;b&gt; <@U0ZOE>; please don\'t.',
        ),
    )

    [notice] = dms_to(running_bot, "dmitri")
    text = json.dumps(notice["blocks"])
    assert "<!here>" not in text and "<@U0ZOE>" not in text
    assert "&lt;!here&gt;" in text
    assert "&amp;lt;b&amp;gt;" in text


def test_reporter_who_asked_is_told_the_outcome_in_general_terms(running_bot: RunningBot) -> None:
    case = open_case(running_bot)
    with running_bot.services.session_factory.begin() as session:
        alice = find_member(session, "U0ALICE")
        if alice is None:
            from bot.services.members import ensure_member

            alice = ensure_member(
                session, running_bot.services.client, "U0ALICE", running_bot.clock.now()
            )
        assert alice is not None
        session.add(
            Report(
                reporter_id=alice.id,
                case_id=case.id,
                source=ReportSource.COMMAND,
                description="he posted her number",
                created_at=running_bot.clock.now(),
            )
        )

    decide(
        running_bot,
        case,
        "ada",
        decision_values(ActionLevel.CORRECTION, tell_reporter=True),
    )

    [update] = dms_to(running_bot, "alice")
    assert f"case #{case.id}" in update["text"]
    assert "taken action" in update["text"]
    assert "Correction" not in update["text"], "general terms only"
    assert "reporter.notified" in audit_actions(running_bot)


def test_non_moderator_cannot_redraw_the_decision_form(running_bot: RunningBot) -> None:
    case = open_case(running_bot)
    click(running_bot, case, CaseAction.TAKE_ACTION, "ada")
    [form] = running_bot.standin.views("ada", view_type="modal")

    running_bot.delivery.block_action(
        CaseAction.DECISION_LEVEL,
        None,
        "bob",
        view=form,
        action={
            "type": "radio_buttons",
            "action_id": CaseAction.DECISION_LEVEL,
            "block_id": DecisionBlock.LEVEL,
            "selected_option": {"value": ActionLevel.PERMANENT_BAN.value},
        },
    )
    running_bot.drain()

    assert running_bot.standin.calls("views.update") == []
    assert audit_actions(running_bot).count("auth.refused") == 1


@pytest.mark.parametrize(
    ("level", "extra"),
    [
        (ActionLevel.CORRECTION, {}),
        (ActionLevel.WARNING, {"days": 30, "justification": "second time"}),
        (ActionLevel.TEMPORARY_BAN, {"days": 7, "justification": "threats"}),
        (ActionLevel.PERMANENT_BAN, {"justification": "targeted harassment"}),
        (ActionLevel.NO_ACTION, {"notice": None}),
    ],
)
def test_a_members_report_is_walked_to_each_ladder_level(
    running_bot: RunningBot, level: ActionLevel, extra: dict[str, Any]
) -> None:
    from tests.integration.test_reports import form_values, open_form, submit

    open_form(running_bot, "<@U0BOB|bob> kept messaging me after I said stop")
    submit(running_bot, form_values(who=("U0BOB",), what="Kept messaging me after I said stop"))
    with running_bot.services.session_factory() as session:
        [reported] = session.scalars(select(Case))
    click(running_bot, reported, CaseAction.TAKE_ACTION, "carla")

    decide(running_bot, reported, "carla", decision_values(level, tell_reporter=True, **extra))

    [action] = actions(running_bot)
    assert action.level == level
    assert reload(running_bot, reported).status == CaseStatus.RESOLVED
    notices = dms_to(running_bot, "bob")
    assert len(notices) == (0 if level is ActionLevel.NO_ACTION else 1)
    outcome = [m for m in dms_to(running_bot, "alice") if "An update on your report" in m["text"]]
    assert len(outcome) == 1
    assert "U0ALICE" not in json.dumps(notices), "the reported member never learns who reported"
