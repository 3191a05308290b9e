"""Simulated trainees: log in, start sessions, play the library's playthroughs over the socket.

One client process runs many trainees on one asyncio loop; ``run_client_process`` is what each
client process executes and returns plain data (latency samples, counters, its CPU time), which
``app.bench.report`` merges. Timing is taken on the client with ``time.perf_counter``:

* ``ack_ms``: ``operator.message`` sent → its ``ack`` received (the log append, the engine with
  the detector, the fan-out and the acknowledgement);
* ``reply_ms``: ``operator.message`` sent → the customer's next ``customer.message`` received,
  minus the ``duration_s`` of the ``customer.typing`` that announced it (the simulated typing
  and reading time, which the server adds on purpose) — what is left is the server's own delay.
  Only a line the customer started in answer to that message counts (its ``customer.typing``
  is stamped with the same session time ``t`` as the logged ``operator.message``): a nudge
  after a silence, or a line caused by a later hold or CRM action, includes simulated waiting
  that is not the server's delay.

Every logged event carries a ``seq``; the client counts gaps and duplicates on the socket and,
after the session, compares what it got with ``GET /api/sessions/{id}/events``: an event in the
log (up to the highest seq the client saw) that never arrived is a lost event.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import resource
import time
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Literal

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.bench.scripts import Script, Step

Pace = Literal["realistic", "flat", "idle"]
CONTROL_TYPES = frozenset({"session.state", "ack", "pong", "error"})
# Refusals a scripted trainee may meet when its pacing differs from the playthrough's: not
# server faults, counted apart from errors.
EXPECTED_REFUSALS = frozenset({"session_ended", "engine_rejected"})
COOKIE_NAME = "ccsim_session"
CSRF_COOKIE = "ccsim_csrf"  # set at log-in when CSRF protection is on (app.security.csrf)
CSRF_HEADER = "X-CSRF-Token"


@dataclass
class ClientConfig:
    base_url: str
    usernames: list[str]
    password: str
    scripts: list[Script]
    pace: Pace
    duration_s: float
    ramp_s: float
    think_min_s: float = 2.0
    think_max_s: float = 10.0
    ack_timeout_s: float = 15.0
    reply_timeout_s: float = 60.0
    offset: int = 0  # this process's first trainee index (picks different scripts)
    echo: bool = False  # drive WS /ws/echo instead of sessions


@dataclass
class ClientStats:
    ack_ms: list[float] = field(default_factory=list)
    reply_ms: list[float] = field(default_factory=list)
    # When each sample was taken (perf_counter, system-wide on Linux): latency over time, and
    # apart for the arrival ramp and the steady state after it.
    ack_at: list[float] = field(default_factory=list)
    reply_at: list[float] = field(default_factory=list)
    started_at: float = 0.0
    ramp_end_at: float = 0.0
    actions: int = 0
    messages: int = 0  # operator.message frames acknowledged (or echoed)
    sessions_started: int = 0
    sessions_completed: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    refusals: int = 0
    lost_events: int = 0
    duplicate_events: int = 0
    events_received: int = 0
    connected: int = 0
    first_action_at: float | None = None
    last_action_at: float | None = None
    cpu_s: float = 0.0
    wall_s: float = 0.0

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(what[:300])

    def acted(self) -> None:
        now = time.perf_counter()
        self.first_action_at = self.first_action_at or now
        self.last_action_at = now


class BenchError(Exception):
    """Something a real trainee would see as a failure (timeout, server fault, bad close)."""


class Play:
    """One session on one socket: reads every frame, keeps seq bookkeeping and timings."""

    def __init__(self, ws: ClientConnection, stats: ClientStats) -> None:
        self.ws = ws
        self.stats = stats
        self.last_seq = 0
        self.seen: set[int] = set()
        self.acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.typing_pending = False
        self.customer_spoke = asyncio.Event()
        self.ended = asyncio.Event()
        self.reply_sent_at: float | None = None
        self.reply_cid: str | None = None
        self.reply_t: float | None = None  # session time of the logged operator.message
        self.reply_typing_s: float | None = None
        self.closed_code: int | None = None
        self.gone = asyncio.Event()  # the socket closed: nothing more will come

    async def read(self) -> None:
        try:
            async for raw in self.ws:
                self.on_frame(json.loads(raw))
        except ConnectionClosed as exc:
            self.closed_code = exc.rcvd.code if exc.rcvd is not None else 1006
        finally:
            self.gone.set()
            for future in self.acks.values():
                if not future.done():
                    future.set_exception(BenchError(f"socket closed ({self.closed_code})"))

    def on_frame(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        data = message.get("data") or {}
        if kind in CONTROL_TYPES:
            if kind in ("ack", "error"):
                cid = data.get("cid")
                future = self.acks.pop(cid, None) if cid else None
                if future is not None and not future.done():
                    future.set_result(message)
                elif kind == "error":
                    self.stats.error(f"unsolicited error {data.get('code')}: {data.get('message')}")
            return
        seq = int(message["seq"])
        self.stats.events_received += 1
        if seq in self.seen or seq <= self.last_seq:
            self.stats.duplicate_events += 1
            return
        if seq != self.last_seq + 1:
            self.stats.lost_events += seq - self.last_seq - 1  # confirmed against the log later
        self.seen.add(seq)
        self.last_seq = seq
        now = time.perf_counter()
        if self.reply_cid is not None and data.get("cid") == self.reply_cid:
            self.reply_t = float(message["t"])
        if kind == "customer.typing":
            self.typing_pending = True
            if self.reply_sent_at is not None and self.reply_typing_s is None:
                t = float(message["t"])
                if self.reply_t is not None and abs(t - self.reply_t) < 1e-3:
                    self.reply_typing_s = float(data.get("duration_s") or 0.0)
                else:  # a nudge or a later line: not an answer to the message
                    self.reply_sent_at = None
        elif kind == "customer.message":
            self.typing_pending = False
            self.customer_spoke.set()
            if self.reply_sent_at is not None and self.reply_typing_s is not None:
                typing = self.reply_typing_s
                self.stats.reply_ms.append(max(0.0, (now - self.reply_sent_at - typing) * 1000))
                self.stats.reply_at.append(now)
                self.reply_sent_at = None
                self.reply_typing_s = None
        elif kind == "session.ended":
            self.typing_pending = False
            self.customer_spoke.set()
            self.ended.set()

    async def until(self, event: asyncio.Event, timeout: float, what: str) -> None:
        """Wait for ``event``; a closed socket or the timeout is a failure naming ``what``."""
        if event.is_set():
            return
        waiters = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(self.gone.wait())]
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        if event.is_set():
            return
        if self.gone.is_set():
            raise BenchError(f"socket closed ({self.closed_code}) while waiting for {what}")
        raise BenchError(f"{what} never came (waited {timeout:.0f} s)")

    async def wait_customer(self, timeout: float) -> None:
        """Until the customer has finished the line they are typing (if any)."""
        while self.typing_pending and not self.ended.is_set():
            self.customer_spoke.clear()
            if not self.typing_pending:
                return
            await self.until(self.customer_spoke, timeout, "the customer's line")

    async def act(self, step: Step, cid: str, ack_timeout: float) -> dict[str, Any]:
        assert step.type is not None
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.acks[cid] = future
        frame = json.dumps(
            {"v": 1, "type": step.type, "cid": cid, "data": step.data}, ensure_ascii=False
        )
        sent = time.perf_counter()
        # Any action starts a new wait: a line that follows a hold or a CRM action answers
        # that action, not the operator's last message.
        self.reply_sent_at, self.reply_typing_s, self.reply_t = None, None, None
        if step.type == "operator.message":
            self.reply_sent_at, self.reply_cid = sent, cid
        await self.ws.send(frame)
        try:
            answer = await asyncio.wait_for(future, ack_timeout)
        except TimeoutError:
            self.acks.pop(cid, None)
            raise BenchError(f"no ack for {step.type} in {ack_timeout:.0f} s") from None
        if answer["type"] == "ack" and step.type == "operator.message":
            now = time.perf_counter()
            self.stats.ack_ms.append((now - sent) * 1000)
            self.stats.ack_at.append(now)
        return answer


class Trainee:
    def __init__(self, index: int, username: str, config: ClientConfig, stats: ClientStats):
        self.index = index
        self.username = username
        self.config = config
        self.stats = stats
        self.rng = random.Random(index)
        self.http: httpx.AsyncClient | None = None
        self.token = ""
        self.csrf: str | None = None

    @property
    def ws_base(self) -> str:
        return self.config.base_url.replace("http://", "ws://", 1)

    async def login(self, http: httpx.AsyncClient) -> None:
        response = await http.post(
            "/api/auth/login", json={"username": self.username, "password": self.config.password}
        )
        if response.status_code != 200:
            raise BenchError(f"login {self.username}: HTTP {response.status_code}")
        self.token = response.cookies[COOKIE_NAME]
        self.csrf = response.cookies.get(CSRF_COOKIE)

    def _cookies(self) -> dict[str, str]:
        """The log-in cookie, and the CSRF token as a browser's page script sends it."""
        if self.csrf is None:
            return {"Cookie": f"{COOKIE_NAME}={self.token}"}
        return {
            "Cookie": f"{COOKIE_NAME}={self.token}; {CSRF_COOKIE}={self.csrf}",
            CSRF_HEADER: self.csrf,
        }

    def think(self, after_s: float) -> float:
        """Realistic pacing: the playthrough's delay, kept within a person's think time and
        jittered, so that a thousand trainees do not act in lock-step."""
        base = min(max(after_s, self.config.think_min_s), self.config.think_max_s)
        return base * self.rng.uniform(0.7, 1.3)

    async def run(self, http: httpx.AsyncClient, deadline: float) -> None:
        await asyncio.sleep(self.config.ramp_s * self.rng.random())
        try:
            await self.login(http)
        except (BenchError, httpx.HTTPError) as exc:
            self.stats.error(f"login: {exc!r}")
            return
        n = 0
        while time.perf_counter() < deadline:
            script = self.config.scripts[(self.index + n) % len(self.config.scripts)]
            n += 1
            try:
                await self.play(http, script, deadline)
            except (BenchError, httpx.HTTPError, OSError, ConnectionClosed) as exc:
                self.stats.error(f"{script.scenario}: {exc!r}")
                await asyncio.sleep(1.0)
            if self.config.pace == "idle":
                return

    async def play(self, http: httpx.AsyncClient, script: Script, deadline: float) -> None:
        response = await http.post(
            "/api/sessions",
            json={"scenario_id": script.scenario, "seed": script.seed},
            headers=self._cookies(),
        )
        if response.status_code != 201:
            raise BenchError(f"POST /api/sessions: HTTP {response.status_code} {response.text}")
        session_id = response.json()["session_id"]
        self.stats.sessions_started += 1
        url = f"{self.ws_base}/ws/sessions/{session_id}?last_seq=0"
        async with connect(
            url,
            additional_headers=self._cookies(),
            compression=None,
            open_timeout=30,
            close_timeout=5,
            max_queue=None,
        ) as ws:
            play = Play(ws, self.stats)
            reader = asyncio.create_task(play.read())
            try:
                self.stats.connected += 1
                # The end of the run cuts a session wherever it is (not an error); the log
                # check below still covers every event it received.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, deadline - time.perf_counter())):
                        await self._drive(play, script, deadline)
            finally:
                self.stats.connected -= 1
                await ws.close()
                await reader
        await self.verify(http, session_id, play)

    async def _drive(self, play: Play, script: Script, deadline: float) -> None:
        pace = self.config.pace
        timeout = self.config.reply_timeout_s
        # The customer's opening line: the session is live.
        await play.until(play.customer_spoke, timeout, "the customer's opening line")
        if pace == "idle":
            await asyncio.sleep(max(0.0, deadline - time.perf_counter()))
            return
        for i, step in enumerate(script.steps):
            if play.ended.is_set() or time.perf_counter() >= deadline:
                break
            await play.wait_customer(timeout)
            if pace == "realistic":
                await asyncio.sleep(self.think(step.after_s))
            if step.type is None:
                continue
            answer = await play.act(step, f"b{i}", self.config.ack_timeout_s)
            self.stats.actions += 1
            self.stats.acted()
            if answer["type"] == "ack":
                if step.type == "operator.message":
                    self.stats.messages += 1
            else:
                code = answer["data"].get("code")
                if code in EXPECTED_REFUSALS:
                    self.stats.refusals += 1
                    if code == "session_ended":
                        break
                else:
                    raise BenchError(f"error {code}: {answer['data'].get('message')}")
            # The events an action causes follow its ack within moments: give them a moment
            # to show a typing customer before deciding the customer is quiet.
            await asyncio.sleep(0.005 if pace == "flat" else 0.2)
        if not play.ended.is_set() and time.perf_counter() < deadline:
            end = Step(0.0, "session.end", {})
            answer = await play.act(end, "b-end", self.config.ack_timeout_s)
            if answer["type"] != "ack" and answer["data"].get("code") != "session_ended":
                raise BenchError(f"session.end refused: {answer['data']}")
        if time.perf_counter() < deadline:
            await play.until(play.ended, timeout, "session.ended")
            self.stats.sessions_completed += 1

    async def verify(self, http: httpx.AsyncClient, session_id: str, play: Play) -> None:
        """Every event in the log up to the highest seq seen must have arrived, once."""
        response = await http.get(f"/api/sessions/{session_id}/events", headers=self._cookies())
        if response.status_code != 200:
            raise BenchError(f"GET events: HTTP {response.status_code}")
        logged = {int(e["seq"]) for e in response.json()["events"] if e["seq"] <= play.last_seq}
        missing = len(logged - play.seen)
        # The socket's own gap count is superseded by the log comparison for this session.
        self.stats.lost_events = self.stats.lost_events - _gaps(play.seen, play.last_seq) + missing
        if play.closed_code not in (None, 1000):
            raise BenchError(f"socket closed with {play.closed_code}")


