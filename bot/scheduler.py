"""APScheduler set-up: jobs call services, nothing else.

Each process has its own scheduler with an in-memory job store (APScheduler 3 job stores
must never be shared between processes, DESIGN.md "Time and expiry"). A job that runs in
several replicas at once is safe: what it does is claimed row by row in the database.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler

from bot.enforcement import EnforcementBackend
from bot.services.expiry import active_temporary_bans, lift_due_bans, lift_if_due
from bot.services.names import SweepCounts, sweep_member_names
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.reports.monthly import MonthlyPost
    from bot.services.context import AppServices

log = logging.getLogger(__name__)

NAMES_SWEEP_JOB = "names.sweep"
BAN_SWEEP_JOB = "ban.sweep"
TRANSPARENCY_JOB = "transparency.monthly"
#: The first sweep waits a little after start-up (the app is busiest then), and replicas
#: started together spread out by up to this much.
FIRST_SWEEP_DELAY = timedelta(minutes=5)
SWEEP_JITTER_SECONDS = 300


def build_scheduler(
    settings: Settings, services: AppServices, backend: EnforcementBackend
) -> BackgroundScheduler:
    """The process's scheduler, with its jobs added but not started (`.start()` it after any
    fork: its thread would not survive one; `rebuild_ban_timers` then too)."""
    scheduler = BackgroundScheduler(timezone=UTC)
    community = settings.community
    lease = timedelta(seconds=community.enforcement.lift_lease_seconds)
    services.timers.attach(
        scheduler, lambda action_id: lift_if_due(services, backend, community, action_id)
    )
    scheduler.add_job(
        lift_due_bans,
        "interval",
        seconds=community.enforcement.sweep_seconds,
        args=(services, backend, community, lease),
        id=BAN_SWEEP_JOB,
        # The first sweep runs at once: bans that ended while the bot was down end now.
        next_run_time=services.clock.now(),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    onboarding = settings.community.onboarding
    if onboarding.enabled:
        scheduler.add_job(
            run_names_sweep,
            "interval",
            hours=onboarding.sweep_hours,
            args=(settings, services),
            id=NAMES_SWEEP_JOB,
            next_run_time=services.clock.now() + FIRST_SWEEP_DELAY,
            jitter=SWEEP_JITTER_SECONDS,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    transparency = community.transparency
    if transparency.enabled:
        # Days 1-7: a process that was down on the 1st still posts; the month's claim in the
        # database makes every later run (and every other replica) a no-op.
        scheduler.add_job(
            run_transparency_post,
            "cron",
            day="1-7",
            hour=transparency.post_hour_utc,
            args=(settings, services),
            id=TRANSPARENCY_JOB,
            jitter=60,
            max_instances=1,
            coalesce=True,
        )
    return scheduler


def run_transparency_post(settings: Settings, services: AppServices) -> MonthlyPost | None:
    from bot.reports.monthly import post_monthly_report

    channel = settings.community.transparency.monthly_channel
    if channel is None:
        return None
    return post_monthly_report(services, channel, settings.community.name)


def run_names_sweep(settings: Settings, services: AppServices) -> SweepCounts:
    return sweep_member_names(services, settings.community)


def rebuild_ban_timers(services: AppServices) -> int:
    """One timer per active temporary ban, from the database (at start-up)."""
    with services.session_factory() as session:
        bans = active_temporary_bans(session)
    for action_id, ends_at in bans:
        services.timers.schedule(action_id, ends_at)
    return len(bans)
