"""`information` when no rule names the fact: a plain statement answering the customer's
question.

Reference facts have no fixed wording («перевод по СБП приходит мгновенно»), so besides the
lexical rules an answer is recognised by its shape: the customer asked something, the reply
states (not asks, not instructs) something about the same subject, and no other behaviour
already accounts for that sentence.
"""

from __future__ import annotations

from collections.abc import Callable

from scoring.detection.document import Document
from scoring.detection.hits import Hit
from scoring.detection.listening import content_stems

_ASKING = frozenset(
    {"подсказать", "сказать", "узнать", "интересовать", "уточнить", "объяснить", "ли", "вопрос"}
)
_MARKERS = frozenset({"смотреть", "слушать", "послушать", "видеть", "знать"})
_WH = frozenset(
    {"что", "как", "какой", "где", "куда", "когда", "почему", "зачем", "сколько", "кто", "чем"}
    | {"скольки", "можно", "нужно", "надо", "есть"}
)
# Labels that already account for a sentence's facts (or make it something else).
_OTHER_CONTENT = frozenset(
    {
        "personal_data",
        "status_update",
        "decision",
        "timeline",
        "troubleshooting",
        "payment_info",
        "ticket_registration",
        "transfer_department",
        "escalation",
        "hold_request",
        "identity_check",
        "product_presentation",
        "alternative_offer",
        "objection_handling",
        "summary",
        "order_confirmation",
        "active_listening",
        "information",
    }
)
# Not listed: rudeness, stop_phrase and cross_sell colour one sentence and leave the others free
# to answer («Счёт выставят по среднему. Вы обязаны…», «…, доставка бесплатная. Кстати,
# могу добавить…»); their own sentences are still skipped below, as any hit in a sentence is.


def customer_asks(customer: Document) -> bool:
    if any(t.lemma == "?" for t in customer.tokens):
        return True
    words = customer.words()
    return bool(words) and (words[0].lemma in _WH or any(w.lemma in _ASKING for w in words))


def answer_hits(
    doc: Document, customer: Callable[[], Document | None], hits: list[Hit]
) -> list[Hit]:
    if any(h.label in _OTHER_CONTENT for h in hits):
        return []
    asked: set[str] | None = None
    for s in doc.sentences:
        # a slang word («норм», «ага») styles the sentence; it does not make it another behaviour
        has_number = any(t.kind == "number" for t in doc.tokens[s.first : s.last + 1])
        # a rude tail («…пени 0,1 % в день, в договоре же было сказано») does not unsay a figure
        # given in the same sentence
        if s.is_question or any(
            h.first <= s.last
            and s.first <= h.last
            and h.label != "informal"
            and not (h.label == "rudeness" and has_number)
            for h in hits
        ):
            continue
        words = doc.words(s.first, s.last)
        # «Смотрите, по счёту…» / «Слушайте, …»: an imperative set off by a comma opens the
        # sentence as a discourse marker; the statement after it is what counts
        toks = doc.tokens[s.first : s.last + 1]
        if len(toks) > 1 and toks[0].lemma in _MARKERS and toks[1].lemma == ",":
            words = words[1:]
        # «Я задаю вопросы, чтобы…» narrates the operator, it does not answer
        # («У нас три тарифа: …» answers: «нас» after «у» is the company, not the narrator)
        narrator = any(
            w.lemma in ("я", "мы") and not (i and words[i - 1].norm == "у")
            for i, w in enumerate(words[:2])
        )
        if any("1per" in w.tags for w in words) or narrator:
            continue
        if any("impr" in w.tags and w.tags.startswith(("VERB", "INFN")) for w in words[:2]):
            continue
        # «Это смотря какой тариф.» defers the answer to a question; with a figure it still answers
        if not has_number and any(w.norm == "смотря" for w in words):
            continue
        stems = content_stems(doc, s.first, s.last)
        if len(stems) < 3:
            continue
        if asked is None:  # the customer's message is only built when a sentence qualifies
            cdoc = customer()
            if cdoc is None or not customer_asks(cdoc):
                return []
            asked = content_stems(cdoc)
        if stems & asked or has_number:
            return [Hit("information", s.first, s.last, "rule:information.answers_the_question")]
    return []
