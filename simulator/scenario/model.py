"""The scenario format, as pydantic models.

This is the contract between trainers (who write YAML), the loader (which reports errors at
``FILE:LINE:COL``), the engine (which plays a scenario) and the scoring spec (which the scorecard
reads). ``extra="forbid"`` everywhere: a misspelt key is an error a trainer sees, not a silently
ignored setting. Cross-references (goto targets, fact ids, behaviour ids) are checked here where a
single model can see them and in the loader's semantic pass where they span the file.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from scoring.catalogue import BEHAVIOUR_IDS, ENGINE_VIOLATION_IDS, VIOLATION_IDS
from simulator.scenario.lookalikes import latin_expected

FUNCTION_CODES: tuple[str, ...] = ("A/01.3", "A/02.3", "A/03.3", "A/04.3")


def _check_behaviour(value: str) -> str:
    if value not in BEHAVIOUR_IDS:
        raise ValueError(
            f"unknown behaviour id {value!r}; use one of the catalogue ids "
            f"(see docs/scenario-format.md), e.g. greeting, identity_check, empathy"
        )
    return value


def _check_function(value: str) -> str:
    if value not in FUNCTION_CODES:
        raise ValueError(
            f"unknown labour function {value!r}; use one of {', '.join(FUNCTION_CODES)}"
            + latin_expected(value)
        )
    return value


BehaviourId = Annotated[
    str,
    AfterValidator(_check_behaviour),
    WithJsonSchema({"type": "string", "enum": list(BEHAVIOUR_IDS)}),
]
# The engine also raises violations itself (personal data disclosed unverified, a false claim,
# a breach of the knowledge base's policy).
# Calls also react to timing (docs/scoring.md, "Call timing"): a hold without a warning, a
# monologue, the operator talking over the customer.
CALL_REACTION_KEYS: tuple[str, ...] = ("hold_unannounced", "monologue", "talk_over")
REACTION_KEYS: tuple[str, ...] = (
    *VIOLATION_IDS,
    *ENGINE_VIOLATION_IDS,
    "silence",
    *CALL_REACTION_KEYS,
)
ReactionKey = Annotated[
    str,
    AfterValidator(lambda v: _check_reaction(v)),
    WithJsonSchema({"type": "string", "enum": list(REACTION_KEYS)}),
]
FunctionCode = Annotated[
    str,
    AfterValidator(_check_function),
    WithJsonSchema({"type": "string", "enum": list(FUNCTION_CODES)}),
]
Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=80)]
Channel = Literal["chat", "call"]
Difficulty = Literal["easy", "medium", "hard"]
Outcome = Literal["resolved", "unresolved", "hung_up", "escalated"]
ContentLabel = Literal["information", "payment_info", "timeline", "personal_data", "status_update"]
FactKind = Literal["price", "term", "date", "deadline", "number", "time", "phone", "text"]
CrmFormKind = Literal["contact_log", "order", "ticket", "complaint"]
CrmFieldType = Literal["text", "textarea", "select", "date", "phone", "number", "email"]
Lines = Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
NeedKind = Literal["learn", "done", "reassure"]


def _check_reaction(value: str) -> str:
    if value not in REACTION_KEYS:
        raise ValueError(f"unknown reaction {value!r}; use one of {', '.join(REACTION_KEYS)}")
    return value


class _Strict(BaseModel):
    # Unquoted numbers in YAML (`value: 590`, `account: 402011836`) are text for the trainer.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class KpiTargets(_Strict):
    """Per-scenario overrides of the organisation's KPI defaults (seconds unless named)."""

    first_response_s: float | None = Field(None, gt=0, description="First reply within")
    response_s: float | None = Field(None, gt=0, description="Each later reply within")
    handle_time_s: float | None = Field(None, gt=0, description="Whole contact within")
    hold_max_s: float | None = Field(None, gt=0, description="A single hold at most")
    holds_max: int | None = Field(None, ge=0, description="Number of holds at most")
    silence_s: float | None = Field(None, gt=0, description="Call silence flagged after")
    csat_min: int | None = Field(None, ge=0, le=100, description="Final mood at least")


class Verification(_Strict):
    """Which profile fields prove identity; the operator must ask for them (identity_check)."""

    fields: list[str] = Field(min_length=1)
    prompt_hint: str | None = None


class Customer(_Strict):
    name: str
    persona: str
    mood: int = Field(60, ge=0, le=100, description="Initial mood, 0 furious .. 100 delighted")
    patience_s: float = Field(60, gt=0, description="Silence before the customer nudges")
    nudges: list[str] = Field(default_factory=lambda: ["Алло, вы здесь?"])
    show_mood: bool = True
    profile: dict[str, str] = Field(default_factory=dict)
    verification: Verification | None = None


