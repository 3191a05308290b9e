"""``ccsim play`` (a scripted playthrough through the real engine, then its scorecard) and
``ccsim rescore`` (a stored session's log scored again)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session

from app.cli.commands_db import load_settings, migrated_engine
from app.cli.errors import fail
from app.cli.groups import cli
from app.db.engine import create_session_factory
from app.repositories.scenarios import ScenarioRepository
from app.repositories.scorecard_aggregates import aggregates, save_scorecard
from app.repositories.sessions import SessionRepository
from app.repositories.users import UserRepository
from app.sessions.scenarios import ScenarioSourceError, scenario_from_source
from scoring import events as ev
from scoring.catalogue import ENGINE_VIOLATION_IDS
from scoring.detection import default_detector
from scoring.detection.types import BehaviourDetector, Detection
from scoring.events import Event
from scoring.grounding import SOURCE_PREFIX as GROUNDED
from scoring.grounding import merge
from scoring.scorecard import Scorecard, ScoringSettingsError, score_session
from scoring.scorecard.labour import VIOLATION_TITLES_RU, fmt_value
from simulator.playthrough import PlayResult, Verdict, play
from simulator.scenario.library import LoadedScenario
from simulator.scenario.loader import load_library, load_playthrough_file
from simulator.scenario.model import Scenario
from simulator.scenario.scoring_spec import scoring_spec

MARK = {"demonstrated": "✔", "partly": "≈", "missed": "✘", "not_applicable": "—"}


def score_result(scenario: Scenario, result: PlayResult, version: str = "") -> Scorecard:
    """The scorecard of a played session (scenario ``scoring:`` overrides applied)."""
    try:
        return score_session(result.events, scoring_spec(scenario, version))
    except ScoringSettingsError as exc:
        raise fail(str(exc)) from None


def scorecard_verdict(scenario: Scenario, result: PlayResult) -> Verdict:
    """The scorer ``ccsim scenarios test`` plugs into the playthrough runner."""
    card = score_session(result.events, scoring_spec(scenario))
    return card_verdict(card)


def card_verdict(card: Scorecard) -> Verdict:
    """What a playthrough's expectation is checked against: verdict, deciding rule, each
    action's score and the largest single loss."""
    top = max(card.lost_points, key=lambda p: p.overall_points, default=None)
    top_loss = None
    if top is not None:
        where = f" step {top.step}" if top.step else ""
        where += f" reply {top.reply_index}" if top.reply_index is not None else ""
        action = f" {top.labour_action}" if top.labour_action else ""
        top_loss = f"{top.rule}{action}{where} (−{top.overall_points:.1f})"
    return Verdict(
        overall=round(card.overall, 1),
        passed=card.passed,
        decided_by=card.decided_by,
        actions={
            la.code: None if la.score is None else round(la.score, 2) for la in card.labour_actions
        },
        top_loss=top_loss,
    )


MODEL_MINIMUM = 85.0


def calibration_failures(kind: str, overall: float | None, passed: bool | None) -> list[str]:
    """A model playthrough must pass with at least ``MODEL_MINIMUM``; a poor one must fail."""
    if overall is None or passed is None:
        return []
    if kind == "model" and (not passed or overall < MODEL_MINIMUM):
        return [
            f"model playthrough scored {overall:.1f} (passed: {passed}); needs a pass "
            f"with at least {MODEL_MINIMUM:g}"
        ]
    if kind == "poor" and passed:
        return [f"poor playthrough passed with {overall:.1f}; it must fail"]
    return []


