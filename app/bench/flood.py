"""``ccsim bench flood``: one trainee floods the server while others work (issue 16, item 5).

Two client processes, so that the flooder's own CPU (building 4,000-character replies) does not
slow down the measurements:

* the **flooder** logs in as one trainee, opens N sessions and sends long replies round-robin
  over them at a fixed rate; every reply must get an answer (``ack`` or ``error``), and every
  acknowledged reply must be in the session's log — anything else is a *lost* reply;
* the **observers** poll ``/healthz`` every 100 ms and drive M other trainees, each sending a
  short reply every second and timing its acknowledgement.

Samples are split into *quiet* (before the flood) and *flood* (while it runs) by wall-clock
time. A figure, not a test: the machine's load is printed with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.bench.loadgen import COOKIE_NAME, CSRF_COOKIE, CSRF_HEADER
from app.bench.server_process import (
    BENCH_PASSWORD,
    ServerOptions,
    bench_server,
    bench_usernames,
    cpu_seconds,
    load_average,
)

ANSWER_TIMEOUT_S = 30.0
DRAIN_TIMEOUT_S = 120.0
# Russian-looking syllables: words the dictionary mostly does not know, so every reply is new
# work for the detector (no cache helps), as a hostile client would make it.
_SYLLABLES = "ба ве ги до жу зы ка ле ми но пу ры са те фу хо цы ча ше щу эр юн як"
_WORDS = "здравствуйте уточню пожалуйста подождите минуту заявка договор вопрос"


@dataclass
class FloodOptions:
    sessions: int = 3
    replies: int = 100  # per session
    chars: int = 4000
    rate_per_s: float = 20.0  # replies per second, all the flooder's sessions together
    others: int = 5
    quiet_s: float = 5.0
    scenario: str = "a01-airline-baggage-chat"
    url: str | None = None
    server_pid: int | None = None
    production_limits: bool = True


@dataclass
class FloodResult:
    sent: int = 0
    acked: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    unanswered: int = 0
    missing_from_log: int = 0
    not_sent: int = 0  # the socket was already closed by the server
    closed_logged: int = 0  # no answer before the socket closed, but in the log
    closed_not_logged: int = 0  # no answer before the socket closed, and not applied
    sessions_restarted: int = 0
    ack_ms: list[float] = field(default_factory=list)
    started_at: float = 0.0
    ended_at: float = 0.0
    errors: list[str] = field(default_factory=list)


@dataclass
class ObserverResult:
    healthz: list[tuple[float, float]] = field(default_factory=list)  # (wall time, ms)
    acks: list[tuple[float, float]] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def reply_text(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    size = 0
    while size < chars:
        if rng.random() < 0.2:
            word = rng.choice(_WORDS.split(" "))
        else:
            word = "".join(rng.choice(_SYLLABLES.split(" ")) for _ in range(rng.randint(2, 4)))
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:chars]


class _Client:
    def __init__(self, base_url: str, username: str) -> None:
        self.base_url = base_url
        self.username = username
        self.headers: dict[str, str] = {}

    async def login(self, http: httpx.AsyncClient) -> None:
        response = await http.post(
            "/api/auth/login", json={"username": self.username, "password": BENCH_PASSWORD}
        )
        response.raise_for_status()
        token = response.cookies[COOKIE_NAME]
        csrf = response.cookies.get(CSRF_COOKIE)
        self.headers = {"Cookie": f"{COOKIE_NAME}={token}"}
        if csrf is not None:
            self.headers = {"Cookie": f"{COOKIE_NAME}={token}; {CSRF_COOKIE}={csrf}"}
            self.headers[CSRF_HEADER] = csrf

    async def start(self, http: httpx.AsyncClient, scenario: str, seed: int) -> str:
        response = await http.post(
            "/api/sessions", json={"scenario_id": scenario, "seed": seed}, headers=self.headers
        )
        if response.status_code != 201:
            raise RuntimeError(f"POST /api/sessions: HTTP {response.status_code} {response.text}")
        return str(response.json()["session_id"])

    def socket(self, session_id: str) -> Any:
        ws = self.base_url.replace("http://", "ws://", 1)
        return connect(
            f"{ws}/ws/sessions/{session_id}?last_seq=0",
            additional_headers={"Cookie": self.headers["Cookie"]},
            compression=None,
            open_timeout=ANSWER_TIMEOUT_S,
            max_size=None,
        )

    async def logged_cids(self, http: httpx.AsyncClient, session_id: str) -> set[str]:
        response = await http.get(f"/api/sessions/{session_id}/events", headers=self.headers)
        response.raise_for_status()
        return {
            str(e["data"]["cid"])
            for e in response.json()["events"]
            if e["type"] == "operator.message" and "cid" in e["data"]
        }


class _Answers:
    """Reads a socket and resolves the future of each cid when its ack or error arrives."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.ended = False
        self.gone = False

    def expect(self, cid: str) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[cid] = future
        return future

    async def read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                kind, data = message.get("type"), message.get("data") or {}
                if kind == "session.ended":
                    self.ended = True
                if kind in ("ack", "error"):
                    message["_at"] = time.perf_counter()
                    future = self.waiting.pop(str(data.get("cid")), None)
                    if future is not None and not future.done():
                        future.set_result(message)
        except ConnectionClosed:
            pass
        finally:
            # The server closes the socket when the session ends; whatever was still waiting
            # is settled from the log afterwards.
            self.gone = True
            for future in self.waiting.values():
                if not future.done():
                    future.set_result({"type": "closed", "data": {}})
            self.waiting.clear()


