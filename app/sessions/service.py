"""The live side of a session: the engine, its timer and the log, kept in step.

State lives only in the database log. A :class:`SessionRuntime` is a cache of it in one
process: built on first use by replaying the log into the engine, dropped when the last socket
leaves (or the process stops), rebuilt by any process later. Every event the engine emits is
appended to the log — numbered in the same transaction — before anyone sees it or an ``ack``
names it; if the append fails, the engine is rebuilt from the log, so memory never runs ahead of
the truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import anyio.to_thread
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import Assignment, AssignmentMode, TrainingSession
from app.db.types import utcnow
from app.live.broker import Broker
from app.repositories.errors import NotFoundError
from app.repositories.event_log import EventLog
from app.repositories.scenarios import ScenarioRepository
from app.repositories.sessions import SessionRepository
from app.sessions import engine_bridge
from app.sessions import scoring as session_scoring
from app.sessions.config import LiveSettings
from app.sessions.detect_pool import DetectPool
from app.sessions.ratelimit import ReplyGate
from app.sessions.scenarios import scenario_from_source
from scoring import events as ev
from scoring.detection.types import BehaviourDetector, DetectionResult
from simulator.engine.messages import ClientEvent, EmittedEvent, EngineError
from simulator.scenario.model import Scenario

log = logging.getLogger(__name__)


# SQLite has one writer at a time. Threads racing for it fall into its busy handler, which
# sleeps in growing steps (up to 100 ms each): under load that was seconds of tail latency
# (docs/performance.md). Taking turns inside the process costs nothing; PostgreSQL needs no turn
# (the session row lock orders appends to one session, others proceed in parallel).
_SQLITE_WRITES = threading.Lock()


def write_turn(session_factory: sessionmaker[Session]) -> contextlib.AbstractContextManager[Any]:
    bind = session_factory.kw.get("bind")
    if bind is not None and bind.dialect.name == "sqlite":
        return _SQLITE_WRITES
    return contextlib.nullcontext()


class SessionEndedError(Exception):
    """The session is over: it accepts no more actions."""


class ConflictError(Exception):
    """Another process appended to this session's log first; the runtime was rebuilt."""


@dataclass(frozen=True, slots=True)
class Applied:
    seq: int  # the seq of the logged event the client's action became
    duplicate: bool = False


def event_dict(row: Any) -> dict[str, Any]:
    """A log row as it travels: the broker, the replay and the HTTP log use this shape."""
    at: datetime = row.created_at
    return {"type": row.type, "seq": row.seq, "t": row.t, "at": at.isoformat(), "data": row.data}


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What a connection needs to know about a session, read once."""

    id: str
    user_id: int
    scenario_version_id: int
    scenario: Scenario
    version: int
    seed: int
    created_at: datetime
    # From the session's assignment (an exam never shows hints); True without one.
    hints: bool = True
    mood_meter: bool = True

    @property
    def engine_version(self) -> str:
        """What ``session.started`` records as the version: the stored version's id."""
        return str(self.scenario_version_id)


def load_info(db: Session, session_id: str) -> SessionInfo | None:
    training = SessionRepository(db).get(session_id)
    if training is None:
        return None
    version = ScenarioRepository(db).get(training.scenario_version_id)
    if version is None:  # RESTRICT on the foreign key makes this impossible
        raise NotFoundError(f"session {session_id} points at a missing scenario version")
    hints, mood_meter = assignment_flags(db, training.assignment_id)
    return SessionInfo(
        id=training.id,
        user_id=training.user_id,
        scenario_version_id=version.id,
        scenario=scenario_from_source(version.sha256, version.source),
        version=version.version,
        seed=training.seed,
        created_at=training.created_at,
        hints=hints,
        mood_meter=mood_meter,
    )


def assignment_flags(db: Session, assignment_id: int | None) -> tuple[bool, bool]:
    """(hints, mood meter) of a session started from an assignment."""
    assignment = db.get(Assignment, assignment_id) if assignment_id is not None else None
    if assignment is None:
        return True, True
    return assignment.hints and assignment.mode != AssignmentMode.EXAM, assignment.mood_meter


def assignment_is_exam(db: Session, assignment_id: int | None) -> bool:
    assignment = db.get(Assignment, assignment_id) if assignment_id is not None else None
    return assignment is not None and assignment.mode == AssignmentMode.EXAM


def with_hints(settings: LiveSettings, hints: bool) -> LiveSettings:
    return settings if hints or not settings.hints else settings.model_copy(update={"hints": False})


