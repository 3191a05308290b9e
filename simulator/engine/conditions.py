"""Whether a branch's ``when`` holds and whether a need is met: the scenario semantics of
docs/engine.md, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.scenario.model import Condition, Need, Signal


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
    said_ever: frozenset[str] = frozenset()  # behaviours in any reply of the session
    held: bool = False  # a hold happened (or is on) in the session
    needs_met: frozenset[str] = field(default_factory=frozenset)  # recorded when their step ran
    stated_in_step: frozenset[str] = frozenset()  # facts stated right in this step's replies
    correct_forms: frozenset[str] = frozenset()  # of `forms`, those whose key values are right
    # Signal keys (``fact:ID``, ``said:LABEL``) evidenced in the step's fresh window: the
    # replies since the topic began (docs/engine.md). None: the step's own replies only.
    fresh: frozenset[str] | None = None


def signal_holds(signal: Signal, s: Situation) -> bool:
    """A need's signal, judged on the whole session so far (never on the current step alone:
    what the operator did earlier still counts)."""
    if signal.fact is not None:
        if not signal.fresh:
            recent = True
        elif s.fresh is not None:
            recent = signal.key() in s.fresh
        else:
            recent = signal.fact in s.stated_in_step
        return recent and s.facts.get(signal.fact) == "stated"
    if signal.said is not None:
        if signal.fresh and s.fresh is not None:
            return signal.key() in s.fresh
        return signal.said in s.behaviours or (not signal.fresh and signal.said in s.said_ever)
    if signal.crm is not None:
        return signal.crm in (s.correct_forms if signal.correct else s.forms)
    if signal.transferred is not None:
        return s.transferred is not None and signal.transferred in ("*", s.transferred)
    if signal.escalated:
        return s.escalated
    if signal.identified:
        return s.identified
    if signal.hold:
        return s.held or s.hold_in_step
    return False


def met_by(need: Need, s: Situation) -> Signal | None:
    """The first of the need's signals that holds, if any."""
    return next((sig for sig in need.met_by if signal_holds(sig, s)), None)


def need_met(need: Need, s: Situation) -> bool:
    return need.id in s.needs_met or met_by(need, s) is not None


def holds(when: Condition | None, s: Situation, needs: dict[str, Need] | None = None) -> bool:
    """All given parts must hold; lists: ``said``/``stated``/``crm``/``ever_said``/``needs_met``
    need all, ``said_any``, ``misstated`` and ``violation`` at least one, ``not_said``,
    ``no_crm`` and ``needs_unmet`` none. ``needs`` are the scenario's needs by id."""
    if when is None:
        return not s.silence
    # Silence is its own trigger: only branches asking for it fire when patience runs out.
    if bool(when.silence) != s.silence:
        return False
    known = needs or {}

    def met(need_id: str) -> bool:
        need = known.get(need_id)
        return need_id in s.needs_met or (need is not None and need_met(need, s))

    checks = (
        all(b in s.behaviours for b in when.said),
        not when.said_any or any(b in s.behaviours for b in when.said_any),
        not any(b in s.behaviours for b in when.not_said),
        all(s.facts.get(f) == "stated" for f in when.stated),
        not when.misstated or any(s.facts.get(f) == "misstated" for f in when.misstated),
        all(f in s.forms for f in when.crm),
        not any(f in s.forms for f in when.no_crm),
        when.hold is None or when.hold == s.hold_in_step,
        when.escalated is None or when.escalated == s.escalated,
        when.transferred is None
        or (s.transferred is not None and when.transferred in ("*", s.transferred)),
        when.not_transferred is None or when.not_transferred == (s.transferred is None),
        when.identified is None or when.identified == s.identified,
        not when.violation or any(v in s.violations for v in when.violation),
        all(b in s.said_ever or b in s.behaviours for b in when.ever_said),
        all(met(n) for n in when.needs_met),
        not any(met(n) for n in when.needs_unmet),
        when.replies_at_least is None or s.replies_in_step >= when.replies_at_least,
    )
    return all(checks)