class Fact(_Strict):
    """A fact the operator must state correctly: numbers, dates and named values in a reply
    that talks about it (``keywords``) are compared with ``value``."""

    id: Identifier
    kind: FactKind
    value: str
    keywords: list[str] = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    wrong: list[str] = Field(
        default_factory=list,
        description="Text facts: phrasings that misstate the fact (matched by lemmas inside "
        "one clause, like policy phrases); one said counts as a misstated fact",
    )
    label: ContentLabel | None = Field(
        None,
        description="What stating the fact conveys, when not the default for its kind "
        "(price, number, time, date, phone, text: information; term, deadline: timeline; "
        "payment facts: payment_info)",
    )

    @model_validator(mode="after")
    def _wrong_only_for_text(self) -> Fact:
        if self.wrong and self.kind != "text":
            raise ValueError(
                f"fact {self.id!r}: `wrong:` is for text facts; a {self.kind} is compared with "
                "its value already (a wrong figure is misstated without listing it); remove "
                "`wrong:` or make the fact `kind: text`"
            )
        return self


class Forbidden(_Strict):
    """Something the operator must never say or advise (``policy_breach``). ``says`` are
    phrasings matched by lemmas in any order inside one clause (scoring/policy.py); a clause
    that warns against it («ни в коем случае не вскрывайте пломбу») does not count."""

    id: Identifier
    says: Lines
    reason: str = Field(description="Why it is forbidden, shown in the debrief")


class Commitment(_Strict):
    """A commitment the policy allows: a reply the detector reads as ``unauthorised_promise``
    is no violation when one of ``says`` is said in the same sentence."""

    id: Identifier
    says: Lines
    note: str | None = None


class Article(_Strict):
    id: Identifier
    title: str
    text: str
    tags: list[str] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    forbidden: list[Forbidden] = Field(default_factory=list)


class Policy(_Strict):
    """What the operator may commit to and must never say, beyond the knowledge base's
    articles, and what the session's state can prove about decisions (``false_claim``)."""

    allowed_commitments: list[Commitment] = Field(default_factory=list)
    forbidden: list[Forbidden] = Field(default_factory=list)
    decision: Literal["unknown", "pending"] = Field(
        "unknown",
        description="pending: no decision on the request exists during the contact, so telling "
        "the customer one was taken is a false claim; unknown: not checked",
    )


class CrmField(_Strict):
    id: Identifier
    label: str
    type: CrmFieldType = "text"
    required: bool = True
    options: list[str] | None = None
    pattern: str | None = Field(None, description="Regex the desk enforces while typing")
    expected: str | None = Field(None, description="The value a correct record holds")
    expected_pattern: str | None = Field(None, description="Regex a correct value matches")
    critical: bool = Field(
        False,
        description="A wrong value here (an amount, a name, an account number, the department "
        "routed to) is a substantive error that fails the contact; needs `expected` or "
        "`expected_pattern`",
    )


class CrmForm(_Strict):
    id: Identifier
    kind: CrmFormKind
    title: str
    required: bool = Field(True, description="The operator must submit this record")
    fields: list[CrmField] = Field(min_length=1)


class Department(_Strict):
    id: Identifier
    name: str


class Condition(_Strict):
    """All given parts must hold. Behaviours accumulate over the operator's replies since the
    current step began, so a greeting in one message and a question in the next both count."""

    said: list[BehaviourId] = Field(default_factory=list, description="All of these")
    said_any: list[BehaviourId] = Field(default_factory=list, description="At least one")
    not_said: list[BehaviourId] = Field(default_factory=list, description="None of these")
    stated: list[Identifier] = Field(default_factory=list, description="Facts stated right")
    misstated: list[Identifier] = Field(default_factory=list, description="Facts stated wrong")
    crm: list[Identifier] = Field(default_factory=list, description="Forms submitted")
    hold: bool | None = Field(None, description="Customer put on hold in this step")
    escalated: bool | None = None
    transferred: Identifier | Literal["*"] | None = None
    not_transferred: bool | None = Field(None, description="No transfer so far in the session")
    identified: bool | None = None
    violation: list[BehaviourId] = Field(default_factory=list, description="Any of these")
    ever_said: list[BehaviourId] = Field(
        default_factory=list, description="All of these, in any reply of the session"
    )
    no_crm: list[Identifier] = Field(
        default_factory=list, description="None of these forms submitted (validly) so far"
    )
    needs_met: list[Identifier] = Field(
        default_factory=list, description="All of these needs met so far in the session"
    )
    needs_unmet: list[Identifier] = Field(
        default_factory=list, description="None of these needs met so far in the session"
    )
    silence: bool | None = Field(None, description="Patience ran out")
    replies_at_least: int | None = Field(None, ge=1)


