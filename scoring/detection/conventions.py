"""The labelling conventions (shared/spec/behaviours.md, "Labelling conventions for borderline
cases") that need more than one rule at a time: absorption of questions and facts into the
behaviour that holds them, summary vs active listening vs order confirmation, openings vs
closings. Rules find evidence; this module decides which labels that evidence supports.
"""

from __future__ import annotations

from collections.abc import Iterable

from scoring.detection.document import Document
from scoring.detection.hits import Hit

# Convention 7: a question inside these behaviours is part of them.
ABSORB_CLOSED_IN_REPLY = frozenset(
    {
        "summary",
        "order_confirmation",
        "hold_request",
        "cross_sell",
        "alternative_offer",
        "objection_handling",
    }
)
ABSORB_QUESTION_OVERLAP = frozenset(
    {
        "identity_check",
        "hold_request",
        "further_help",
        "summary",
        "order_confirmation",
        "cross_sell",
        "rudeness",
        "alternative_offer",
        "product_presentation",
    }
)
# Convention 16: facts restated inside a recap belong to the recap.
RECAP_ABSORBS = frozenset(
    {
        "timeline",
        "status_update",
        "decision",
        "personal_data",
        "information",
        "payment_info",
        "active_listening",
        "ticket_registration",
    }
)
# Convention 10: facts that only support a pitch, an argument or another answer.
INFORMATION_OVERLAP_ABSORBS = frozenset(
    {
        "rudeness",
        "personal_data",
        "decision",
        "status_update",
        "timeline",
        "payment_info",
        "troubleshooting",
        "ticket_registration",
        "identity_check",
        "hold_request",
    }
)
_ORDER_ACTION_WORDS = frozenset(
    {"оформляю", "оформляем", "записываю", "подключаю", "бронирую", "проверьте", "проверим"}
)


_PRICE_WORDS = frozenset({"₽", "руб", "рублей", "рубля", "рубль", "итого"})


def _labels(hits: Iterable[Hit]) -> set[str]:
    return {h.label for h in hits}


def _of(hits: list[Hit], label: str) -> list[Hit]:
    return [h for h in hits if h.label == label]


def _overlaps_any(hit: Hit, others: list[Hit]) -> bool:
    return any(hit.overlaps(o) for o in others)


def _same_sentence(doc: Document, a: Hit, b: Hit) -> bool:
    """Whether the sentences the two hits cover meet (a reply-scope hit can cover several)."""
    a_lo, a_hi = doc.sentence_of(a.first), doc.sentence_of(a.last)
    b_lo, b_hi = doc.sentence_of(b.first), doc.sentence_of(b.last)
    return a_lo <= b_hi and b_lo <= a_hi


def _absorb_in_sentence(
    hits: list[Hit], doc: Document, label: str, absorbers: frozenset[str], source: str = ""
) -> list[Hit]:
    # fast path (this runs ~20 times per reply): nothing to absorb or nothing to absorb it
    if not any(h.label == label for h in hits):
        return hits
    holders = [h for h in hits if h.label in absorbers]
    if not holders:
        return hits
    return [
        h
        for h in hits
        if not (
            h.label == label
            and h.source.startswith(source)
            and any(_same_sentence(doc, h, o) for o in holders)
        )
    ]


