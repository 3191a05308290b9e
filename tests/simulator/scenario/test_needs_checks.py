"""The validator on needs: bad references are errors at FILE:LINE:COL, and endings that one
missed label can reach are warnings at the branch's `end`."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_helpers import MINIMAL, position, where, write

from simulator.scenario.loader import check_paths, load_scenario_file

TEXT = MINIMAL.read_text("utf-8")

NEEDS_DIALOGUE = """dialogue:
  start: opening
  gave_up: unresolved
  steps:
    opening:
      customer: ["Здравствуйте! До скольки вы работаете?"]
      expect: [greeting]
      needs:
        - id: hours_known
          kind: learn
          met_by: [{fact: opening_hours}, {said: information}]
          repair: ["Так до скольки?"]
        - id: logged
          kind: done
          met_by: [{crm: contact_log}, {transferred: support}]
      branches:
        - when: {misstated: [opening_hours]}
          end: unresolved
      then: {goto: closing}
    closing:
      customer: ["Спасибо, понял."]
      branches:
        - when: {said_any: [further_help, farewell], needs_met: [logged]}
          end: resolved
endings:"""


def needs_text() -> str:
    head, _, rest = TEXT.partition("dialogue:")
    _, _, tail = rest.partition("endings:")
    return head + NEEDS_DIALOGUE + tail


def load(folder: Path, text: str) -> list[tuple[int, int, str]]:
    return where(load_scenario_file(write(folder, "scenario.yaml", text)).errors)


def test_a_scenario_on_needs_loads_without_errors_or_warnings(tmp_path: Path) -> None:
    result = load_scenario_file(write(tmp_path, "scenario.yaml", needs_text()))
    assert result.errors == [] and result.warnings == []
    assert result.value is not None
    assert [n.id for n in result.value.dialogue.steps["opening"].needs] == ["hours_known", "logged"]


ERROR_CASES = [
    (
        "{fact: opening_hours}",
        "{fact: closing_hours}",
        "closing_hours",
        "fact 'closing_hours' is not defined",
    ),
    ("{crm: contact_log}", "{crm: order}", "order}", "CRM form 'order' is not defined"),
    (
        "{transferred: support}",
        "{transferred: billing}",
        "billing",
        "department 'billing' is not defined",
    ),
    ("needs_met: [logged]", "needs_met: [loged]", "loged", "need 'loged' is not defined"),
    (
        "- id: logged",
        "- id: hours_known",
        "hours_known\n          kind: done",
        "duplicate need id 'hours_known'",
    ),
    ("gave_up: unresolved\n", "gave_up: lost\n", "lost", "ending 'lost' is not defined"),
    ("      then: {goto: closing}\n", "", "needs:", "a step with `needs:` needs `then:`"),
    ("then: {goto: closing}", "then: {mood: 5}", "then", "`then` needs `goto:` or `end:`"),
    (
        "      then: {goto: closing}\n",
        "      then: {goto: closing}\n      otherwise: {end: unresolved}\n",
        "otherwise",
        "takes no `otherwise`",
    ),
    ("  gave_up: unresolved\n", "", "needs:", "no ending for a customer who gives up"),
    (
        "{said: information}",
        "{said: information, crm: contact_log}",
        "{said: information, crm",
        "exactly one of",
    ),
    (
        "{crm: contact_log}",
        "{crm: contact_log, fresh: true}",
        "{crm: contact_log, fresh",
        "`fresh` applies",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"), ERROR_CASES, ids=[c[3][:30] for c in ERROR_CASES]
)
def test_bad_needs_are_errors_at_their_place(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    base = needs_text()
    assert old in base
    text = base.replace(old, new, 1)
    errors = load(tmp_path, text)
    assert any(message in m for _, _, m in errors), errors
    line, col = position(text, needle)
    hit = [(ln, c) for ln, c, m in errors if message in m]
    assert hit[0][0] == line, (hit, line, col)


def test_then_and_patience_without_needs_are_errors(tmp_path: Path) -> None:
    text = TEXT.replace(
        "      expect: [greeting]\n", "      expect: [greeting]\n      patience: 2\n", 1
    )
    errors = load(tmp_path, text)
    line, col = position(text, "patience")
    assert (line, col) in [(ln, c) for ln, c, m in errors if "belongs to a step with" in m]


WARNING_CASES = [
    (
        # `otherwise: end` after at most 2 replies without a branch firing
        '      otherwise:\n        say: ["Так до скольки?"]\n        mood: -5\n',
        "      max_replies: 2\n      otherwise:\n        end: unresolved\n",
        ("end: unresolved", 1),
        "`otherwise` ends the contact after 2 reply(ies)",
    ),
    (
        # an unresolved ending on labels alone, on the first reply
        "        - when: {transferred: support}\n          end: resolved",
        "        - when: {not_said: [further_help]}\n          end: unresolved",
        ("end: unresolved", 1),
        "ends the contact on behaviour labels alone within 1 reply(ies)",
    ),
    (
        "        - when: {transferred: support}\n          end: resolved",
        "        - when: {said: [farewell], replies_at_least: 2}\n          end: unresolved",
        ("end: unresolved", 1),
        "within 2 reply(ies)",
    ),
]


@pytest.mark.parametrize(("old", "new", "at", "message"), WARNING_CASES)
def test_endings_one_missed_label_can_reach_are_warnings(
    tmp_path: Path, old: str, new: str, at: tuple[str, int], message: str
) -> None:
    assert old in TEXT
    text = TEXT.replace(old, new, 1)
    path = write(tmp_path / "minimal", "scenario.yaml", text)
    result = load_scenario_file(path)
    assert result.errors == [] and result.value is not None  # a warning does not block loading
    line, col = position(text, *at)
    found = [(w.line, w.col) for w in result.warnings if message in w.message]
    assert found == [(line, col + len("end: "))], [str(w) for w in result.warnings]
    assert all(w.message.startswith("warning: ") for w in result.warnings)
    errors, warnings, _ = check_paths([path])
    assert errors == [] and str(warnings[0]).startswith(f"{path}:{line}:")


@pytest.mark.parametrize(
    "new",
    [
        # a good ending reached by saying the right thing is no miss
        "        - when: {said_any: [farewell]}\n          end: resolved",
        # state, not labels alone
        "        - when: {said_any: [farewell], no_crm: [contact_log]}\n          end: unresolved",
        # enough replies
        "        - when: {not_said: [further_help], replies_at_least: 3}\n"
        "          end: unresolved",
    ],
)
def test_fair_endings_are_not_warned_about(tmp_path: Path, new: str) -> None:
    text = TEXT.replace("        - when: {transferred: support}\n          end: resolved", new, 1)
    result = load_scenario_file(write(tmp_path, "scenario.yaml", text))
    assert result.errors == [] and result.warnings == []
