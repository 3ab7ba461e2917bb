"""`GET /metrics` on the running bot: the counters move with real flows (a message event, a
nudge, a report, a decision, a duplicate delivery, a 429 from Slack), and no label carries a
user id, a channel id or name, or message text."""

from __future__ import annotations

import re
import urllib.request
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from bot.enforcement import NotifyBackend
from bot.ids import CaseAction, Command
from bot.services.expiry import lift_due_bans
from moderation.ids import ActionLevel
from tests.integration.case_steps import click, decide, decision_values, open_case
from tests.integration.harness import RunningBot
from tests.integration.test_reports import form_values, open_form, submit
from tests.slack_standin import Fault
from tests.slack_standin.payloads import message_event

LEASE = timedelta(seconds=120)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]

PLUG = (
    "Excited to launch my new course on responsible AI! Sign up at https://learn.example.com "
    "and use code ATIH20 for 20% off, enrolment closes Friday."
)


def scrape(bot: RunningBot) -> tuple[str, Samples]:
    base = bot.url.removesuffix("/slack/events")
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as answer:  # noqa: S310
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/plain")
        text = answer.read().decode()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    return text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def send(bot: RunningBot, channel: str, user: str, text: str, event_id: str | None = None) -> None:
    event = message_event(bot.standin.channel_id(channel), bot.standin.user_id(user), text)
    assert bot.delivery.event(event, event_id=event_id).status == 200
    bot.drain()