class _Slot:
    """One of the flooder's sessions; replaced by a new session when the customer ends it."""

    def __init__(self, client: _Client, http: httpx.AsyncClient, scenario: str) -> None:
        self.client, self.http, self.scenario = client, http, scenario
        self.session_id = ""
        self.ws: Any = None
        self.answers: _Answers | None = None
        self.reader: asyncio.Task[None] | None = None

    async def open(self, seed: int) -> str:
        await self.close()
        self.session_id = await self.client.start(self.http, self.scenario, seed)
        self.ws = await self.client.socket(self.session_id).__aenter__()
        self.answers = _Answers(self.ws)
        self.reader = asyncio.create_task(self.answers.read())
        return self.session_id

    @property
    def usable(self) -> bool:
        return self.answers is not None and not self.answers.ended and not self.answers.gone

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


async def _flood(base_url: str, options: FloodOptions, start_at: float) -> FloodResult:
    result = FloodResult()
    rng = random.Random(16)
    client = _Client(base_url, bench_usernames(1)[0])
    async with httpx.AsyncClient(base_url=base_url, timeout=ANSWER_TIMEOUT_S) as http:
        await client.login(http)
        seeds = iter(range(100, 10_000))
        slots = [_Slot(client, http, options.scenario) for _ in range(options.sessions)]
        for slot in slots:
            await slot.open(next(seeds))
        texts = [reply_text(rng, options.chars) for _ in range(20)]
        # (session id, cid, sent at, answer)
        pending: list[tuple[str, str, float, asyncio.Future[dict[str, Any]]]] = []
        await asyncio.sleep(max(0.0, start_at - time.time()))
        result.started_at = time.time()
        total = options.sessions * options.replies
        t0 = time.perf_counter()
        for n in range(total):
            await asyncio.sleep(max(0.0, t0 + n / options.rate_per_s - time.perf_counter()))
            slot = slots[n % options.sessions]
            if not slot.usable:  # the customer ended the session: the trainee starts another
                await slot.open(next(seeds))
                result.sessions_restarted += 1
            assert slot.answers is not None
            cid = f"flood-{n}"
            future = slot.answers.expect(cid)
            # Each text differs from the last: a cache of whole replies would not help.
            text = texts[n % len(texts)][: options.chars - 6] + f" {n:05d}"
            message = {"v": 1, "type": "operator.message", "cid": cid, "data": {"text": text}}
            try:
                await slot.ws.send(json.dumps(message, ensure_ascii=False))
            except ConnectionClosed:
                result.not_sent += 1  # the server had closed the socket (session ended)
                continue
            pending.append((slot.session_id, cid, time.perf_counter(), future))
            result.sent += 1
        # Replies queue on the flooder's own sockets behind its analysed ones (the server reads
        # a socket in order): give the queue time to drain before calling anything unanswered.
        done, _ = await asyncio.wait([f for *_, f in pending], timeout=DRAIN_TIMEOUT_S)
        acked: dict[str, set[str]] = {}
        closed: dict[str, set[str]] = {}
        for session_id, cid, sent_at, future in pending:
            if future not in done:
                result.unanswered += 1
                continue
            answer = future.result()
            if answer["type"] == "ack":
                result.acked += 1
                acked.setdefault(session_id, set()).add(cid)
                result.ack_ms.append((answer["_at"] - sent_at) * 1000)
            elif answer["type"] == "closed":
                closed.setdefault(session_id, set()).add(cid)
            else:
                code = str(answer["data"].get("code"))
                result.refused[code] = result.refused.get(code, 0) + 1
        result.ended_at = time.time()
        for slot in slots:
            await slot.close()
        for session_id in set(acked) | set(closed):
            logged = await client.logged_cids(http, session_id)
            result.missing_from_log += len(acked.get(session_id, set()) - logged)
            result.closed_logged += len(closed.get(session_id, set()) & logged)
            result.closed_not_logged += len(closed.get(session_id, set()) - logged)
    return result


