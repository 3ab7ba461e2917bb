"""The reporting flow end to end: /report and the "Report message" shortcut open the form, a
submission is checked, stored, receipted and carded; Slack failures are survived kindly.

Payload shapes: shared/slack-notes.md §4 (slash commands), §5 (shortcuts), §6 (view_submission,
block_actions), §7 (trigger_id), §8 (posting, mrkdwn escaping).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.ids import ActionId, CallbackId, Command, ReportBlock
from bot.services.cases import open_or_join_case
from bot.services.members import ensure_member
from models import AuditEvent, Case, Report, ReportSource
from moderation.ids import PolicyId
from tests.integration.harness import RunningBot
from tests.slack_standin import DeliveryResponse, Fault

JsonDict = dict[str, Any]


# ---------------------------------------------------------------------------- helpers


def form_values(
    *,
    who: tuple[str, ...] = ("U0BOB",),
    what: str | None = "He called me names in the thread.",
    where: str | None = None,
    when: str | None = None,
    extra: str | None = None,
    contact: str | None = "dm",
    contact_other: str | None = None,
) -> JsonDict:
    """`view.state.values` as Slack sends it for the report form (slack-notes §6)."""

    def text(block: ReportBlock, value: str | None) -> JsonDict:
        return {block: {block: {"type": "plain_text_input", "value": value}}}

    option = (
        {"text": {"type": "plain_text", "text": contact}, "value": contact} if contact else None
    )
    return {
        ReportBlock.WHO: {
            ReportBlock.WHO: {"type": "multi_users_select", "selected_users": list(who)}
        },
        **text(ReportBlock.WHAT, what),
        **text(ReportBlock.WHERE, where),
        **text(ReportBlock.WHEN, when),
        **text(ReportBlock.EXTRA, extra),
        ReportBlock.CONTACT: {
            ReportBlock.CONTACT: {"type": "radio_buttons", "selected_option": option}
        },
        **text(ReportBlock.CONTACT_OTHER, contact_other),
    }


def open_form(bot: RunningBot, text: str = "", user: str = "alice") -> JsonDict:
    response = bot.delivery.command(Command.REPORT, text, user_id=user, channel_id="random")
    assert response.status == 200
    bot.drain()
    return latest_form(bot, user)


def latest_form(bot: RunningBot, user: str = "alice") -> JsonDict:
    forms = [
        v
        for v in bot.standin.views(user, view_type="modal")
        if v["callback_id"] == CallbackId.REPORT_FORM
    ]
    assert forms, "the report form was not opened"
    return forms[-1]


def submit(bot: RunningBot, values: JsonDict, user: str = "alice") -> DeliveryResponse:
    response = bot.delivery.view_submission(CallbackId.REPORT_FORM, values, user_id=user)
    bot.drain()
    return response


def element(view: JsonDict, block_id: str) -> JsonDict:
    for block in view["blocks"]:
        if block.get("block_id") == block_id:
            return dict(block["element"])
    raise AssertionError(f"no block {block_id}")


def view_text(view: JsonDict) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def reports(bot: RunningBot) -> list[Report]:
    with bot.services.session_factory() as session:
        return list(
            session.scalars(
                select(Report)
                .options(selectinload(Report.subjects), selectinload(Report.reporter))
                .order_by(Report.id)
            )
        )


def cases(bot: RunningBot) -> list[Case]:
    with bot.services.session_factory() as session:
        return list(
            session.scalars(select(Case).options(selectinload(Case.subject)).order_by(Case.id))
        )


def dm_messages(bot: RunningBot, user: str) -> list[JsonDict]:
    return bot.standin.messages(bot.standin.dm_id(user))


def posted_text(message: JsonDict) -> str:
    """Everything a message shows: its fallback text and its blocks."""
    return message.get("text", "") + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def assert_nothing_sent_to(bot: RunningBot, user: str) -> None:
    standin = bot.standin
    user_id = standin.user_id(user)
    assert not standin.has_dm(standin.bot_user_id, user_id)
    assert standin.ephemerals(user=user_id) == []
    assert all(c.args.get("channel") != user_id for c in standin.calls("chat.postMessage"))
    assert all(c.args.get("users") != user_id for c in standin.calls("conversations.open"))


# ---------------------------------------------------------------------------- opening the form


def test_report_command_opens_the_form_prefilled_with_the_mentioned_person_and_text(
    running_bot: RunningBot,
) -> None:
    response = running_bot.delivery.command(
        Command.REPORT, "<@U0BOB|bob> he insulted me", user_id="alice"
    )
    running_bot.drain()

    assert response.status == 200
    form = latest_form(running_bot)
    assert element(form, ReportBlock.WHO)["initial_users"] == ["U0BOB"]
    assert element(form, ReportBlock.WHAT)["initial_value"] == "he insulted me"
    assert element(form, ReportBlock.WHAT)["max_length"] == 3000
    assert json.loads(form["private_metadata"]) == {"s": "command"}
    assert reports(running_bot) == []


def test_report_command_without_text_opens_an_empty_form(running_bot: RunningBot) -> None:
    form = open_form(running_bot, "")

    assert "initial_users" not in element(form, ReportBlock.WHO)
    assert "initial_value" not in element(form, ReportBlock.WHAT)


def test_report_message_shortcut_prefills_author_permalink_and_an_escaped_excerpt(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    # Slack's raw text is entity-escaped; the excerpt shows it as typed, escaped again for mrkdwn.
    ts = standin.add_message(
        "general-discussions", "bob", "you are all &lt;fools&gt; <!channel> <@U0ALICE>"
    )

    response = running_bot.delivery.message_shortcut(
        CallbackId.REPORT_MESSAGE, "alice", ts, "general-discussions"
    )
    running_bot.drain()

    assert response.status == 200
    form = latest_form(running_bot)
    permalink = standin.last("chat.getPermalink").response["permalink"]  # type: ignore[index]
    assert element(form, ReportBlock.WHO)["initial_users"] == ["U0BOB"]
    assert element(form, ReportBlock.WHERE)["initial_value"] == permalink
    assert permalink.startswith("https://atih.slack.com/archives/C0GENERAL/p")
    shown = view_text(form)
    assert "&lt;fools&gt;" in shown
    assert "<!channel>" not in shown
    assert "<@U0ALICE>" not in shown
    assert json.loads(form["private_metadata"]) == {"s": "shortcut", "c": "C0GENERAL", "t": ts}


# ---------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("values", "block", "wording"),
    [
        (form_values(what="   "), ReportBlock.WHAT, "tell us what happened"),
        (form_values(what="x" * 3001), ReportBlock.WHAT, "3,000 characters"),
        (
            form_values(where="https://example.com/archives/C0GENERAL/p1700000000000100"),
            ReportBlock.WHERE,
            "Copy link",
        ),
        (
            form_values(where="https://atih.slack.com/archives/C0GENERAL/"),
            ReportBlock.WHERE,
            "Copy link",
        ),
        (form_values(who=("U0BOB", "U0ALICE")), ReportBlock.WHO, "about yourself"),
        (form_values(who=("U0BOT",)), ReportBlock.WHO, "can't be reported here"),
        (form_values(who=()), ReportBlock.WHO, "who this is about"),
        (form_values(contact="other"), ReportBlock.CONTACT_OTHER, "how you'd like"),
        (form_values(when="w" * 201), ReportBlock.WHEN, "200 characters"),
    ],
    ids=[
        "missing-description",
        "description-too-long",
        "link-not-slack",
        "link-not-a-message",
        "reporting-yourself",
        "reporting-the-bot",
        "nobody-named",
        "other-contact-without-how",
        "when-too-long",
    ],
)
def test_invalid_submission_is_returned_with_an_inline_error_and_nothing_stored(
    running_bot: RunningBot, values: JsonDict, block: str, wording: str
) -> None:
    open_form(running_bot)

    response = submit(running_bot, values)

    assert response.status == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [block]
    assert wording in answer["errors"][block]
    assert reports(running_bot) == []
    assert cases(running_bot) == []
    assert running_bot.standin.calls("chat.postMessage") == []


def test_reporting_yourself_is_refused_kindly(running_bot: RunningBot) -> None:
    open_form(running_bot)

    answer = submit(running_bot, form_values(who=("U0ALICE",))).json()

    message = answer["errors"][ReportBlock.WHO]
    assert "Moderators can't act on a report about yourself" in message
    assert "message any moderator directly" in message


def test_reporting_the_bot_is_refused_kindly(running_bot: RunningBot) -> None:
    open_form(running_bot)

    answer = submit(running_bot, form_values(who=("U0BOT",))).json()

    assert "I'm the bot that carries reports" in answer["errors"][ReportBlock.WHO]
    assert reports(running_bot) == []


# ---------------------------------------------------------------------------- filing


def test_valid_report_is_stored_with_its_case_then_receipted_and_carded(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    parent_ts = standin.add_message("general-discussions", "bob", "parent")
    link = (
        "https://atih.slack.com/archives/C0GENERAL/p1700000000000200"
        f"?thread_ts={parent_ts}&cid=C0GENERAL"
    )
    open_form(running_bot, "<@U0BOB|bob> he insulted me")

    response = submit(
        running_bot,
        form_values(
            who=("U0BOB", "U0DMITRI"),
            what="He insulted me.",
            where=link,
            when="yesterday evening",
            extra="Not the first time.",
            contact="other",
            contact_other="email me",
        ),
    )

    assert response.status == 200
    assert response.json()["response_action"] == "update"
    [report] = reports(running_bot)
    [case] = cases(running_bot)
    assert report.case_id == case.id
    assert report.reporter.slack_user_id == "U0ALICE"
    assert sorted(m.slack_user_id for m in report.subjects) == ["U0BOB", "U0DMITRI"]
    assert report.source is ReportSource.COMMAND
    assert (report.description, report.occurred_when, report.extra) == (
        "He insulted me.",
        "yesterday evening",
        "Not the first time.",
    )
    assert report.contact_preference == "Other: email me"
    assert (report.message_link, report.channel_id, report.message_ts) == (
        link,
        "C0GENERAL",
        "1700000000.000200",
    )
    assert report.created_at == running_bot.clock.now()
    assert case.subject.slack_user_id == "U0BOB"
    assert (case.channel_id, case.message_ts) == ("C0GENERAL", "1700000000.000200")

    [receipt] = dm_messages(running_bot, "alice")
    assert f"Case #{case.id}" in posted_text(receipt)
    assert "never told who reported" in posted_text(receipt)
    assert "the way you described" in posted_text(receipt)
    [card] = standin.messages("moderators")
    assert f"Case #{case.id}" in posted_text(card)
    assert "He insulted me." in posted_text(card)
    assert_nothing_sent_to(running_bot, "bob")
    assert_nothing_sent_to(running_bot, "dmitri")

    with running_bot.services.session_factory() as session:
        filed = session.scalars(select(AuditEvent).where(AuditEvent.action == "report.filed")).one()
        stored_case = session.get(Case, case.id)
        assert stored_case is not None
        assert stored_case.card_channel_id == standin.channel_id("moderators")
    assert filed.case_id == case.id
    assert filed.actor_slack_id == "U0ALICE"
    assert filed.subject_slack_id == "U0BOB"
    audit_text = json.dumps(filed.details)
    for secret in ("insulted", "yesterday", "first time", "email me"):
        assert secret not in audit_text


def test_the_receipt_is_sent_before_the_card_and_after_the_report_is_stored(
    running_bot: RunningBot,
) -> None:
    """The receipt carries the stored case's number, so the rows existed before any post."""
    open_form(running_bot)

    submit(running_bot, form_values())

    posts = running_bot.standin.calls("chat.postMessage")
    [case] = cases(running_bot)
    assert [c.args["channel"] for c in posts] == [
        running_bot.standin.dm_id("alice"),
        running_bot.standin.channel_id("moderators"),
    ]
    assert f"Case #{case.id}" in posts[0].args["text"]


