"""The fact tester behind ``ccsim facts``: what the engine would read in one reply.

For a trainer writing a scenario: which facts a reply states or misstates and why (the clause
the value was read in, the value read, the value expected), which facts it does not discuss
and why not, and the content labels the scenario's knowledge gives the reply. It runs the very
functions the engine runs, so what it shows is what a session records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scoring.facts import (
    UNLISTED_PREFIX,
    FactCheck,
    describe,
    expected_mention,
    explain_facts,
    extract_mentions,
    keyword_spans,
)
from scoring.grounding import ground
from simulator.engine.engine import fact_specs
from simulator.engine.knowledge import knowledge, stated_values
from simulator.scenario.model import Scenario


@dataclass(slots=True)
class FactVerdict:
    fact: str
    kind: str
    expected: str
    expected_read: str  # the expected value as the checker reads it
    status: str  # stated | misstated | not_discussed | no_value
    why: str
    said: str = ""
    value_read: str = ""
    clause: str = ""
    keywords_found: list[str] = field(default_factory=list)
    ignored: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fact": self.fact,
            "kind": self.kind,
            "expected": self.expected,
            "expected_read": self.expected_read,
            "status": self.status,
            "why": self.why,
            "said": self.said,
            "value_read": self.value_read,
            "clause": self.clause,
            "keywords_found": self.keywords_found,
            "ignored": self.ignored,
        }


@dataclass(slots=True)
class FactReport:
    scenario: str
    reply: str
    facts: list[FactVerdict]
    grounded: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "reply": self.reply,
            "facts": [f.to_dict() for f in self.facts],
            "grounded": self.grounded,
        }


def _clause(reply: str, check: FactCheck) -> str:
    if check.clause_start is None or check.clause_end is None:
        return ""
    return reply[check.clause_start : check.clause_end].strip()


def fact_report(scenario: Scenario, reply: str, customer: str | None = None) -> FactReport:
    """Every fact of the scenario against ``reply``; ``customer`` is the customer's last
    message (values echoed from it are not personal data)."""
    specs = fact_specs(scenario)
    kb_values = stated_values(scenario)
    checks, notes = explain_facts(reply, specs, kb_values)
    by_fact: dict[str, FactCheck] = {c.fact: c for c in checks}
    mentions = {(m.start, m.end): m for m in extract_mentions(reply)}
    verdicts = []
    for spec in specs:
        expected = expected_mention(spec)
        expected_read = describe(expected) if expected is not None else "text"
        found = [
            reply[a:b] + (" (negated)" if neg else "") for a, b, neg in keyword_spans(reply, spec)
        ]
        ignored = [
            {"clause": n.clause, "said": n.said, "reason": n.reason}
            for n in notes
            if n.fact == spec.id
        ]
        check = by_fact.get(spec.id)
        verdict = FactVerdict(
            spec.id,
            spec.kind,
            spec.value,
            expected_read,
            "not_discussed",
            "",
            keywords_found=found,
            ignored=ignored,
        )
        if check is not None:
            read = mentions.get((check.start, check.end))
            verdict.status = check.status
            verdict.said = check.said
            verdict.value_read = describe(read) if read is not None else "alias or text"
            verdict.clause = _clause(reply, check)
            verdict.why = (
                "the value read equals the fact's value"
                if check.status == "stated"
                else "the value read differs from the fact's value"
            )
        elif found:
            verdict.status = "no_value"
            verdict.why = (
                "a keyword is in the reply, but no value of this kind in its clause"
                if not ignored
                else "a keyword is in the reply, but every value of this kind was set aside"
            )
        else:
            words = ", ".join(spec.keywords)
            aliases = f"; aliases: {', '.join(spec.aliases)}" if spec.aliases else ""
            verdict.why = f"none of its keywords is in the reply (keywords: {words}{aliases})"
        verdicts.append(verdict)
    for check in checks:
        if check.fact.startswith(UNLISTED_PREFIX):
            verdicts.append(
                FactVerdict(
                    check.fact,
                    "term",
                    check.expected,
                    "a term of the knowledge base, not listed as a fact",
                    check.status,
                    "the clause shares its words with the knowledge base's sentence for "
                    f"«{check.expected}», and the term said differs",
                    said=check.said,
                    value_read=check.said,
                    clause=_clause(reply, check),
                )
            )
    known = knowledge(scenario, {})
    grounded = [
        {
            "label": d.label,
            "text": reply[d.start : d.end],
            "start": d.start,
            "end": d.end,
            "source": d.source,
        }
        for d in ground(reply, checks, known, [customer] if customer else [])
    ]
    return FactReport(scenario.id, reply, verdicts, grounded)


def format_report(report: FactReport) -> str:
    lines = [f"scenario {report.scenario}", f"reply: {report.reply}", ""]
    for v in report.facts:
        lines.append(
            f"{v.fact} ({v.kind}, expected «{v.expected}» = {v.expected_read}): {v.status}"
        )
        if v.clause:
            lines.append(f"  clause:   «{v.clause}»")
        if v.said:
            lines.append(f"  read:     «{v.said}» = {v.value_read}")
        if v.keywords_found and v.status in ("no_value", "not_discussed"):
            lines.append(f"  keywords: {', '.join(v.keywords_found)}")
        lines.append(f"  why:      {v.why}")
        for item in v.ignored:
            said = f"«{item['said']}» " if item["said"] else ""
            lines.append(f"  set aside: {said}in «{item['clause']}»: {item['reason']}")
    lines.append("")
    if report.grounded:
        lines.append("grounded labels:")
        for g in report.grounded:
            lines.append(f"  {g['label']:<14} «{g['text']}»  ({g['source']})")
    else:
        lines.append("grounded labels: none")
    return "\n".join(lines)


__all__ = ["FactReport", "FactVerdict", "fact_report", "format_report"]
