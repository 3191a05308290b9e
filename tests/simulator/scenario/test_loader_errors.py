"""Every kind of scenario error, at its exact FILE:LINE:COL, all reported at once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from scenario_helpers import position, where, write

from simulator.scenario.loader import load_scenario_file
from simulator.scenario.yaml_nodes import MAX_BYTES


def load(folder: Path, text: str) -> list[tuple[int, int, str]]:
    return where(load_scenario_file(write(folder, "scenario.yaml", text)).errors)


# (replace this, with this, error position: the needle and which occurrence, message part)
SEMANTIC_CASES = [
    ("goto: closing", "goto: finish", ("finish", 0), "step 'finish' is not defined"),
    ("start: opening", "start: begin", ("begin", 0), "start step 'begin' is not defined"),
    ("end: unresolved", "end: lost", ("lost", 0), "ending 'lost' is not defined"),
    ("mood: -40, end: hung_up", "mood: -40, end: gone", ("gone", 0), "ending 'gone'"),
    (
        "stated: [opening_hours]",
        "stated: [closing_hours]",
        ("closing_hours", 0),
        "fact 'closing_hours' is not defined",
    ),
    ("misstated: [opening_hours]", "misstated: [x_hours]", ("x_hours", 0), "fact 'x_hours'"),
    (
        "crm: [contact_log]",
        "crm: [order_form]",
        ("order_form", 0),
        "CRM form 'order_form' is not defined",
    ),
    (
        "transferred: support",
        "transferred: billing",
        ("billing", 0),
        "department 'billing' is not defined",
    ),
    (
        "fields: [fio, order_no]",
        "fields: [fio, passport]",
        ("passport", 0),
        "verification field 'passport'",
    ),
    (
        'expected: "Справка"',
        'expected: "Справки"',
        ('"Справки"', 0),
        "not one of the field's options",
    ),
    (
        "hung_up: {outcome: hung_up,",
        "hung_up: {outcome: unresolved,",
        ("endings:", 0),
        "no ending has `outcome: hung_up`",
    ),
    ("- id: topic", "- id: contact_log", ("contact_log", 2), None),  # field ids may reuse form ids
    (
        "expect: [greeting]",
        "expect: [greeting, informal]",
        ("informal", 0),
        "'informal' is a violation and cannot be expected",
    ),
    (
        "      otherwise:\n",
        "      otherwise:\n        when: {said: [apology]}\n",
        ("when: {said: [apology]}", 0),
        "`otherwise` takes no `when`",
    ),
    (
        'expected: "Справка"',
        'expected: "Справка"\n        expected_pattern: "(["',
        ('"(["', 0),
        "invalid regular expression",
    ),
    (
        'expected: "Справка"',
        'expected: "Справка"\n        pattern: "(a)\\\\1"',
        ('"(a)', 0),
        "backreferences (\\1) are not supported",
    ),
    (
        'expected: "Справка"',
        'expected: "Справка"\n        expected_pattern: "(?=x)Спр"',
        ('"(?=x)', 0),
        "lookahead/lookbehind assertions are not supported",
    ),
    (
        '    name: "Вторая линия"',
        '    name: "Вторая линия"\n  - id: support\n    name: "Дубль"',
        ("support", 1),
        "duplicate department id 'support'",
    ),
    (
        'expected: "Справка"',
        "critical: true",
        ("true", 0),
        "a `critical` field needs `expected:` or `expected_pattern:`",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "at", "message"), SEMANTIC_CASES, ids=[c[3] or c[1] for c in SEMANTIC_CASES]
)
def test_semantic_errors_are_located(
    tmp_path: Path, minimal_text: str, old: str, new: str, at: tuple[str, int], message: str | None
) -> None:
    assert old in minimal_text
    text = minimal_text.replace(old, new, 1)
    errors = load(tmp_path, text)
    if message is None:
        assert errors == []
        return
    line, col = position(text, *at)
    assert [(ln, c) for ln, c, m in errors if message in m] == [(line, col)], errors


def test_unreachable_and_dead_end_steps_are_reported_at_the_step(
    tmp_path: Path, minimal_text: str
) -> None:
    text = minimal_text.replace(
        "    closing:\n",
        '    orphan:\n      customer: ["Я тут"]\n      branches: [{goto: closing}]\n'
        '    loop:\n      customer: ["Кругом"]\n      branches: [{goto: loop}]\n'
        "    closing:\n",
    ).replace(
        "        - when: {misstated: [opening_hours]}",
        "        - when: {said: [apology]}\n          goto: loop\n"
        "        - when: {misstated: [opening_hours]}",
    )
    errors = load(tmp_path, text)
    assert errors == [
        (
            *position(text, "orphan:"),
            "step 'orphan' is unreachable: no branch leads to it from the start step 'opening'",
        ),
        (
            *position(text, "loop:"),
            "no path from step 'loop' reaches an ending: give it (or a step after it) "
            "a branch with `end:`",
        ),
    ]


def test_duplicate_fact_and_article_ids(tmp_path: Path, minimal_text: str) -> None:
    extra = (
        '  - id: hours\n    title: "Ещё"\n    text: "Текст"\n    facts:\n'
        '      - {id: opening_hours, kind: time, value: "9-21", keywords: [часы]}\n'
    )
    text = minimal_text.replace("crm:\n", extra + "crm:\n", 1)
    errors = load(tmp_path, text)
    article = position(text, 'id: hours\n    title: "Ещё"')
    assert [(ln, c) for ln, c, _ in errors] == [
        (article[0], article[1] + 4),
        position(text, "opening_hours", 1),
    ]
    assert "duplicate article id 'hours'" in errors[0][2]
    assert "duplicate fact id 'opening_hours'" in errors[1][2]


def test_model_errors_are_located_and_readable(tmp_path: Path, minimal_text: str) -> None:
    text = (
        minimal_text.replace("function: A/01.3", "function: A/09.3")
        .replace("channel: chat", "chanel: chat")
        .replace("expect: [greeting]", "expect: [greting]")
        .replace('title: "Минимальный сценарий: часы работы магазина"\n', "")
        .replace("  hung_up: {outcome: hung_up,", "  x: {outcome: hung_up}\n  hung_up: {")
    )
    root = position(text, "id: minimal")
    assert load(tmp_path, text) == [
        (*root, "missing required field 'channel'"),
        (*root, "missing required field 'title'"),
        (
            *position(text, "A/09.3"),
            "function: unknown labour function 'A/09.3'; use one of A/01.3, A/02.3, A/03.3, A/04.3",
        ),
        (
            *position(text, "chanel"),
            "unknown field 'chanel': did you mean 'channel'? allowed here: id, title, "
            "description, function, channel, direction, difficulty, industry, company, tags, kpi, "
            "customer, knowledge_base, policy, crm, departments, includes, dialogue, endings, "
            "reactions, hide_transcript, scoring",
        ),
        (
            *position(text, "greting"),
            "dialogue.steps.opening.expect[0]: unknown behaviour id 'greting'; use one of the "
            "catalogue ids (see docs/scenario-format.md), e.g. greeting, identity_check, empathy",
        ),
        (*position(text, "hung_up: {"), "endings.hung_up: missing required field 'outcome'"),
    ]


def test_a_bad_reaction_key_is_reported_at_the_key(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace("  rudeness: {say:", "  rude: {say:")
    errors = load(tmp_path, text)
    assert [(ln, c) for ln, c, _ in errors] == [position(text, "rude:")]
    assert "unknown reaction 'rude'" in errors[0][2]


def test_a_wrong_type_names_the_field(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace("  mood: 60", "  mood: весёлый")
    assert load(tmp_path, text) == [
        (
            *position(text, "весёлый"),
            "customer.mood: Input should be a valid integer, unable to parse string as an integer",
        )
    ]


def test_yaml_syntax_error_is_located(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace('options: ["Справка", "Жалоба"]', 'options: ["Справка", "Жалоба"')
    errors = load(tmp_path, text)
    assert len(errors) == 1
    line, _ = position(text, 'expected: "Справка"')
    assert errors[0][0] == line and errors[0][2].startswith("YAML syntax error: ")


def test_tab_indentation_is_a_syntax_error(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace("  mood: 60", "\tmood: 60")
    errors = load(tmp_path, text)
    assert len(errors) == 1 and errors[0][2].startswith("YAML syntax error")
    assert errors[0][0] == position(text, "\tmood")[0]


def test_duplicate_keys_are_an_error(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace("difficulty: easy\n", "difficulty: easy\ndifficulty: hard\n")
    errors = load(tmp_path, text)
    assert errors == [
        (
            *position(text, "difficulty: hard"),
            f"duplicate key 'difficulty' (first defined at line "
            f"{position(text, 'difficulty: easy')[0]}); YAML would silently keep only the last "
            "one: remove or rename one of them",
        )
    ]


def test_duplicate_step_ids_are_an_error(tmp_path: Path, minimal_text: str) -> None:
    text = minimal_text.replace(
        "    closing:\n", '    opening:\n      customer: ["x"]\n    closing:\n'
    )
    errors = load(tmp_path, text)
    assert [(ln, c) for ln, c, m in errors if "duplicate key 'opening'" in m] == [
        position(text, "opening:", 1)
    ]


def test_an_alias_bomb_is_refused_at_the_alias_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(lines) + "\n"
    started = time.perf_counter()
    errors = load(tmp_path, text)
    elapsed = time.perf_counter() - started
    assert errors[0][:2] == position(text, "*a")
    assert "YAML aliases (*a) are not allowed" in errors[0][2]
    assert elapsed < 5  # generous: a regression would take minutes, not seconds


def test_merge_keys_are_refused(tmp_path: Path) -> None:
    errors = load(tmp_path, "base: {x: 1}\nother:\n  <<: {x: 2}\n")
    assert [e[:2] for e in errors if "merge keys (<<) are not supported" in e[2]] == [(3, 3)]


def test_files_over_one_mib_are_refused_before_parsing(tmp_path: Path) -> None:
    text = "id: big\n# " + "x" * MAX_BYTES + "\n"
    errors = load(tmp_path, text)
    assert errors == [
        (
            1,
            1,
            f"file is {len(text)} bytes; the limit is {MAX_BYTES} bytes (1 MiB): split it, "
            "e.g. move shared steps to a fragment under scenarios/_fragments/",
        )
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "a scenario must be a mapping"),
        ("a: !!python/object:os.system x\n", "custom YAML tag"),
    ],
)
def test_other_unusable_documents(tmp_path: Path, text: str, message: str) -> None:
    errors = load(tmp_path, text)
    assert any(message in m for _, _, m in errors), errors


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_bytes(b'id: x\ntitle: "' + b'\xff\xfe"\n')
    errors = where(load_scenario_file(path).errors)
    assert errors == [(2, 9, "the file is not valid UTF-8: save it as UTF-8")]


def test_every_error_is_reported_at_once(tmp_path: Path, minimal_text: str) -> None:
    text = (
        minimal_text.replace("goto: closing", "goto: finish")
        .replace("stated: [opening_hours]", "stated: [nope]")
        .replace("difficulty: easy", "difficulty: impossible")
        .replace("crm: [contact_log]", "crm: [nope_form]")
    )
    errors = load(tmp_path, text)
    messages = " | ".join(m for _, _, m in errors)
    for part in (
        "step 'finish'",
        "fact 'nope'",
        "difficulty:",
        "CRM form 'nope_form'",
        "step 'closing' is unreachable",
    ):
        assert part in messages
    assert errors == sorted(errors)


def test_scoring_overrides_are_validated(tmp_path: Path, minimal_text: str) -> None:
    good = minimal_text + "scoring:\n  pass_threshold: 70\n"
    assert load(tmp_path, good) == []
    text = minimal_text + "scoring:\n  pass_treshold: 70\n"
    errors = load(tmp_path, text)
    assert [e[:2] for e in errors] == [position(text, "pass_treshold")]
    assert errors[0][2].startswith("invalid scoring override: scoring: pass_treshold")
