"""Load benchmark of the HTTP event path: the real server under rising rates of `message` events.

    python bench/event_load.py [--rates 10,20,35,50,70,100] [--seconds 10]
                               [--server gunicorn[,uvicorn]] [--workers 1[,2]] [--threads 8]
                               [--apps conduct,bare] [--database postgresql|sqlite]

For each server configuration (app x server x workers) it starts, on loopback:
- the Slack stand-in in this process (tests/slack_standin), seeded with extra members;
- the server as a subprocess: the real bot is `conduct run --port P --workers W --threads T`
  (gunicorn gthread, bot/transport.py); `--server uvicorn` runs the bot behind Bolt's ASGI
  adapter under uvicorn instead (bench/load_servers.py, bench-only); the bare Bolt app
  (acknowledge, do nothing) is served the same ways by bench/load_servers.py;
- a fresh database: a new PostgreSQL schema (search_path) on --pg-url, dropped afterwards, or
  a SQLite file in a temp dir.

It then sends signed Events API `message` envelopes (unique event_id and ts) to /slack/events,
open-loop (on a Poisson schedule at the target rate, whatever the responses; latency counts
from the scheduled time, so a stalled server is not hidden by a stalled client), each rate for
--seconds. The mix: ~85% ordinary chat from a pool of regular members, ~10% plugs and ~5%
funds requests in #general-discussions, each from a member's first message (the nudge rate
limit is one per member per policy a day, so a repeat poster would get no nudge to time).
Texts are the project's own examples (moderation/data/examples), kept only when the engine,
run here first, agrees with their label (the heads are retrained often).

Printed per rate: acknowledgement latency p50/p99/max (Slack gives up at 3 s), time from
sending a plug/funds event to its chat.postEphemeral arriving at the stand-in p50/p99,
errors, and whether the rate was sustained (p99 ack < 300 ms, no errors, rate achieved);
per configuration: the highest sustained rate and peak RSS (VmHWM) of the server processes.
Results are for quoting in notes, never asserted in tests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))

from slack_sdk.signature import SignatureVerifier  # noqa: E402

from tests.slack_standin import SlackStandIn, payloads  # noqa: E402

SIGNING_SECRET = "bench-signing-secret"  # noqa: S105 (the stand-in's, not a secret)
SLACK_PATH = "/slack/events"
ACK_TARGET_MS = 300.0
SLACK_TIMEOUT_MS = 3000.0
NUDGE_KEEP_UP_MS = 1000.0
CHANNEL = "general-discussions"
SENDER_THREADS = 128
REQUEST_TIMEOUT_S = 10.0
MIX = (("chat", 0.85), ("plug", 0.10), ("funds", 0.05))
NUDGING_KINDS = ("plug", "funds")
FIRST_NAMES = [
    "Priya",
    "Amara",
    "Jonas",
    "Mei",
    "Tomasz",
    "Ines",
    "Kwame",
    "Sofia",
    "Mateo",
    "Yuki",
    "Lena",
    "Omar",
    "Hannah",
    "Ravi",
    "Chloe",
    "Diego",
    "Freya",
    "Kofi",
    "Nadia",
    "Lucas",
    "Aisha",
    "Henrik",
    "Rosa",
    "Tariq",
    "Elena",
    "Sanjay",
    "Maya",
    "Pavel",
    "Nora",
    "Ade",
]
LAST_NAMES = [
    "Raman",
    "Okafor",
    "Lindqvist",
    "Chen",
    "Kowalski",
    "Duarte",
    "Mensah",
    "Rossi",
    "Herrera",
    "Tanaka",
    "Fischer",
    "Haddad",
    "Becker",
    "Iyer",
    "Martin",
    "Alvarez",
    "Nilsson",
    "Boateng",
    "Petrova",
    "Silva",
    "Khan",
    "Johansen",
    "Moreno",
    "Aziz",
    "Popescu",
    "Gupta",
    "Novak",
    "Dvorak",
    "Walsh",
    "Adeyemi",
]


# --------------------------------------------------------------------------- texts


@dataclass(frozen=True)
class Texts:
    chat: list[str]
    plug: list[str]
    funds: list[str]

    def pool(self, kind: str) -> list[str]:
        return {"chat": self.chat, "plug": self.plug, "funds": self.funds}[kind]


def select_texts(config_path: Path, per_kind: int, seed: int) -> Texts:
    """Our own examples, kept only where this engine agrees (no finding / a nudge)."""
    from bot.settings import load_community_file
    from moderation import corpus
    from moderation.engine import Engine
    from moderation.ids import PolicyId, Response
    from moderation.message import Message

    rng = random.Random(seed)
    engine = Engine.load(load_community_file(config_path).engine_config())

    def keep(candidates: list[str], policy: PolicyId | None, limit: int) -> list[str]:
        rng.shuffle(candidates)
        kept: list[str] = []
        for text in candidates[: limit * 2]:
            verdict = engine.check(Message(text=text, channel=CHANNEL))
            if policy is None:
                ok = not verdict.findings
            else:
                finding = verdict.finding(policy)
                ok = finding is not None and finding.response in (
                    Response.NUDGE,
                    Response.NUDGE_FLAG,
                )
            if ok:
                kept.append(text)
            if len(kept) >= limit:
                break
        return kept

    chat = [e.text for e in corpus.own_ordinary_chat() if e.kind != "plug_in_channel"]
    plugs = [e.text for e in corpus.own_examples(PolicyId.SELF_PROMOTION) if e.content == 1]
    funds = [e.text for e in corpus.own_examples(PolicyId.FUNDS_REQUEST) if e.label == 1]
    texts = Texts(
        chat=keep(chat, None, per_kind),
        plug=keep(plugs, PolicyId.SELF_PROMOTION, per_kind // 2),
        funds=keep(funds, PolicyId.FUNDS_REQUEST, per_kind // 2),
    )
    if not (texts.chat and texts.plug and texts.funds):
        raise SystemExit("event_load: the engine agreed with too few examples to build a mix")
    return texts


# --------------------------------------------------------------------------- the stand-in


class Members:
    """Regulars (ordinary chat) and first-time posters (one plug or funds request each)."""

    def __init__(self, standin: SlackStandIn, regulars: int, newcomers: int, seed: int) -> None:
        rng = random.Random(seed)
        self.regulars = [self._add(standin, rng, f"reg{i}") for i in range(regulars)]
        self._new = [self._add(standin, rng, f"new{i}") for i in range(newcomers)]
        self._lock = threading.Lock()

    @staticmethod
    def _add(standin: SlackStandIn, rng: random.Random, handle: str) -> str:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        user_id = standin.add_user(handle, name, display_name=name.split()[0].lower())
        standin.add_member(CHANNEL, user_id)
        return user_id

    def newcomer(self) -> str:
        with self._lock:
            if not self._new:
                raise RuntimeError("out of first-time posters: raise --newcomers")
            return self._new.pop()


# --------------------------------------------------------------------------- the database


@dataclass
class Database:
    url: str
    kind: str
    schema: str | None = None
    pg_url: str | None = None

    def drop(self) -> None:
        if self.schema is None or self.pg_url is None:
            return
        from sqlalchemy import text

        from models import make_engine

        engine = make_engine(self.pg_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        finally:
            engine.dispose()


def fresh_database(kind: str, pg_url: str, tmp: Path) -> Database:
    if kind == "sqlite":
        return Database(url=f"sqlite:///{tmp / 'conduct.db'}", kind="SQLite file")
    from sqlalchemy import text

    from models import make_engine, normalize_database_url

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = make_engine(pg_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()
    base = normalize_database_url(pg_url)
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    return Database(
        url=url.render_as_string(hide_password=False),
        kind=f"PostgreSQL schema {schema}",
        schema=schema,
        pg_url=pg_url,
    )


# --------------------------------------------------------------------------- the server


@dataclass(frozen=True)
class Target:
    app: str  # "conduct" | "bare"
    server: str  # "gunicorn" | "uvicorn"
    workers: int
    threads: int

    @property
    def label(self) -> str:
        if self.server == "gunicorn":
            how = f"gunicorn gthread, {self.workers} worker(s) x {self.threads} threads"
        else:
            how = f"uvicorn + Bolt ASGI adapter, {self.workers} worker(s)"
        return f"{self.app} | {how}"

    def command(self, port: int) -> list[str]:
        if self.app == "conduct" and self.server == "gunicorn":
            conduct = Path(sys.executable).with_name("conduct")
            return [
                str(conduct),
                "run",
                "--port",
                str(port),
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
            ]
        return [
            sys.executable,
            str(BENCH_DIR / "load_servers.py"),
            self.app,
            "--server",
            self.server,
            "--port",
            str(port),
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (gunicorn/uvicorn workers, their helpers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def vm_hwm_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class Server:
    def __init__(self, target: Target, env: dict[str, str], log_path: Path) -> None:
        self.target = target
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(  # noqa: S603 (our own interpreter and scripts)
            target.command(self.port),
            env=env,
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.peak_kb: dict[int, int] = {}

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's processes so far (live ones)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in descendants(self.proc.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def sample_rss(self) -> None:
        """VmHWM is each process's own peak; sampled before the processes exit."""
        for pid in descendants(self.proc.pid):
            hwm = vm_hwm_kb(pid)
            if hwm is not None:
                self.peak_kb[pid] = max(hwm, self.peak_kb.get(pid, 0))

    def get(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=2) as resp:  # noqa: S310
                return int(resp.status)
        except urllib.error.HTTPError as err:
            return err.code
        except OSError:
            return 0

    def wait_ready(self, timeout: float = 120.0) -> str:
        """GET /readyz when the server has it (200), else GET /healthz."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}); see {self.log_path}")
            ready = self.get("/readyz")
            if ready == 200:
                return "/readyz"
            if ready == 404 and self.get("/healthz") == 200:
                return "/healthz"
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


# --------------------------------------------------------------------------- the load


@dataclass
class Sent:
    kind: str
    user: str
    scheduled: float
    sent: float = 0.0
    done: float = 0.0
    status: int = 0
    error: str = ""


@dataclass
class Level:
    rate: float
    events: list[Sent]
    nudge_ms: list[float] = field(default_factory=list)
    nudges_expected: int = 0
    cpu_s: float = 0.0
    """Server CPU time spent from the level's start until its nudges arrived."""
    slack_calls: dict[str, int] = field(default_factory=dict)
    """Web API calls the server made to the stand-in during the level, by method."""

    @property
    def ack_ms(self) -> list[float]:
        return [(e.done - e.scheduled) * 1000 for e in self.events if e.status == 200]

    @property
    def errors(self) -> int:
        return sum(1 for e in self.events if e.status != 200)

    @property
    def achieved_rate(self) -> float:
        sent = sorted(e.sent for e in self.events)
        return (len(sent) - 1) / (sent[-1] - sent[0]) if len(sent) > 1 else 0.0

    def error_kinds(self) -> str:
        kinds: dict[str, int] = {}
        for e in self.events:
            if e.status != 200:
                key = e.error or f"HTTP {e.status}"
                kinds[key] = kinds.get(key, 0) + 1
        return ", ".join(f"{n} x {k}" for k, n in sorted(kinds.items()))

    def keeps_up(self) -> bool:
        """The work behind the acks keeps pace: every nudge arrived, p99 under a second
        (a growing backlog shows as nudges arriving seconds late, or not in the window)."""
        if self.nudges_expected == 0:
            return True
        return (
            len(self.nudge_ms) == self.nudges_expected
            and percentile(self.nudge_ms, 99) < NUDGE_KEEP_UP_MS
        )

    def sustained(self) -> bool:
        acks = self.ack_ms
        return (
            bool(acks)
            and self.errors == 0
            and percentile(acks, 99) < ACK_TARGET_MS
            and self.achieved_rate >= 0.9 * self.rate
        )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class Sender:
    """Worker threads that POST signed events on schedule over keep-alive connections.

    Connections are shared LIFO, so the ones in use stay warm; a connection the server closed
    while idle (keep-alive timeout) is reopened and the request sent again (it never arrived).
    """

    def __init__(self, base_url: str, threads: int = SENDER_THREADS) -> None:
        host_port = base_url.removeprefix("http://")
        self._host, port = host_port.split(":")
        self._port = int(port)
        self._signer = SignatureVerifier(SIGNING_SECRET)
        self._conns: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._work: queue.Queue[tuple[Sent, dict[str, object]] | None] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._run, daemon=True, name=f"sender-{i}")
            for i in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, item: Sent, event: dict[str, object]) -> None:
        self._work.put((item, event))

    def join(self) -> None:
        self._work.join()

    def close(self) -> None:
        for _ in self._threads:
            self._work.put(None)
        for thread in self._threads:
            thread.join(timeout=REQUEST_TIMEOUT_S + 1)
        for conn in self._conns:
            conn.close()

    def _conn(self, fresh: bool = False) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            if self._conns and not fresh:
                return self._conns.pop(), True
        return http.client.HTTPConnection(self._host, self._port, timeout=REQUEST_TIMEOUT_S), False

    def _run(self) -> None:
        while True:
            work = self._work.get()
            if work is None:
                self._work.task_done()
                return
            item, event = work
            try:
                self._send(item, event)
            finally:
                self._work.task_done()

    def _send(self, item: Sent, event: dict[str, object]) -> None:
        delay = item.scheduled - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        envelope = payloads.event_envelope(event, event_id="Ev" + uuid.uuid4().hex[:14].upper())
        body = json.dumps(envelope).encode()
        ts = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self._signer.generate_signature(timestamp=ts, body=body) or "",
        }
        item.sent = time.monotonic()
        for attempt in range(2):
            conn, reused = self._conn(fresh=attempt > 0)
            try:
                conn.request("POST", SLACK_PATH, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                item.done = time.monotonic()
                item.status = resp.status
                if resp.will_close:
                    conn.close()
                else:
                    with self._lock:
                        self._conns.append(conn)
                return
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                conn.close()
                if reused and attempt == 0:
                    continue  # an idle keep-alive connection the server had closed
                item.error = type(exc).__name__
            except OSError as exc:  # timeouts, refused
                conn.close()
                item.error = type(exc).__name__
            item.done = time.monotonic()
            return


class Load:
    def __init__(self, standin: SlackStandIn, members: Members, texts: Texts, seed: int) -> None:
        self.standin = standin
        self.members = members
        self.texts = texts
        self.rng = random.Random(seed)
        self._ts_base = int(time.time())
        self._ts_counter = 0
        self._channel_id = standin.channel_id(CHANNEL)

    def event(self, kind: str, user: str | None = None) -> tuple[str, dict[str, object]]:
        if user is None:
            user = (
                self.rng.choice(self.members.regulars)
                if kind == "chat"
                else self.members.newcomer()
            )
        self._ts_counter += 1
        ts = f"{self._ts_base}.{self._ts_counter:06d}"
        text = self.rng.choice(self.texts.pool(kind))
        return user, payloads.message_event(self._channel_id, user, text, ts=ts)

    def kind(self) -> str:
        roll, total = self.rng.random(), 0.0
        for kind, share in MIX:
            total += share
            if roll < total:
                return kind
        return MIX[0][0]

    def run_level(self, sender: Sender, rate: float, seconds: float, expect_nudges: bool) -> Level:
        start = time.monotonic() + 0.3
        at, items = start, []
        while at < start + seconds:
            kind = self.kind()
            user, event = self.event(kind)
            item = Sent(kind=kind, user=user, scheduled=at)
            items.append((item, event))
            at += self.rng.expovariate(rate)
        calls_before = len(self.standin.calls("chat.postEphemeral"))
        for item, event in items:  # handed over a little ahead; each thread waits its time
            lead = item.scheduled - time.monotonic() - 0.05
            if lead > 0:
                time.sleep(lead)
            sender.submit(item, event)
        sender.join()
        level = Level(rate=rate, events=[item for item, _ in items])
        if expect_nudges:
            self._collect_nudges(level, calls_before, timeout=max(10.0, seconds))
        return level

    def _collect_nudges(self, level: Level, calls_before: int, timeout: float) -> None:
        sent_at = {
            e.user: e.sent for e in level.events if e.kind in NUDGING_KINDS and e.status == 200
        }
        level.nudges_expected = len(sent_at)
        deadline = time.monotonic() + timeout
        arrived: dict[str, float] = {}
        while time.monotonic() < deadline:
            for call in self.standin.calls("chat.postEphemeral")[calls_before:]:
                user = str(call.args.get("user", ""))
                if user in sent_at and call.ok:
                    arrived.setdefault(user, call.at)
            if len(arrived) >= len(sent_at):
                break
            time.sleep(0.1)
        level.nudge_ms = [(arrived[u] - sent_at[u]) * 1000 for u in arrived]


# --------------------------------------------------------------------------- one configuration


@dataclass
class Outcome:
    target: Target
    levels: list[Level]
    peak_kb: dict[int, int]
    server_pid: int
    ready_via: str
    stopped_early: str = ""

    def best_rate(self, keeping_up: bool = False) -> float | None:
        good = [
            lv.rate for lv in self.levels if lv.sustained() and (lv.keeps_up() or not keeping_up)
        ]
        return max(good) if good else None


def prime_regulars(load: Load, sender: Sender, standin: SlackStandIn, rate: float = 40.0) -> float:
    """One chat message from every regular, unmeasured, so that (as in a community in its
    steady state) the bot knows them: their record is fresh, their names checked. Returns
    how long the bot took to catch up (users.info answered for all of them)."""
    started = time.monotonic()
    regulars = set(load.members.regulars)
    calls_before = len(standin.calls())  # the stand-in outlives each server
    at = started + 0.2
    for user in load.members.regulars:
        _, event = load.event("chat", user=user)
        sender.submit(Sent(kind="chat", user=user, scheduled=at), event)
        at += 1.0 / rate
    sender.join()
    deadline = time.monotonic() + 120.0
    while time.monotonic() < deadline:
        seen = {
            str(c.args.get("user"))
            for c in standin.calls()[calls_before:]
            if c.method == "users.info"
        }
        if regulars <= seen:
            break
        time.sleep(0.2)
    time.sleep(2.0)  # the last ones' name checks
    return time.monotonic() - started


def warm_up(load: Load, sender: Sender, target: Target, standin: SlackStandIn) -> None:
    """Make every worker load its classifier (lazily, on the first checked message, unless
    /readyz already waited for it)."""
    for _ in range(5):
        items = []
        for _ in range(6 * target.workers):
            kind = "plug" if target.app == "conduct" else "chat"
            user, event = load.event(kind)
            items.append((Sent(kind=kind, user=user, scheduled=time.monotonic()), event))
        calls_before = len(standin.calls("chat.postEphemeral"))
        for item, event in items:
            sender.submit(item, event)
        sender.join()
        lv = Level(rate=0, events=[i for i, _ in items])
        if target.app != "conduct":
            return
        load._collect_nudges(lv, calls_before, timeout=90.0)
        if lv.nudge_ms and len(lv.nudge_ms) == lv.nudges_expected and max(lv.nudge_ms) < 1500:
            return


def run_target(
    target: Target,
    args: argparse.Namespace,
    standin: SlackStandIn,
    members: Members,
    texts: Texts,
    config_path: Path,
    tmp: Path,
) -> Outcome:
    db = fresh_database(args.database, args.pg_url, tmp) if target.app == "conduct" else None
    env = {k: v for k, v in os.environ.items() if k != "SLACK_APP_TOKEN"}
    env.update(
        SLACK_BOT_TOKEN=standin.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=standin.api_url,
        CONDUCT_CONFIG=str(config_path),
        DATABASE_URL=db.url if db else f"sqlite:///{tmp / 'unused.db'}",
        HOST="127.0.0.1",
        PYTHONPATH=str(REPO),
    )
    label = target.label.replace(" ", "_").replace("|", "").replace(",", "")
    server = Server(target, env, tmp / f"server-{label}.log")
    sender: Sender | None = None
    try:
        ready_via = server.wait_ready()
        sender = Sender(server.base_url)
        load = Load(standin, members, texts, seed=args.seed)
        warm_up(load, sender, target, standin)
        if target.app == "conduct":
            took = prime_regulars(load, sender, standin)
            print(f"(primed: {len(members.regulars)} regulars known to the bot in {took:.0f} s)")
        levels: list[Level] = []
        stopped = ""
        for rate in args.rates:
            cpu_before = server.cpu_seconds()
            calls_before = len(standin.calls())
            level = load.run_level(sender, rate, args.seconds, target.app == "conduct")
            level.cpu_s = server.cpu_seconds() - cpu_before
            for call in standin.calls()[calls_before:]:
                level.slack_calls[call.method] = level.slack_calls.get(call.method, 0) + 1
            levels.append(level)
            server.sample_rss()
            print_level(
                level, first=len(levels) == 1, conduct=target.app == "conduct", verbose=args.calls
            )
            acks = level.ack_ms
            if level.errors > 0.05 * len(level.events) or (acks and percentile(acks, 99) > 1000):
                stopped = f"stopped after {rate:g}/s: saturated (p99 ack > 1 s or > 5% errors)"
                break
            time.sleep(1.0)
        server.sample_rss()
        return Outcome(target, levels, dict(server.peak_kb), server.proc.pid, ready_via, stopped)
    except Exception:
        print(server.tail(), file=sys.stderr)
        raise
    finally:
        if sender is not None:
            sender.close()
        server.stop()
        if db is not None:
            db.drop()


# --------------------------------------------------------------------------- printing


def fmt(value: float) -> str:
    return "-" if value != value else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def print_level(level: Level, *, first: bool, conduct: bool, verbose: bool) -> None:
    if first:
        print(
            f"{'rate/s':>7} {'sent':>5} {'got/s':>6} {'ack p50':>8} {'ack p99':>8} "
            f"{'ack max':>8} {'>3s':>4} {'err':>4} {'nudges':>9} {'ndg p50':>8} {'ndg p99':>8}"
            f" {'cpu ms/ev':>9}  sustained  keeps up"
        )
    acks = level.ack_ms
    late = sum(1 for a in acks if a > SLACK_TIMEOUT_MS)
    nudges = f"{len(level.nudge_ms)}/{level.nudges_expected}" if conduct else "-"
    print(
        f"{level.rate:>7g} {len(level.events):>5} {level.achieved_rate:>6.1f} "
        f"{fmt(percentile(acks, 50)):>8} {fmt(percentile(acks, 99)):>8} "
        f"{fmt(max(acks) if acks else float('nan')):>8} {late:>4} {level.errors:>4} "
        f"{nudges:>9} {fmt(percentile(level.nudge_ms, 50)):>8} "
        f"{fmt(percentile(level.nudge_ms, 99)):>8} "
        f"{fmt(level.cpu_s * 1000 / max(len(level.events), 1)):>9}  "
        f"{'yes' if level.sustained() else 'no':>9}  {'yes' if level.keeps_up() else 'no':>8}",
        flush=True,
    )
    if level.errors:
        print(f"{'':>7} errors: {level.error_kinds()}", flush=True)
    if verbose and level.slack_calls:
        per_event = ", ".join(
            f"{method} {n / len(level.events):.2f}"
            for method, n in sorted(level.slack_calls.items(), key=lambda kv: -kv[1])
        )
        print(f"{'':>7} Slack calls per event: {per_event}", flush=True)


def print_rss(outcome: Outcome) -> None:
    peaks = outcome.peak_kb
    master = peaks.get(outcome.server_pid, 0)
    others = {pid: kb for pid, kb in peaks.items() if pid != outcome.server_pid}
    worker_max = max(others.values(), default=0)
    total = sum(peaks.values())
    print(
        f"peak RSS (VmHWM): master {master / 1024:.0f} MB, largest worker "
        f"{worker_max / 1024:.0f} MB ({len(others)} child process(es)), sum {total / 1024:.0f} MB"
    )


def print_summary(outcomes: list[Outcome]) -> None:
    print(
        "\n== summary. sustained: p99 ack < 300 ms, no errors, >= 90% of the rate sent; "
        "keeps up: also every nudge arrived, p99 < 1 s"
    )
    print(
        f"{'configuration':<58} {'sustained/s':>11} {'keeps up/s':>10} {'max proc MB':>11} "
        f"{'sum MB':>7}"
    )
    tried = max((lv.rate for o in outcomes for lv in o.levels), default=0)

    def shown(best: float | None, o: Outcome) -> str:
        if best is None:
            return "none"
        return f">={best:g}" if best == tried and not o.stopped_early else f"{best:g}"

    for o in outcomes:
        top = max(o.peak_kb.values(), default=0) / 1024
        total = sum(o.peak_kb.values()) / 1024
        print(
            f"{o.target.label:<58} {shown(o.best_rate(), o):>11} "
            f"{shown(o.best_rate(keeping_up=True), o):>10} {top:>11.0f} {total:>7.0f}"
        )


# --------------------------------------------------------------------------- main


def write_config(path: Path) -> None:
    path.write_text('[channels]\nmoderators = "moderators"\n', encoding="utf-8")


def csv_ints(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v.strip()]


def csv_floats(value: str) -> list[float]:
    return [float(v) for v in value.split(",") if v.strip()]


def csv_names(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


@contextmanager
def temp_dir(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="event_load_"))
    try:
        yield path
    finally:
        if keep:
            print(f"(server logs kept in {path})")
        else:
            shutil.rmtree(path, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rates", type=csv_floats, default=csv_floats("10,20,35,50,70,100"))
    parser.add_argument("--seconds", type=float, default=10.0, help="per rate")
    parser.add_argument(
        "--server", type=csv_names, default=["gunicorn"], help="gunicorn and/or uvicorn"
    )
    parser.add_argument("--workers", type=csv_ints, default=[1], help="e.g. 1,2")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--apps", type=csv_names, default=["conduct", "bare"])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "CONDUCT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--regulars", type=int, default=200, help="members who chat")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument(
        "--calls", action="store_true", help="print the server's Slack calls per event"
    )
    args = parser.parse_args()
    if any(s not in ("gunicorn", "uvicorn") for s in args.server):
        parser.error("--server: gunicorn and/or uvicorn")
    if any(a not in ("conduct", "bare") for a in args.apps):
        parser.error("--apps: conduct and/or bare")

    targets = [
        Target(app, server, workers, args.threads)
        for app in args.apps
        for server in args.server
        for workers in args.workers
    ]
    load_avg = os.getloadavg()
    print(
        f"event_load at {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, "
        f"{os.cpu_count()} CPUs, load average {load_avg[0]:.2f} {load_avg[1]:.2f} "
        f"{load_avg[2]:.2f}; {args.seconds:g} s per rate; mix "
        + ", ".join(f"{share:.0%} {kind}" for kind, share in MIX)
    )
    with temp_dir(args.keep_logs) as tmp:
        config_path = tmp / "conduct.toml"
        write_config(config_path)
        started = time.monotonic()
        texts = select_texts(config_path, per_kind=120, seed=args.seed)
        print(
            f"texts: {len(texts.chat)} chat, {len(texts.plug)} plugs, {len(texts.funds)} funds "
            f"requests agreed by the engine ({time.monotonic() - started:.1f} s); "
            f"database: {args.database}"
        )
        per_target = sum(args.rates) * args.seconds * 0.15 * 1.5 + 200
        with SlackStandIn() as standin:
            members = Members(
                standin, args.regulars, int(per_target * len(targets)), seed=args.seed
            )
            outcomes = []
            for target in targets:
                print(f"\n== {target.label}", flush=True)
                outcome = run_target(target, args, standin, members, texts, config_path, tmp)
                if outcome.stopped_early:
                    print(outcome.stopped_early)
                print_rss(outcome)
                print(f"(ready via GET {outcome.ready_via})")
                outcomes.append(outcome)
                time.sleep(2.0)
        print_summary(outcomes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
