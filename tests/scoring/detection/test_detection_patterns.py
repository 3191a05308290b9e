"""The rule pattern language and the rule file's validation."""

from __future__ import annotations

import pytest

from scoring.detection.document import Document
from scoring.detection.patterns import PatternCompiler, PatternError
from scoring.detection.rules import RuleFileError, load_rules
from scoring.nlp import lemma


def matches(pattern: str, text: str, macros: dict[str, str] | None = None) -> bool:
    compiled = PatternCompiler(macros or {}, lemma).compile(pattern)
    doc = Document(text)
    return compiled.may_match(doc.keys) and compiled.regex.search(doc.encoded) is not None


def test_words_match_any_form() -> None:
    assert matches("подождите", "Вы подождёте минуту?")
    assert matches("заявка зарегистрировать", "заявку зарегистрировали")


def test_surface_form_is_exact() -> None:
    assert matches("=доброго =вечера", "Доброго вечера!")
    assert not matches("=доброго =вечера", "Добрый вечер!")


def test_gap_stays_within_the_sentence() -> None:
    assert matches("спасибо ~3 ожидание", "Спасибо вам большое за ожидание")
    assert not matches("спасибо ~3 ожидание", "Спасибо. Ожидание")


def test_alternatives_optionals_numbers_macros_and_grammemes() -> None:
    assert matches("(до | к) #", "к 18:00")
    assert matches("[очень] жаль", "жаль")
    assert matches("@bye", "До свидания", {"bye": "до свидание"})
    assert matches("зарегистрировать:past", "я зарегистрировала")
    assert not matches("зарегистрировать:past", "я зарегистрирую")
    assert matches("(перезагрузить | выключить):impr", "Выключите роутер")
    assert matches("сделать ?", "Сделать?")


def test_prefilter_skips_texts_without_required_words() -> None:
    compiled = PatternCompiler({}, lemma).compile("вы ~2 (виноватый | =виноваты)")
    assert not compiled.may_match(Document("Вы правы").keys)
    assert compiled.may_match(Document("Вы сами виноваты").keys)


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [("(а | б", "missing"), ("а )", "unbalanced"), ("@nope", "unknown macro"), ("(а |)", "empty")],
)
def test_bad_patterns_are_named(pattern: str, problem: str) -> None:
    with pytest.raises(PatternError, match=problem):
        PatternCompiler({}, lemma).compile(pattern)


def test_recursive_macro_is_an_error() -> None:
    with pytest.raises(PatternError, match="refers to itself"):
        PatternCompiler({"a": "@a"}, lemma).compile("@a")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("labels: {nope: [{id: x, match: a}]}", "not a behaviour id"),
        ("labels: {greeting: [{match: a}]}", "needs an 'id'|a rule is a mapping"),
        ("labels: {greeting: [{id: x}]}", "needs 'match' or 'raw'"),
        ("labels: {greeting: [{id: x, match: a}, {id: x, match: b}]}", "duplicate rule id"),
        ("labels: {greeting: [{id: x, match: '(a'}]}", r"greeting\[0\] \(x\): missing"),
        ("labels: {greeting: [{id: x, match: a, scope: everywhere}]}", "scope must be"),
        ("labels: {greeting: [{id: x, match: a, colour: red}]}", "unknown keys"),
        ("[1, 2]", "must be a mapping"),
    ],
)
def test_rule_file_errors_name_label_and_rule(text: str, problem: str) -> None:
    with pytest.raises(RuleFileError, match=problem):
        load_rules(lemma, text)


def test_shipped_rule_file_loads_with_a_version() -> None:
    rules = load_rules(lemma)
    assert rules.version
    assert {r.label for r in rules.rules} >= {"greeting", "rudeness", "informal"}
