"""Checks that span a whole scenario or playthrough: references, reachability, duplicates.

They run on the plain values (not on the validated model) so that a file with a type error in
one place still gets every cross-reference checked elsewhere: the trainer sees all errors at
once. Every check is defensive about types, because the model reports wrong types itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scoring.catalogue import VIOLATION_IDS
from scoring.userregex import check_pattern
from simulator.scenario.errors import LocatedError
from simulator.scenario.lookalikes import labour_action_hint
from simulator.scenario.model import FAIRNESS_KINDS
from simulator.scenario.yaml_nodes import Loc, SourceMap

ACTION_KEYS: tuple[str, ...] = ("say", "crm", "hold", "kb", "transfer", "escalate", "wait", "end")


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _ids(items: list[Any]) -> list[str]:
    return [str(i["id"]) for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]


class _Report:
    def __init__(self, marks: SourceMap) -> None:
        self.marks = marks
        self.errors: list[LocatedError] = []

    def at(self, loc: Loc, message: str) -> None:
        self.errors.append(self.marks.value(loc).error(message))

    def at_key(self, loc: Loc, message: str) -> None:
        self.errors.append(self.marks.key(loc).error(message))

    def duplicates(self, items: list[Any], loc: Loc, what: str) -> None:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            if item["id"] in seen:
                first = self.marks.value((*loc, seen[item["id"]], "id"))
                self.at(
                    (*loc, i, "id"),
                    f"duplicate {what} id {item['id']!r} (first at {first.path.name}:{first.line}):"
                    " ids must be unique",
                )
            else:
                seen[item["id"]] = i


def _branches(steps: dict[str, Any]) -> Iterator[tuple[str, Loc, dict[str, Any]]]:
    """Every branch of every step, with its location (``otherwise`` included)."""
    for step_id, step in steps.items():
        step = _d(step)
        for i, branch in enumerate(_l(step.get("branches"))):
            if isinstance(branch, dict):
                yield step_id, ("dialogue", "steps", step_id, "branches", i), branch
        if isinstance(step.get("otherwise"), dict):
            yield step_id, ("dialogue", "steps", step_id, "otherwise"), step["otherwise"]
        if isinstance(step.get("then"), dict):
            yield step_id, ("dialogue", "steps", step_id, "then"), step["then"]


def check_scenario(raw: Any, marks: SourceMap) -> list[LocatedError]:
    if not isinstance(raw, dict):
        return [marks.value(()).error("a scenario must be a mapping of fields (id, title, ...)")]
    report = _Report(marks)
    kb = _l(raw.get("knowledge_base"))
    forms = _l(raw.get("crm"))
    departments = _l(raw.get("departments"))
    dialogue = _d(raw.get("dialogue"))
    steps = _d(dialogue.get("steps"))
    endings = _d(raw.get("endings"))

    report.duplicates(kb, ("knowledge_base",), "article")
    facts: dict[str, Loc] = {}
    for a, article in enumerate(kb):
        for f, fact in enumerate(_l(_d(article).get("facts"))):
            fid = _d(fact).get("id")
            if not isinstance(fid, str):
                continue
            loc: Loc = ("knowledge_base", a, "facts", f, "id")
            if fid in facts:
                first = marks.value(facts[fid])
                report.at(
                    loc,
                    f"duplicate fact id {fid!r} (first at line {first.line}): "
                    "fact ids must be unique in the scenario",
                )
            else:
                facts[fid] = loc
    report.duplicates(forms, ("crm",), "CRM form")
    for i, form in enumerate(forms):
        fields = _l(_d(form).get("fields"))
        report.duplicates(fields, ("crm", i, "fields"), "field")
        for j, fld in enumerate(fields):
            _check_field(report, _d(fld), ("crm", i, "fields", j))
    report.duplicates(departments, ("departments",), "department")
    _check_customer(report, _d(raw.get("customer")))

    form_ids, dept_ids = set(_ids(forms)), set(_ids(departments))
    start = dialogue.get("start")
    if isinstance(start, str) and steps and start not in steps:
        report.at(("dialogue", "start"), f"start step {start!r} is not defined{_known(steps)}")

    need_ids = _check_needs(report, raw, steps, endings, set(facts), form_ids, dept_ids)
    for _, loc, branch in _branches(steps):
        _check_branch(report, loc, branch, steps, endings)
        if loc[-1] == "otherwise" and branch.get("when") is not None:
            report.at_key(
                (*loc, "when"),
                "`otherwise` takes no `when`: it fires after `max_replies` replies when no "
                "branch did; move the condition into a branch",
            )
        if loc[-1] == "then":
            if branch.get("when") is not None:
                report.at_key(
                    (*loc, "when"),
                    "`then` takes no `when`: it fires when all the step's `needs` are met; "
                    "put other conditions in `branches:`",
                )
            if branch.get("goto") is None and branch.get("end") is None:
                report.at_key(
                    loc,
                    "`then` needs `goto:` or `end:` (where the dialogue goes "
                    "once the step's needs are met)",
                )
        when = _d(branch.get("when"))
        for k, fid in enumerate(_l(when.get("no_crm"))):
            if isinstance(fid, str) and fid not in form_ids:
                report.at(
                    (*loc, "when", "no_crm", k),
                    f"CRM form {fid!r} is not defined under `crm:`{_known(form_ids)}",
                )
        for key in ("needs_met", "needs_unmet"):
            for k, nid in enumerate(_l(when.get(key))):
                if isinstance(nid, str) and nid not in need_ids:
                    report.at(
                        (*loc, "when", key, k),
                        f"need {nid!r} is not defined in any step's `needs:`{_known(need_ids)}",
                    )
        for key in ("stated", "misstated"):
            for k, fid in enumerate(_l(when.get(key))):
                if isinstance(fid, str) and fid not in facts:
                    report.at(
                        (*loc, "when", key, k),
                        f"fact {fid!r} is not defined in the knowledge base{_known(facts)}",
                    )
        for k, fid in enumerate(_l(when.get("crm"))):
            if isinstance(fid, str) and fid not in form_ids:
                report.at(
                    (*loc, "when", "crm", k),
                    f"CRM form {fid!r} is not defined under `crm:`{_known(form_ids)}",
                )
        dept = when.get("transferred")
        if isinstance(dept, str) and dept != "*" and dept not in dept_ids:
            report.at(
                (*loc, "when", "transferred"),
                f"department {dept!r} is not defined under `departments:`{_known(dept_ids)}",
            )
    for step_id, step in steps.items():
        for i, behaviour in enumerate(_l(_d(step).get("expect"))):
            if behaviour in VIOLATION_IDS:
                report.at(
                    ("dialogue", "steps", step_id, "expect", i),
                    f"{behaviour!r} is a violation and cannot be expected: list what a good "
                    "operator does; use `reactions:` or `when: {violation: [...]}` for violations",
                )
    for key, reaction in _d(raw.get("reactions")).items():
        end = _d(reaction).get("end")
        if isinstance(end, str) and endings and end not in endings:
            report.at(
                ("reactions", key, "end"),
                f"ending {end!r} is not defined under `endings:`{_known(endings)}",
            )

    if endings and not any(_d(e).get("outcome") == "hung_up" for e in endings.values()):
        report.at_key(
            ("endings",),
            "no ending has `outcome: hung_up`: add one (the customer hangs up when mood "
            "drops to 10 or a reaction ends the contact)",
        )
    if isinstance(start, str) and start in steps:
        _check_graph(report, start, steps, endings)
    return report.errors


def _check_needs(
    report: _Report,
    raw: dict[str, Any],
    steps: dict[str, Any],
    endings: dict[str, Any],
    facts: set[str],
    forms: set[str],
    departments: set[str],
) -> set[str]:
    """Needs: unique ids, signals that point at things the scenario defines, a way on (`then`)
    and a way out (`gave_up`). Returns the need ids."""
    dialogue = _d(raw.get("dialogue"))
    default_gave_up = dialogue.get("gave_up")
    if isinstance(default_gave_up, str) and endings and default_gave_up not in endings:
        report.at(
            ("dialogue", "gave_up"),
            f"ending {default_gave_up!r} is not defined under `endings:`{_known(endings)}",
        )
    seen: dict[str, Loc] = {}
    refs = {"fact": (facts, "fact", "the knowledge base"), "crm": (forms, "CRM form", "`crm:`")}
    for step_id, step in steps.items():
        step = _d(step)
        base: Loc = ("dialogue", "steps", step_id)
        needs = _l(step.get("needs"))
        gave_up = step.get("gave_up")
        if isinstance(gave_up, str) and endings and gave_up not in endings:
            report.at(
                (*base, "gave_up"),
                f"ending {gave_up!r} is not defined under `endings:`{_known(endings)}",
            )
        if not needs:
            for key in ("then", "patience", "gave_up"):
                if key in step:
                    report.at_key(
                        (*base, key),
                        f"`{key}` belongs to a step with `needs:`; add the needs or remove it",
                    )
            continue
        if "then" not in step:
            report.at_key(
                (*base, "needs"),
                "a step with `needs:` needs `then:` (the `goto:` or `end:` once they are met)",
            )
        if "otherwise" in step:
            report.at_key(
                (*base, "otherwise"),
                "a step with `needs:` takes no `otherwise`: a reply that misses a need gets the "
                "need's `repair:` line, and `patience` misses end in `gave_up`",
            )
        if gave_up is None and default_gave_up is None:
            report.at_key(
                (*base, "needs"),
                "no ending for a customer who gives up: set `gave_up:` on this step or on "
                "`dialogue:`",
            )
        for i, need in enumerate(needs):
            need = _d(need)
            nid = need.get("id")
            loc: Loc = (*base, "needs", i)
            if isinstance(nid, str):
                if nid in seen:
                    first = report.marks.value(seen[nid])
                    report.at(
                        (*loc, "id"),
                        f"duplicate need id {nid!r} (first at line {first.line}): need ids must "
                        "be unique in the scenario (branches refer to them)",
                    )
                else:
                    seen[nid] = (*loc, "id")
            for j, signal in enumerate(_l(need.get("met_by"))):
                signal = _d(signal)
                for key, (known, what, where) in refs.items():
                    value = signal.get(key)
                    if isinstance(value, str) and value not in known:
                        report.at(
                            (*loc, "met_by", j, key),
                            f"{what} {value!r} is not defined in {where}{_known(known)}",
                        )
                dept = signal.get("transferred")
                if isinstance(dept, str) and dept != "*" and dept not in departments:
                    report.at(
                        (*loc, "met_by", j, "transferred"),
                        f"department {dept!r} is not defined under `departments:`"
                        f"{_known(departments)}",
                    )
    return set(seen)


LABEL_KEYS = frozenset({"said", "said_any", "not_said", "replies_at_least"})


def scenario_warnings(raw: Any, marks: SourceMap) -> list[LocatedError]:
    """Things that load but are unfair: a branch that ends the contact on one or two replies
    judged by behaviour labels alone, so one detector miss ends it. Each message starts with
    ``warning:``."""
    if not isinstance(raw, dict):
        return []
    report = _Report(marks)
    steps = _d(_d(raw.get("dialogue")).get("steps"))
    endings = _d(raw.get("endings"))
    for step_id, loc, branch in _branches(steps):
        if not isinstance(branch.get("end"), str):
            continue
        if loc[-1] == "otherwise":
            replies = _d(steps[step_id]).get("max_replies", 3)
            if isinstance(replies, int) and replies <= 2:
                report.at(
                    (*loc, "end"),
                    f"warning: `otherwise` ends the contact after {replies} reply(ies) without "
                    "a branch firing, so one missed label ends it: give the step `needs:` "
                    "(repairs, then `gave_up` after `patience` misses)",
                )
            continue
        when = branch.get("when")
        if not isinstance(when, dict) or not when or set(when) - LABEL_KEYS:
            continue
        if not any(when.get(k) for k in ("said", "said_any", "not_said")):
            continue
        outcome = _d(endings.get(branch["end"])).get("outcome")
        if not when.get("not_said") and outcome == "resolved":
            continue  # saying the right thing and getting a good ending is no miss
        replies = when.get("replies_at_least") or 1
        if isinstance(replies, int) and replies <= 2:
            report.at(
                (*loc, "end"),
                f"warning: this branch ends the contact on behaviour labels alone within "
                f"{replies} reply(ies), so one detector miss ends it: gate progress with "
                "`needs:` (facts, CRM, actions or labels) and end through `gave_up`",
            )
    return report.errors


def _known(names: Any) -> str:
    names = sorted(names)
    if not names:
        return ""
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f"; defined: {shown}"


def _check_branch(
    report: _Report,
    loc: Loc,
    branch: dict[str, Any],
    steps: dict[str, Any],
    endings: dict[str, Any],
) -> None:
    goto, end = branch.get("goto"), branch.get("end")
    if goto is not None and end is not None:
        report.at(
            loc, "a branch has both `goto` and `end`: keep one (go to a step, or end the dialogue)"
        )
    if isinstance(goto, str) and goto not in steps:
        report.at(
            (*loc, "goto"), f"step {goto!r} is not defined under `dialogue.steps`{_known(steps)}"
        )
    if isinstance(end, str) and endings and end not in endings:
        report.at((*loc, "end"), f"ending {end!r} is not defined under `endings:`{_known(endings)}")


def _check_field(report: _Report, fld: dict[str, Any], loc: Loc) -> None:
    for key in ("pattern", "expected_pattern"):
        pattern = fld.get(key)
        if isinstance(pattern, str):
            problem = check_pattern(pattern)
            if problem is not None:
                report.at(
                    (*loc, key),
                    f"invalid regular expression for RE2 (linear-time matching): {problem}",
                )
    options = fld.get("options")
    if fld.get("type") == "select" and not options:
        report.at(loc, "a `select` field needs `options:` (the choices the operator picks from)")
    expected = fld.get("expected")
    if fld.get("critical") is True and expected is None and fld.get("expected_pattern") is None:
        report.at(
            (*loc, "critical"),
            "a `critical` field needs `expected:` or `expected_pattern:` (the value a correct "
            "record holds), or a wrong value could never be told apart",
        )
    if isinstance(options, list) and isinstance(expected, str) and expected not in options:
        report.at(
            (*loc, "expected"), f"expected value {expected!r} is not one of the field's options"
        )


def _check_customer(report: _Report, customer: dict[str, Any]) -> None:
    profile = _d(customer.get("profile"))
    for i, name in enumerate(_l(_d(customer.get("verification")).get("fields"))):
        if isinstance(name, str) and name not in profile:
            report.at(
                ("customer", "verification", "fields", i),
                f"verification field {name!r} is not in the customer's `profile:`{_known(profile)}",
            )


def _check_graph(
    report: _Report, start: str, steps: dict[str, Any], endings: dict[str, Any]
) -> None:
    edges: dict[str, set[str]] = {s: set() for s in steps}
    ends: set[str] = set()
    for step_id, _, branch in _branches(steps):
        if isinstance(branch.get("goto"), str) and branch["goto"] in steps:
            edges[step_id].add(branch["goto"])
        if isinstance(branch.get("end"), str) and branch["end"] in endings:
            ends.add(step_id)
    for step_id, step in steps.items():
        if _l(_d(step).get("needs")):
            ends.add(step_id)  # a customer who runs out of patience ends it (`gave_up`)
    reachable = {start}
    todo = [start]
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in reachable:
                reachable.add(nxt)
                todo.append(nxt)
    finishing = set(ends)
    changed = True
    while changed:
        changed = False
        for step_id, targets in edges.items():
            if step_id not in finishing and targets & finishing:
                finishing.add(step_id)
                changed = True
    for step_id in steps:
        loc: Loc = ("dialogue", "steps", step_id)
        if step_id not in reachable:
            report.at_key(
                loc,
                f"step {step_id!r} is unreachable: no branch leads to it from the start "
                f"step {start!r}",
            )
        elif step_id not in finishing:
            report.at_key(
                loc,
                f"no path from step {step_id!r} reaches an ending: give it (or a step "
                "after it) a branch with `end:`",
            )


def _check_kind_expectation(report: _Report, raw: dict[str, Any]) -> None:
    """A fairness playthrough's expectation is its verdict; a model or poor one's its ending."""
    kind, expect = raw.get("kind"), raw.get("expect")
    if not isinstance(kind, str) or not isinstance(expect, dict):
        return
    if kind in FAIRNESS_KINDS and expect.get("passed") is None:
        report.at_key(
            ("expect",),
            f"a {kind!r} playthrough is a fairness verdict: set expect.passed (true or false) "
            "and expect.why before the first run",
        )
    if kind in ("model", "poor") and expect.get("ending") is None:
        report.at_key(("expect",), f"a {kind!r} playthrough needs expect.ending")


def check_playthrough(
    raw: Any, marks: SourceMap, scenario: Any | None, scenario_known: bool, labour_actions: set[str]
) -> list[LocatedError]:
    """``scenario`` is the raw scenario the playthrough plays (None when it could not load);
    ``scenario_known`` is False when no scenario with that id exists at all."""
    if not isinstance(raw, dict):
        return [
            marks.value(()).error("a playthrough must be a mapping of fields (scenario, name, ...)")
        ]
    report = _Report(marks)
    if isinstance(raw.get("scenario"), str) and not scenario_known:
        report.at(
            ("scenario",),
            f"scenario {raw['scenario']!r} not found: no scenario in the library has this id",
        )
    _check_kind_expectation(report, raw)
    for i, code in enumerate(_l(_d(raw.get("expect")).get("loses_on"))):
        if isinstance(code, str) and code not in labour_actions:
            report.at(
                ("expect", "loses_on", i),
                f"{code!r} is not a labour action code of the standard (e.g. 'A/01.3 ТД2')"
                + labour_action_hint(code, labour_actions),
            )
    for i, action in enumerate(_l(raw.get("actions"))):
        if isinstance(action, dict):
            keys = [k for k in ACTION_KEYS if action.get(k) is not None]
            if len(keys) != 1:
                what = f"has {', '.join(keys)}" if keys else "has none"
                report.at(
                    ("actions", i),
                    f"an action needs exactly one of {', '.join(ACTION_KEYS)}; this one {what}",
                )
    if not isinstance(scenario, dict):
        return report.errors
    endings = _d(scenario.get("endings"))
    ending = _d(raw.get("expect")).get("ending")
    if isinstance(ending, str) and ending not in endings:
        report.at(
            ("expect", "ending"),
            f"ending {ending!r} is not defined in scenario {scenario.get('id')!r}{_known(endings)}",
        )
    forms = {
        str(f["id"]): f
        for f in _l(scenario.get("crm"))
        if isinstance(f, dict) and isinstance(f.get("id"), str)
    }
    articles = set(_ids(_l(scenario.get("knowledge_base"))))
    departments = set(_ids(_l(scenario.get("departments"))))
    for i, action in enumerate(_l(raw.get("actions"))):
        action = _d(action)
        crm = _d(action.get("crm"))
        form_id = crm.get("form")
        if isinstance(form_id, str):
            if form_id not in forms:
                report.at(
                    ("actions", i, "crm", "form"),
                    f"CRM form {form_id!r} is not defined in the scenario{_known(forms)}",
                )
            else:
                field_ids = set(_ids(_l(forms[form_id].get("fields"))))
                for name in _d(crm.get("fields")):
                    if name not in field_ids:
                        report.at_key(
                            ("actions", i, "crm", "fields", name),
                            f"form {form_id!r} has no field {name!r}{_known(field_ids)}",
                        )
        if isinstance(action.get("kb"), str) and action["kb"] not in articles:
            report.at(
                ("actions", i, "kb"),
                f"knowledge-base article {action['kb']!r} is not in the scenario{_known(articles)}",
            )
        if isinstance(action.get("transfer"), str) and action["transfer"] not in departments:
            report.at(
                ("actions", i, "transfer"),
                f"department {action['transfer']!r} is not defined in the scenario"
                f"{_known(departments)}",
            )
    return report.errors