async def _observe(base_url: str, options: FloodOptions, until: float) -> ObserverResult:
    result = ObserverResult()

    async def healthz(http: httpx.AsyncClient) -> None:
        while time.time() < until:
            started = time.perf_counter()
            try:
                response = await http.get("/healthz")
                if response.status_code == 200:
                    result.healthz.append((time.time(), (time.perf_counter() - started) * 1000))
                else:
                    result.errors.append(f"healthz HTTP {response.status_code}")
            except httpx.HTTPError as exc:
                result.errors.append(f"healthz {exc!r}")
            await asyncio.sleep(0.1)

    async def trainee(http: httpx.AsyncClient, index: int, username: str) -> None:
        client = _Client(base_url, username)
        await client.login(http)
        n = 0
        while time.time() < until:
            session_id = await client.start(http, options.scenario, 1000 + index * 100 + n)
            async with client.socket(session_id) as ws:
                answers = _Answers(ws)
                reader = asyncio.create_task(answers.read())
                await asyncio.sleep(random.Random(index).uniform(0, 1))
                while time.time() < until and not answers.ended:
                    n += 1
                    cid = f"obs-{index}-{n}"
                    future = answers.expect(cid)
                    text = f"Уточняю информацию по вашему вопросу, минуту. ({n})"
                    message = {
                        "v": 1,
                        "type": "operator.message",
                        "cid": cid,
                        "data": {"text": text},
                    }
                    started = time.perf_counter()
                    await ws.send(json.dumps(message, ensure_ascii=False))
                    answer = await asyncio.wait_for(future, ANSWER_TIMEOUT_S)
                    if answer["type"] == "closed":
                        break
                    if answer["type"] == "ack":
                        result.acks.append((time.time(), (answer["_at"] - started) * 1000))
                    else:
                        code = str(answer["data"].get("code"))
                        result.refused[code] = result.refused.get(code, 0) + 1
                        if code == "session_ended":
                            break
                    await asyncio.sleep(1.0)
                reader.cancel()

    async with httpx.AsyncClient(base_url=base_url, timeout=ANSWER_TIMEOUT_S) as http:
        names = bench_usernames(options.others + 1)[1:]
        jobs = [healthz(http)] + [trainee(http, i, u) for i, u in enumerate(names)]
        for outcome in await asyncio.gather(*jobs, return_exceptions=True):
            if isinstance(outcome, BaseException):
                result.errors.append(repr(outcome)[:300])
    return result


def _warm_up() -> None:
    time.sleep(1.0)  # long enough for the other task to land on the other process


def run_flooder(base_url: str, options: FloodOptions, start_at: float) -> FloodResult:
    return asyncio.run(_flood(base_url, options, start_at))


def run_observers(base_url: str, options: FloodOptions, until: float) -> ObserverResult:
    return asyncio.run(_observe(base_url, options, until))


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "max_ms": round(ordered[-1], 1),
    }


# The limits of a production server: `bench load` relaxes them to measure capacity; a flood
# is measured against the real ones, the defaults of LiveSettings (unless --relaxed).
_LIMITS = (
    "ws_rate_per_s",
    "ws_rate_burst",
    "reply_rate_per_s",
    "reply_burst",
    "user_reply_rate_per_s",
    "user_reply_burst",
    "user_reply_chars_per_s",
    "user_reply_chars_burst",
)


def production_limits() -> dict[str, str]:
    from app.sessions.config import LiveSettings

    fields = LiveSettings.model_fields
    return {f"CCSIM_{name.upper()}": str(fields[name].default) for name in _LIMITS}


