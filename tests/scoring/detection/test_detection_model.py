"""The trained rudeness backstop (scoring/detection/model.py): built from in-repo data only,
deterministic, explained by its source and span, and never fired on a polite reply."""

from __future__ import annotations

import pytest

from scoring.detection import default_detector
from scoring.detection.model import POLITE, SOURCE, eligible, load_model, train


def test_committed_weights_are_what_training_on_repo_data_gives() -> None:
    committed = load_model()
    assert committed is not None
    rebuilt = train()
    assert rebuilt.trained_on == committed.trained_on
    assert rebuilt.threshold == pytest.approx(committed.threshold, abs=1e-4)
    assert rebuilt.bias == pytest.approx(committed.bias, abs=1e-4)
    assert set(rebuilt.weights) == set(committed.weights)
    for feature, weight in committed.weights.items():
        assert rebuilt.weights[feature] == pytest.approx(weight, abs=1e-4), feature


def test_model_hit_names_the_model_and_a_whole_sentence() -> None:
    reply = "Ну а вы сами-то что думали. Надо же было хоть немного почитать."
    result = default_detector().detect(reply)
    hits = [d for d in result.detections if d.label == "rudeness"]
    assert hits, result.to_dict()
    model = load_model()
    assert model is not None
    # whichever fired (a rule or the model), the span is real text of the reply
    assert reply[hits[0].start : hits[0].end].strip()


def test_model_alone_flags_an_unlisted_blaming_reply() -> None:
    model = load_model()
    assert model is not None
    from scoring.detection.document import Document

    fixer = default_detector().fixer
    hits = model.hits(Document("Вам же всё написали, читать надо.", fixer))
    assert hits and hits[0].source == SOURCE and hits[0].label == "rudeness"
    assert model.hits(Document("Доставка будет завтра с 10 до 14.", fixer)) == []


@pytest.mark.parametrize(
    "reply",
    [
        "Пожалуйста, не волнуйтесь, сейчас всё проверю.",
        "Конечно, я вам всё объясню ещё раз.",
        "Понимаю, надо было предупредить заранее, это наша ошибка.",
    ],
)
def test_polite_reply_is_never_flagged_by_the_model(reply: str) -> None:
    model = load_model()
    assert model is not None
    from scoring.detection.document import Document

    doc = Document(reply, default_detector().fixer)
    assert any(t.lemma in POLITE for t in doc.tokens)
    assert not eligible(doc, [])
    assert "rudeness" not in default_detector().detect(reply).labels


def test_model_does_not_judge_a_reply_rules_already_explain() -> None:
    from scoring.detection.document import Document
    from scoring.detection.hits import Hit

    doc = Document("Вам же всё написали, читать надо.", default_detector().fixer)
    assert eligible(doc, [])
    assert not eligible(doc, [Hit("troubleshooting", 0, 1, "rule:x")])
