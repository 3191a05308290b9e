"""Which spans are claims of something done: a false claim fails the contact, so it must rest
on a claim the operator really made (engine-derived ``false_claim``, catalogue v2)."""

from __future__ import annotations

import pytest

from simulator.engine.violations import claim_tense


@pytest.mark.parametrize(
    ("label", "span", "tense"),
    [
        ("ticket_registration", "я зарегистрировала вашу претензию", "done"),
        ("ticket_registration", "обращение зарегистрировано", "done"),
        ("ticket_registration", "ваша заявка номер 4521", "done"),
        ("transfer_department", "передала в отдел претензий", "done"),
        ("transfer_department", "передаю заявку инженерам", "announced"),
        ("escalation", "сообщу старшему смены", "announced"),
        ("escalation", "соединяю вас со старшим специалистом", "announced"),
        ("ticket_registration", "оформляю вашу жалобу", "announced"),
        ("ticket_registration", "по базе нет зарегистрированных обращений", None),
        ("transfer_department", "я её ещё не передавала", None),
        ("escalation", "руководителю не сообщали", None),
        ("decision", "по таким операциям деньги не возвращают", None),
        ("decision", "такие списания обычно возвращают", None),
        ("decision", "решили вернуть вам 1 200 рублей", "done"),
        ("decision", "возврат одобрен", "done"),
    ],
)
def test_claim_tense(label: str, span: str, tense: str | None) -> None:
    assert claim_tense(label, span) == tense