class StateChange(_Strict):
    identified: bool | None = None


class Branch(_Strict):
    when: Condition | None = None
    goto: Identifier | None = None
    end: Identifier | None = None
    say: list[str] | None = Field(None, description="Customer reaction before moving on")
    mood: int = Field(0, ge=-100, le=100, description="Mood change")
    set: StateChange | None = None
    hint: str | None = None
    note: str | None = Field(None, description="For trainers and debriefs: why this branch")


class Signal(_Strict):
    """One way a need can be met; exactly one key is set. Everything counts from the whole
    session so far: a fact stated before its step meets the need when the step is reached."""

    fact: Identifier | None = Field(None, description="This KB fact's latest status is stated")
    said: BehaviourId | None = Field(None, description="This behaviour in any reply")
    crm: Identifier | None = Field(None, description="This CRM form submitted validly")
    transferred: Identifier | Literal["*"] | None = Field(
        None, description="Transferred to this department (`*`: any)"
    )
    escalated: Literal[True] | None = None
    identified: Literal[True] | None = None
    hold: Literal[True] | None = Field(None, description="The customer was put on hold")
    correct: bool = Field(
        False,
        description="`crm` only: the record's critical fields (every field with an expected "
        "value, when none is marked critical) must also be right",
    )
    fresh: bool = Field(
        False,
        description="`fact`/`said` only: count replies since this step began, not earlier ones "
        "(for a reaction to what the customer has just said, e.g. an objection)",
    )

    @model_validator(mode="after")
    def _one_key(self) -> Signal:
        keys = [k for k in SIGNAL_KEYS if getattr(self, k) is not None]
        if len(keys) != 1:
            has = f"has {', '.join(keys)}" if keys else "has none"
            raise ValueError(
                f"a `met_by` item needs exactly one of {', '.join(SIGNAL_KEYS)}; this one {has} "
                "(list alternatives as separate items)"
            )
        if self.correct and keys[0] != "crm":
            raise ValueError("`correct` applies to `crm` only (a record that must also be right)")
        if self.fresh and keys[0] not in ("fact", "said"):
            raise ValueError(
                "`fresh` applies to `fact` and `said` only (actions count from the whole session)"
            )
        return self

    def key(self) -> str:
        """``kind:value``, as the ``need.met`` event names it (e.g. ``fact:max_price``)."""
        for name in SIGNAL_KEYS:
            value = getattr(self, name)
            if value is not None:
                if name == "crm" and self.correct:
                    return f"crm:{value}:correct"
                return f"{name}:{value}" if value is not True else name
        return ""


SIGNAL_KEYS: tuple[str, ...] = (
    "fact",
    "said",
    "crm",
    "transferred",
    "escalated",
    "identified",
    "hold",
)


class Need(_Strict):
    """Something the customer must learn, get done or be reassured about before the dialogue
    moves on. Any one ``met_by`` signal meets it."""

    id: Identifier
    kind: NeedKind
    met_by: list[Signal] = Field(min_length=1, description="Any one of these meets the need")
    repair: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="What the customer says when a reply does not meet it (asked again in "
        "other words); default: a generic line for the need's kind",
    )
    mood: int = Field(-3, ge=-100, le=0, description="Mood change per reply that misses it")
    note: str | None = None


class Step(_Strict):
    customer: Lines
    expect: list[BehaviourId] = Field(default_factory=list)
    hint: str | None = None
    needs: list[Need] = Field(
        default_factory=list, description="What this step waits for; `then` fires once all met"
    )
    then: Branch | None = Field(None, description="Fires when all `needs` are met (no `when`)")
    patience: int | None = Field(
        None,
        ge=1,
        description="Replies that miss the same need before `gave_up` (default: dialogue.patience)",
    )
    gave_up: Identifier | None = Field(
        None, description="Ending when patience runs out (default: dialogue.gave_up)"
    )
    max_replies: int = Field(3, ge=1, description="Replies before `otherwise` fires")
    branches: list[Branch] = Field(default_factory=list)
    otherwise: Branch | None = None


class Ending(_Strict):
    outcome: Outcome
    customer: list[str] = Field(default_factory=list)
    mood: int = Field(0, ge=-100, le=100)
    note: str | None = None


class Reaction(_Strict):
    """How the customer reacts to a violation (or to silence), wherever it happens."""

    say: list[str] | None = None
    mood: int = Field(0, ge=-100, le=100)
    end: Identifier | None = None


class Include(_Strict):
    file: str
    with_: dict[str, str] = Field(default_factory=dict, alias="with")


