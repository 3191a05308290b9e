"""The checker's view of a scenario's facts: an article title's «name» is the subject of the
article's facts (a weak keyword), for a fact alone of its value group there."""

from __future__ import annotations

from test_engine_crm_correct import RAW

from simulator.scenario.model import Scenario


def test_an_article_title_names_the_subject_of_a_fact_alone_of_its_kind() -> None:
    from simulator.engine.engine import fact_specs

    raw = dict(RAW)
    raw["knowledge_base"] = [
        {
            "id": "tariff",
            "title": "Тариф «Орбита Плюс»",
            "text": "590 рублей в месяц, подключение 100 рублей, 30 ГБ.",
            "facts": [
                {"id": "fee", "kind": "price", "value": "590 рублей", "keywords": ["плата"]},
                {
                    "id": "connect",
                    "kind": "price",
                    "value": "100 рублей",
                    "keywords": ["подключение"],
                },
                {"id": "traffic", "kind": "number", "value": "30 ГБ", "keywords": ["интернет"]},
            ],
        }
    ]
    specs = {s.id: s for s in fact_specs(Scenario.model_validate(raw))}
    assert specs["traffic"].subjects == ("Орбита Плюс",)
    assert specs["fee"].subjects == () and specs["connect"].subjects == ()  # two prices
