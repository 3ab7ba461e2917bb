"""The monthly transparency post: last month's summary and chart posted to the configured
channel through files_upload_v2 (the stand-in's files.getUploadURLExternal, raw upload and
files.completeUploadExternal), once however many schedulers run the job."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.enforcement import build_backend
from bot.reports.monthly import MonthlyPost
from bot.scheduler import TRANSPARENCY_JOB, build_scheduler
from bot.services.channels import ChannelDirectory
from bot.settings import (
    ChannelSettings,
    CommunitySettings,
    ModeratorSettings,
    TransparencySettings,
)
from tests.integration.harness import RunningBot
from tests.integration.test_transparency_report import work_a_month
from tests.slack_standin import Fault

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def community() -> CommunitySettings:
    return CommunitySettings(
        channels=ChannelSettings(moderators="moderators"),
        moderators=ModeratorSettings(usergroup="moderators"),
        transparency=TransparencySettings(monthly_channel="general-discussions"),
    )


def monthly_job_of_a_new_process(bot: RunningBot):  # type: ignore[no-untyped-def]
    """The job as another replica's scheduler holds it: its own services and Slack client."""
    services = dataclasses.replace(bot.services, directory=ChannelDirectory(bot.services.client))
    backend = build_backend(bot.settings, services.client, services.session_factory)
    job = build_scheduler(bot.settings, services, backend).get_job(TRANSPARENCY_JOB)
    assert job is not None
    return job


def test_monthly_job_runs_on_the_first_days_of_the_month_in_utc(running_bot: RunningBot) -> None:
    job = monthly_job_of_a_new_process(running_bot)
    assert isinstance(job.trigger, CronTrigger)
    fire = job.trigger.get_next_fire_time(None, datetime(2026, 11, 20, tzinfo=UTC))
    # up to a minute of jitter, so replicas do not all hit the database in the same second
    assert timedelta(0) <= fire - datetime(2026, 12, 1, 9, 0, tzinfo=UTC) <= timedelta(minutes=1)


def test_previous_months_summary_is_posted_with_its_chart(running_bot: RunningBot) -> None:
    work_a_month(running_bot)
    running_bot.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    job = monthly_job_of_a_new_process(running_bot)

    result = job.func(*job.args)

    assert result == MonthlyPost("2026-11", posted=True)
    [upload] = running_bot.standin.uploaded_files()
    assert upload.completed and upload.content is not None
    assert upload.content.startswith(PNG_MAGIC)
    assert upload.channels == [running_bot.standin.channel_id("general-discussions")]
    assert upload.alt_txt and "2026-11" in upload.alt_txt
    [post] = running_bot.standin.messages("general-discussions")
    assert post["files"][0]["id"] == upload.id
    assert "Moderation report, 2026-11-01 to 2026-11-30" in post["text"]
    assert "• opened: 6" in post["text"] and "• dismissed: <5" in post["text"]


def test_two_schedulers_running_the_job_at_once_post_once(running_bot: RunningBot) -> None:
    running_bot.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    jobs = [monthly_job_of_a_new_process(running_bot) for _ in range(2)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: job.func(*job.args), jobs))

    assert sorted(r.posted for r in results) == [False, True]
    assert [r.reason for r in results if not r.posted] == ["already claimed by another process"]
    assert len(running_bot.standin.uploaded_files()) == 1
    # a later run that month (a restart on the 2nd) finds the month posted
    running_bot.clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    later = jobs[0].func(*jobs[0].args)
    assert later == MonthlyPost("2026-11", False, "already posted this month")
    assert len(running_bot.standin.uploaded_files()) == 1


def test_a_failed_post_is_tried_again_the_next_day(running_bot: RunningBot) -> None:
    running_bot.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    job = monthly_job_of_a_new_process(running_bot)
    running_bot.standin.inject("files.getUploadURLExternal", Fault.api_error("not_allowed"))

    first = job.func(*job.args)
    again_today = job.func(*job.args)
    running_bot.clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    next_day = job.func(*job.args)

    assert first == MonthlyPost("2026-11", False, "not_allowed")
    assert again_today.reason == "already claimed by another process"
    assert next_day == MonthlyPost("2026-11", posted=True)
    assert len(running_bot.standin.uploaded_files()) == 1


def test_monthly_post_is_off_by_default(running_bot: RunningBot) -> None:
    settings = dataclasses.replace(running_bot.settings, community=CommunitySettings())
    backend = build_backend(
        settings, running_bot.services.client, running_bot.services.session_factory
    )
    scheduler = build_scheduler(settings, running_bot.services, backend)
    assert scheduler.get_job(TRANSPARENCY_JOB) is None