def _gaps(seen: set[int], last: int) -> int:
    return last - len(seen)


# ---- the echo ceiling --------------------------------------------------------------------


async def echo_client(
    index: int, config: ClientConfig, stats: ClientStats, deadline: float
) -> None:
    """The same operator frames, flat out, against ``WS /ws/echo``: the stack's ceiling."""
    rng = random.Random(index)
    await asyncio.sleep(config.ramp_s * rng.random())
    texts = [
        json.dumps({"v": 1, "type": s.type, "cid": f"e{i}", "data": s.data}, ensure_ascii=False)
        for script in config.scripts
        for i, s in enumerate(script.steps)
        if s.type == "operator.message"
    ]
    ws_url = config.base_url.replace("http://", "ws://", 1) + "/ws/echo"
    try:
        async with connect(ws_url, compression=None, open_timeout=30, close_timeout=5) as ws:
            stats.connected += 1
            n = index
            while time.perf_counter() < deadline:
                frame = texts[n % len(texts)]
                n += 1
                sent = time.perf_counter()
                await ws.send(frame)
                got = await asyncio.wait_for(ws.recv(), config.ack_timeout_s)
                stats.ack_ms.append((time.perf_counter() - sent) * 1000)
                if got != frame:
                    stats.error("echo returned another frame")
                stats.messages += 1
                stats.acted()
    except (OSError, ConnectionClosed, TimeoutError) as exc:
        stats.error(f"echo: {exc!r}")