def apply_conventions(hits: list[Hit], doc: Document) -> list[Hit]:
    present = _labels(hits)

    def drop(label: str, when: bool = True) -> None:
        nonlocal hits
        if when:
            hits = [h for h in hits if h.label != label]

    # 17: «Спасибо, что позвонили» in an opening is neither greeting nor farewell.
    opening = bool(present & {"greeting", "introduction", "open_question"})
    hits = [h for h in hits if not (opening and h.source == "rule:farewell.thanks_for_contacting")]
    # «Спасибо, что сообщили» opening a longer reply thanks for the report; it does not close.
    farewells = _of(hits, "farewell")
    if (
        len(doc.sentences) > 1
        and farewells
        and all(h.source == "rule:farewell.thanks_for_contacting" for h in farewells)
        and all(doc.sentence_of(h.first) == 0 for h in farewells)
    ):
        drop("farewell")
    # 12: «Спасибо за терпение» at the close is farewell, not a return from hold.
    if "farewell" in _labels(hits):
        hits = [h for h in hits if h.source != "rule:hold_return.thanks_for_patience"]
    # 17: the introduction belongs to the opening of the contact.
    if doc.sentences:
        limit = doc.sentences[min(2, len(doc.sentences) - 1)].last
        hits = [h for h in hits if h.label != "introduction" or h.first <= limit]

    present = _labels(hits)
    # Summary vs order confirmation: an operator placing an order reads it back.
    if "summary" in present and "order_confirmation" in present:
        # A read-back with a price is an order; a recap without one is a summary.
        placing = any(t.norm in _ORDER_ACTION_WORDS or t.norm in _PRICE_WORDS for t in doc.tokens)
        drop("summary" if placing else "order_confirmation")
        present = _labels(hits)
    if present & {"summary", "order_confirmation"}:
        hits = [h for h in hits if h.label not in RECAP_ABSORBS]
        present = _labels(hits)
    if "order_confirmation" in present:
        drop("payment_info")
    # 11: the objection's acknowledgement and arguments are objection handling.
    if "objection_handling" in present:
        for label in (
            "active_listening",
            "product_presentation",
            "information",
            "timeline",
            "decision",
            "personal_data",
        ):
            drop(label)
    # 5: «Понимаю, …» with a named feeling is empathy, not active listening.
    empathy = _of(hits, "empathy")
    hits = [h for h in hits if not (h.label == "active_listening" and _overlaps_any(h, empathy))]
    # 2: a refusal that offers another way is not a stop phrase.
    if "alternative_offer" in present:
        drop("stop_phrase")
    # 10: facts inside a pitch or a cross-sell belong to it.
    hits = _absorb_in_sentence(
        hits, doc, "information", frozenset({"product_presentation", "cross_sell"})
    )
    # 10: «…чтобы принимать оплату картами» inside an offer describes the product, not how to pay.
    hits = _absorb_in_sentence(
        hits, doc, "payment_info", frozenset({"product_presentation", "cross_sell"})
    )
    # 10: the date of an alternative («…её доставим уже завтра») supports the offer.
    hits = _absorb_in_sentence(hits, doc, "timeline", frozenset({"alternative_offer"}))
    # «…вернусь к вам через пару минут» is the hold's time, not a timeline.
    hits = _absorb_in_sentence(hits, doc, "timeline", frozenset({"hold_request"}))
    # A rude «Значит, вы сами…» is not active listening.
    hits = _absorb_in_sentence(hits, doc, "active_listening", frozenset({"rudeness"}))
    # «Записала вашу заявку о протечке, номер 4098» registers; it is not listening.
    hits = _absorb_in_sentence(hits, doc, "active_listening", frozenset({"ticket_registration"}))
    # «Введите номер телефона» inside instructions is a step, not an identity check.
    hits = _absorb_in_sentence(hits, doc, "identity_check", frozenset({"troubleshooting"}))
    # Account figures (a charge date, a fee) are the account's data, not payment terms.
    hits = _absorb_in_sentence(hits, doc, "payment_info", frozenset({"personal_data"}))
    # Reading back what the customer said is listening, not news about the account or case.
    for label in ("decision", "status_update", "personal_data", "payment_info", "information"):
        hits = _absorb_in_sentence(hits, doc, label, frozenset({"active_listening", "summary"}))
    # «На субботу запись закрыта, но…»: availability behind an alternative is not a status.
    hits = _absorb_in_sentence(
        hits, doc, "status_update", frozenset({"alternative_offer"}), "rule:status_update.order"
    )
    # An offer made *instead* of the impossible thing is the alternative, not an extra sale.
    hits = _absorb_in_sentence(hits, doc, "cross_sell", frozenset({"alternative_offer"}))
    # A price the customer asked for stays information even next to how to pay for it.
    asked = [h for h in hits if h.source == "rule:information.price_asked"]
    hits = [h for h in hits if h.source != "rule:information.price_asked"]
    hits = _absorb_in_sentence(hits, doc, "information", INFORMATION_OVERLAP_ABSORBS)
    hits += _absorb_in_sentence(
        asked + [h for h in hits if h.label in INFORMATION_OVERLAP_ABSORBS],
        doc,
        "information",
        INFORMATION_OVERLAP_ABSORBS - {"payment_info"},
    )[: len(asked)]
    conditions = "rule:information.conditions_and_terms"
    # «Серого нет, но есть графитовый»: the yes/no of the request belongs to the alternative
    for source in (
        conditions,
        "rule:information.price",
        "rule:information.answer_to_can_i",
    ):
        hits = _absorb_in_sentence(
            hits, doc, "information", frozenset({"alternative_offer"}), source
        )
    if "payment_info" in present:
        hits = [h for h in hits if h.source != conditions]
    # An outcome's figures are part of the decision, not a disclosure of account data.
    hits = _absorb_in_sentence(hits, doc, "personal_data", frozenset({"decision", "status_update"}))

    # 7: questions inside other behaviours get no extra question label.
    present = _labels(hits)
    if present & ABSORB_CLOSED_IN_REPLY:
        drop("closed_question")
    # Rhetorical questions of a rude reply are part of the rudeness.
    if "rudeness" in present:
        drop("closed_question")
        drop("open_question")
    holders = [h for h in hits if h.label in ABSORB_QUESTION_OVERLAP]
    hits = [
        h
        for h in hits
        if not (h.label in ("open_question", "closed_question") and _overlaps_any(h, holders))
    ]
    return hits
