"""The Mermaid graph shows every step, ending and branch of a scenario."""

from __future__ import annotations

from scenario_helpers import MINIMAL

from simulator.scenario.graph import condition_summary, to_mermaid
from simulator.scenario.loader import load_scenario_file
from simulator.scenario.model import Condition


def test_the_graph_of_the_minimal_scenario() -> None:
    text = to_mermaid(load_scenario_file(MINIMAL).unwrap())
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    assert '  s_opening["opening<br/>Здравствуйте! До скольки вы работаете?"]' in lines
    assert '  e_hung_up{{"hung_up<br/>hung_up"}}' in lines
    assert '  e_resolved(["resolved<br/>resolved"])' in lines
    assert "  start --> s_opening" in lines
    assert '  s_opening -->|"stated: opening_hours"| s_closing' in lines
    assert '  s_opening -->|"misstated: opening_hours (mood -20)"| e_unresolved' in lines
    assert '  s_closing -->|"any: further_help, farewell; crm: contact_log"| e_resolved' in lines
    assert '  any -.->|"rudeness (mood -40)"| e_hung_up' in lines
    # `otherwise` without goto/end stays in the step: no edge.
    assert not any("otherwise" in line for line in lines)


def test_condition_summaries() -> None:
    assert condition_summary(None) == "always"
    assert condition_summary(Condition()) == "always"
    when = Condition(not_said=["rudeness"], hold=True, transferred="*", replies_at_least=2)
    assert condition_summary(when) == "not: rudeness; hold; transferred: *; replies ≥ 2"
