"""The engine's own violations (catalogue v2) and the customer's default reactions to them.

* ``false_claim``: the operator tells the customer something was done that the session's state
  does not show. Each claim label maps to what would make it true:

  =====================  ==============================================================
  claim (detector label)  true when, by the operator's next reply or the end of the contact
  =====================  ==============================================================
  ticket_registration     a CRM record of kind ``ticket`` or ``complaint`` (a scenario
                          with neither: ``contact_log``); not checked without CRM forms.
                          A record submitted with some fields filled but rejected (a required
                          field left empty) counts: the registration was made, incompletely,
                          and the missing fields cost their own points — it is not a lie
  transfer_department     a transfer (or an escalation) was made; not checked without
                          ``departments``. A sentence that names one of them («направила в
                          техподдержку личного кабинета») is a claim of its own, true only
                          by a transfer there, or by an escalation where the scenario accepts
                          one for that transfer (a need met by either)
  escalation              the supervisor was escalated to
  status_update           only «заказ оформлен»-like spans (an order placed, convention 14):
                          a valid record of kind ``order``; not checked without an order form
  decision                never, when ``policy.decision: pending`` (no decision exists during
                          the contact); otherwise not checked
  =====================  ==============================================================

  A claim is settled at the operator's next reply (or when the contact ends), not at once:
  operators say «передаю заявку инженерам» and press the button a moment later, and that is the
  right order. An announcement in the future tense («сообщу руководителю», «передам инженерам»)
  is a commitment rather than a claim of something done: it is settled only when the contact
  ends. The violation event carries the claim's own reply, step and span.
* ``policy_breach``: the reply says what the knowledge base (or ``policy.forbidden``) forbids.
* An ``unauthorised_promise`` the policy allows (``policy.allowed_commitments``) is excused:
  the reply's event lists it under ``allowed`` and the scorecard skips it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from scoring.detection.types import Detection
from scoring.nlp import tokenize
from scoring.policy import PhraseHit, find_phrases
from simulator.scenario.model import Forbidden, Reaction, Scenario

FALSE_CLAIM: Final = "false_claim"
POLICY_BREACH: Final = "policy_breach"
UNAUTHORISED_PROMISE: Final = "unauthorised_promise"

# Sensible defaults in the customer's voice; a scenario's `reactions:` replaces any of them.
DEFAULT_REACTIONS: Final[dict[str, Reaction]] = {
    "sensitive_data_request": Reaction(
        say=[
            "Подождите, такие данные я никому не называю — банк сам предупреждает, что это "
            "небезопасно.",
            "Нет, это я говорить не буду. Разве оператор может такое спрашивать?",
        ],
        mood=-30,
    ),
    UNAUTHORISED_PROMISE: Reaction(
        say=[
            "Вы сейчас это точно обещаете? Я ведь запомню ваши слова.",
            "Хорошо, я запишу, что вы мне это пообещали.",
        ],
        mood=-5,
    ),
    FALSE_CLAIM: Reaction(
        say=[
            "Подождите, вы же сказали, что всё уже сделано? Как-то не похоже.",
            "Странно: вы говорите, что уже оформили, а по вам не видно, что что-то сделано.",
        ],
        mood=-20,
    ),
    POLICY_BREACH: Reaction(
        say=[
            "А так вообще можно? Мне кажется, так делать нельзя.",
            "Вы уверены? Я слышал, что так как раз нельзя.",
        ],
        mood=-25,
    ),
}

_ORDER_NOUNS = frozenset({"заказ", "покупка", "бронь", "бронирование", "подписка", "доставка"})
_PLACED_VERBS = frozenset({"оформить", "оформлять", "создать", "подтвердить", "принять"})
_RECORD_KINDS = ("ticket", "complaint")


def reaction_for(scenario: Scenario, code: str) -> Reaction | None:
    return scenario.reactions.get(code) or DEFAULT_REACTIONS.get(code)


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim waiting for the state to bear it out."""

    label: str
    reply_index: int
    step: str
    start: int
    end: int
    text: str
    reason: str
    until_end: bool = False  # a future-tense announcement: settled when the contact ends
    # The department a transfer claim names («передала в техподдержку личного кабинета»):
    # only a transfer there bears it out, not one to another department.
    named: str | None = None


