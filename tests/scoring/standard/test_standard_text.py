"""The standard's data must say exactly what the standard says.

The source text is kept beside this test (a copy of shared/standard/...) so the check runs from a
bare checkout; its own parser is deliberately independent of ``scoring.standard``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring.standard import load_standard

SOURCE = Path(__file__).parent / "source" / "operator-contact-centre-level3.txt"
SHARED = Path("/work/shared/standard/operator-contact-centre-level3.txt")
SECTIONS = {"Трудовые действия": "ТД", "Необходимые умения": "У", "Необходимые знания": "З"}


def parse_source() -> dict[str, tuple[str, dict[str, str]]]:
    """function code -> (name, {item code: text}) straight from the standard's text."""
    lines = [line.strip() for line in SOURCE.read_text("utf-8").splitlines()]
    result: dict[str, tuple[str, dict[str, str]]] = {}
    code = prefix = None
    for i, line in enumerate(lines):
        if re.fullmatch(r"A/0\d\.3", line):
            code, prefix = line, None
            result[code] = (lines[i + 1], {})
        elif line in SECTIONS:
            prefix = SECTIONS[line]
        elif line.startswith("Вид профессиональной деятельности"):
            code = prefix = None
        elif code and prefix and (m := re.fullmatch(r"(\d+) \. (.+)", line)):
            result[code][1][f"{code} {prefix}{m.group(1)}"] = m.group(2)
    return result


SOURCE_FUNCTIONS = parse_source()
SOURCE_ITEMS = [
    (code, text) for _, items in SOURCE_FUNCTIONS.values() for code, text in items.items()
]


def test_source_copy_matches_the_shared_standard() -> None:
    if not SHARED.exists():
        pytest.skip("shared/ inputs are not mounted on this machine")
    assert SOURCE.read_bytes() == SHARED.read_bytes()


def test_the_parser_found_the_whole_standard() -> None:
    counts = {
        code: tuple(sum(1 for c in items if p in c.split(" ")[1][:2]) for p in ("ТД", "У", "З"))
        for code, (_, items) in SOURCE_FUNCTIONS.items()
    }
    assert counts == {
        "A/01.3": (3, 12, 12),
        "A/02.3": (9, 12, 17),
        "A/03.3": (6, 9, 14),
        "A/04.3": (7, 9, 13),
    }


@pytest.mark.parametrize(("code", "text"), SOURCE_ITEMS, ids=[c for c, _ in SOURCE_ITEMS])
def test_every_item_of_the_standard_is_in_the_data_verbatim(code: str, text: str) -> None:
    assert load_standard().item(code).text == text


def test_the_data_holds_nothing_the_standard_does_not() -> None:
    standard = load_standard()
    data_items = {i.code: i.text for f in standard.functions for i in f.items()}
    assert data_items == dict(SOURCE_ITEMS)
    assert {f.code: f.name for f in standard.functions} == {
        code: name for code, (name, _) in SOURCE_FUNCTIONS.items()
    }


def test_the_standard_keeps_its_own_typos() -> None:
    assert "информационно-коммуникационую" in load_standard().item("A/01.3 У2").text


def test_qualification_documents_and_validity_come_from_the_text() -> None:
    text = SOURCE.read_text("utf-8")
    standard = load_standard()
    assert standard.level == 3
    assert re.search(r"Уровень квалификации:\s+3\b", text)
    assert standard.certificate_validity_years == 3
    assert re.search(r"Срок действия свидетельства о квалификации:\s+3 года", text)
    assert f"Наименование квалификации:\n\n{standard.qualification}" in text
    assert standard.order in text and standard.activity in text
    assert len(standard.exam_documents) == 2
    for n, doc in enumerate(standard.exam_documents, start=1):
        assert f"{n}. {n}. {doc}" in text


def test_items_are_looked_up_by_code_and_grouped_by_function() -> None:
    standard = load_standard()
    assert [a.code for a in standard.labour_actions("A/04.3")][-1] == "A/04.3 ТД7"
    assert len(standard.labour_actions()) == 25
    assert standard.item("A/03.3 З4").kind == "knowledge"
    with pytest.raises(KeyError, match=r"A/09\.3"):
        standard.function("A/09.3")
