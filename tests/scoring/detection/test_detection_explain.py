"""The developer's «why» (scoring/detection/explain.py, ``ccsim detect --explain``): it lists the
rule *pattern* that matched and what stopped a rule, and never disagrees with the detector."""

from __future__ import annotations

from scoring.detection import default_detector
from scoring.detection.checks import read_checks
from scoring.detection.explain import FIRED, explain, format_explanation


def test_the_pattern_that_fired_is_named_with_its_words() -> None:
    ex = explain(default_detector(), "Вы должны были сами перезвонить, номер был в СМС.")
    fired = [p for p in ex.patterns if p.label == "rudeness" and p.outcome == FIRED]
    assert fired, ex.to_dict()
    assert any("должен" in p.pattern and p.text == "Вы должны были" for p in fired)
    assert "rudeness" in ex.labels


def test_a_blocked_match_says_which_condition_stopped_it() -> None:
    ex = explain(default_detector(), "Мы должны были проверить адрес при оформлении.")
    blocked = [p for p in ex.patterns if p.rule == "obliged_in_the_past"]
    assert blocked and blocked[0].outcome.startswith("without: ")
    assert "rudeness" not in ex.labels
    text = format_explanation(ex)
    assert "obliged_in_the_past" in text and "not fired (without:" in text


def test_the_model_verdict_is_shown_with_its_features() -> None:
    ex = explain(default_detector(), "Вам же всё написали, читать надо.")
    assert ex.model is not None and ex.model.top_features
    assert "model:" in format_explanation(ex)


def test_a_convention_that_removes_a_label_is_reported() -> None:
    # «Всё верно?» inside an order read-back is not a separate closed question (convention 7)
    ex = explain(
        default_detector(), "Оформляю: роутер AX3, доставка 12 марта, оплата картой. Всё верно?"
    )
    assert "closed_question" in ex.dropped
    assert "closed_question" not in ex.labels


def test_explain_agrees_with_detect_on_the_checks_set() -> None:
    detector = default_detector()
    for it in read_checks()[::5]:
        assert explain(detector, it.operator, it.customer).labels == tuple(
            detector.detect(it.operator, it.customer).labels
        ), it.id


def test_fired_rule_patterns_cover_every_rule_detection() -> None:
    """Every `rule:` detection has a fired pattern of that rule in the listing."""
    detector = default_detector()
    reply = "Здравствуйте! Читайте договор внимательнее, там всё написано."
    ex = explain(detector, reply)
    fired = {f"rule:{p.label}.{p.rule}" for p in ex.patterns if p.outcome == FIRED}
    for d in detector.detect(reply).detections:
        if d.source.startswith("rule:") and not d.source.startswith("rule:informal.bracket"):
            assert d.source in fired, (d.source, fired)