ClaimTense = Literal["done", "announced"]


def claim_tense(label: str, span: str) -> ClaimTense | None:
    """What the claim's verb says, because a critical violation must rest on a claim that was
    really made. ``done``: a past verb or a short participle («зарегистрировала», «заявка
    передана»), or no verb at all («ваша заявка № 4521»); ``announced``: the future or the
    present, an act announced or narrated («сообщу руководителю», «передаю заявку инженерам»),
    settled when the contact ends; ``None``: no claim — the verb is negated («не передавала»),
    only an attributive participle names the thing («нет зарегистрированных обращений»), or a
    decision is stated as a general rule in the present («такие списания не возвращают»)."""
    words = [t for t in tokenize(span) if t.is_word]
    done = announced = attributive = False
    for i, t in enumerate(words):
        tags = set(t.tags.split(","))
        finite = "PRTS" in tags or ("VERB" in tags and bool(tags & {"past", "pres", "futr"}))
        if finite and i > 0 and words[i - 1].lemma == "не":
            return None
        if "PRTS" in tags or ("VERB" in tags and "past" in tags):
            done = True
        elif "VERB" in tags and "futr" in tags:
            announced = True
        elif "VERB" in tags and "pres" in tags:
            if label == "decision":
                continue  # a rule in the present tense is information, not a decision taken
            announced = True
        elif "PRTF" in tags:
            attributive = True
    if done:
        return "done"
    if announced:
        return "announced"
    if attributive or label == "decision":
        return None
    return "done"


_TRANSFER_VERBS: Final = frozenset(
    {"передать", "направить", "отправить", "переслать", "перенаправить", "переадресовать"}
)


def transfer_told(sentence: str) -> bool:
    """A transfer told as done: a past or short-participle verb of passing on, not negated."""
    words = [t for t in tokenize(sentence) if t.is_word]
    for i, t in enumerate(words):
        tags = set(t.tags.split(","))
        if t.lemma not in _TRANSFER_VERBS or not ("past" in tags or "PRTS" in tags):
            continue
        if i > 0 and words[i - 1].lemma == "не":
            return False
        before = {w.lemma for w in words[max(0, i - 3) : i]}
        if "PRTS" in tags:
            return True
        # «я передала», «мы направили»; «вы передали показания» is the customer's doing
        return ("sing" in tags and not before & {"вы", "он", "она"}) or "мы" in before
    return False


def _order_placed(span: str) -> bool:
    lemmas = {t.lemma for t in tokenize(span)}
    return bool(lemmas & _ORDER_NOUNS) and bool(lemmas & _PLACED_VERBS)