@contextlib.contextmanager
def _server(options: FloodOptions) -> Any:
    if options.url is not None:
        yield options.url.rstrip("/"), options.server_pid
        return
    env = production_limits() if options.production_limits else {}
    users = bench_usernames(options.others + 1)
    with bench_server(ServerOptions(typing_scale=1.0, extra_env=env), users) as server:
        yield server.base_url, server.pid


def run_flood(options: FloodOptions) -> dict[str, Any]:
    flood_s = options.sessions * options.replies / options.rate_per_s
    load1 = load_average()
    with _server(options) as (base_url, pid):
        cpu0 = cpu_seconds(pid) if pid else None
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
            # Both client processes started and imported before the clock starts: spawning
            # them on a busy machine takes seconds.
            for warm in [pool.submit(_warm_up) for _ in range(2)]:
                warm.result()
            start_at = time.time() + options.quiet_s + 3.0  # 3 s for the clients to set up
            until = start_at + flood_s + 3.0
            observing = pool.submit(run_observers, base_url, options, until)
            flooding = pool.submit(run_flooder, base_url, options, start_at)
            flood, observed = flooding.result(), observing.result()
        cpu = cpu_seconds(pid) - cpu0 if pid and cpu0 is not None else None

    def split(samples: list[tuple[float, float]]) -> dict[str, Any]:
        quiet = [ms for at, ms in samples if at < flood.started_at]
        during = [ms for at, ms in samples if flood.started_at <= at <= flood.ended_at]
        return {"quiet": _stats(quiet), "flood": _stats(during)}

    lost = flood.unanswered + flood.missing_from_log
    return {
        "command": "ccsim bench flood",
        "options": {
            "sessions": options.sessions,
            "replies_per_session": options.replies,
            "chars": options.chars,
            "rate_per_s": options.rate_per_s,
            "others": options.others,
            "production_limits": options.production_limits,
        },
        "flooder": {
            "sent": flood.sent,
            "acked": flood.acked,
            "refused": flood.refused,
            "unanswered": flood.unanswered,
            "acked_but_not_in_log": flood.missing_from_log,
            "not_sent_socket_closed": flood.not_sent,
            "unanswered_at_close_but_logged": flood.closed_logged,
            "unanswered_at_close_not_applied": flood.closed_not_logged,
            "sessions_restarted": flood.sessions_restarted,
            "lost": lost,
            "ack": _stats(flood.ack_ms),
            "flood_s": round(flood.ended_at - flood.started_at, 1),
        },
        "healthz": split(observed.healthz),
        "others_ack": split(observed.acks),
        "others_refused": observed.refused,
        "errors": observed.errors[:10] + flood.errors[:10],
        "server_cpu_s": None if cpu is None else round(cpu, 1),
        "load_average_before": load1,
        "load_average_after": load_average(),
    }


def render(result: dict[str, Any]) -> str:
    f, h, o = result["flooder"], result["healthz"], result["others_ack"]

    def line(name: str, s: dict[str, Any]) -> str:
        if not s.get("n"):
            return f"  {name}: no samples"
        return (
            f"  {name}: p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
            f"max {s['max_ms']} ms (n={s['n']})"
        )

    opts = result["options"]
    return "\n".join(
        [
            f"flood: {opts['sessions']} sessions x {opts['replies_per_session']} replies of "
            f"{opts['chars']} chars at {opts['rate_per_s']:g}/s, {opts['others']} other trainees"
            f" ({'production' if opts['production_limits'] else 'relaxed'} limits)",
            f"flooder: sent {f['sent']}, acked {f['acked']}, refused {f['refused']}, "
            f"lost {f['lost']} (unanswered {f['unanswered']}, acked but not logged "
            f"{f['acked_but_not_in_log']}) in {f['flood_s']} s; sessions ended by the customer "
            f"and restarted {f['sessions_restarted']}, replies at a closing socket: "
            f"{f['not_sent_socket_closed']} not sent, {f['unanswered_at_close_but_logged']} "
            f"logged, {f['unanswered_at_close_not_applied']} not applied",
            "/healthz:",
            line("quiet", h["quiet"]),
            line("flood", h["flood"]),
            "other trainees' acks:",
            line("quiet", o["quiet"]),
            line("flood", o["flood"]),
            f"others refused: {result['others_refused']}; errors: {result['errors']}",
            f"server CPU {result['server_cpu_s']} s; load average before "
            f"{result['load_average_before']}, after {result['load_average_after']}",
        ]
    )
