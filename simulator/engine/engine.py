"""The dialogue engine: plays one scenario version for one operator.

Pure in the sense of docs/engine.md: time comes from the injected clock, randomness from the
seed, behaviours from the injected detector, and every call returns the events it emitted. The
engine is therefore a deterministic function of (scenario, seed, the operator's actions with
their times, the times at which ``advance`` was called); :func:`simulator.engine.replay.restore`
relies on that to rebuild a session from its log.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Any, Final

from scoring import events as ev
from scoring.catalogue import VIOLATION_IDS
from scoring.detection.types import BehaviourDetector, Detection, DetectionResult
from scoring.facts import FactCheck, FactSpec, check_facts
from scoring.grounding import SOURCE_PREFIX as GROUNDED_PREFIX
from scoring.grounding import ground, merge
from scoring.identity import gives_all, ground_identity
from simulator.engine.call_timing import (
    call_reaction,
    call_timing,
    patience_s,
    step_handles_unannounced_hold,
)
from simulator.engine.clock import Clock
from simulator.engine.conditions import Situation, holds, met_by, signal_holds
from simulator.engine.crm import check_submission, record_correct
from simulator.engine.knowledge import knowledge, scenario_facts, stated_values
from simulator.engine.messages import (
    CLIENT_EVENT_TYPES,
    MAX_MESSAGE_CHARS,
    ClientEvent,
    EmittedEvent,
    EngineError,
)
from simulator.engine.state import (
    Closing,
    CustomerLine,
    LineKind,
    SessionState,
    Speaking,
    StepState,
)
from simulator.engine.timing import Timing
from simulator.engine.violations import (
    FALSE_CLAIM,
    POLICY_BREACH,
    Claim,
    ClaimChecker,
    allowed_promises,
    breaches,
    claim_tense,
    reaction_for,
    transfer_told,
)
from simulator.scenario.model import (
    Branch,
    Fact,
    Need,
    NeedKind,
    Reaction,
    Scenario,
    Signal,
    Step,
)

HOLD_NUDGE: Final = "Алло, вы ещё там?"
OTHERWISE: Final = -1  # branch indexes of a step's `otherwise` and `then`
THEN: Final = -2
CATCH_UP: Final = -3  # the step's `then`, fired because the operator is ahead (docs/engine.md)
DEFAULT_HOLD_MAX_S: Final = 120.0
HANG_UP_MOOD: Final = 10
PERSONAL_DATA_UNVERIFIED: Final = "personal_data_unverified"
# What the customer says when a reply misses a need that has no `repair:` lines of its own.
GENERIC_REPAIRS: Final[dict[NeedKind, tuple[str, ...]]] = {
    "learn": (
        "Так а что по моему вопросу?",
        "Простите, я не совсем понимаю. Можно ответ на мой вопрос?",
        "И всё-таки: что скажете по существу?",
    ),
    "done": (
        "Так вы это сделаете?",
        "Хорошо, а что с моей просьбой?",
        "Мне важно, чтобы это было сделано. Что дальше?",
    ),
    "reassure": (
        "Меня это всё равно беспокоит.",
        "Честно говоря, вы меня пока не убедили.",
        "И всё-таки я сомневаюсь...",
    ),
}
# A reply made only of these (a greeting, an acknowledgement, a summary, announcing or ending a
# wait) is not yet a miss: the customer waits for the answer, which often comes in the
# operator's next message. Only MAX_FILLERS such replies per need, so formulas alone still fail.
FILLER_LABELS: Final = frozenset(
    {
        "greeting",
        "introduction",
        "empathy",
        "apology",
        "active_listening",
        "summary",
        "hold_request",
        "hold_return",
    }
)
MAX_FILLERS: Final = 2
MAX_UNGROUNDED_AHEAD: Final = 1  # per step visit: replies let pass on a detector label ahead
# Labels that carry content: a reply showing one of them for the first time in the session, as a
# signal of a need further along the dialogue, is progress (the operator is ahead), not a miss.
# Formulas (greetings, questions, empathy, closing phrases, the bare «понимаю ваши сомнения»)
# are not: said again and again they must still exhaust the customer's patience.
CONTENT_LABELS: Final = frozenset(
    {
        "information",
        "personal_data",
        "product_presentation",
        "cross_sell",
        "alternative_offer",
        "payment_info",
        "order_confirmation",
        "troubleshooting",
        "ticket_registration",
        "transfer_department",
        "timeline",
        "decision",
        "status_update",
        "escalation",
    }
)


def fact_spec(fact: Fact, subjects: tuple[str, ...] = ()) -> FactSpec:
    return FactSpec(
        id=fact.id,
        kind=fact.kind,
        value=fact.value,
        keywords=tuple(fact.keywords),
        aliases=tuple(fact.aliases),
        subjects=subjects,
        wrong=tuple(fact.wrong),
    )


# Kinds whose values compare with each other: two facts of one group in an article cannot share
# its subject («Орбита Плюс» would not say which of two prices is meant).
_VALUE_GROUPS: Final = {
    "price": "money",
    "number": "number",
    "phone": "phone",
    "term": "when",
    "deadline": "when",
    "date": "when",
    "time": "when",
}


def fact_specs(scenario: Scenario) -> list[FactSpec]:
    """The scenario's facts as the checker reads them. A product or service named in «quotes»
    in an article's title is the subject of the article's facts: «Орбита Плюс — 590 рублей в
    месяц» speaks of the tariff's price without saying «стоимость». Only a fact alone of its
    value group in the article gets it, and only as a weak keyword."""
    out: dict[str, FactSpec] = {}
    for article in scenario.knowledge_base:
        names = tuple(n.strip() for n in re.findall(r"«([^»]{2,40})»", article.title))
        groups = [_VALUE_GROUPS.get(f.kind) for f in article.facts]
        for fact, group in zip(article.facts, groups, strict=True):
            alone = group is not None and groups.count(group) == 1
            out[fact.id] = fact_spec(fact, names if alone else ())
    for fact in scenario.facts().values():
        out.setdefault(fact.id, fact_spec(fact))
    return [out[f.id] for f in scenario.facts().values()]


def _ms(t: float) -> float:
    return round(t, 3)


def _sentence_at(text: str, start: int, end: int) -> str:
    """The sentence around a span (a claim's department may be named after its verb)."""
    first = max(text.rfind(mark, 0, start) for mark in ".!?") + 1
    ends = [i for mark in ".!?" if (i := text.find(mark, end)) >= 0]
    return text[first : min(ends, default=len(text))]


def _discloses(detection: Detection, text: str) -> bool:
    """A disclosure of personal data is a value: one of the profile's (grounded) or a concrete
    figure in the span. «Звоню по вашему вкладу» before identification names no data (the
    catalogue's personal_data convention); «ваш вклад на 250 000 ₽ заканчивается» does."""
    if detection.label != "personal_data":
        return False
    if (detection.source or "").startswith(GROUNDED_PREFIX):
        return True
    return any(ch.isdigit() for ch in _sentence_at(text, detection.start, detection.end))


class Engine:
    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int,
        detector: BehaviourDetector,
        clock: Clock,
        timing: Timing | None = None,
        hints: bool = True,
        version: str = "",
    ) -> None:
        self.scenario = scenario
        self.seed = seed
        self.detector = detector
        self.clock = clock
        self.timing = timing if timing is not None else Timing()
        self.hints = hints
        self.version = version
        self._rng = random.Random(seed)
        self._facts = fact_specs(scenario)
        self._stated_values = stated_values(scenario)
        self._known_facts = scenario_facts(scenario)
        self._hold_max_s = scenario.kpi.hold_max_s or DEFAULT_HOLD_MAX_S
        self._call = scenario.channel == "call"
        self._call_timing = call_timing(scenario)
        self._patience_s = patience_s(scenario, self._call_timing)
        self._state: SessionState | None = None
        self._out: list[EmittedEvent] = []
        self._now = 0.0
        self._last_t = 0.0
        self._read_s = 0.0  # delay before the customer starts answering the current action
        self._claims = ClaimChecker(scenario)
        self._pending_claims: list[Claim] = []
        self._transfers: set[str] = set()  # every department transferred to
        self._needs = scenario.needs()
        self._passing: set[str] = set()  # steps being passed through on entry (no loops)
        self._ahead = False  # the reply being handled made progress on a need further along
        self._reply_action = False  # the action being handled is an operator reply
        self._reachable: dict[str, frozenset[str]] = {}
        #: Events re-emitted by a replay that the log did not hold (see replay.restore).
        self.replayed_tail: list[EmittedEvent] = []

    # ---- public surface -----------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        if self._state is None:
            raise EngineError("not_started", "the session has not started; call start() first")
        return self._state

    @property
    def started(self) -> bool:
        return self._state is not None

    @property
    def ended(self) -> bool:
        return self._state is not None and self._state.ended

    def start(self) -> list[EmittedEvent]:
        if self._state is not None:
            raise EngineError("already_started", "the session has already started")
        self._begin()
        first = self.scenario.dialogue.start
        self._state = SessionState(
            step=StepState(id=first, entered_at=self._now),
            mood=self.scenario.customer.mood,
            # With no verification in the scenario there is nothing to verify against.
            identified=self.scenario.customer.verification is None,
            last_activity=self._now,
        )
        self._emit(
            ev.SESSION_STARTED,
            {
                "scenario": self.scenario.id,
                "version": self.version,
                "seed": self.seed,
                "function": self.scenario.function,
                "channel": self.scenario.channel,
            },
        )
        self._enter_step(first, source=None, branch=None)
        return self._finish()

    def handle(
        self,
        event: ClientEvent,
        *,
        detection: DetectionResult | None = None,
        facts: Sequence[FactCheck] | None = None,
    ) -> list[EmittedEvent]:
        """Apply one operator action. The first returned event is the action's own (enriched)
        event; bad input raises :class:`EngineError` and changes nothing.

        ``detection`` and ``facts`` replace the analysis of a reply (a replay passes the stored
        ones, so a newer detector or fact checker cannot rewrite a session's history)."""
        state = self.state
        if state.ended:
            raise EngineError("session_ended", "the session is over; start a new one")
        if event.type not in CLIENT_EVENT_TYPES:
            known = ", ".join(sorted(CLIENT_EVENT_TYPES))
            raise EngineError("unknown_event", f"unknown action {event.type!r}; use one of {known}")
        self._validate(event)
        self._begin()
        self._ahead = False
        self._reply_action = event.type == ev.OPERATOR_MESSAGE
        state.last_activity = self._now
        state.nudges_used = 0
        state.silence_branch_used = False
        data = event.data
        if event.type == ev.OPERATOR_MESSAGE:
            self._operator_message(str(data["text"]), detection, facts)
        elif event.type == ev.CRM_SUBMIT:
            self._crm_submit(str(data["form"]), data.get("fields") or {})
        elif event.type == ev.HOLD_START:
            state.hold.started_at = self._now
            state.hold.count += 1
            state.hold.overrun_nudged = False
            state.hold.unannounced = (
                self._call
                and "hold_request" not in state.last_reply_labels
                and not step_handles_unannounced_hold(self.scenario, state.step.id)
            )
            state.step.hold = True
            self._emit(ev.HOLD_START, {})
            self._evaluate(violations=())
        elif event.type == ev.HOLD_END:
            started = state.hold.started_at
            assert started is not None  # checked by _validate
            duration = _ms(self._now - started)
            state.hold.total_s = _ms(state.hold.total_s + duration)
            state.hold.started_at = None
            self._emit(ev.HOLD_END, {"duration_s": duration})
            if state.hold.unannounced:
                # Back from a hold nobody warned them about: the caller says so first.
                state.hold.unannounced = False
                self._call_reaction("hold_unannounced")
            self._evaluate(violations=())
        elif event.type == ev.KB_OPEN:
            self._emit(ev.KB_OPEN, {"article": str(data["article"])})
            self._evaluate(violations=())
        elif event.type == ev.TRANSFER:
            state.transferred = str(data["department"])
            self._transfers.add(state.transferred)
            self._emit(ev.TRANSFER, {"department": state.transferred})
            self._evaluate(violations=())
        elif event.type == ev.ESCALATE:
            state.escalated = True
            self._emit(ev.ESCALATE, {"reason": str(data.get("reason") or "")})
            self._evaluate(violations=())
        else:  # session.end: the operator closes the contact, the customer says no more
            self._emit(ev.SESSION_END, {})
            self._settle_claims(at_end=True)
            state.queue.clear()
            state.speaking = None
            state.closing = Closing(
                ending=state.ending, outcome=state.outcome or "unresolved", reason="operator_ended"
            )
        return self._finish()

    def next_due(self) -> float | None:
        """When :meth:`advance` will next have something to release (session seconds)."""
        if self._state is None or self._state.ended:
            return None
        state = self._state
        if state.speaking is not None:
            return state.speaking.due
        if state.closing is not None:
            return self._last_t
        return self._silence_due()

    def advance(self) -> list[EmittedEvent]:
        """Release whatever is due at the clock's time: finished lines, nudges, hang-ups."""
        if self._state is None or self._state.ended:
            return []
        self._begin()
        return self._finish()

    @classmethod
    def restore(
        cls,
        scenario: Scenario,
        *,
        seed: int,
        detector: BehaviourDetector,
        clock: Clock,
        timing: Timing | None = None,
        log: Sequence[ev.Event],
        hints: bool = True,
        version: str = "",
    ) -> Engine:
        """Rebuild a session from its log; see :mod:`simulator.engine.replay`."""
        from simulator.engine.replay import restore

        return restore(
            scenario,
            seed=seed,
            detector=detector,
            clock=clock,
            timing=timing,
            log=log,
            hints=hints,
            version=version,
        )

    def snapshot(self) -> dict[str, Any]:
        snap = self.state.snapshot()
        snap["show_mood"] = self.scenario.customer.show_mood
        return snap

    # ---- plumbing -----------------------------------------------------------------------

    def _begin(self) -> None:
        self._out = []
        self._read_s = 0.0
        self._now = max(_ms(self.clock.now()), self._last_t)

    def _finish(self) -> list[EmittedEvent]:
        self._release_due()
        out, self._out = self._out, []
        return out

    def _emit(self, type_: str, data: dict[str, Any]) -> None:
        self._out.append(EmittedEvent(t=self._now, type=type_, data=data))
        self._last_t = self._now

    def _validate(self, event: ClientEvent) -> None:
        data, state = event.data, self.state
        if event.type == ev.OPERATOR_MESSAGE:
            text = data.get("text")
            if not isinstance(text, str) or not text.strip():
                raise EngineError("bad_input", "operator.message needs a non-empty 'text'")
            if len(text) > MAX_MESSAGE_CHARS:
                raise EngineError(
                    "bad_input", f"a message is at most {MAX_MESSAGE_CHARS} characters"
                )
        elif event.type == ev.CRM_SUBMIT:
            form = data.get("form")
            if not isinstance(form, str) or self.scenario.form(form) is None:
                known = ", ".join(f.id for f in self.scenario.crm) or "none"
                raise EngineError("unknown_form", f"no CRM form {form!r}; forms: {known}")
            fields = data.get("fields", {})
            if not isinstance(fields, dict):
                raise EngineError("bad_input", "crm.submit 'fields' must be an object")
        elif event.type == ev.HOLD_START and state.hold.active:
            raise EngineError("already_on_hold", "the customer is already on hold")
        elif event.type == ev.HOLD_END and not state.hold.active:
            raise EngineError("not_on_hold", "the customer is not on hold; start a hold first")
        elif event.type == ev.KB_OPEN:
            article = data.get("article")
            if not isinstance(article, str) or article not in {
                a.id for a in self.scenario.knowledge_base
            }:
                raise EngineError("unknown_article", f"no knowledge-base article {article!r}")
        elif event.type == ev.TRANSFER:
            department = data.get("department")
            if not isinstance(department, str) or department not in {
                d.id for d in self.scenario.departments
            }:
                known = ", ".join(d.id for d in self.scenario.departments) or "none"
                raise EngineError(
                    "unknown_department", f"no department {department!r}; departments: {known}"
                )
        elif event.type == ev.ESCALATE and not isinstance(data.get("reason", ""), str | None):
            raise EngineError("bad_input", "escalate 'reason' must be text")

    # ---- operator actions ---------------------------------------------------------------

    def _operator_message(
        self, text: str, detection: DetectionResult | None, facts: Sequence[FactCheck] | None
    ) -> None:
        state = self.state
        checks = (
            list(facts)
            if facts is not None
            else check_facts(text, self._facts, self._stated_values)
        )
        if detection is None:
            # Content labels grounded in the scenario's knowledge join the detector's; the
            # merged detection is stored, so a replay passes it back and grounds nothing.
            heard = [state.last_customer_text] if state.last_customer_text else []
            found = self.detector.detect(text, customer=state.last_customer_text)
            known = knowledge(self.scenario, state.forms, self._known_facts)
            grounded = ground(text, checks, known, heard)
            verification = self.scenario.customer.verification
            if verification is not None:
                # Asking for the scenario's verification fields by name is identification,
                # however the request is phrased (catalogue convention 8).
                grounded += ground_identity(text, verification.fields)
            result = merge(found, grounded)
        else:
            result = detection
        reply_index = state.replies
        state.replies += 1
        waited = state.awaiting_reply_since
        state.awaiting_reply_since = None
        data: dict[str, Any] = {
            "text": text,
            "reply_index": reply_index,
            "step": state.step.id,
            "detection": result.to_dict(),
            "facts": [c.to_dict() for c in checks],
            "response_time_s": None if waited is None else _ms(self._now - waited),
        }
        speaking = state.speaking
        talk_over = self._call and speaking is not None and self._now >= speaking.speech_at
        if talk_over:
            data["talk_over"] = True  # only when true: logs from before the flag replay unchanged
        allowed = allowed_promises(self.scenario, text, result.detections)
        if allowed:
            data["allowed"] = allowed  # promises the policy allows: no violation (scorecard too)
        self._emit(ev.OPERATOR_MESSAGE, data)
        state.last_reply_labels = frozenset(result.labels)
        state.said.update(result.labels)
        violations = self._violations(
            text, result, reply_index, excused={str(a["code"]) for a in allowed}
        )
        self._read_s = self.timing.read(text)
        for check in checks:
            state.facts[check.fact] = check.status
        evidence = frozenset(
            [f"said:{label}" for label in result.labels]
            + [f"fact:{c.fact}" for c in checks if c.status == "stated"]
        )
        grounded_keys = frozenset(
            f"said:{d.label}" for d in result.detections if (d.source or "").startswith("grounded:")
        )
        self._ahead = self._is_ahead(evidence, grounded_keys)
        state.evidence.append(evidence)
        if state.ending is not None:
            # The dialogue is over; a farewell closes the contact once the customer is done.
            if "farewell" in result.labels and state.closing is None:
                state.closing = Closing(state.ending, state.outcome or "", "operator_farewell")
            return
        state.step.replies += 1
        state.step.behaviours.update(result.labels)
        state.step.stated.update(c.fact for c in checks if c.status == "stated")
        if self._call:
            if talk_over and self._call_reaction("talk_over"):
                return
            words = len(text.split())
            if words > self._call_timing.monologue_words and self._call_reaction("monologue"):
                return
        self._evaluate(violations=violations, reply=True)

    def _call_reaction(self, key: str) -> bool:
        """Apply the caller's reaction to a timing incident; True when it ended the dialogue."""
        reaction = call_reaction(self.scenario, key)
        if reaction is None:
            return False
        self._react(reaction, f"reaction:{key}")
        return self.state.ending is not None

    def _violations(
        self,
        text: str,
        result: DetectionResult,
        reply_index: int,
        excused: set[str] | frozenset[str] = frozenset(),
    ) -> list[str]:
        """Emit one violation event per code found in the reply (and per earlier claim the state
        did not bear out); return the codes in order."""
        codes = self._settle_claims()
        found: dict[str, tuple[int, int, str | None]] = {}
        for d in result.detections:
            if d.label in VIOLATION_IDS and d.label not in excused:
                found.setdefault(d.label, (d.start, d.end, d.source))
        personal = next((d for d in result.detections if _discloses(d, text)), None)
        if personal is not None and not self.state.identified:
            found.setdefault(
                PERSONAL_DATA_UNVERIFIED,
                (
                    personal.start,
                    personal.end,
                    "personal data disclosed before the customer was identified",
                ),
            )
        for item, hit in breaches(self.scenario, text):
            if POLICY_BREACH not in found:
                found[POLICY_BREACH] = (
                    hit.start,
                    hit.end,
                    f"the knowledge base forbids it ({item.id}): {item.reason}",
                )
        for code, (start, end, reason) in found.items():
            self._emit_violation(code, reply_index, self.state.step.id, text, start, end, reason)
        self._note_claims(text, result, reply_index)
        self._note_named_transfers(text, reply_index)
        return [*codes, *(c for c in found if c not in codes)]

    def _emit_violation(
        self,
        code: str,
        reply_index: int,
        step: str,
        text: str,
        start: int,
        end: int,
        reason: str | None,
    ) -> None:
        self._emit(
            ev.VIOLATION,
            {
                "code": code,
                "reply_index": reply_index,
                "step": step,
                "text": text[start:end],
                "start": start,
                "end": end,
                "reason": reason,
            },
        )

    def _note_claims(self, text: str, result: DetectionResult, reply_index: int) -> None:
        """Claims of something done, kept until the next reply or the end to be settled."""
        state = self.state
        for d in result.detections:
            reason = self._claims.reason(d.label, text[d.start : d.end])
            named = None
            if d.label == "transfer_department" and reason is not None:
                sentence = _sentence_at(text, d.start, d.end)
                if transfer_told(sentence):
                    named = self._claims.named_department(sentence)
                if named is not None:
                    reason = self._claims.named_reason(named)
            if reason is None or self._holds(d.label, named):
                continue
            tense = claim_tense(d.label, text[d.start : d.end])
            if tense is None:
                continue
            claim = Claim(
                d.label,
                reply_index,
                state.step.id,
                d.start,
                d.end,
                text,
                reason,
                tense == "announced",
                named,
            )
            self._pending_claims.append(claim)

    def _note_named_transfers(self, text: str, reply_index: int) -> None:
        """Each sentence that says the request went to a named department («…и передана в
        расчётный отдел. А сообщение я направила в техподдержку личного кабинета») is a claim
        of its own: the detector gives one span per label, and one true transfer must not
        cover another that was never made."""
        if not self.scenario.departments:
            return
        claimed = {c.named for c in self._pending_claims if c.reply_index == reply_index}

        for m in re.finditer(r"[^.!?]+[.!?]?", text):
            sentence, start = m.group(), m.start()
            if sentence.rstrip().endswith("?"):
                continue
            named = self._claims.named_department(sentence)
            if named is None or named in claimed or not transfer_told(sentence):
                continue
            claimed.add(named)
            if self._holds("transfer_department", named):
                continue
            self._pending_claims.append(
                Claim(
                    "transfer_department",
                    reply_index,
                    self.state.step.id,
                    start,
                    start + len(sentence.rstrip()),
                    text,
                    self._claims.named_reason(named),
                    False,
                    named,
                )
            )

    def _holds(self, label: str, named: str | None) -> bool:
        state = self.state
        return self._claims.holds(
            label,
            state.forms,
            state.transferred,
            state.escalated,
            named=named,
            transfers=frozenset(self._transfers),
            drafts=frozenset(state.drafts),
        )

    def _settle_claims(self, *, at_end: bool = False) -> list[str]:
        """Raise ``false_claim`` for each pending claim the state still does not bear out (one
        per claimed reply); returns the codes raised. Announcements wait for the end."""
        pending, self._pending_claims = self._pending_claims, []
        raised: set[int] = set()
        for claim in pending:
            if claim.until_end and not at_end:
                if not self._holds(claim.label, claim.named):
                    self._pending_claims.append(claim)
                continue
            if claim.reply_index in raised or self._holds(claim.label, claim.named):
                continue
            raised.add(claim.reply_index)
            self._emit_violation(
                FALSE_CLAIM,
                claim.reply_index,
                claim.step,
                claim.text,
                claim.start,
                claim.end,
                claim.reason,
            )
        return [FALSE_CLAIM] if raised else []

    def _crm_submit(self, form_id: str, fields: Any) -> None:
        form = self.scenario.form(form_id)
        assert form is not None  # checked by _validate
        check = check_submission(form, fields)
        if check.valid:
            self.state.forms[form_id] = check.fields
        elif any(v.strip() for v in check.fields.values()):
            self.state.drafts.add(form_id)
        self._emit(ev.CRM_SUBMIT, check.to_data(form_id))
        self._evaluate(violations=())

    # ---- branching ----------------------------------------------------------------------

    def _situation(self, violations: Sequence[str], silence: bool) -> Situation:
        state = self.state
        codes = set(violations)
        if PERSONAL_DATA_UNVERIFIED in codes:
            codes.add("personal_data")  # lets a branch say `violation: [personal_data]`
        return Situation(
            behaviours=frozenset(state.step.behaviours),
            facts=dict(state.facts),
            forms=frozenset(state.forms),
            hold_in_step=state.step.hold,
            escalated=state.escalated,
            transferred=state.transferred,
            identified=state.identified,
            violations=frozenset(codes),
            silence=silence,
            replies_in_step=state.step.replies,
            said_ever=frozenset(state.said),
            held=state.hold.count > 0,
            needs_met=frozenset(state.needs_met),
            stated_in_step=frozenset(state.step.stated),
            correct_forms=frozenset(
                form_id
                for form_id, fields in state.forms.items()
                if (form := self.scenario.form(form_id)) is not None
                and record_correct(form, fields)
            ),
            fresh=self._fresh_keys(),
        )

    def _fresh_keys(self) -> frozenset[str]:
        """Signal keys evidenced in the current step's fresh window (docs/engine.md)."""
        state = self.state
        step = state.step
        keys: set[str] = set()
        for index in range(step.since, len(state.evidence)):
            keys.update(state.evidence[index])
        for index in range(step.carried_from, min(step.since, len(state.evidence))):
            keys.update(
                k for k in state.evidence[index] if k.startswith("fact:") and k not in step.spent
            )
        return frozenset(keys)

    def _reachable_ahead(self, step_id: str) -> frozenset[str]:
        """Steps the dialogue can reach from this one (by `then`, branches, `otherwise`)."""
        cached = self._reachable.get(step_id)
        if cached is not None:
            return cached
        steps = self.scenario.dialogue.steps
        seen: set[str] = set()
        todo = [step_id]
        while todo:
            step = steps[todo.pop()]
            for branch in (*step.branches, step.then, step.otherwise):
                if branch is not None and branch.goto is not None and branch.goto not in seen:
                    seen.add(branch.goto)
                    todo.append(branch.goto)
        seen.discard(step_id)
        self._reachable[step_id] = frozenset(seen)
        return self._reachable[step_id]

    def _is_ahead(self, evidence: frozenset[str], grounded: frozenset[str]) -> bool:
        """Whether a reply makes progress the current step's needs do not see: a knowledge-base
        fact stated correctly for the first time, or a content label shown for the first time
        that is a signal of a not-yet-met need of a step further along. A label grounded in the
        scenario's knowledge always counts; one the detector alone found counts once per visit
        of a step (a stuffer's praise read as a presentation must not buy endless patience)."""
        state = self.state
        if state.ending is not None:
            return False
        seen: set[str] = set().union(*state.evidence) if state.evidence else set()
        new = evidence - seen
        if any(k.startswith("fact:") for k in new):
            return True
        labels = {k for k in new if k.startswith("said:") and k[5:] in CONTENT_LABELS}
        steps = self.scenario.dialogue.steps
        ahead = {
            sig.key()
            for step_id in self._reachable_ahead(state.step.id)
            for need in steps[step_id].needs
            if need.id not in state.needs_met
            for sig in need.met_by
        }
        labels &= ahead
        if labels & grounded:
            return True
        # `information` found by wording alone is too generic to show progress («вся
        # информация есть на сайте»); grounded in a fact or the profile it counts above.
        labels.discard("said:information")
        if labels and state.step.ahead_credits < MAX_UNGROUNDED_AHEAD:
            state.step.ahead_credits += 1
            return True
        return False

    def _skippable(self, need: Need) -> bool:
        """A need the customer may let go when the operator is ahead: something to learn that a
        label can meet (the words may not have been recognised), none of whose facts was
        misstated. A need met only by facts is exact: a fact not stated was not said."""
        if need.kind != "learn":
            return False
        facts = [sig.fact for sig in need.met_by if sig.fact is not None]
        if len(facts) == len(need.met_by):
            return False
        return not any(self.state.facts.get(f) == "misstated" for f in facts)

    def _catches_up(self, step: Step, situation: Situation) -> bool:
        """The operator is ahead: every need of the step `then` leads to is met although this
        step's are not. The customer follows when what is still missing here is only something
        to learn (said, perhaps, in words the signals did not recognise); a `done` or a
        `reassure` need is never skipped. The next step's needs must be met by substance (a
        fact, an action, a content label), not by formulas: a stuffer's questions and
        courtesies never carry the customer past their own question."""
        then = step.then
        if then is None or then.goto is None or then.goto == self.state.step.id:
            return False
        following = self.scenario.dialogue.steps[then.goto]
        if not following.needs:
            return False
        state = self.state
        unmet = [n for n in step.needs if n.id not in state.needs_met]
        if not unmet or not all(self._skippable(n) for n in unmet):
            return False
        # An operator who already answered part of this step on substance and now closes (a
        # further-help question, a farewell) is followed on a formula too — but not on a fresh
        # one: an answer to a line the customer has not said yet is no answer.
        engaged = any(
            (key := state.needs_met.get(n.id)) is not None
            and (not key.startswith("said:") or key[5:] in CONTENT_LABELS)
            for n in step.needs
        )
        return all(
            any(
                (_substantive(sig) or (engaged and not sig.fresh)) and signal_holds(sig, situation)
                for sig in n.met_by
            )
            for n in following.needs
        )

    def _evaluate(
        self, *, violations: Sequence[str], reply: bool = False, silence: bool = False
    ) -> bool:
        """Fire the first branch that holds (or ``otherwise``) and the violation reactions.
        Returns whether anything fired."""
        state = self.state
        if state.ending is not None:
            return False
        step = self.scenario.dialogue.steps[state.step.id]
        situation = self._situation(violations, silence)
        progressed = False if silence else self._record_needs(step, situation)
        if progressed:
            situation = self._situation(violations, silence)
        chosen: tuple[int, Branch] | None = None
        for index, branch in enumerate(step.branches):
            if _stays(branch) and index in state.step.fired:
                continue
            if holds(branch.when, situation, self._needs):
                chosen = (index, branch)
                break
        if chosen is None and not silence and step.then is not None and self._all_met(step):
            chosen = (THEN, step.then)
        if (
            chosen is None
            and not silence
            and step.then is not None
            and self._catches_up(step, situation)
        ):
            chosen = (CATCH_UP, step.then)
        otherwise = step.otherwise
        if (
            chosen is None
            and reply
            and otherwise is not None
            and state.step.replies >= step.max_replies
            and not (_stays(otherwise) and OTHERWISE in state.step.fired)
        ):
            chosen = (OTHERWISE, otherwise)
        handled = set(chosen[1].when.violation) if chosen and chosen[1].when else set()
        if PERSONAL_DATA_UNVERIFIED in violations and "personal_data" in handled:
            handled.add(PERSONAL_DATA_UNVERIFIED)
        reacted = False
        for code in violations:
            reaction = reaction_for(self.scenario, code)
            if code in handled or reaction is None:
                continue
            reacted = True
            self._react(reaction, f"reaction:{code}")
            if state.ending is not None:
                return True
        if chosen is None:
            if reply and not progressed and not reacted and step.needs and not self._ahead:
                self._miss(step)
                return True
            return bool(violations) or progressed or (reply and self._ahead)
        self._fire(*chosen)
        return True

    # ---- needs --------------------------------------------------------------------------

    def _record_needs(self, step: Step, situation: Situation) -> bool:
        """Record (and announce with ``need.met``) the step's needs that are met now; whether
        any was newly met. Signals count from the whole session, so a need may be met on entry.
        """
        state = self.state
        progressed = False
        for need in step.needs:
            if need.id in state.needs_met:
                continue
            signal = met_by(need, situation)
            if signal is None:
                continue
            state.needs_met[need.id] = signal.key()
            progressed = True
            self._emit(
                ev.NEED_MET,
                {"step": state.step.id, "need": need.id, "kind": need.kind, "by": signal.key()},
            )
        if progressed:
            # The customer no longer asks again about what was just answered.
            state.queue = [line for line in state.queue if line.kind != "repair"]
        return progressed

    def _all_met(self, step: Step) -> bool:
        return bool(step.needs) and all(n.id in self.state.needs_met for n in step.needs)

    def _outstanding(self, step: Step) -> Need | None:
        return next((n for n in step.needs if n.id not in self.state.needs_met), None)

    def _miss(self, step: Step) -> None:
        """A reply that met none of the step's outstanding needs: the customer asks again in
        other words, the mood dips a little, and only when the same need has been missed
        ``patience`` times does the customer give up."""
        state = self.state
        need = self._outstanding(step)
        if need is None or state.hold.active:
            return
        labels = state.last_reply_labels
        fillers = state.step.fillers.get(need.id, 0)
        if labels and labels <= FILLER_LABELS and fillers < MAX_FILLERS:
            state.step.fillers[need.id] = fillers + 1
            return
        misses = state.step.misses.get(need.id, 0) + 1
        state.step.misses[need.id] = misses
        patience = step.patience or self.scenario.dialogue.patience
        self._emit(
            ev.NEED_MISSED,
            {
                "step": state.step.id,
                "need": need.id,
                "kind": need.kind,
                "reply_index": state.replies - 1,
                "misses": misses,
                "patience": patience,
            },
        )
        reason = f"need:{state.step.id}.{need.id}"
        if misses >= patience:
            ending = step.gave_up or self.scenario.dialogue.gave_up
            if ending is not None:
                self._reach_ending(ending, reason=f"gave_up:{state.step.id}.{need.id}")
            else:
                self._hang_up(f"gave_up:{state.step.id}.{need.id}")
            return
        if self._change_mood(need.mood, reason):
            return
        lines = need.repair or list(GENERIC_REPAIRS[need.kind])
        self._say_variant(lines, (misses - 1) % len(lines), "repair", state.step.id)

    def _fire(self, index: int, branch: Branch) -> None:
        state = self.state
        origin = state.step.id
        label = {OTHERWISE: "otherwise", THEN: "then", CATCH_UP: "catch_up"}.get(
            index, f"branches[{index}]"
        )
        if _stays(branch):
            state.step.fired.add(index)
        if branch.hint and self.hints:
            self._emit(ev.HINT, {"text": branch.hint, "source": "scenario"})
        if branch.say:
            self._say(branch.say, "reaction", origin)
        if branch.set is not None and branch.set.identified is not None:
            state.identified = branch.set.identified
        if self._change_mood(branch.mood, f"branch:{origin}.{label}"):
            return
        if branch.goto is not None:
            self._enter_step(branch.goto, source=origin, branch=label, window=self._window(index))
        elif branch.end is not None:
            self._reach_ending(branch.end, reason=f"branch:{origin}.{label}")

    def _react(self, reaction: Reaction, reason: str) -> None:
        if reaction.say:
            self._say(reaction.say, "reaction", self.state.step.id)
        if self._change_mood(reaction.mood, reason):
            return
        if reaction.end is not None:
            self._reach_ending(reaction.end, reason=reason)

    def _change_mood(self, delta: int, reason: str, *, may_hang_up: bool = True) -> bool:
        """Apply a mood change; returns True when it made the customer hang up."""
        state = self.state
        mood = max(0, min(100, state.mood + delta))
        if mood != state.mood:
            self._emit(
                ev.CUSTOMER_MOOD, {"mood": mood, "delta": mood - state.mood, "reason": reason}
            )
            state.mood = mood
        if may_hang_up and delta < 0 and mood <= HANG_UP_MOOD and state.ending is None:
            self._hang_up("low_mood")
            return True
        return False

    def _hang_up(self, reason: str) -> None:
        ending = next((k for k, e in self.scenario.endings.items() if e.outcome == "hung_up"), None)
        if ending is not None:
            self._reach_ending(ending, reason=reason)
            return
        state = self.state
        state.ending, state.outcome, state.ending_cause = None, "hung_up", reason
        state.closing = Closing(None, "hung_up", "customer_hung_up")

    def _window(self, index: int) -> tuple[int, frozenset[str]]:
        """What the step a branch leads to takes over for its `fresh` signals: the replies of
        the visit of a voiced step left because its needs are met (`then`, or catching up) —
        the topic the customer's next line continues. Facts stated correctly in them (the pitch
        that named the installment plan, a limit explained before the objection) count as
        answers to the next question, except the facts that met this step's own needs. Labels
        do not carry over (a formula said earlier answers nothing yet), nor does anything when
        the step was passed through unvoiced or left by another branch. Returns the first reply
        index carried over and the facts excluded."""
        state = self.state
        if index not in (THEN, CATCH_UP) or state.step.id in self._passing:
            return state.replies, frozenset()
        step = self.scenario.dialogue.steps[state.step.id]
        spent = frozenset(
            key for need in step.needs if (key := state.needs_met.get(need.id)) is not None
        )
        return state.step.since, spent

    def _enter_step(
        self,
        step_id: str,
        *,
        source: str | None,
        branch: str | None,
        window: tuple[int, frozenset[str]] | None = None,
    ) -> None:
        state = self.state
        carried_from, spent = window if window is not None else (state.replies, frozenset())
        state.step = StepState(
            id=step_id,
            entered_at=self._now,
            since=state.replies,
            carried_from=carried_from,
            spent=spent,
        )
        # The identification state rides on step changes, so a client (re)connecting to the
        # log alone — a watcher, a resumed desk — knows whether the profile may be shown.
        self._emit(
            ev.STEP_ENTERED,
            {"step": step_id, "from": source, "branch": branch, "identified": state.identified},
        )
        # A step change drops what the customer was about to ask again in the old step.
        state.queue = [line for line in state.queue if line.kind != "repair"]
        if state.speaking is not None and state.speaking.line.kind == "repair":
            state.speaking = None
        step = self.scenario.dialogue.steps[step_id]
        if step.hint and self.hints:
            self._emit(ev.HINT, {"text": step.hint, "source": "scenario"})
        self._record_needs(step, self._situation((), False))
        if step.then is not None and self._all_met(step) and step_id not in self._passing:
            # Everything this step waits for was done earlier: the customer does not ask what
            # they already know, the dialogue moves straight on.
            self._passing.add(step_id)
            try:
                self._fire(THEN, step.then)
            finally:
                self._passing.discard(step_id)
            return
        self._say(step.customer, "line", step_id)

    def _reach_ending(self, ending_id: str, *, reason: str) -> None:
        state = self.state
        ending = self.scenario.endings[ending_id]
        state.ending, state.outcome, state.ending_cause = ending_id, ending.outcome, reason
        self._change_mood(ending.mood, f"ending:{ending_id}", may_hang_up=False)
        if ending.customer:
            self._say(ending.customer, "ending", state.step.id)
        if ending.outcome == "hung_up":
            state.closing = Closing(ending_id, ending.outcome, "customer_hung_up")

    # ---- the customer's voice and time --------------------------------------------------

    def _say(self, variants: Sequence[str], kind: LineKind, step: str) -> None:
        self._say_variant(variants, self._rng.randrange(len(variants)), kind, step)

    def _say_variant(
        self, variants: Sequence[str], variant: int, kind: LineKind, step: str
    ) -> None:
        self.state.queue.append(CustomerLine(variants[variant], step, variant, kind))
        self._start_next_line()

    def _start_next_line(self) -> None:
        state = self.state
        if state.speaking is not None or not state.queue:
            return
        line = state.queue.pop(0)
        duration = _ms(self._read_s + self.timing.speak(line.text, self.scenario.channel))
        speech_at = _ms(self._now + self._read_s)
        self._read_s = 0.0
        state.speaking = Speaking(
            line=line, started_at=self._now, due=_ms(self._now + duration), speech_at=speech_at
        )
        self._emit(ev.CUSTOMER_TYPING, {"step": line.step, "duration_s": duration})

    def _silence_due(self) -> float | None:
        state = self.state
        if state.ended or state.customer_busy or state.closing is not None:
            return None
        if state.hold.started_at is not None and not state.hold.overrun_nudged:
            return _ms(state.hold.started_at + self._hold_max_s)
        return _ms(state.last_activity + self._patience_s)

    def _release_due(self) -> None:
        state = self.state
        while not state.ended:
            speaking = state.speaking
            if speaking is not None:
                if speaking.due > self._now:
                    return
                self._deliver(speaking.line)
                state.speaking = None
                self._start_next_line()
                continue
            if state.closing is not None:
                closing = state.closing
                self._settle_claims(at_end=True)
                self._emit(
                    ev.SESSION_ENDED,
                    {
                        "ending": closing.ending,
                        "outcome": closing.outcome,
                        "reason": closing.reason,
                        "cause": state.ending_cause,
                    },
                )
                state.ended = True
                return
            due = self._silence_due()
            if due is None or due > self._now:
                return
            self._on_silence()

    def _deliver(self, line: CustomerLine) -> None:
        state = self.state
        self._emit(
            ev.CUSTOMER_MESSAGE,
            {"step": line.step, "text": line.text, "variant": line.variant, "kind": line.kind},
        )
        state.last_activity = self._now
        state.last_customer_text = line.text
        verification = self.scenario.customer.verification
        if (
            verification is not None
            and not state.identified
            and line.kind in ("line", "reaction", "repair")
            and gives_all(line.text, verification.fields, self.scenario.customer.profile)
        ):
            # The customer has just given every verification value: identified, whichever
            # label the operator's request got.
            state.identified = True
        if state.awaiting_reply_since is None:
            state.awaiting_reply_since = self._now

    def _nudge(self, text: str, variant: int) -> None:
        self._deliver(CustomerLine(text, self.state.step.id, variant, "nudge"))

    def _on_silence(self) -> None:
        state = self.state
        state.last_activity = self._now
        if state.ending is not None:
            # The dialogue ended and the operator never closed: the customer leaves.
            state.closing = Closing(state.ending, state.outcome or "", "customer_left")
            return
        if state.hold.started_at is not None and not state.hold.overrun_nudged:
            state.hold.overrun_nudged = True
            self._nudge(HOLD_NUDGE, 0)
            return
        nudges = self.scenario.customer.nudges
        if state.nudges_used < len(nudges):
            self._nudge(nudges[state.nudges_used], state.nudges_used)
            state.nudges_used += 1
            return
        # Patience ran out: a silence branch of the step (once per silent spell, so two steps
        # cannot hand the silence back and forth), else the silence reaction and a hang-up.
        if not state.silence_branch_used:
            state.silence_branch_used = True
            if self._evaluate(violations=(), silence=True):
                return
        reaction = self.scenario.reactions.get("silence")
        if reaction is not None:
            self._react(reaction, "silence")
        if state.ending is None:
            self._hang_up("silence")


def _substantive(signal: Signal) -> bool:
    """A signal that shows real progress: anything but a formula label."""
    return signal.said is None or signal.said in CONTENT_LABELS


def _stays(branch: Branch) -> bool:
    return branch.goto is None and branch.end is None