def render(card: Scorecard, extra: Sequence[str] = ()) -> str:
    """The scorecard as a trainer reads it in a terminal."""
    verdict = "ЗАЧТЕНО" if card.passed else "НЕ ЗАЧТЕНО"
    lines = [
        f"Сценарий {card.scenario} (функция {card.function}, канал {card.channel})",
        f"Исход: {card.ending or '—'} ({card.outcome or '—'})",
        f"Итог: {card.overall:.1f} / 100 — {verdict} [{card.decided_by}]",
        f"  {card.decided_by_ru}",
        *extra,
        "",
        "Трудовые действия:",
    ]
    for la in card.labour_actions:
        score = "  —  " if la.score is None else f"{la.score:5.1f}"
        lines.append(f"  {MARK[la.status]} {la.code:<12} {score}  {la.title[:70]}")
        for p in la.lost_points:
            where = f"шаг {p.step}" if p.step else "контакт"
            if p.reply_index is not None:
                where += f", реплика {p.reply_index}"
            lines.append(f"      −{p.points:.1f} [{p.rule}] {where}: {p.explanation_ru}")
    lines += ["", "Показатели (KPI):"]
    for k in card.kpis:
        sign = "≤" if k.direction == "max" else "≥"
        lines.append(
            f"  {'✔' if k.met else '✘'} {k.title_ru}: {fmt_value(k.value, k.unit)} "
            f"(цель {sign} {fmt_value(k.target, k.unit)})"
        )
    if card.violations:
        lines += ["", "Нарушения:"]
        for v in card.violations:
            crit = " КРИТИЧЕСКОЕ" if v.critical else ""
            title = VIOLATION_TITLES_RU.get(v.code, v.title_ru)
            lines.append(f"  ✘{crit} {title}, реплика {v.reply_index}: «{v.text[:100]}»")
    deductions = [p for p in card.lost_points if p.labour_action is None]
    if deductions:
        lines += ["", "Вычеты из итога:"]
        lines += [f"  −{p.points:.1f} [{p.rule}] {p.explanation_ru}" for p in deductions]
    lines.append(f"\nДетектор {card.detector_version or '—'}, оценка {card.scorer_version}")
    return "\n".join(lines)


def _find_scenario(scenario_id: str, library: Path) -> LoadedScenario:
    if not library.is_dir():
        raise fail(f"scenario folder {library} not found: pass --root or set CCSIM_SCENARIOS_DIR")
    lib = load_library(library)
    loaded = lib.scenarios.get(scenario_id)
    if loaded is None:
        broken = [e for e in lib.errors if scenario_id in str(e.path)]
        if broken:
            raise fail(f"scenario {scenario_id!r} does not load: {broken[0]}")
        known = ", ".join(sorted(lib.scenarios)[:8])
        raise fail(
            f"no scenario {scenario_id!r} in {library}/; known: {known}"
            + (" …" if len(lib.scenarios) > 8 else "")
        )
    return loaded


@cli.command("play")
def play_command(
    scenario_id: str = typer.Argument(..., help="Scenario id, e.g. a01-mobile-roaming-call."),
    script: Path = typer.Option(..., "--script", help="Playthrough script (*.play.yaml)."),
    as_json: bool = typer.Option(False, "--json", help="Print the scorecard as JSON."),
    library: Path = typer.Option(
        Path("scenarios"), "--root", envvar="CCSIM_SCENARIOS_DIR", help="The scenario library."
    ),
) -> None:
    """Play a scripted playthrough through the engine on a simulated clock and score it."""
    if not script.is_file():
        raise fail(f"script {script} does not exist; pass a *.play.yaml file to --script")
    loaded = _find_scenario(scenario_id, library)
    result = load_playthrough_file(script, loaded.scenario)
    if result.value is None:
        raise fail(str(result.errors[0]) if result.errors else f"{script}: does not load")
    playthrough = result.value
    if playthrough.scenario != scenario_id:
        raise fail(
            f"{script}: the script is for scenario {playthrough.scenario!r}, not {scenario_id!r}"
        )
    played = play(loaded.scenario, playthrough, default_detector(), version=loaded.sha256)
    card = score_result(loaded.scenario, played, loaded.sha256)
    if as_json:
        data = card.to_dict()
        data["playthrough"] = playthrough.name
        data["errors"] = played.errors
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        notes = [f"  ! {e}" for e in played.errors]
        typer.echo(render(card, [f"Прохождение: {playthrough.name}", *notes]))


