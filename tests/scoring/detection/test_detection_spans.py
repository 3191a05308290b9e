"""Evidence spans index the original reply and say which rule fired."""

from __future__ import annotations

from scoring.detection import Detection, DetectionResult, RuleDetector, default_detector


def test_spans_slice_the_original_text_even_with_lookalikes_and_yo() -> None:
    reply = "Здpавствуйте! Ещё раз приношу извинения, всё исправим."
    result = default_detector().detect(reply)
    by_label = {d.label: d for d in result.detections}
    assert reply[by_label["greeting"].start : by_label["greeting"].end] == "Здpавствуйте"
    apology = by_label["apology"]
    assert reply[apology.start : apology.end] == "извинения"


def test_source_names_rule_or_convention() -> None:
    result = default_detector().detect("Добрый день! Чем могу помочь?")
    sources = {d.label: d.source for d in result.detections}
    assert sources["greeting"] == "rule:greeting.good_time_of_day"
    assert sources["open_question"] == "rule:question.wh_word"


def test_result_round_trips_and_carries_version() -> None:
    reply = "Спасибо за ожидание. Заявка зарегистрирована, номер 12."
    result = default_detector().detect(reply)
    assert result.detector_version == default_detector().version
    assert DetectionResult.from_dict(reply, result.to_dict()) == result
    assert all(isinstance(d, Detection) for d in result.detections)


def test_one_detection_per_label_in_catalogue_order() -> None:
    result = default_detector().detect("Приношу извинения. Извините ещё раз! До свидания.")
    assert len(result.labels) == len(result.detections)
    assert result.labels == ["farewell", "apology"]


def test_default_detector_is_a_cached_singleton() -> None:
    assert default_detector() is default_detector()
    assert isinstance(default_detector(), RuleDetector)
