"""How late do temporary bans end when several replicas race to lift them?

    .venv/bin/python bench/expiry_bench.py [--bans 50] [--processes 3] [--runs 3]

Seeds BANS temporary bans (each had removed its member from two channels) ending a few
seconds from now in a fresh PostgreSQL schema, starts PROCESSES replica sweeps as separate
processes (tests/integration/expiry_worker.py: the sweep `conduct run` schedules, with the
`channels` backend, against the local Slack stand-in), and prints, per run, how long after
its end each ban stopped being in force (the claim) and was fully restored on Slack (the
finish), plus how often each ban was lifted (must be once).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from migrations.runner import upgrade  # noqa: E402
from models import (  # noqa: E402
    AuditEvent,
    EnforcementAction,
    RemovedMembership,
    make_engine,
    make_session_factory,
)
from tests.integration.ban_seeding import add_banned_member, add_moderator  # noqa: E402
from tests.slack_standin import SlackStandIn  # noqa: E402

PG = "postgresql+psycopg://127.0.0.1:5432/test"


def seed(standin: SlackStandIn, url: str, count: int, ends_at: datetime) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    start = ends_at - timedelta(days=7)
    with factory.begin() as session:
        moderator = add_moderator(session)
        for i in range(count):
            user_id = f"U0BENCH{i:04d}"
            standin.add_user(f"bench{i}", f"Bench Member {i}", id=user_id)
            add_banned_member(
                session,
                standin,
                user_id=user_id,
                real_name="x",
                moderator=moderator,
                decided_at=start,
                ends_at=ends_at,
                channels=("random", "general-discussions"),
            )
    engine.dispose()


def run_once(bans: int, processes: int) -> dict[str, float]:
    schema = f"bench_expiry_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG}?options=-csearch_path%3D{schema}"
    standin = SlackStandIn().start()
    try:
        upgrade(url)
        seed(standin, url, bans, datetime.now(UTC) + timedelta(hours=1))
        workers = [
            subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
                [
                    sys.executable,
                    "-m",
                    "tests.integration.expiry_worker",
                    url,
                    standin.api_url,
                    standin.bot_token,
                    "20",
                    "60",
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env={**os.environ, "HF_HUB_OFFLINE": "1"},
            )
            for _ in range(processes)
        ]
        for worker in workers:  # each replica is up and sweeping
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        # Then every ban is made to end two seconds from now, all at once.
        ends_at = datetime.now(UTC) + timedelta(seconds=2)
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(EnforcementAction.__table__.update().values(expires_at=ends_at))
        engine.dispose()
        for worker in workers:
            worker.communicate(timeout=120)
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            actions = session.scalars(select(EnforcementAction)).all()
            lifts = Counter(
                e.details["action_id"]
                for e in session.scalars(
                    select(AuditEvent).where(AuditEvent.action == "action.expired")
                )
            )
            unrestored = session.scalar(
                select(RemovedMembership.id).where(RemovedMembership.restored_at.is_(None))
            )
        engine.dispose()
        claim = [
            (a.lifted_at - a.expires_at).total_seconds()
            for a in actions
            if a.lifted_at and a.expires_at
        ]
        finish = [
            (a.lift_finished_at - a.expires_at).total_seconds()
            for a in actions
            if a.lift_finished_at and a.expires_at
        ]
        return {
            "lifted": len(lifts),
            "lifted_twice": sum(1 for n in lifts.values() if n > 1),
            "unrestored": 0 if unrestored is None else 1,
            "claim_p50": statistics.median(claim),
            "claim_max": max(claim),
            "finish_p50": statistics.median(finish),
            "finish_max": max(finish),
        }
    finally:
        standin.stop()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bans", type=int, default=50)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.bans} bans ending together, {args.processes} replica processes, PostgreSQL")
    print(
        f"{'run':>3}  {'lifted':>6}  {'twice':>5}  {'claim p50':>9}  {'claim max':>9}  "
        f"{'restored p50':>12}  {'restored max':>12}"
    )
    for run in range(1, args.runs + 1):
        r = run_once(args.bans, args.processes)
        print(
            f"{run:>3}  {r['lifted']:>6.0f}  {r['lifted_twice']:>5.0f}  {r['claim_p50']:>8.3f}s  "
            f"{r['claim_max']:>8.3f}s  {r['finish_p50']:>11.3f}s  {r['finish_max']:>11.3f}s"
            + ("  UNRESTORED MEMBERSHIPS" if r["unrestored"] else "")
        )
        time.sleep(1)
    print(json.dumps({"note": "claim = ban no longer in force; restored = Slack work done"}))


if __name__ == "__main__":
    main()