def _escalation_routes(scenario: Scenario) -> frozenset[str]:
    """Departments the scenario reaches by an escalation as well: a need or a branch that
    accepts either (``met_by: [{escalated: true}, {transferred: security}]``), so the duty
    officer the supervisor calls is that department."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, list):
            items = [x for x in node if isinstance(x, dict)]
            if any(x.get("escalated") is True for x in items):
                found.update(
                    x["transferred"] for x in items if isinstance(x.get("transferred"), str)
                )
            for x in node:
                walk(x)
        elif isinstance(node, dict):
            for x in node.values():
                walk(x)

    walk(scenario.model_dump(mode="json", exclude_none=True))
    return frozenset(found)


class ClaimChecker:
    """Which claims this scenario's state can check, and whether the state bears one out."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        kinds = {f.kind for f in scenario.crm}
        self._record_kinds = frozenset(_RECORD_KINDS) & kinds or frozenset({"contact_log"}) & kinds
        self._kind = {f.id: f.kind for f in scenario.crm}
        self._escalation_routes = _escalation_routes(scenario)
        # Each department's name as content lemmas, for the claims that name one.
        self._department_words = {
            d.id: frozenset(t.lemma for t in tokenize(d.name) if t.is_word and len(t.norm) > 2)
            for d in scenario.departments
        }

    def reason(self, label: str, span: str) -> str | None:
        """Why a claim with this label would be false, or None when it cannot be checked."""
        if label == "ticket_registration" and self._record_kinds:
            kinds = "/".join(sorted(self._record_kinds))
            return f"the operator said the request was registered; no {kinds} record"
        if label == "transfer_department" and self.scenario.departments:
            return "the operator said the request was transferred; no transfer was made"
        if label == "escalation":
            return "the operator said a supervisor was involved; no escalation was made"
        if label == "status_update" and "order" in self._kind.values() and _order_placed(span):
            return "the operator said the order was placed; no valid order record"
        if label == "decision" and self.scenario.policy.decision == "pending":
            return "the operator announced a decision; the scenario has none during the contact"
        return None

    def named_department(self, sentence: str) -> str | None:
        """The scenario's department a sentence names: most of its name's content words
        («Техническая поддержка личного кабинета» in «направила в техническую поддержку
        личного кабинета»), the best one when several."""
        said = {t.lemma for t in tokenize(sentence) if t.is_word}
        best: tuple[float, str] | None = None
        for dept_id, words in self._department_words.items():
            if len(words) < 2:
                continue
            share = len(words & said) / len(words)
            if share >= 0.6 and len(words & said) >= 2 and (best is None or share > best[0]):
                best = (share, dept_id)
        return best[1] if best else None

    def named_reason(self, named: str) -> str:
        name = next(d.name for d in self.scenario.departments if d.id == named)
        return f"the operator said it was passed to «{name}»; no transfer there"

    def holds(
        self,
        label: str,
        forms: Mapping[str, object],
        transferred: str | None,
        escalated: bool,
        *,
        named: str | None = None,
        transfers: frozenset[str] = frozenset(),
        drafts: frozenset[str] = frozenset(),
    ) -> bool:
        """Whether the session's state shows the claimed thing was done."""
        if label == "ticket_registration":
            return any(self._kind.get(f) in self._record_kinds for f in (*forms, *drafts))
        if label == "transfer_department" and named is not None:
            # a department named is a claim about it: an escalation to the supervisor does not
            # put the request in that department's queue («передала в аварийную службу»),
            # unless the scenario itself takes the escalation for that transfer
            return named in transfers or (escalated and named in self._escalation_routes)
        if label == "transfer_department":
            # «передала дежурному специалисту» after an escalation routed it all the same.
            return transferred is not None or escalated
        if label == "escalation":
            return escalated
        if label == "status_update":
            return any(self._kind.get(f) == "order" for f in forms)
        return False  # a decision under `policy.decision: pending`


def breaches(scenario: Scenario, text: str) -> list[tuple[Forbidden, PhraseHit]]:
    """The forbidden things the reply says, one hit per forbidden item."""
    out: list[tuple[Forbidden, PhraseHit]] = []
    for item in scenario.forbidden():
        hits = find_phrases(text, item.says, advice=True)
        if hits:
            out.append((item, min(hits, key=lambda h: h.start)))
    return out


def allowed_promises(
    scenario: Scenario, text: str, detections: tuple[Detection, ...]
) -> list[dict[str, object]]:
    """The reply's ``unauthorised_promise`` detections that an allowed commitment covers: the
    commitment is said in the same sentence."""
    promise = next((d for d in detections if d.label == UNAUTHORISED_PROMISE), None)
    if promise is None:
        return []
    for commitment in scenario.policy.allowed_commitments:
        for hit in find_phrases(text, commitment.says):
            if hit.sentence_start < promise.end and promise.start < hit.sentence_end:
                return [
                    {
                        "code": UNAUTHORISED_PROMISE,
                        "commitment": commitment.id,
                        "start": hit.start,
                        "end": hit.end,
                    }
                ]
    return []
