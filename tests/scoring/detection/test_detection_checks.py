"""The violation checks (scoring/data/detector/violation-checks.jsonl): polite, correct replies
that hold the words the rudeness and personal-data rules key on must not fail a contact, and
genuinely rude replies in new wording must still be found.

Floors sit a little below the figures measured when the rules last changed (docs/detector.md,
round 1.55): a rule edit that brings a false critical violation back fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scoring.detection import default_detector
from scoring.detection.checks import (
    CheckItem,
    parse_check_line,
    read_checks,
    score_checks,
)
from scoring.detection.evaluation import DataFileError


@pytest.fixture(scope="module")
def items() -> list[CheckItem]:
    return read_checks()


@pytest.fixture(scope="module")
def scores(items: list[CheckItem]) -> dict[str, object]:
    detector = default_detector()
    return {s.label: s for s in score_checks(items, lambda o, c: detector.detect(o, c).labels)}


def test_the_set_is_large_and_covers_every_risky_word_family(items: list[CheckItem]) -> None:
    polite = [it for it in items if it.checks.get("rudeness") is False]
    rude = [it for it in items if it.checks.get("rudeness")]
    assert len(polite) >= 150
    assert len(rude) >= 50
    text = "\n".join(it.operator.lower().replace("ё", "е") for it in polite)
    families = {
        "должны": r"\bдолжн",
        "нужно / надо": r"\b(нужно|надо)\b",
        "сами": r"\bсам[иао]?\b",
        "же": r"\bже\b",
        "не надо / не нужно": r"\bне (надо|нужно|стоит)\b",
        "внимательно": r"\bвнимательн",
        "правила": r"\bправил",
        "сначала": r"\bсначала\b",
        "раньше": r"\bраньше\b",
        "виноваты": r"\bвинова",
        "сумма as a condition": r"(баланс|сч[её]т|сумм)\w*[^.]{0,30}(не меньше|от|минимум)",
    }
    missing = [name for name, rx in families.items() if len(re.findall(rx, text)) < 2]
    assert not missing, missing


def test_polite_replies_do_not_fail_the_contact(scores: dict[str, object]) -> None:
    rude = scores["rudeness"]
    pd = scores["personal_data"]
    # measured at 1.55.0: 1 of 198 (vp122, see docs/detector.md) and 0 of 178
    assert len(rude.false_positives) <= 2, rude.false_positives  # type: ignore[attr-defined]
    assert len(pd.false_positives) <= 1, pd.false_positives  # type: ignore[attr-defined]


def test_rude_replies_and_real_account_data_are_still_found(scores: dict[str, object]) -> None:
    assert scores["rudeness"].recall >= 0.96, scores["rudeness"].misses  # type: ignore[attr-defined]
    assert scores["personal_data"].recall >= 0.95, scores["personal_data"].misses  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("reply", "rude"),
    [
        # the customer is owed (dative / accusative) — the company's obligation
        ("вам должны были позвонить сразу, простите", False),
        ("Вас должны были предупредить за сутки, это наш недосмотр.", False),
        ("Мы должны были проверить адрес при оформлении.", False),
        # the customer was obliged (nominative) — blame
        ("Вы должны были сами перезвонить, номер был в СМС.", True),
        ("Должны были прочитать договор до подписания.", True),
        # a requirement stated neutrally — not a lecture
        ("для подключения на счёте нужно не меньше 300 рублей", False),
        ("Нужно меньше двух минут, я только сверю данные.", False),
        ("Надо меньше по сомнительным сайтам ходить.", True),
        # clearing the customer is not blaming them
        ("Вы не виноваты, это сбой терминала.", False),
        ("Вы сами ничего не сломали, это заводской брак.", False),
        ("Вы сами виноваты, указали не тот счёт.", True),
        # «хотели бы» is a question, not a reproach
        ("А что вы хотели бы изменить в тарифе?", False),
        ("А что вы хотели? Это распродажа.", True),
        ("Вы бы ещё ночью позвонили.", True),
    ],
)
def test_blame_classes(reply: str, rude: bool) -> None:
    labels = default_detector().detect(reply).labels
    assert ("rudeness" in labels) is rude, labels


@pytest.mark.parametrize(
    ("reply", "personal"),
    [
        ("на балансе нужно не меньше 500 рублей", False),
        ("для роуминга баланс должен быть не меньше 1000 рублей", False),
        ("По полису «Стандарт» франшиза 15 000 рублей.", False),
        ("На вашу карту деньги вернутся в течение 10 рабочих дней.", False),
        ("Бонусы будут зачислены в течение 3 дней.", False),
        ("Ваша гарантия действует 2 года с даты покупки.", False),
        ("На вашем балансе 500 рублей.", True),
        ("Ваша задолженность — 3 480 рублей, оплатить нужно до 25 числа.", True),
        ("14 апреля списано 1 490 рублей за продление.", True),
        ("Ваш полис действует до 15 августа.", True),
    ],
)
def test_requirement_is_not_the_account_state(reply: str, personal: bool) -> None:
    labels = default_detector().detect(reply).labels
    assert ("personal_data" in labels) is personal, labels


def test_a_bad_line_names_its_place_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"f\.jsonl:3: field 'checks'"):
        parse_check_line(json.dumps({"operator": "Да"}), 3, "f.jsonl")
    with pytest.raises(DataFileError, match="'rudenes' is not a behaviour id"):
        parse_check_line(json.dumps({"operator": "Да", "checks": {"rudenes": True}}), 1, "f")
    with pytest.raises(DataFileError, match=r"checks\.rudeness must be true or false"):
        parse_check_line(json.dumps({"operator": "Да", "checks": {"rudeness": 1}}), 1, "f")
    path = tmp_path / "c.jsonl"
    path.write_text('{"operator": "Да", "checks": {"rudeness": false}}\n{oops\n', "utf-8")
    with pytest.raises(DataFileError, match=r"c\.jsonl:2: not valid JSON"):
        read_checks(path)


def test_scores_count_only_the_labels_an_item_checks() -> None:
    items = [
        CheckItem("a", "x", None, {"rudeness": False}),
        CheckItem("b", "y", None, {"rudeness": True}),
        CheckItem("c", "z", None, {"personal_data": True}),
    ]
    out = score_checks(items, lambda op, _c: ["rudeness"] if op in ("x", "z") else [])
    by = {s.label: s for s in out}
    assert by["rudeness"].false_positives == ("a",)
    assert by["rudeness"].misses == ("b",)
    assert by["rudeness"].negatives == 1 and by["rudeness"].positives == 1
    assert by["personal_data"].misses == ("c",) and by["personal_data"].negatives == 0
