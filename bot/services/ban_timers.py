"""One timer per temporary ban in this process: a cache of the database, rebuilt at start-up.

Each process keeps its own APScheduler job store in memory (APScheduler 3's job stores must
not be shared between processes). A timer that fires in several replicas at once is
harmless: the lift is claimed in the database (bot/services/expiry.py), and the periodic
sweep catches bans this process never heard of.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)


def job_id(action_id: int) -> str:
    return f"ban.lift.{action_id}"


class BanTimers:
    """Created empty with the app's services; `conduct run` attaches the process's scheduler
    (bot/scheduler.py). Until then (the CLI, scripts) setting a timer does nothing: the
    sweep of whichever process runs one still lifts the ban."""

    def __init__(self) -> None:
        self._scheduler: BackgroundScheduler | None = None
        self._lift: Callable[[int], object] | None = None
        self._lock = threading.Lock()

    @property
    def scheduler(self) -> BackgroundScheduler | None:
        return self._scheduler

    def attach(self, scheduler: BackgroundScheduler, lift: Callable[[int], object]) -> None:
        """The scheduler timers go to, and what a timer calls with its ban's id."""
        with self._lock:
            self._scheduler = scheduler
            self._lift = lift

    def schedule(self, action_id: int, ends_at: datetime) -> None:
        """Add or move the ban's timer (a decision, or a changed end)."""
        if self._scheduler is None or self._lift is None:
            return
        with self._lock:
            self._scheduler.add_job(
                self._lift,
                "date",
                run_date=ends_at,
                args=(action_id,),
                id=job_id(action_id),
                replace_existing=True,
                # A timer that could not run on time (the process was busy or asleep) still
                # runs; the lift itself checks in the database that it is due and not done.
                misfire_grace_time=None,
                coalesce=True,
            )

    def cancel(self, action_id: int) -> None:
        if self._scheduler is None:
            return
        # Not found: it fired already, or the ban was decided on another replica.
        with self._lock, contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(job_id(action_id))

    def scheduled(self) -> dict[int, datetime]:
        """The timers of this process, by ban (for tests and the health endpoint)."""
        result: dict[int, datetime] = {}
        if self._scheduler is None:
            return result
        for job in self._scheduler.get_jobs():
            if job.id.startswith("ban.lift.") and job.next_run_time is not None:
                result[int(job.id.rsplit(".", 1)[1])] = job.next_run_time
        return result
