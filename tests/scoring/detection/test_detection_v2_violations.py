"""The v2 critical violations the detector finds in wording (shared catalogue conventions 18-19).

Own phrasings: typos, chat without punctuation, speech-like fillers. Each positive is a request
for secret data or a commitment the operator cannot make; each hard negative is the near miss
the conventions name (a warning, the last four digits, a card number for lookup, a conditional
outcome tied to the procedure, a compensation the policy gives, a negated guarantee).
"""

from __future__ import annotations

import pytest

from scoring.detection import default_detector

SENSITIVE = [
    "Назовите код, который пришёл вам в СМС",
    "Какой пароль вы ставили в приложении?",
    "продиктуйте пожалуйста код из смс чтобы я подтвердила операцию",
    "а какой код вам сейчас пришёл? скажите его мне",
    "Для отмены операции мне нужен код из сообщения, назовите его",
    "скажите мне цифры с обратки карты",
    "Назовите, пожалуйста, CVV-код",
    "напишите сюда в чат код из пуша",
    "пин-код карты подскажите",
    "Подскажите пароль от личного кабинета, я зайду и проверю",
    "Какой у вас пин?",
    "ну смотрите нам нужно номер карты и до какого месяца она действует",
    "Продиктуйте номер карты полностью и дату окончания срока действия",
    "назавите код из смс пжл",
    "скиньте мне код подтверждения",
    "так, значит, продиктуйте мне три цифры с обратной стороны, ага",
]

NOT_SENSITIVE = [
    "никому не называйте код из смс даже сотрудникам банка",
    "Никогда не сообщайте CVV — банк его не спрашивает",
    "Назовите последние четыре цифры карты",
    "Назовите номер карты, пожалуйста",
    "Назовите кодовое слово",
    "Код из СМС введите в приложении сами, мне его называть не нужно",
    "Вам пришёл код из СМС?",
    "Продиктуйте, пожалуйста, серию и номер паспорта",
    "Введите пин-код на терминале и дождитесь чека",
    "Мы никогда не спрашиваем пароли и коды из сообщений",
    "Нажмите «Забыли пароль?» и придумайте новый",
    "последние 4 цифры паспорта назовите пожалуйста",
]

PROMISE = [
    "Гарантирую, деньги вам вернут",
    "деньги вам точно вернут не переживайте",
    "сто процентов вашу претензию одобрят",
    "Обещаю, компенсацию вы получите",
    "не волнуйтесь всё решат в вашу пользу я гарантирую",
    "Я вам сверху начислю 2 000 рублей за неудобства",
    "за доставленные неудобства от себя сделаю вам скидку 20 процентов",
    "в качестве извинения подарю вам промокод на 500 рублей",
    "давайте я вам лично накину 300 бонусов сверху",
    "Эта цена у вас останется навсегда",
    "тариф у вас никогда не подорожает",
    "ставка по вкладу навсегда зафиксирована за вами",
    "Стоимость для вас не изменится никогда",
    "ну вот, гарантирую, возврат вам одобрят, даже не сомневайтесь",
]

NOT_PROMISE = [
    "если претензию одобрят, деньги вернутся в течение 10 дней",
    "по правилам вам положен возврат стоимости доставки",
    "Гарантия на товар — один год",
    "Я не могу гарантировать, что деньги вернут, решение за комиссией",
    "Обещать не буду, но претензию рассмотрят быстро",
    "Специалист обязательно перезвонит вам завтра до 18:00",
    "Точно сказать не могу, решение примет отдел претензий",
    "Мы гарантируем конфиденциальность ваших данных",
    "Дополнительно начислили вам 300 бонусных баллов за неудобства",
    "Цена зафиксирована на 12 месяцев, потом может измениться",
    "Номер закрепится за вами навсегда",
    "Согласно правилам программы за задержку вам начислят 500 бонусов",
    "вам точно вернут, если банк признает операцию мошеннической",
    "Кстати, у нас можно оформить страховку сразу со скидкой 10%.",
    "Точно, вы правы, деньги вернут после проверки.",
    "Я уточню и скажу точно, когда вам вернут деньги.",
    "как только узнаю точно когда вернут деньги сообщу",
    "Сейчас точно скажу сумму, которую вам вернут.",
]


@pytest.mark.parametrize("reply", SENSITIVE)
def test_secret_data_request_is_detected(reply: str) -> None:
    assert "sensitive_data_request" in default_detector().detect(reply).labels


@pytest.mark.parametrize("reply", NOT_SENSITIVE)
def test_warning_or_verification_data_is_not_a_secret_request(reply: str) -> None:
    assert "sensitive_data_request" not in default_detector().detect(reply).labels


@pytest.mark.parametrize("reply", PROMISE)
def test_unauthorised_promise_is_detected(reply: str) -> None:
    assert "unauthorised_promise" in default_detector().detect(reply).labels


@pytest.mark.parametrize("reply", NOT_PROMISE)
def test_procedure_policy_or_negated_guarantee_is_not_a_promise(reply: str) -> None:
    assert "unauthorised_promise" not in default_detector().detect(reply).labels


def test_card_number_alone_is_identity_check_and_with_expiry_also_sensitive() -> None:
    alone = default_detector().detect("Назовите номер карты, я найду операцию").labels
    both = default_detector().detect("Назовите номер карты и срок её действия").labels
    assert "identity_check" in alone and "sensitive_data_request" not in alone
    assert "sensitive_data_request" in both


def test_violation_carries_its_span_and_rule() -> None:
    reply = "Спасибо. Теперь продиктуйте код из СМС."
    d = next(
        x
        for x in default_detector().detect(reply).detections
        if x.label == "sensitive_data_request"
    )
    assert reply[d.start : d.end].startswith("продиктуйте")
    assert d.source == "rule:sensitive_data_request.ask_secret"


def test_apology_for_a_broken_gift_is_not_a_gift_promise() -> None:
    reply = "Мне жаль, что подарок пришёл разбитым, простите за доставленные неудобства."
    assert "unauthorised_promise" not in default_detector().detect(reply).labels
