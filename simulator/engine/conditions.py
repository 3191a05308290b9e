"""Whether a branch's ``when`` holds: the scenario semantics of docs/engine.md, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.scenario.model import Condition


@dataclass(frozen=True, slots=True)
class Situation:
    """The facts a condition is judged on, at the moment of one operator action (or silence)."""

    behaviours: frozenset[str]  # accumulated over the replies in the current step
    facts: dict[str, str]  # fact id -> latest status: stated | misstated
    forms: frozenset[str]  # forms submitted (validly) so far in the session
    hold_in_step: bool
    escalated: bool
    transferred: str | None
    identified: bool
    violations: frozenset[str]  # violations in the reply being handled (empty for other actions)
    silence: bool
    replies_in_step: int


def holds(when: Condition | None, s: Situation) -> bool:
    """All given parts must hold; lists: ``said``/``stated``/``crm`` need all, ``said_any``,
    ``misstated`` and ``violation`` need at least one, ``not_said`` none."""
    if when is None:
        return not s.silence
    # Silence is its own trigger: only branches asking for it fire when patience runs out.
    if bool(when.silence) != s.silence:
        return False
    checks = (
        all(b in s.behaviours for b in when.said),
        not when.said_any or any(b in s.behaviours for b in when.said_any),
        not any(b in s.behaviours for b in when.not_said),
        all(s.facts.get(f) == "stated" for f in when.stated),
        not when.misstated or any(s.facts.get(f) == "misstated" for f in when.misstated),
        all(f in s.forms for f in when.crm),
        when.hold is None or when.hold == s.hold_in_step,
        when.escalated is None or when.escalated == s.escalated,
        when.transferred is None
        or (s.transferred is not None and when.transferred in ("*", s.transferred)),
        when.identified is None or when.identified == s.identified,
        not when.violation or any(v in s.violations for v in when.violation),
        when.replies_at_least is None or s.replies_in_step >= when.replies_at_least,
    )
    return all(checks)
