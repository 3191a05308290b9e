"""Fragments: merged with placeholders filled in, errors located in the fragment, cycles refused."""

from __future__ import annotations

from pathlib import Path

from scenario_helpers import position, where, write

from simulator.scenario.loader import load_scenario_file

IDENTIFY = """\
# Standard identification block; {next} is the step after it.
steps:
  identify:
    customer: ["Я {who}, договор 12345."]
    expect: [identity_check]
    branches:
      - when: {said_any: [identity_check]}
        set: {identified: true}
        goto: {next}
knowledge_base:
  - id: id-rules
    title: "Регламент идентификации"
    text: "ФИО и номер договора."
"""


def _with_include(minimal_text: str, include: str) -> str:
    return minimal_text.replace("dialogue:\n", f"includes:\n{include}dialogue:\n", 1).replace(
        "start: opening", "start: identify"
    )


def test_a_fragment_is_merged_with_its_placeholders(tmp_path: Path, minimal_text: str) -> None:
    write(tmp_path, "_fragments/identify.yaml", IDENTIFY)
    text = _with_include(
        minimal_text,
        "  - file: ../_fragments/identify.yaml\n    with: {next: opening, who: Иван Петров}\n",
    )
    result = load_scenario_file(write(tmp_path, "minimal/scenario.yaml", text))
    assert result.errors == []
    scenario = result.unwrap()
    step = scenario.dialogue.steps["identify"]
    assert step.customer == ["Я Иван Петров, договор 12345."]
    assert step.branches[0].goto == "opening"
    assert [a.id for a in scenario.knowledge_base] == ["hours", "id-rules"]
    plain = load_scenario_file(write(tmp_path, "plain.yaml", minimal_text))
    assert plain.sha256 != result.sha256  # the version covers the fragment


def test_errors_inside_a_fragment_point_into_the_fragment(
    tmp_path: Path, minimal_text: str
) -> None:
    fragment = IDENTIFY.replace("expect: [identity_check]", "expect: [identity_chek]")
    frag_path = write(tmp_path, "_fragments/identify.yaml", fragment)
    text = _with_include(
        minimal_text, "  - file: ../_fragments/identify.yaml\n    with: {next: nowhere, who: И}\n"
    )
    errors = load_scenario_file(write(tmp_path, "minimal/scenario.yaml", text)).errors
    in_fragment = sorted(
        (e.line, e.col, e.message) for e in errors if e.path.name == "identify.yaml"
    )
    assert [e[:2] for e in in_fragment] == [
        position(fragment, "identify:"),
        position(fragment, "identity_chek"),
        position(fragment, "{next}", 1),
    ]
    assert "no path from step 'identify' reaches an ending" in in_fragment[0][2]
    assert "unknown behaviour id 'identity_chek'" in in_fragment[1][2]
    assert "step 'nowhere' is not defined" in in_fragment[2][2]
    # The fragment's path is shown as the scenario's include wrote it, normalised.
    assert {str(e.path) for e in errors if e.path.name == "identify.yaml"} == {str(frag_path)}
    assert frag_path.is_file()


def test_an_unresolved_placeholder_is_reported(tmp_path: Path, minimal_text: str) -> None:
    write(tmp_path, "_fragments/identify.yaml", IDENTIFY)
    text = _with_include(
        minimal_text, "  - file: ../_fragments/identify.yaml\n    with: {next: opening}\n"
    )
    errors = where(load_scenario_file(write(tmp_path, "minimal/scenario.yaml", text)).errors)
    assert errors == [
        (
            *position(IDENTIFY, '"Я {who}'),
            "placeholder {who} has no value: add `who: ...` to the `with:` of the include "
            "that uses this fragment",
        )
    ]


def test_a_missing_fragment_is_reported_at_the_include(tmp_path: Path, minimal_text: str) -> None:
    text = _with_include(minimal_text, "  - file: ../_fragments/nope.yaml\n")
    errors = load_scenario_file(write(tmp_path, "minimal/scenario.yaml", text)).errors
    first = errors[0]
    assert (first.line, first.col) == position(text, "../_fragments/nope.yaml")
    assert first.message.startswith("included file '../_fragments/nope.yaml' not found")
    # The steps it would have brought are then missing too, and say so.
    assert any("start step 'identify' is not defined" in e.message for e in errors)


def test_an_include_cycle_is_reported_at_the_include_that_closes_it(
    tmp_path: Path, minimal_text: str
) -> None:
    a = "includes:\n  - file: b.yaml\nsteps: {}\n"
    b = "steps: {}\nincludes:\n  - file: a.yaml\n"
    write(tmp_path, "_fragments/a.yaml", a)
    b_path = write(tmp_path, "_fragments/b.yaml", b)
    text = minimal_text.replace(
        "dialogue:\n", "includes:\n  - file: ../_fragments/a.yaml\ndialogue:\n", 1
    )
    errors = load_scenario_file(write(tmp_path, "minimal/scenario.yaml", text)).errors
    assert len(errors) == 1
    assert errors[0].path.resolve() == b_path.resolve()
    assert (errors[0].line, errors[0].col) == position(b, "a.yaml")
    assert (
        errors[0].message
        == "include cycle: a.yaml -> b.yaml -> a.yaml; remove one of these includes"
    )


def test_a_step_defined_twice_via_a_fragment_is_reported(tmp_path: Path, minimal_text: str) -> None:
    fragment = 'steps:\n  closing:\n    customer: ["Дубль"]\n'
    write(tmp_path, "_fragments/dup.yaml", fragment)
    text = minimal_text.replace(
        "dialogue:\n", "includes:\n  - file: ../_fragments/dup.yaml\ndialogue:\n", 1
    )
    errors = where(load_scenario_file(write(tmp_path, "minimal/scenario.yaml", text)).errors)
    assert errors == [
        (
            *position(fragment, "closing"),
            f"step 'closing' is already defined in scenario.yaml at line "
            f"{position(text, 'closing:')[0]}: rename one of them",
        )
    ]


def test_a_fragment_cannot_hold_scenario_fields(tmp_path: Path, minimal_text: str) -> None:
    fragment = "steps: {}\ntitle: x\n"
    write(tmp_path, "_fragments/bad.yaml", fragment)
    text = minimal_text.replace(
        "dialogue:\n", "includes:\n  - file: ../_fragments/bad.yaml\ndialogue:\n", 1
    )
    errors = where(load_scenario_file(write(tmp_path, "minimal/scenario.yaml", text)).errors)
    assert errors == [
        (
            2,
            1,
            "a fragment cannot hold 'title': allowed are steps, knowledge_base, crm, "
            "departments, includes",
        )
    ]
