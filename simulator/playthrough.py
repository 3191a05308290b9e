"""Playing a trainer's playthrough script through the engine on a simulated clock.

The result's events are exactly what the web layer would have logged for an operator who acted
at those moments (the timer releasing each due event on time), numbered from seq 1, so the
scorecard can score a playthrough like a real session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scoring import events as ev
from scoring.detection.types import BehaviourDetector
from simulator.engine import ClientEvent, EmittedEvent, Engine, EngineError, SimulatedClock, Timing
from simulator.scenario.library import Library
from simulator.scenario.model import Action, Playthrough, Scenario

MAX_RELEASES = 10_000  # a guard against a scenario that never stops talking


@dataclass(slots=True)
class PlayResult:
    events: list[ev.Event] = field(default_factory=list)
    ending: str | None = None
    outcome: str | None = None
    errors: list[str] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # actions after the session ended


@dataclass(frozen=True, slots=True)
class Verdict:
    """The scorecard's view of a played session: ``overall`` 0..100 and ``passed``, the rule
    that decided it, and each labour action's score (None: not applicable), so a playthrough's
    ``loses_on`` can be checked."""

    overall: float | None = None
    passed: bool | None = None
    decided_by: str | None = None
    actions: dict[str, float | None] = field(default_factory=dict)
    # The largest loss on the overall (rule, labour action, step, reply): what to look at first.
    top_loss: str | None = None


Scorer = Callable[[Scenario, PlayResult], Verdict]


def verdict(scenario: Scenario, result: PlayResult) -> Verdict:
    """THE HOOK for the scorecards issue: score ``result.events`` for ``scenario`` and return
    the overall score and pass/fail. Until scorecards are wired in, there is no verdict and
    ``ccsim scenarios test`` reports ``overall``/``passed`` as null."""
    return Verdict()


def client_event(action: Action) -> ClientEvent | None:
    """The engine action for a script line; ``None`` for ``wait``."""
    if action.say is not None:
        return ClientEvent(ev.OPERATOR_MESSAGE, {"text": action.say})
    if action.crm is not None:
        return ClientEvent(ev.CRM_SUBMIT, {"form": action.crm.form, "fields": action.crm.fields})
    if action.hold is not None:
        return ClientEvent(ev.HOLD_START if action.hold == "start" else ev.HOLD_END, {})
    if action.kb is not None:
        return ClientEvent(ev.KB_OPEN, {"article": action.kb})
    if action.transfer is not None:
        return ClientEvent(ev.TRANSFER, {"department": action.transfer})
    if action.escalate is not None:
        return ClientEvent(ev.ESCALATE, {"reason": action.escalate})
    if action.end:
        return ClientEvent(ev.SESSION_END, {})
    return None


class _Runaway(Exception):
    """The scenario keeps the customer talking forever; reported, not raised."""


class _Player:
    def __init__(self, engine: Engine, clock: SimulatedClock) -> None:
        self.engine, self.clock = engine, clock
        self.emitted: list[EmittedEvent] = []
        self.releases = 0

    def run_until(self, target: float | None) -> None:
        """Release due events on time, up to ``target`` (or until nothing is due)."""
        while True:
            due = self.engine.next_due()
            if due is None or (target is not None and due > target):
                break
            self.releases += 1
            if self.releases > MAX_RELEASES:
                raise _Runaway(f"the session still had events due after {MAX_RELEASES} releases")
            self.clock.set(max(self.clock.now(), due))
            self.emitted += self.engine.advance()
        if target is not None:
            self.clock.set(max(self.clock.now(), target))

    def settle(self) -> None:
        """Let the customer finish what they are saying (the script's delays count from it)."""
        while self.engine.started and self.engine.state.customer_busy:
            due = self.engine.next_due()
            if due is None:
                break
            self.run_until(due)


def play(
    scenario: Scenario,
    playthrough: Playthrough,
    detector: BehaviourDetector,
    timing: Timing | None = None,
    *,
    hints: bool = True,
    version: str = "",
) -> PlayResult:
    clock = SimulatedClock()
    engine = Engine(
        scenario,
        seed=playthrough.seed,
        detector=detector,
        clock=clock,
        timing=timing if timing is not None else Timing.zero(),
        hints=hints,
        version=version,
    )
    player = _Player(engine, clock)
    result = PlayResult()
    player.emitted += engine.start()
    try:
        _run_script(player, playthrough, result)
    except _Runaway as exc:
        result.errors.append(str(exc))
    result.events = [e.to_event(seq) for seq, e in enumerate(player.emitted, start=1)]
    ended = next((e for e in reversed(result.events) if e.type == ev.SESSION_ENDED), None)
    if ended is not None:
        result.ending, result.outcome = ended.data.get("ending"), ended.data.get("outcome")
    else:
        result.errors.append("the session did not end")
    return result


def _run_script(player: _Player, playthrough: Playthrough, result: PlayResult) -> None:
    engine, clock = player.engine, player.clock
    for number, action in enumerate(playthrough.actions, start=1):
        player.settle()
        player.run_until(clock.now() + (action.after or 0.0))
        if action.wait is not None:
            player.run_until(clock.now() + action.wait)
        event = client_event(action)
        if event is None:
            continue
        if engine.ended:
            # A script cannot know exactly when a customer hangs up; the desk would simply
            # refuse the rest, so they are skipped (and listed), not failures.
            result.skipped.append(number)
            continue
        try:
            player.emitted += engine.handle(event)
        except EngineError as exc:
            result.errors.append(f"action {number}: {exc.message} ({exc.code})")
    player.run_until(None)


def expectation_failures(
    playthrough: Playthrough, result: PlayResult, verdict: Verdict
) -> list[str]:
    """What the playthrough expected and did not get (empty: it passed).

    A fairness playthrough (``excellent``, ``stuffer``, ...) expects a verdict: its ``passed``;
    its ``ending`` only when given. ``loses_on`` holds for every kind: each action named must
    be applicable and lose points (a poor playthrough "losing" an action that scored 100 is a
    failed expectation, not ok)."""
    failures = list(result.errors)
    expect = playthrough.expect
    if expect.ending is not None and result.ending != expect.ending:
        failures.append(f"ending {result.ending!r}, expected {expect.ending!r}")
    known = playthrough.is_fairness and expect.disagreement is not None
    if (
        None not in (expect.passed, verdict.passed)
        and verdict.passed != expect.passed
        and not known
    ):
        why = f" ({verdict.decided_by})" if verdict.decided_by else ""
        failures.append(f"passed is {verdict.passed}{why}, expected {expect.passed}")
    minimum, overall = expect.min_overall, verdict.overall
    if minimum is not None and overall is not None and overall < minimum:
        failures.append(f"overall {overall:.1f} < expected {minimum}")
    if verdict.actions:
        for code in expect.loses_on:
            if code not in verdict.actions:
                failures.append(f"loses_on {code}: not a labour action of this scenario's function")
                continue
            score = verdict.actions[code]
            if score is None:
                failures.append(f"loses_on {code}: the action is not applicable in this session")
            elif score >= 100:
                failures.append(f"loses_on {code}: the action scored {score:.1f}, it lost nothing")
    return failures


@dataclass(frozen=True, slots=True)
class PlaythroughReport:
    row: dict[str, Any]  # one element of `ccsim scenarios test --json`
    failures: list[str]
    path: str

    @property
    def ok(self) -> bool:
        return not self.failures


def check_library(
    library: Library,
    detector: BehaviourDetector,
    scorer: Scorer = verdict,
    *,
    scenario_ids: set[str] | None = None,
) -> list[PlaythroughReport]:
    """Play every playthrough (fairness ones included) of every valid scenario, in scenario then
    file order; ``scenario_ids`` limits the run to those scenarios."""
    reports = []
    for scenario_id in sorted(library.playthroughs):
        if scenario_ids is not None and scenario_id not in scenario_ids:
            continue
        loaded = library.scenarios.get(scenario_id)
        for item in library.playthroughs[scenario_id]:
            if loaded is None:  # the loader reports this too; do not lose the playthrough
                row = summary_row(scenario_id, item.playthrough, None, Verdict())
                failure = f"no valid scenario {scenario_id!r}"
                reports.append(PlaythroughReport(row, [failure], str(item.path)))
                continue
            scenario = loaded.scenario
            result = play(scenario, item.playthrough, detector, version=loaded.sha256)
            judged = scorer(scenario, result)
            reports.append(
                PlaythroughReport(
                    row=summary(scenario, item.playthrough, result, judged),
                    failures=expectation_failures(item.playthrough, result, judged),
                    path=str(item.path),
                )
            )
    return reports


def summary_row(
    scenario_id: str, playthrough: Playthrough, ending: str | None, verdict: Verdict
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "scenario": scenario_id,
        "playthrough": playthrough.name,
        "kind": playthrough.kind,
        "ending": ending,
        "overall": verdict.overall,
        "passed": verdict.passed,
    }
    if playthrough.is_fairness:
        row.update(
            {
                "expected_passed": playthrough.expect.passed,
                "author": playthrough.author,
                "batch": playthrough.batch,
                "why": playthrough.expect.why,
                "known_disagreement": playthrough.expect.disagreement,
                "decided_by": verdict.decided_by,
                "top_loss": verdict.top_loss,
            }
        )
    return row


def summary(
    scenario: Scenario, playthrough: Playthrough, result: PlayResult, verdict: Verdict
) -> dict[str, Any]:
    """One row of ``ccsim scenarios test --json``; fairness playthroughs add their expected
    verdict, author, batch, reason and the rule that decided the verdict."""
    return summary_row(scenario.id, playthrough, result.ending, verdict)
