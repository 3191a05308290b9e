"""Round 1.53 classes, on phrases written for these tests: which sentences may still answer
the customer's question (`answers.py`), and the rule edits next to them."""

from __future__ import annotations

from scoring.detection import default_detector


def labels(reply: str, customer: str | None = None) -> set[str]:
    return set(default_detector().detect(reply, customer).labels)


def test_a_stop_phrase_elsewhere_leaves_the_answer() -> None:
    got = labels(
        "Абонентская плата за домофон делится поровну между всеми квартирами подъезда. "
        "Так положено.",
        "Почему за домофон платят даже на первом этаже?",
    )
    assert {"information", "stop_phrase"} <= got


def test_a_comma_set_imperative_opener_is_a_discourse_marker() -> None:
    customer = "Какой процент по депозиту на год?"
    assert "information" in labels("Смотрите, по депозиту на год сейчас 11 процентов.", customer)
    # without the comma it is an instruction, not an answer
    assert "information" not in labels("Смотрите условия депозита на сайте банка.", customer)


def test_a_figure_survives_a_rude_tail_but_a_rude_sentence_alone_is_no_answer() -> None:
    customer = "почему доставка стала дороже?"
    got = labels("так доставка теперь 300 вместо 200, в рассылке же было указано", customer)
    assert {"information", "rudeness"} <= got
    assert "information" not in labels("Вы сами виноваты, доставку надо было смотреть.", customer)


def test_a_deposit_balance_and_a_payment_receipt_are_not_payment_info() -> None:
    assert "payment_info" not in labels(
        "Доход по счёту начисляется на остаток до ста тысяч.", "Как начисляется доход?"
    )
    assert "payment_info" not in labels(
        "Справка об оплате обучения выдаётся в течение пяти дней.", "Нужна справка для вычета."
    )
    assert "payment_info" in labels("Остаток вносится при получении заказа.", "Как платить?")


def test_a_future_spared_chore_is_a_benefit_not_blame() -> None:
    reply = "Можем подключить вам автоплатёж — квитанции оплачивать вручную не нужно будет."
    got = labels(reply, "Хорошо, спасибо.")
    assert "rudeness" not in got
    assert "product_presentation" in got
    assert "rudeness" in labels("Квитанцию оплатить вовремя нужно было.", "Почему пени?")


def test_what_is_it_answered_with_a_benefit_is_a_presentation() -> None:
    customer = "Что за опция «Ночной безлимит»?"
    reply = (
        "«Ночной безлимит» — трафик с часу до семи без учёта, вам выгодно качать обновления ночью."
    )
    assert "product_presentation" in labels(reply, customer)
    assert "product_presentation" not in labels(
        "Это ошибка списания, вам не нужно ничего делать, деньги вернутся.", "Что за списание?"
    )


def test_it_depends_without_a_figure_is_no_answer() -> None:
    customer = "Сколько стоит покраска забора?"
    assert "information" not in labels("Это смотря какой забор.", customer)
    assert "information" in labels("Смотря какой забор, обычно покраска от 900 рублей.", customer)