def test_counters_move_through_a_message_a_nudge_a_report_and_a_decision(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    _, before = scrape(bot)
    assert value(before, "conduct_events_total", type="message", outcome="handled") == 0
    assert value(before, "conduct_open_cases", status="open") == 0

    case = open_case(bot)  # a member posts someone's phone number: nudged and flagged
    send(bot, "random", "alice", "Lunch at noon?", event_id="Ev0SAME")
    send(bot, "random", "alice", "Lunch at noon?", event_id="Ev0SAME")  # Slack's retry
    bot.delivery.event(
        message_event(bot.standin.channel_id("random"), "U0ALICE", "x", subtype="channel_join")
    )
    bot.drain()
    open_form(bot, "<@U0BOB|bob> he insulted me")
    assert submit(bot, form_values(who=("U0BOB",))).status == 200
    _, middle = scrape(bot)
    click(bot, case, CaseAction.TAKE_ACTION, "ada")  # views.open with Bolt's own client
    assert decide(bot, case, "ada", decision_values(ActionLevel.CORRECTION)).status == 200

    text, after = scrape(bot)
    assert value(after, "conduct_events_total", type="message", outcome="handled") == 2
    assert value(after, "conduct_events_total", type="message", outcome="duplicate") == 1
    assert value(after, "conduct_events_total", type="message", outcome="ignored") == 1
    assert value(after, "conduct_duplicate_deliveries_total") == 1
    assert value(after, "conduct_moderation_check_seconds_count") == 2
    assert value(after, "conduct_moderation_check_seconds_sum") > 0
    assert value(after, "conduct_findings_total", policy="private_info", response="nudge_flag") == 1
    assert value(after, "conduct_nudges_total", policy="private_info", outcome="sent") == 1
    assert value(after, "conduct_reports_filed_total", source="command") == 1
    assert value(after, "conduct_decisions_total", level="correction") == 1
    # the detection's case and the report's case were open; the decision closed the first
    assert value(middle, "conduct_open_cases", status="open") == 2
    assert value(after, "conduct_open_cases", status="open") == 1
    for method in ("chat.postEphemeral", "users.info", "chat.postMessage", "views.open"):
        assert value(after, "conduct_slack_api_calls_total", method=method, result="ok") >= 1
        assert value(after, "conduct_slack_api_call_seconds_count", method=method) >= 1
    assert not any(name == "conduct_enforcement_step_failures_total" for name, _ in after)

    # no ids, names or words from what members wrote: not in a label, nowhere in the page
    assert not re.search(r"\b[UCDGWT]0[A-Z0-9]+\b", text), re.findall(r"\b[UCDGWT]0\w+", text)
    # Label values only (numbers can contain any digits: "415" turns up in a timing).
    labels = " ".join(re.findall(r"\{([^}]*)\}", text))
    for word in ("random", "moderators", "Maria", "415", "insulted", "Lunch", "alice", "dmitri"):
        assert word not in labels
    for word in ("random", "Maria", "insulted", "Lunch", "alice", "dmitri", "Dmitri"):
        assert word not in text


def test_a_rate_limited_call_is_counted_then_its_retry(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.standin.inject("chat.postEphemeral", Fault.rate_limited(retry_after=0))

    send(bot, "general-discussions", "alice", PLUG)

    _, got = scrape(bot)
    method = "chat.postEphemeral"
    assert value(got, "conduct_slack_api_failed_attempts_total", method=method, reason="http_429")
    assert value(got, "conduct_slack_api_calls_total", method=method, result="ok") == 1
    assert value(got, "conduct_nudges_total", policy="self_promotion", outcome="sent") == 1


def test_a_call_still_rate_limited_after_the_retries_fails_and_says_so(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    bot.standin.inject("chat.postEphemeral", Fault.rate_limited(retry_after=0), times=10)

    send(bot, "general-discussions", "alice", PLUG)

    _, got = scrape(bot)
    method = "chat.postEphemeral"
    assert value(got, "conduct_slack_api_calls_total", method=method, result="http_429") == 1
    assert value(got, "conduct_slack_api_calls_total", method=method, result="ok") == 0
    # the first attempt and the three retries of the client's policy
    assert (
        value(got, "conduct_slack_api_failed_attempts_total", method=method, reason="http_429") == 4
    )
    assert value(got, "conduct_nudges_total", policy="self_promotion", outcome="failed") == 1


def test_slack_error_codes_are_results(running_bot: RunningBot) -> None:
    bot = running_bot
    bot.standin.inject("chat.postEphemeral", Fault.api_error("channel_not_found"))

    send(bot, "general-discussions", "alice", PLUG)

    _, got = scrape(bot)
    assert value(
        got,
        "conduct_slack_api_calls_total",
        method="chat.postEphemeral",
        result="channel_not_found",
    )


def test_a_command_is_not_an_event(running_bot: RunningBot) -> None:
    assert running_bot.delivery.command(Command.REPORT, "", user_id="alice").status == 200
    running_bot.drain()

    _, got = scrape(running_bot)
    assert not any(name == "conduct_events_total" for name, _ in got)
    assert value(got, "conduct_slack_api_calls_total", method="views.open", result="ok") == 1


def test_a_bans_lift_delay_and_a_failed_enforcement_step_are_measured(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    case = open_case(bot)
    # the member's notice, then the notify backend's checklist in the card's thread: both
    # refused by Slack
    bot.standin.inject("chat.postMessage", Fault.api_error("channel_not_found"), times=2)
    values = decision_values(ActionLevel.TEMPORARY_BAN, days=7, justification="threats")
    assert decide(bot, case, "ada", values).status == 200
    bot.clock.advance(timedelta(days=7, seconds=90))

    services = bot.services
    lift_due_bans(services, NotifyBackend(services.client), bot.settings.community, LEASE)

    _, got = scrape(bot)
    assert value(got, "conduct_decisions_total", level="temporary_ban") == 1
    assert value(got, "conduct_ban_lift_delay_seconds_count") == 1
    assert value(got, "conduct_ban_lift_delay_seconds_sum") == 90
    assert value(got, "conduct_ban_lift_delay_seconds_bucket", le="60.0") == 0
    assert value(got, "conduct_ban_lift_delay_seconds_bucket", le="120.0") == 1
    failed = {"backend": "notify", "step": "checklist_posted"}
    assert value(got, "conduct_enforcement_step_failures_total", **failed) == 1