# ---- one client process ------------------------------------------------------------------


async def run_clients(config: ClientConfig) -> ClientStats:
    stats = ClientStats()
    started = time.perf_counter()
    deadline = started + config.ramp_s + config.duration_s
    stats.started_at, stats.ramp_end_at = started, started + config.ramp_s
    # Idle pooled connections are dropped well before the server's keep-alive timeout
    # (CCSIM_HTTP_KEEP_ALIVE_S): reusing one the server is closing at that moment fails with
    # a ReadError that is a race of the two timers, not a server fault.
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200, keepalive_expiry=2.0)
    # One HTTP client serves every trainee of this process: its jar must never keep a cookie
    # (they would mix); each request carries its trainee's own cookie header.
    no_jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    async with httpx.AsyncClient(
        base_url=config.base_url, limits=limits, timeout=httpx.Timeout(60.0), cookies=no_jar
    ) as http:
        if config.echo:
            tasks = [
                echo_client(config.offset + i, config, stats, deadline)
                for i in range(len(config.usernames))
            ]
        else:
            tasks = [
                Trainee(config.offset + i, name, config, stats).run(http, deadline)
                for i, name in enumerate(config.usernames)
            ]
        await asyncio.gather(*tasks)
    stats.wall_s = time.perf_counter() - started
    return stats


def run_client_process(config: ClientConfig) -> ClientStats:
    """Entry point of a client process (picklable arguments in, plain data out)."""
    import uvloop  # uvicorn's standard extra: the client loop as fast as the server's

    before = resource.getrusage(resource.RUSAGE_SELF)
    stats = uvloop.run(run_clients(config))
    after = resource.getrusage(resource.RUSAGE_SELF)
    stats.cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return stats
