"""A scenario's dialogue as a Mermaid flowchart, so trainers can see the branches they wrote."""

from __future__ import annotations

import re

from simulator.scenario.model import Branch, Condition, Scenario

_LABEL_LEN = 48


def _node_id(prefix: str, name: str) -> str:
    # Mermaid reserves words such as `end`; prefixed, sanitised ids are always safe.
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9_]', '_', name)}"


def _text(text: str, limit: int = _LABEL_LEN) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def condition_summary(when: Condition | None) -> str:
    """A short, readable form of a branch condition (``always`` when it has none)."""
    if when is None:
        return "always"
    parts: list[str] = []
    names = (
        "said",
        "said_any",
        "not_said",
        "ever_said",
        "stated",
        "misstated",
        "crm",
        "no_crm",
        "needs_met",
        "needs_unmet",
        "violation",
    )
    for name in names:
        values = getattr(when, name)
        if values:
            label = {"said_any": "any", "not_said": "not", "no_crm": "no crm"}.get(name, name)
            parts.append(f"{label}: {', '.join(values)}")
    for name in ("hold", "escalated", "identified", "silence"):
        value = getattr(when, name)
        if value is not None:
            parts.append(name if value else f"not {name}")
    if when.transferred is not None:
        parts.append(f"transferred: {when.transferred}")
    if when.not_transferred is not None:
        parts.append("not transferred" if when.not_transferred else "transferred")
    if when.replies_at_least is not None:
        parts.append(f"replies ≥ {when.replies_at_least}")
    return "; ".join(parts) or "always"


def _edge_label(branch: Branch, summary: str) -> str:
    label = summary + (f" (mood {branch.mood:+d})" if branch.mood else "")
    return _text(label, 60)


def to_mermaid(scenario: Scenario) -> str:
    d = scenario.dialogue
    lines = ["flowchart TD", '  start(("start"))']
    for step_id, step in d.steps.items():
        lines.append(
            f'  {_node_id("s", step_id)}["{_text(step_id)}<br/>{_text(step.customer[0])}"]'
        )
    for ending_id, ending in scenario.endings.items():
        label = f"{_text(ending_id)}<br/>{ending.outcome}"
        shape = ('{{"', '"}}') if ending.outcome == "hung_up" else ('(["', '"])')
        lines.append(f"  {_node_id('e', ending_id)}{shape[0]}{label}{shape[1]}")
    lines.append(f"  start --> {_node_id('s', d.start)}")
    for step_id, step in d.steps.items():
        source = _node_id("s", step_id)
        branches = [(b, condition_summary(b.when), "-->") for b in step.branches]
        if step.otherwise is not None:
            branches.append(
                (step.otherwise, f"otherwise, after {step.max_replies} replies", "-.->")
            )
        if step.then is not None:
            branches.append((step.then, "needs met: " + ", ".join(n.id for n in step.needs), "==>"))
        gave_up = step.gave_up or d.gave_up
        if step.needs and gave_up is not None:
            patience = step.patience or d.patience
            branches.append((Branch(end=gave_up), f"gave up after {patience} misses", "-.->"))
        for branch, summary, arrow in branches:
            if branch.goto is not None:
                target = _node_id("s", branch.goto)
            elif branch.end is not None:
                target = _node_id("e", branch.end)
            else:
                continue  # a reaction that stays in the step
            lines.append(f'  {source} {arrow}|"{_edge_label(branch, summary)}"| {target}')
    reacting = {k: r for k, r in scenario.reactions.items() if r.end is not None}
    if reacting:
        lines.append('  any[/"any step"/]')
        for key, reaction in reacting.items():
            assert reaction.end is not None
            label = _text(key + (f" (mood {reaction.mood:+d})" if reaction.mood else ""), 60)
            lines.append(f'  any -.->|"{label}"| {_node_id("e", reaction.end)}')
    return "\n".join(lines) + "\n"