def test_shortcut_report_joins_the_open_case_of_a_detection_on_the_same_message(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    ts = standin.add_message("general-discussions", "bob", "something hurtful")
    services = running_bot.services
    with services.session_factory.begin() as session:
        bob = ensure_member(session, services.client, "U0BOB", running_bot.clock.now())
        assert bob is not None
        detected = open_or_join_case(
            session,
            bob,
            running_bot.clock.now(),
            source="detection",
            channel_id="C0GENERAL",
            message_ts=ts,
            policy=PolicyId.HARASSMENT,
        ).case.id
    running_bot.delivery.message_shortcut(
        CallbackId.REPORT_MESSAGE, "alice", ts, "general-discussions"
    )
    running_bot.drain()
    form = latest_form(running_bot)
    permalink = element(form, ReportBlock.WHERE)["initial_value"]

    submit(running_bot, form_values(who=("U0BOB",), where=permalink))

    [report] = reports(running_bot)
    assert [c.id for c in cases(running_bot)] == [detected]
    assert report.case_id == detected
    assert report.source is ReportSource.SHORTCUT
    assert (report.channel_id, report.message_ts) == ("C0GENERAL", ts)
    assert_nothing_sent_to(running_bot, "bob")


def test_shortcut_report_keeps_the_message_when_the_link_is_cleared(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    ts = standin.add_message("general-discussions", "bob", "something hurtful")
    running_bot.delivery.message_shortcut(
        CallbackId.REPORT_MESSAGE, "alice", ts, "general-discussions"
    )
    running_bot.drain()

    submit(running_bot, form_values(where=None))

    [report] = reports(running_bot)
    [case] = cases(running_bot)
    assert (report.channel_id, report.message_ts) == ("C0GENERAL", ts)
    assert (case.channel_id, case.message_ts) == ("C0GENERAL", ts)
    assert report.message_link is not None
    assert report.message_link.startswith("https://atih.slack.com/archives/C0GENERAL/p")


# ---------------------------------------------------------------------------- failures


def test_expired_trigger_sends_a_dm_whose_button_reopens_the_prefilled_form(
    running_bot: RunningBot,
) -> None:
    standin, delivery = running_bot.standin, running_bot.delivery
    form = delivery.build_command(Command.REPORT, "<@U0BOB|bob> he insulted me", "alice")
    standin.expire_trigger(form["trigger_id"])

    delivery.send_form(form)
    running_bot.drain()

    assert standin.last("views.open").error == "expired_trigger_id"
    assert standin.views("alice", view_type="modal") == []
    [note] = dm_messages(running_bot, "alice")
    [button] = [e for b in note["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == ActionId.REPORT_REOPEN
    assert len(button["value"]) <= 2000
    assert "he insulted me" not in note["text"]

    delivery.block_action(
        ActionId.REPORT_REOPEN,
        button["value"],
        user_id="alice",
        message=note["ts"],
        channel=standin.dm_id("alice"),
    )
    running_bot.drain()

    reopened = latest_form(running_bot)
    assert element(reopened, ReportBlock.WHO)["initial_users"] == ["U0BOB"]
    assert element(reopened, ReportBlock.WHAT)["initial_value"] == "he insulted me"

    submit(running_bot, form_values())

    [report] = reports(running_bot)
    assert report.source is ReportSource.DM_FALLBACK


def test_expired_trigger_on_the_shortcut_carries_the_message_into_the_reopened_form(
    running_bot: RunningBot,
) -> None:
    standin, delivery = running_bot.standin, running_bot.delivery
    ts = standin.add_message("general-discussions", "bob", "a long message " * 400)
    payload = delivery.build_message_shortcut(
        CallbackId.REPORT_MESSAGE, "alice", ts, "general-discussions"
    )
    standin.expire_trigger(payload["trigger_id"])
    delivery.send_interaction(payload)
    running_bot.drain()
    [note] = dm_messages(running_bot, "alice")
    [button] = [e for b in note["blocks"] if b["type"] == "actions" for e in b["elements"]]

    delivery.block_action(
        ActionId.REPORT_REOPEN,
        button["value"],
        user_id="alice",
        message=note["ts"],
        channel=standin.dm_id("alice"),
    )
    running_bot.drain()

    reopened = latest_form(running_bot)
    assert element(reopened, ReportBlock.WHO)["initial_users"] == ["U0BOB"]
    assert element(reopened, ReportBlock.WHERE)["initial_value"].endswith(ts.replace(".", ""))
    assert "a long message" in view_text(reopened)
    metadata = json.loads(reopened["private_metadata"])
    assert metadata == {"s": "dm_fallback", "c": "C0GENERAL", "t": ts}


@pytest.mark.parametrize(
    "fault",
    [Fault.http_status(500), Fault.api_error("restricted_action")],
    ids=["http-500", "api-error"],
)
def test_receipt_failure_leaves_the_report_stored_and_the_card_posted(
    running_bot: RunningBot, fault: Fault
) -> None:
    standin = running_bot.standin
    open_form(running_bot)
    # 500s are retried (3 retries), so the receipt's post fails only when every try does.
    standin.inject("chat.postMessage", fault, times=4 if fault.kind == "http_status" else 1)

    response = submit(running_bot, form_values())

    assert response.status == 200
    [report] = reports(running_bot)
    assert report.case_id is not None
    failed = [c for c in standin.calls("chat.postMessage") if not c.ok]
    assert failed
    assert {c.args["channel"] for c in failed} == {standin.dm_id("alice")}
    assert dm_messages(running_bot, "alice") == []
    [card] = standin.messages("moderators")
    assert f"Case #{report.case_id}" in posted_text(card)


def test_card_failure_still_sends_the_receipt(running_bot: RunningBot) -> None:
    standin = running_bot.standin
    open_form(running_bot)
    standin.inject("conversations.list", Fault.api_error("internal_error"))

    submit(running_bot, form_values())

    [report] = reports(running_bot)
    assert standin.messages("moderators") == []
    [receipt] = dm_messages(running_bot, "alice")
    assert f"Case #{report.case_id}" in posted_text(receipt)


# ---------------------------------------------------------------------------- mrkdwn safety


def test_member_text_relayed_to_moderators_is_inert_and_the_receipt_relays_none(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    open_form(running_bot)
    hostile = "<!channel> look at <@U123> & <https://evil.example|click>"

    submit(
        running_bot,
        form_values(
            what=hostile,
            when="<!here> today",
            extra="<!everyone>",
            contact="other",
            contact_other="<@U0CARLA>",
        ),
    )

    [card] = standin.messages("moderators")
    shown = posted_text(card)
    assert "&lt;!channel&gt;" in shown
    assert "&lt;@U123&gt;" in shown
    assert "&amp;" in shown
    for raw in ("<!channel>", "<@U123>", "<!here>", "<!everyone>", "<@U0CARLA>", "<https://evil"):
        assert raw not in shown
    [receipt] = dm_messages(running_bot, "alice")
    relayed = posted_text(receipt)
    for raw in ("<!channel>", "<@U123>", "<!here>", "<!everyone>", "<@U0CARLA>", "evil.example"):
        assert raw not in relayed
    assert "look at" not in relayed


def test_slow_permalink_lookup_does_not_keep_the_shortcut_form_from_opening(
    running_bot: RunningBot,
) -> None:
    standin = running_bot.standin
    ts = standin.add_message("general-discussions", "bob", "something hurtful")
    standin.inject("chat.getPermalink", Fault.delay(2.0))

    running_bot.delivery.message_shortcut(
        CallbackId.REPORT_MESSAGE, "alice", ts, "general-discussions"
    )
    running_bot.drain()

    form = latest_form(running_bot)
    assert "initial_value" not in element(form, ReportBlock.WHERE)
    assert element(form, ReportBlock.WHO)["initial_users"] == ["U0BOB"]

    submit(running_bot, form_values(where=None))

    [report] = reports(running_bot)
    assert report.message_ts == ts
    assert report.message_link is not None
    assert report.message_link.startswith("https://atih.slack.com/archives/C0GENERAL/p")
