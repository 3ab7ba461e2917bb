"""The report form, pure parts: command text, message links, reading and checking a submission,
and the Block Kit built for the form, the receipt and the reopen note (limits: slack-notes §7)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.ids import ActionId, CallbackId, ReportBlock
from bot.services.reports import (
    BOT_REPORT_ERROR,
    SELF_REPORT_ERROR,
    MessageRef,
    ReportSubmission,
    contact_preference,
    parse_command_text,
    parse_message_link,
    prefill_from_shortcut,
    read_submission,
    validate_submission,
)
from bot.views.report_form import (
    BUTTON_VALUE_MAX,
    DESCRIPTION_MAX,
    PRIVATE_METADATA_MAX,
    ContactChoice,
    FormMetadata,
    ReportPrefill,
    decode_button_value,
    decode_metadata,
    encode_button_value,
    encode_metadata,
    receipt_blocks,
    receipt_text,
    reopen_blocks,
    report_form_view,
    report_sent_view,
)
from models import ReportSource

REPORTER = "U0ALICE"
BOT = "U0BOT"
UNREPORTABLE = {BOT, "USLACKBOT"}


def submission(**changes: Any) -> ReportSubmission:
    fields: dict[str, Any] = {"user_ids": ("U0BOB",), "description": "He insulted me."}
    fields.update(changes)
    return ReportSubmission(**fields)


def blocks_of(view_dict: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view_dict["blocks"] if b.get("block_id") == block_id)


# ---------------------------------------------------------------------------- command text


@pytest.mark.parametrize(
    ("text", "users", "description"),
    [
        ("<@U0BOB|bob> he insulted me", ("U0BOB",), "he insulted me"),
        ("<@U0BOB> he insulted me", ("U0BOB",), "he insulted me"),
        ("he insulted me", (), "he insulted me"),
        ("@bob he insulted me", (), "@bob he insulted me"),
        ("", (), ""),
        ("<@U0BOB|bob>", ("U0BOB",), ""),
        (
            "<@U0BOB|bob> and <@W0DMITRI|dima> mocked <@U0BOB|bob>",
            ("U0BOB", "W0DMITRI"),
            "and mocked",
        ),
        ("<@U0BOB|bob> said &lt;3 &amp; &gt;:(", ("U0BOB",), "said <3 & >:("),
        ("<@U0BOB|bob> in <#C0RANDOM|random>", ("U0BOB",), "in #random"),
    ],
)
def test_command_text_names_the_mentioned_people_and_keeps_the_rest_as_description(
    text: str, users: tuple[str, ...], description: str
) -> None:
    prefill = parse_command_text(text)

    assert prefill.user_ids == users
    assert prefill.description == description
    assert prefill.source is ReportSource.COMMAND


def test_command_text_longer_than_the_form_allows_is_cut() -> None:
    assert len(parse_command_text("x" * 5000).description) == DESCRIPTION_MAX


# ---------------------------------------------------------------------------- shortcut prefill


def test_shortcut_prefill_names_the_author_and_keeps_the_message() -> None:
    body = {
        "channel": {"id": "C0GENERAL"},
        "message_ts": "1700000000.000100",
        "message": {"user": "U0BOB", "ts": "1700000000.000100", "text": "a &lt;b&gt; <@U0X|x>"},
    }

    prefill = prefill_from_shortcut(body, "https://atih.slack.com/archives/C0GENERAL/p1")

    assert prefill.source is ReportSource.SHORTCUT
    assert prefill.user_ids == ("U0BOB",)
    assert (prefill.channel_id, prefill.message_ts) == ("C0GENERAL", "1700000000.000100")
    assert prefill.message_excerpt is not None
    assert prefill.message_excerpt.startswith("a <b> @")
    assert prefill.message_link == "https://atih.slack.com/archives/C0GENERAL/p1"


def test_shortcut_on_a_bot_post_names_nobody() -> None:
    body = {
        "channel": {"id": "C0GENERAL"},
        "message": {"user": "U0OTHER", "bot_id": "B0OTHER", "ts": "1.000001", "text": "beep"},
    }

    assert prefill_from_shortcut(body, None).user_ids == ()


def test_shortcut_excerpt_is_shortened() -> None:
    body = {"channel": {"id": "C1"}, "message": {"user": "U1", "ts": "1.1", "text": "word " * 500}}

    excerpt = prefill_from_shortcut(body, None).message_excerpt

    assert excerpt is not None
    assert len(excerpt) <= 300
    assert excerpt.endswith("…")


# ---------------------------------------------------------------------------- message links


@pytest.mark.parametrize(
    ("link", "ref"),
    [
        (
            "https://atih.slack.com/archives/C0GENERAL/p1700000000000100",
            MessageRef("C0GENERAL", "1700000000.000100"),
        ),
        (
            "https://atih.slack.com/archives/C0GENERAL/p1700000000000200"
            "?thread_ts=1700000000.000100&cid=C0GENERAL",
            MessageRef("C0GENERAL", "1700000000.000200", "1700000000.000100"),
        ),
        (
            "https://atih.slack.com/archives/C0GENERAL/p1700000000000200?thread_ts=1700000000.000100",
            MessageRef("C0GENERAL", "1700000000.000200", "1700000000.000100"),
        ),
        (
            "  https://all-tech.enterprise.slack.com/archives/G0PRIV/p1700000000000100  ",
            MessageRef("G0PRIV", "1700000000.000100"),
        ),
        (
            "https://atih.slack.com/archives/D0DM/p1700000000000100",
            MessageRef("D0DM", "1700000000.000100"),
        ),
    ],
)
def test_slack_permalinks_give_channel_and_ts(link: str, ref: MessageRef) -> None:
    assert parse_message_link(link) == ref


@pytest.mark.parametrize(
    "link",
    [
        "http://atih.slack.com/archives/C0GENERAL/p1700000000000100",
        "https://atih.slack.com.evil.example/archives/C0GENERAL/p1700000000000100",
        "https://evil.example/atih.slack.com/archives/C0GENERAL/p1700000000000100",
        "https://atih.slack.com/archives/C0GENERAL",
        "https://atih.slack.com/archives/C0GENERAL/1700000000000100",
        "https://atih.slack.com/archives/C0GENERAL/p1700000000.000100",
        "https://atih.slack.com/archives/U0BOB/p1700000000000100",
        "https://atih.slack.com/archives/C0GENERAL/p1700000000000100?foo=bar",
        "https://atih.slack.com/archives/C0GENERAL/p1700000000000100 <!channel>",
        "<https://atih.slack.com/archives/C0GENERAL/p1700000000000100>",
        "yesterday in #random",
    ],
)
def test_anything_else_is_not_a_message_link(link: str) -> None:
    assert parse_message_link(link) is None


# ---------------------------------------------------------------------------- reading


def test_submission_is_read_from_the_view_state() -> None:
    view = {
        "private_metadata": json.dumps({"s": "shortcut", "c": "C0GENERAL", "t": "1.000001"}),
        "state": {
            "values": {
                ReportBlock.WHO: {
                    ReportBlock.WHO: {"selected_users": ["U0BOB", "U0DMITRI", "U0BOB"]}
                },
                ReportBlock.WHAT: {ReportBlock.WHAT: {"value": "  He insulted me.\n "}},
                ReportBlock.WHERE: {ReportBlock.WHERE: {"value": None}},
                ReportBlock.WHEN: {ReportBlock.WHEN: {"value": "   "}},
                ReportBlock.EXTRA: {ReportBlock.EXTRA: {"value": "more"}},
                ReportBlock.CONTACT: {ReportBlock.CONTACT: {"selected_option": {"value": "none"}}},
                ReportBlock.CONTACT_OTHER: {ReportBlock.CONTACT_OTHER: {"value": None}},
            }
        },
    }

    read = read_submission(view)

    assert read == ReportSubmission(
        user_ids=("U0BOB", "U0DMITRI"),
        description="He insulted me.",
        message_link=None,
        occurred_when=None,
        extra="more",
        contact=ContactChoice.NONE,
        contact_other=None,
        metadata=FormMetadata(ReportSource.SHORTCUT, "C0GENERAL", "1.000001"),
    )


def test_an_empty_view_reads_as_an_empty_command_report() -> None:
    read = read_submission({})

    assert read == ReportSubmission(user_ids=(), description="")


@pytest.mark.parametrize("raw", [None, "", "not json", "[1, 2]", '{"s": "carrier pigeon"}'])
def test_unreadable_metadata_means_a_plain_command_form(raw: str | None) -> None:
    assert decode_metadata(raw) == FormMetadata()


# ---------------------------------------------------------------------------- checking


def test_a_complete_submission_has_no_errors() -> None:
    valid = submission(
        message_link="https://atih.slack.com/archives/C0GENERAL/p1700000000000100",
        occurred_when="yesterday",
        extra="more",
        contact=ContactChoice.OTHER,
        contact_other="email me",
    )

    assert validate_submission(valid, REPORTER, UNREPORTABLE) == {}


@pytest.mark.parametrize(
    ("changes", "block"),
    [
        ({"description": ""}, ReportBlock.WHAT),
        ({"description": "x" * (DESCRIPTION_MAX + 1)}, ReportBlock.WHAT),
        ({"message_link": "https://example.com/x"}, ReportBlock.WHERE),
        ({"message_link": "https://atih.slack.com/archives/C1/p" + "1" * 600}, ReportBlock.WHERE),
        ({"user_ids": ()}, ReportBlock.WHO),
        ({"user_ids": tuple(f"U{i:04d}" for i in range(11))}, ReportBlock.WHO),
        ({"user_ids": ("U0BOB", REPORTER)}, ReportBlock.WHO),
        ({"user_ids": (BOT,)}, ReportBlock.WHO),
        ({"user_ids": ("USLACKBOT",)}, ReportBlock.WHO),
        ({"occurred_when": "w" * 201}, ReportBlock.WHEN),
        ({"extra": "e" * 3001}, ReportBlock.EXTRA),
        ({"contact": ContactChoice.OTHER}, ReportBlock.CONTACT_OTHER),
        ({"contact": ContactChoice.OTHER, "contact_other": "o" * 201}, ReportBlock.CONTACT_OTHER),
    ],
)
def test_each_problem_is_reported_on_its_own_input_block(
    changes: dict[str, Any], block: ReportBlock
) -> None:
    errors = validate_submission(submission(**changes), REPORTER, UNREPORTABLE)

    assert list(errors) == [block]
    assert errors[block]


def test_reporting_yourself_gets_the_kind_wording_even_alongside_the_bot() -> None:
    errors = validate_submission(submission(user_ids=(BOT, REPORTER)), REPORTER, UNREPORTABLE)

    assert errors == {ReportBlock.WHO: SELF_REPORT_ERROR}


def test_reporting_the_bot_gets_the_kind_wording() -> None:
    errors = validate_submission(submission(user_ids=(BOT,)), REPORTER, UNREPORTABLE)

    assert errors == {ReportBlock.WHO: BOT_REPORT_ERROR}


def test_several_problems_are_reported_together() -> None:
    bad = submission(user_ids=(REPORTER,), description="", message_link="nope")

    assert set(validate_submission(bad, REPORTER, UNREPORTABLE)) == {
        ReportBlock.WHO,
        ReportBlock.WHAT,
        ReportBlock.WHERE,
    }


@pytest.mark.parametrize(
    ("contact", "other", "stored"),
    [
        (ContactChoice.DM, None, "By direct message in Slack"),
        (ContactChoice.NONE, "ignored", "Asked not to be contacted"),
        (ContactChoice.OTHER, "email me", "Other: email me"),
        (None, None, None),
    ],
)
def test_contact_preference_is_stored_in_words_for_the_moderators(
    contact: ContactChoice | None, other: str | None, stored: str | None
) -> None:
    assert contact_preference(submission(contact=contact, contact_other=other)) == stored


# ---------------------------------------------------------------------------- the form


def test_form_is_a_valid_modal_within_slack_limits() -> None:
    prefill = ReportPrefill(
        source=ReportSource.SHORTCUT,
        user_ids=tuple(f"U{i:04d}" for i in range(15)),
        description="d" * 5000,
        message_link="https://atih.slack.com/archives/C0GENERAL/p1700000000000100",
        channel_id="C0GENERAL",
        message_ts="1700000000.000100",
        message_excerpt="e" * 300,
    )

    view = report_form_view(prefill).to_dict()  # slack_sdk validates lengths on to_dict

    assert view["type"] == "modal"
    assert view["callback_id"] == CallbackId.REPORT_FORM
    assert len(view["title"]["text"]) <= 24
    assert len(view["submit"]["text"]) <= 24
    assert len(view["blocks"]) <= 100
    assert len(view["private_metadata"]) <= PRIVATE_METADATA_MAX
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == list(ReportBlock)
    assert all(b["element"]["action_id"] == b["block_id"] for b in inputs)
    assert all(b["element"].get("max_length", 0) <= 3000 for b in inputs)
    assert blocks_of(view, ReportBlock.WHAT)["element"]["max_length"] == DESCRIPTION_MAX
    assert len(blocks_of(view, ReportBlock.WHAT)["element"]["initial_value"]) == DESCRIPTION_MAX
    assert len(blocks_of(view, ReportBlock.WHO)["element"]["initial_users"]) == 10
    optional = {b["block_id"] for b in inputs if b.get("optional")}
    assert optional == {
        ReportBlock.WHERE,
        ReportBlock.WHEN,
        ReportBlock.EXTRA,
        ReportBlock.CONTACT,
        ReportBlock.CONTACT_OTHER,
    }
    contact = blocks_of(view, ReportBlock.CONTACT)["element"]
    assert [o["value"] for o in contact["options"]] == ["dm", "none", "other"]
    assert all(len(o["value"]) <= 75 for o in contact["options"])
    assert contact["initial_option"]["value"] == "dm"


def test_form_quotes_the_reported_message_escaped() -> None:
    prefill = ReportPrefill(message_excerpt="<!channel> & <@U123>")

    shown = json.dumps(report_form_view(prefill).to_dict()["blocks"])

    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in shown
    assert "<!channel>" not in shown


def test_empty_prefill_leaves_inputs_without_initial_values() -> None:
    view = report_form_view(ReportPrefill()).to_dict()

    assert "initial_users" not in blocks_of(view, ReportBlock.WHO)["element"]
    assert "initial_value" not in blocks_of(view, ReportBlock.WHAT)["element"]
    assert "initial_value" not in blocks_of(view, ReportBlock.WHERE)["element"]
    assert json.loads(view["private_metadata"]) == {"s": "command"}


def test_metadata_keeps_source_channel_and_ts() -> None:
    prefill = ReportPrefill(ReportSource.SHORTCUT, channel_id="C1", message_ts="1.000001")

    assert decode_metadata(encode_metadata(prefill)) == FormMetadata(
        ReportSource.SHORTCUT, "C1", "1.000001"
    )


def test_sent_view_is_a_valid_modal() -> None:
    view = report_sent_view().to_dict()

    assert view["type"] == "modal"
    assert len(view["title"]["text"]) <= 24


# ---------------------------------------------------------------------------- the reopen button


def test_button_value_round_trips_the_prefill() -> None:
    prefill = ReportPrefill(
        source=ReportSource.SHORTCUT,
        user_ids=("U0BOB",),
        description="he insulted me",
        message_link="https://atih.slack.com/archives/C0GENERAL/p1700000000000100",
        channel_id="C0GENERAL",
        message_ts="1700000000.000100",
        message_excerpt="you fool",
    )

    decoded = decode_button_value(encode_button_value(prefill), ReportSource.DM_FALLBACK)

    assert decoded == ReportPrefill(
        source=ReportSource.DM_FALLBACK,
        user_ids=prefill.user_ids,
        description=prefill.description,
        message_link=prefill.message_link,
        channel_id=prefill.channel_id,
        message_ts=prefill.message_ts,
        message_excerpt=prefill.message_excerpt,
    )


@pytest.mark.parametrize("char", ["x", '"', "\\", "é", "\n", "\u202e"])
def test_button_value_fits_slack_limit_however_long_the_text(char: str) -> None:
    prefill = ReportPrefill(
        user_ids=tuple(f"U{i:010d}" for i in range(10)),
        description=char * 3000,
        message_link="https://atih.slack.com/archives/C0GENERAL/p1700000000000100",
        channel_id="C0GENERAL",
        message_ts="1700000000.000100",
        message_excerpt=char * 300,
    )

    value = encode_button_value(prefill)
    decoded = decode_button_value(value, ReportSource.DM_FALLBACK)

    assert len(value) <= BUTTON_VALUE_MAX
    assert decoded.user_ids == prefill.user_ids
    assert decoded.channel_id == "C0GENERAL"
    assert decoded.description and set(decoded.description) <= {char}


@pytest.mark.parametrize("raw", [None, "", "{", "[]", '{"u": "U0BOB", "d": 5}'])
def test_unreadable_button_value_opens_an_empty_form(raw: str | None) -> None:
    assert decode_button_value(raw, ReportSource.DM_FALLBACK) == ReportPrefill(
        source=ReportSource.DM_FALLBACK
    )


def test_reopen_note_has_one_button_and_relays_no_text() -> None:
    value = encode_button_value(ReportPrefill(description="<!channel> secret"))

    blocks = [b.to_dict() for b in reopen_blocks(value)]

    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == [ActionId.REPORT_REOPEN]
    assert buttons[0]["value"] == value
    visible = json.dumps([b for b in blocks if b["type"] != "actions"])
    assert "secret" not in visible


# ---------------------------------------------------------------------------- the receipt


@pytest.mark.parametrize(
    ("contact", "wording"),
    [
        (ContactChoice.DM, "direct message here"),
        (ContactChoice.NONE, "asked us not to contact you"),
        (ContactChoice.OTHER, "the way you described"),
        (None, "direct message here"),
    ],
)
def test_receipt_gives_the_case_number_and_what_happens_next(
    contact: ContactChoice | None, wording: str
) -> None:
    blocks = json.dumps([b.to_dict() for b in receipt_blocks(42, contact)])

    assert "Case #42" in receipt_text(42)
    assert "Case #42" in blocks
    assert "typically within" in blocks
    assert "never told who reported" in blocks
    assert wording in blocks
    assert "<@" not in blocks
    assert "<!" not in blocks