def redetected(events: Sequence[Event], detector: BehaviourDetector) -> list[Event]:
    """The log with every reply's detection redone by ``detector``.

    The dialogue itself is history and is not replayed; violations the detector raised are taken
    from the new labels (the engine's own ones — ``personal_data_unverified``, ``false_claim``,
    ``policy_breach`` — stay: they rest on the session's state, which is history).
    """
    out: list[Event] = []
    customer: str | None = None
    for e in events:
        if e.type == ev.CUSTOMER_MESSAGE:
            customer = str(e.data.get("text", ""))
        if e.type == ev.VIOLATION and e.data.get("code") not in ENGINE_VIOLATION_IDS:
            continue
        if e.type == ev.OPERATOR_MESSAGE:
            detection = detector.detect(str(e.data.get("text", "")), customer)
            # Labels grounded in the scenario's knowledge are not the detector's: they stay.
            stored = e.data.get("detection") or {}
            grounded = [
                Detection.from_dict(d)
                for d in stored.get("detections", [])
                if str(d.get("source", "")).startswith(GROUNDED)
            ]
            detection = merge(detection, grounded)
            e = Event(e.seq, e.t, e.type, {**e.data, "detection": detection.to_dict()})
        out.append(e)
    return out


def _rescore(db: Session, session_id: str, redetect: bool) -> tuple[Scorecard, str]:
    training = SessionRepository(db).get(session_id)
    if training is None:
        raise fail(f"no session {session_id!r}; list sessions in the web UI or the database")
    version = ScenarioRepository(db).get(training.scenario_version_id)
    if version is None:
        raise fail(f"session {session_id}: its scenario version is missing")
    try:
        scenario = scenario_from_source(version.sha256, version.source)
    except ScenarioSourceError as exc:
        raise fail(str(exc)) from None
    stored = SessionRepository(db).events(session_id)
    events = [Event(e.seq, e.t, e.type, dict(e.data)) for e in stored]
    if not events:
        raise fail(f"session {session_id} has no events to score")
    used = "stored detections"
    if redetect:
        detector = default_detector()
        events = redetected(events, detector)
        used = f"detector {detector.version} (re-detected)"
    spec = scoring_spec(scenario, version=str(version.id))
    try:
        return score_session(events, spec), used
    except ScoringSettingsError as exc:
        raise fail(str(exc)) from None


@cli.command("rescore")
def rescore_command(
    session_id: str = typer.Argument(..., help="Session id."),
    redetect: bool = typer.Option(
        False, "--redetect", help="Run the current detector on the replies again."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the scorecard as JSON."),
    save: bool = typer.Option(True, "--save/--no-save", help="Store the new scorecard."),
) -> None:
    """Score a stored session again from its event log and its scenario version."""
    settings = load_settings()
    with migrated_engine(settings) as engine, create_session_factory(engine)() as db:
        card, used = _rescore(db, session_id, redetect)
        data: dict[str, Any] = card.to_dict()
        scorecard_id = None
        if save:
            scorecard_id = save_scorecard(db, session_id, data).id
            db.commit()
    if as_json:
        typer.echo(
            json.dumps(
                {**data, "detection": used, "scorecard_id": scorecard_id},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        saved = f"сохранена как #{scorecard_id}" if scorecard_id else "не сохранена"
        typer.echo(render(card, [f"Сессия {session_id}: {used}; оценка {saved}"]))


@cli.command("stats")
def stats_command(
    username: str = typer.Argument(..., help="The trainee's user name."),
    last: int = typer.Option(10, "--last", min=1, help="How many recent sessions 'last N' covers."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """A trainee's scores per labour function and labour action: all sessions, the last N and
    the trend (newer half of the last N minus the older half)."""
    settings = load_settings()
    with migrated_engine(settings) as engine, create_session_factory(engine)() as db:
        user = UserRepository(db).get_by_username(username)
        if user is None:
            raise fail(f"no user {username!r}; create one with ccsim user create")
        rows = aggregates(db, user_ids=[user.id], last_n=last)
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo(f"{username}: no scored sessions yet")
        return
    typer.echo(f"{'':2}{'code':<12} {'n':>5} {'mean':>6} {f'last {last}':>8} {'trend':>6}")
    for r in rows:
        trend = "—" if r.trend is None else f"{r.trend:+.1f}"
        indent = "" if r.kind == "function" else "  "
        typer.echo(
            f"{indent:2}{r.code:<12} {r.count:>5} {r.mean:>6.1f} {r.last_n_mean:>8.1f} {trend:>6}"
        )