def session_time(created_at: datetime) -> float:
    """Seconds since the session was created, on the server's wall clock: a session resumed
    by another process after a restart carries on from where real time says it is."""
    return max(0.0, (utcnow() - created_at).total_seconds())


class SessionRuntime:
    def __init__(self, hub: SessionHub, info: SessionInfo) -> None:
        self.hub = hub
        self.info = info
        self.lock = asyncio.Lock()
        self.engine: Any = None
        self.clock: Any = None
        self.last_seq = 0
        self.ended = False
        self.cids: dict[str, int] = {}
        self._wake = asyncio.Event()
        self._timer: asyncio.Task[None] | None = None
        self.refs = 0

    # -- building from the log ------------------------------------------------------------

    def _rebuild_sync(self) -> list[EmittedEvent]:
        with self.hub.session_factory() as db:
            rows = SessionRepository(db).events(self.info.id)
            log_events = [ev.Event(r.seq, r.t, r.type, dict(r.data)) for r in rows]
        self.cids = {
            str(e.data["cid"]): e.seq for e in log_events if isinstance(e.data.get("cid"), str)
        }
        self.last_seq = log_events[-1].seq if log_events else 0
        self.ended = any(e.type == ev.SESSION_ENDED for e in log_events)
        last_t = log_events[-1].t if log_events else 0.0
        clock_start = max(session_time(self.info.created_at), last_t)
        self.engine, self.clock = engine_bridge.rebuild(
            self.info.scenario,
            self.info.seed,
            self.info.engine_version,
            log_events,
            clock_start,
            with_hints(self.hub.settings, self.info.hints),
            self.hub.detector,
        )
        tail, self.engine.replayed_tail = list(self.engine.replayed_tail), []
        return tail

    async def rebuild(self) -> None:
        """Replace the engine by one replayed from the log (the caller holds the lock)."""
        tail = await anyio.to_thread.run_sync(self._rebuild_sync)
        if tail:
            # Events the replay produced beyond the log: the engine is ahead of the truth until
            # they are appended. If that fails the runtime must not be used (the error reaches
            # the caller, and the next attempt replays the log again).
            out = await anyio.to_thread.run_sync(self._persist_sync, tail, None)
            for item in out:
                self.hub.broker.publish(self.info.id, item)
        self._wake.set()

    # -- appending ------------------------------------------------------------------------

    def _persist_sync(
        self, emitted: Sequence[EmittedEvent], cid: str | None
    ) -> list[dict[str, Any]]:
        """Append the engine's events in one transaction; refuse if the log moved meanwhile."""
        if not emitted:
            return []
        now = utcnow()
        out: list[dict[str, Any]] = []
        for i, e in enumerate(emitted):
            data = dict(e.data)
            if i == 0 and cid is not None:
                data["cid"] = cid
            seq = self.last_seq + 1 + i  # checked against the log's counter below
            out.append({"type": e.type, "seq": seq, "t": e.t, "at": now.isoformat(), "data": data})
        ending = next((o for o in out if o["type"] == ev.SESSION_ENDED), None)
        card = self._score_sync(out) if ending is not None else None
        with self.hub.write_turn, self.hub.db_engine.begin() as connection:
            log = EventLog(connection)
            first = log.reserve(self.info.id, len(emitted))
            if first != self.last_seq + 1:
                raise ConflictError(
                    f"session {self.info.id}: the log moved to seq {first - 1} "
                    f"while this process expected {self.last_seq}"
                )
            if ending is not None:
                self._end_sync(connection, card, ending)
            log.insert(self.info.id, out, now)
        self.last_seq = out[-1]["seq"]
        if ending is not None:
            self.ended = True
        return out

    def _score_sync(self, appending: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The scorecard of the log as it will be once ``appending`` is appended."""
        with self.hub.session_factory() as db:
            rows = SessionRepository(db).events(self.info.id)
            log = [ev.Event(r.seq, r.t, r.type, dict(r.data)) for r in rows]
        log += [ev.Event(o["seq"], o["t"], o["type"], o["data"]) for o in appending]
        return session_scoring.score(self.info, log)

    def _end_sync(
        self, connection: Connection, card: dict[str, Any] | None, ending: dict[str, Any]
    ) -> None:
        """Store the scorecard and close the session row, in the append's transaction; the
        ending event names the scorecard."""
        with Session(bind=connection) as db:
            data = ending["data"]
            data["scorecard_id"] = session_scoring.store(db, self.info, card)
            training = db.get(TrainingSession, self.info.id)
            assert training is not None
            SessionRepository(db).end(training, data.get("ending"), data.get("outcome"))
            db.flush()

    async def _commit(
        self, emitted: Sequence[EmittedEvent], cid: str | None
    ) -> list[dict[str, Any]]:
        """Persist then publish; on any failure the engine is rebuilt from the (unchanged) log."""
        try:
            out = await anyio.to_thread.run_sync(self._persist_sync, emitted, cid)
        except BaseException:
            await self.rebuild()
            raise
        for item in out:
            self.hub.broker.publish(self.info.id, item)
        self._wake.set()
        return out

    async def apply(self, type_: str, data: dict[str, Any], cid: str | None) -> Applied:
        """Run one operator action through the engine and into the log.

        If another process appended to the log meanwhile (two app instances serving the same
        session), the engine is rebuilt from the log and the action tried once more against
        the state the log now describes; a second conflict is reported to the client.
        """
        async with self.lock:
            for attempt in range(2):
                try:
                    return await self._apply_locked(type_, data, cid)
                except ConflictError:
                    if attempt == 1:
                        raise
                    log.info("session %s: log moved under us; retrying %s", self.info.id, type_)
            raise AssertionError("unreachable")

    async def _apply_locked(self, type_: str, data: dict[str, Any], cid: str | None) -> Applied:
        if cid is not None and cid in self.cids:
            return Applied(self.cids[cid], duplicate=True)
        if self.ended:
            raise SessionEndedError("the session has ended; start a new one")
        client_event = ClientEvent(type_, data)
        detection = None
        text = data.get("text") if type_ == ev.OPERATOR_MESSAGE else None
        if isinstance(text, str) and len(text) > self.hub.settings.detect_inline_chars:
            # A long reply is analysed in a worker process, one at a time per trainee: its cost
            # grows with its length, and on the event loop it would hold up every other
            # trainee of this process (issue 16, item 5). The engine takes the result as it
            # takes a replayed one, so the session is the same either way.
            detection = await self.hub.detect_off_loop(
                self.info.user_id, self.engine, text, self.engine.state.last_customer_text
            )
        try:
            # Short replies on the event loop, not in a worker thread: one costs about a
            # millisecond of CPU, and handing it to one of the pool's threads that all want the
            # GIL made every action wait behind the others' switch intervals
            # (docs/performance.md).
            emitted = self.engine.handle(client_event, detection=detection)
        except EngineError:
            raise  # the engine guarantees its state is unchanged
        except BaseException:
            await self.rebuild()
            raise
        out = await self._commit(emitted, cid)
        if not out:
            raise EngineError("no_effect", f"{type_} produced no event")
        if cid is not None:
            self.cids[cid] = out[0]["seq"]
        return Applied(out[0]["seq"])

    # -- the customer's own time --------------------------------------------------------------

    def start_timer(self) -> None:
        if self._timer is None or self._timer.done():
            self._timer = asyncio.create_task(self._run_timer(), name=f"timer {self.info.id}")

    async def stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
            self._timer = None

    async def _run_timer(self) -> None:
        while True:
            self._wake.clear()
            due = None if self.ended else self.engine.next_due()
            if due is None:
                await self._wake.wait()
                continue
            delay = due - self.clock.now()
            if delay > 0:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
                # cancel that races the wake-up, and stop_timer() then waits forever.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()
                continue
            try:
                async with self.lock:
                    try:
                        emitted = self.engine.advance()
                    except BaseException:
                        await self.rebuild()  # its state may be half-changed
                        raise
                    await self._commit(emitted, None)
            except ConflictError:
                log.warning("session %s: log moved under the timer; rebuilt", self.info.id)
            except Exception:
                log.exception("session %s: timer failed; retrying from the log", self.info.id)
                await asyncio.sleep(1.0)


class SessionHub:
    """The runtimes of this process, keyed by session id."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        settings: LiveSettings,
        broker: Broker,
        detector: BehaviourDetector | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.db_engine: Engine = session_factory.kw["bind"]
        self.write_turn = write_turn(session_factory)
        # None: the shipped detector, loaded on first use. Tests may pass another real one.
        self.detector = detector
        self.settings = settings
        self.broker = broker
        self.runtimes: dict[str, SessionRuntime] = {}
        self._building: dict[str, asyncio.Lock] = {}
        self.drivers: dict[str, Any] = {}  # session id -> the trainee's current connection
        self.reply_gate = ReplyGate(
            session_rate=settings.reply_rate_per_s,
            session_burst=settings.reply_burst,
            user_rate=settings.user_reply_rate_per_s,
            user_burst=settings.user_reply_burst,
            user_chars_rate=settings.user_reply_chars_per_s,
            user_chars_burst=settings.user_reply_chars_burst,
        )
        self._detect_limiter: anyio.CapacityLimiter | None = None  # made in the event loop
        self.detect_pool = DetectPool(settings.detect_workers)  # processes start on first use
        self._detect_turns: dict[int, asyncio.Lock] = {}

    async def detect_off_loop(
        self, user_id: int, engine: Any, text: str, customer: str | None
    ) -> DetectionResult:
        """Behaviours of a long reply, computed in a worker thread. A trainee's replies take
        turns (one worker at most per trainee, whatever the number of their sessions), so
        the other workers stay free for everybody else."""
        # One small lock per trainee seen by this process; kept, as a user id is.
        turn = self._detect_turns.setdefault(user_id, asyncio.Lock())
        async with turn:
            if self.detector is None and self.settings.detect_processes:
                # The shipped detector: in a worker process, off this process's GIL.
                try:
                    return await asyncio.wrap_future(self.detect_pool.submit(text, customer))
                except BrokenProcessPool:  # a worker died (killed, out of memory)
                    log.warning("detection worker died; starting new ones")
                    self.detect_pool.close()  # the next long reply starts a new pool
            # A detector given by the embedding program (a test) may not exist in another
            # process: a worker thread, which frees the event loop but not the GIL.
            if self._detect_limiter is None:
                self._detect_limiter = anyio.CapacityLimiter(self.settings.detect_workers)
            result: DetectionResult = await anyio.to_thread.run_sync(
                partial(engine.detector.detect, text, customer=customer),
                limiter=self._detect_limiter,
            )
            return result

    async def create_session(
        self,
        user_id: int,
        scenario_version_id: int,
        seed: int | None,
        *,
        assignment_id: int | None = None,
    ) -> tuple[str, list[dict[str, Any]]]:
        """Create the session row and log its opening events (the customer starts typing)."""
        seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)

        def create() -> tuple[str, list[dict[str, Any]]]:
            with self.write_turn, self.session_factory.begin() as db:
                version = ScenarioRepository(db).get(scenario_version_id)
                if version is None:
                    raise NotFoundError(f"no scenario version {scenario_version_id}")
                scenario = scenario_from_source(version.sha256, version.source)
                repo = SessionRepository(db)
                exam = assignment_is_exam(db, assignment_id)
                training = repo.create(
                    user_id, version.id, seed, assignment_id=assignment_id, exam=exam
                )
                hints, _ = assignment_flags(db, assignment_id)
                settings = with_hints(self.settings, hints)
                engine, _ = engine_bridge.new(
                    scenario, seed, str(version.id), 0.0, settings, self.detector
                )
                opening = engine.start()
                log = EventLog(db.connection())
                first = log.reserve(training.id, len(opening))
                now = utcnow()
                events = [
                    {
                        "type": e.type,
                        "seq": first + i,
                        "t": e.t,
                        "at": now.isoformat(),
                        "data": dict(e.data),
                    }
                    for i, e in enumerate(opening)
                ]
                log.insert(training.id, events, now)
                return training.id, events

        return await anyio.to_thread.run_sync(create)

    async def acquire(self, info: SessionInfo) -> SessionRuntime:
        """The runtime of a session, built from the log if this process has none yet."""
        lock = self._building.setdefault(info.id, asyncio.Lock())
        async with lock:
            runtime = self.runtimes.get(info.id)
            if runtime is None:
                runtime = SessionRuntime(self, info)
                await runtime.rebuild()
                self.runtimes[info.id] = runtime
                runtime.start_timer()
            runtime.refs += 1
            return runtime

    async def release(self, runtime: SessionRuntime) -> None:
        runtime.refs -= 1
        if runtime.refs <= 0 and self.runtimes.get(runtime.info.id) is runtime:
            del self.runtimes[runtime.info.id]
            self._building.pop(runtime.info.id, None)
            async with runtime.lock:
                await runtime.stop_timer()

    async def close(self) -> None:
        for runtime in list(self.runtimes.values()):
            await runtime.stop_timer()
        self.runtimes.clear()
        self.detect_pool.close()
