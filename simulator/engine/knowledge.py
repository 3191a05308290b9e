"""The scenario's knowledge as the plain data :mod:`scoring.grounding` reads.

Kept apart from the engine so that the engine makes one call per reply and scoring stays free
of the scenario model: facts with their kind, label and article tags; the customer's profile
(status entries split off); and the records the operator has submitted so far.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from scoring.facts import KbValue, knowledge_values, record_values
from scoring.grounding import Knowledge, KnownFact, KnownValue, fact_label, profile_values
from simulator.scenario.model import Scenario

# Records whose values are the state of an order or a request, not the customer's data.
_STATE_FORMS = frozenset({"order", "ticket", "complaint"})
# Of those, the fields that hold a state or a term (a status, a date, a delivery), not the
# customer's own data or the operator's notes: stating one tells the customer where things are.
_STATUS_FIELD = re.compile(r"статус|состояни|status|state", re.I)
_STATE_FIELD = re.compile(r"статус|состояни|срок|дат|достав|status|state|date|deliver", re.I)


def scenario_facts(scenario: Scenario) -> tuple[KnownFact, ...]:
    out = []
    for article in scenario.knowledge_base:
        for fact in article.facts:
            known = KnownFact(
                fact.id, fact.kind, fact.label, tuple(article.tags), tuple(fact.keywords)
            )
            sales = _sales_labels(scenario, article.tags, known)
            out.append(replace(known, sales=sales) if sales else known)
    return tuple(out)


# Article tags (by stem) that say what a sales scenario's article is about.
_CROSS_SELL_TAGS = ("допрод", "кросс", "cross", "дополнительн")
_NOT_PRODUCT_TAGS = ("возраж", "оплат", "конкурен", "доставк", "платеж", "платёж")


def _sales_labels(scenario: Scenario, tags: Sequence[str], fact: KnownFact) -> tuple[str, ...]:
    """In offering products (A/02.3) a fact of the product on offer, stated right, presents
    it (its price, rate, coverage: what «Презентация продукта» is made of), and a fact of a
    cross-sell article offers that product. Objections, payment and delivery articles are
    other content; payment and timeline facts keep their own label only."""
    if scenario.function != "A/02.3" or fact_label(fact) != "information":
        return ()
    tags_text = " ".join(tags).casefold()
    if any(t in tags_text for t in _CROSS_SELL_TAGS):
        return ("cross_sell",)
    if any(t in tags_text for t in _NOT_PRODUCT_TAGS):
        return ()
    return ("product_presentation",)


def knowledge(
    scenario: Scenario,
    forms: Mapping[str, Mapping[str, str]],
    facts: tuple[KnownFact, ...] | None = None,
) -> Knowledge:
    """What the operator can know at this moment: the scenario's facts and profile, and the
    order, ticket and complaint records submitted so far (``forms``: form id → fields)."""
    values = list(profile_values(dict(scenario.customer.profile)))
    for form_id, fields in forms.items():
        form = scenario.form(form_id)
        if form is None or form.kind not in _STATE_FORMS:
            continue
        for fld in form.fields:
            value = fields.get(fld.id, "")
            named = f"{fld.id} {fld.label}"
            if value.strip() and (fld.type == "date" or _STATE_FIELD.search(named)):
                status = _STATUS_FIELD.search(named) is not None
                values.append(
                    KnownValue(fld.id, value, "status_update", f"crm:{form_id}", in_words=status)
                )
    return Knowledge(
        facts=scenario_facts(scenario) if facts is None else facts,
        values=tuple(values),
        public=public_text(scenario),
    )


def stated_values(scenario: Scenario) -> tuple[KbValue, ...]:
    """The values a reply may quote without misstating a fact: the knowledge base's, each with
    its context, and the customer's record."""
    return knowledge_values(a.text for a in scenario.knowledge_base) + record_values(
        scenario.customer.profile.values()
    )


def public_text(scenario: Scenario) -> str:
    """The company and the knowledge base: nothing in them is this customer's data."""
    parts = [scenario.company, scenario.title]
    for article in scenario.knowledge_base:
        parts += [article.title, article.text]
    return "\n".join(p for p in parts if p)


__all__ = ["knowledge", "public_text", "scenario_facts", "stated_values"]