class Dialogue(_Strict):
    start: Identifier
    patience: int = Field(
        3, ge=1, description="Replies that miss the same need before the customer gives up"
    )
    gave_up: Identifier | None = Field(
        None, description="Ending when a step's patience runs out (a step may name its own)"
    )
    steps: dict[Identifier, Step] = Field(min_length=1)


class Scenario(_Strict):
    id: Identifier
    title: str
    description: str = ""
    function: FunctionCode
    channel: Channel
    direction: Literal["inbound", "outbound"] = "inbound"
    difficulty: Difficulty
    industry: str
    company: str = ""
    tags: list[str] = Field(default_factory=list)
    kpi: KpiTargets = Field(default_factory=KpiTargets)
    customer: Customer
    knowledge_base: list[Article] = Field(default_factory=list)
    policy: Policy = Field(default_factory=Policy)
    crm: list[CrmForm] = Field(default_factory=list)
    departments: list[Department] = Field(default_factory=list)
    includes: list[Include] = Field(default_factory=list)
    dialogue: Dialogue
    endings: dict[Identifier, Ending] = Field(min_length=1)
    reactions: dict[ReactionKey, Reaction] = Field(default_factory=dict)
    hide_transcript: bool = Field(
        False,
        description="Calls: the desk plays the customer's lines but does not show their words "
        "(a harder, listening-only mode)",
    )
    scoring: dict[str, Any] = Field(
        default_factory=dict, description="Overrides of the organisation's scoring settings"
    )

    def facts(self) -> dict[str, Fact]:
        return {f.id: f for a in self.knowledge_base for f in a.facts}

    def forbidden(self) -> list[Forbidden]:
        return [*self.policy.forbidden, *(f for a in self.knowledge_base for f in a.forbidden)]

    def needs(self) -> dict[str, Need]:
        return {n.id: n for step in self.dialogue.steps.values() for n in step.needs}

    def form(self, form_id: str) -> CrmForm | None:
        return next((f for f in self.crm if f.id == form_id), None)


# ---- playthroughs: the trainers' regression scripts -------------------------------------


class CrmSubmission(_Strict):
    form: Identifier
    fields: dict[str, str]


class Action(_Strict):
    """One thing the operator does. Exactly one of the action keys is set; ``after`` is the
    simulated delay in seconds since the previous action (or since the customer's line)."""

    after: float = Field(0, ge=0)
    say: str | None = None
    crm: CrmSubmission | None = None
    hold: Literal["start", "end"] | None = None
    kb: Identifier | None = None
    transfer: Identifier | None = None
    escalate: str | None = None
    wait: float | None = Field(None, gt=0, description="Stay silent this long")
    end: bool | None = None


# Playthrough kinds. ``model`` and ``poor`` are the scenario author's regression scripts (a model
# must pass with at least 85, a poor one must fail). The fairness kinds are written by authors who
# did not write the scenario, with the verdict recorded before the first run
# (docs/scoring.md, "Fairness suite"): their expectation is the pass/fail verdict.
FAIRNESS_KINDS: tuple[str, ...] = ("excellent", "stuffer", "substance_error", "borderline")
PlaythroughKind = Literal["model", "poor", "excellent", "stuffer", "substance_error", "borderline"]


class PlaythroughExpect(_Strict):
    ending: Identifier | None = Field(
        None, description="The ending the dialogue must reach (required for model and poor)"
    )
    passed: bool | None = Field(
        None, description="The expected verdict (required for the fairness kinds)"
    )
    min_overall: float | None = Field(None, ge=0, le=100)
    loses_on: list[str] = Field(
        default_factory=list, description="Labour action codes the mistake costs, e.g. A/01.3 ТД2"
    )
    why: str | None = Field(
        None,
        description="The reason for the verdict, written before any run (fairness playthroughs)",
    )
    disagreement: str | None = Field(
        None,
        description="Fairness playthroughs: a disagreement with the verdict that the project "
        "knows and has not fixed yet, and why ccsim decides otherwise. The verdict stays as "
        "its author wrote it and `ccsim fairness` still counts it; `ccsim scenarios test` does "
        "not fail on it, only on a disagreement nobody has recorded",
    )


class Playthrough(_Strict):
    scenario: Identifier
    name: str
    kind: PlaythroughKind
    description: str = ""
    author: str | None = Field(None, description="Who wrote it (fairness playthroughs)")
    batch: str | None = Field(None, description="The fairness batch it belongs to, e.g. 2026-12-a")
    seed: int = 1
    expect: PlaythroughExpect
    actions: list[Action] = Field(min_length=1)

    @property
    def is_fairness(self) -> bool:
        return self.kind in FAIRNESS_KINDS
