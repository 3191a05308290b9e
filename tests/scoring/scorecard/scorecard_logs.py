"""Hand-built event logs and scoring specs: a small A/01.3 chat scenario and a builder that writes
the events the engine would emit, so each scorecard rule can be tested on a log we fully control."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from scoring import events as ev
from scoring.events import Event
from scoring.scorecard import CrmFieldSpec, CrmFormSpec, ScoredFact, ScoringSpec, StepSpec


class LogBuilder:
    def __init__(self, channel: str = "chat", mood: int = 60) -> None:
        self.events: list[Event] = []
        self.replies = 0
        self.step = ""
        self.add(0.0, ev.SESSION_STARTED, {"scenario": "demo", "version": "v1", "channel": channel})
        self.add(0.0, ev.CUSTOMER_MOOD, {"mood": mood, "delta": 0, "reason": "start"})

    def add(self, t: float, type_: str, data: dict[str, Any]) -> LogBuilder:
        self.events.append(Event(len(self.events) + 1, t, type_, data))
        return self

    def customer(self, t: float, step: str, text: str = "Реплика клиента", kind: str = "line"):
        if step != self.step:
            self.add(t, ev.STEP_ENTERED, {"step": step, "from": self.step or None})
            self.step = step
        return self.add(t, ev.CUSTOMER_MESSAGE, {"step": step, "text": text, "kind": kind})

    def reply(
        self,
        t: float,
        text: str,
        labels: Sequence[str] = (),
        facts: Sequence[dict[str, Any]] = (),
    ) -> LogBuilder:
        detections = [
            {"label": label, "start": 0, "end": len(text), "source": f"test:{label}"}
            for label in labels
        ]
        data = {
            "text": text,
            "reply_index": self.replies,
            "step": self.step,
            "detection": {
                "labels": list(labels),
                "detections": detections,
                "detector_version": "test-detector-1",
            },
            "facts": list(facts),
        }
        self.replies += 1
        return self.add(t, ev.OPERATOR_MESSAGE, data)

    def violation(self, t: float, code: str, reply_index: int, text: str = "") -> LogBuilder:
        data = {"code": code, "reply_index": reply_index, "step": self.step, "text": text}
        return self.add(t, ev.VIOLATION, data)

    def hold(self, start: float, end: float) -> LogBuilder:
        self.add(start, ev.HOLD_START, {})
        return self.add(end, ev.HOLD_END, {"duration_s": end - start})

    def crm(self, t: float, form: str, fields: dict[str, str]) -> LogBuilder:
        return self.add(t, ev.CRM_SUBMIT, {"form": form, "fields": fields, "valid": True})

    def mood(self, t: float, mood: int, reason: str = "test") -> LogBuilder:
        previous = [e.data["mood"] for e in self.events if e.type == ev.CUSTOMER_MOOD]
        delta = mood - previous[-1] if previous else 0
        return self.add(t, ev.CUSTOMER_MOOD, {"mood": mood, "delta": delta, "reason": reason})

    def end(self, t: float, ending: str = "resolved", outcome: str = "resolved") -> LogBuilder:
        return self.add(t, ev.SESSION_ENDED, {"ending": ending, "outcome": outcome})


PRICE = {
    "fact": "price",
    "status": "stated",
    "start": 0,
    "end": 5,
    "said": "990 рублей",
    "expected": "990 рублей",
}
WRONG_PRICE = {
    "fact": "price",
    "status": "misstated",
    "start": 0,
    "end": 5,
    "said": "890 рублей",
    "expected": "990 рублей",
}
CONTACT_LOG = {"phone": "+7 900 000-00-01", "topic": "Тарифы", "summary": "Цена тарифа"}


def demo_spec(**changes: Any) -> ScoringSpec:
    spec = ScoringSpec(
        scenario_id="demo",
        scenario_version="v1",
        function="A/01.3",
        channel="chat",
        title="Демо",
        steps=(
            StepSpec("opening", ("greeting", "introduction", "identity_check")),
            StepSpec("question", ("information", "active_listening")),
            StepSpec("closing", ("further_help", "farewell")),
        ),
        facts=(ScoredFact("price", "price", "990 рублей", expected=True),),
        crm_forms=(
            CrmFormSpec(
                "contact_log",
                "contact_log",
                "Карточка обращения",
                fields=(
                    CrmFieldSpec("phone", "Телефон", "phone", expected="+79000000001"),
                    CrmFieldSpec("topic", "Тема", "select", expected="Тарифы"),
                    CrmFieldSpec("summary", "Суть", "textarea"),
                ),
            ),
        ),
    )
    return replace(spec, **changes)


def model_log(channel: str = "chat") -> LogBuilder:
    """A good session: every expectation shown in its step, fast replies, CRM right."""
    b = LogBuilder(channel=channel)
    b.customer(1, "opening", "Здравствуйте, сколько стоит тариф?")
    b.reply(
        6,
        "Здравствуйте! Меня зовут Анна. Назовите, пожалуйста, ФИО.",
        ["greeting", "introduction", "identity_check"],
    )
    b.customer(10, "question", "Иванов Иван Иванович")
    b.reply(
        15,
        "Спасибо, Иван Иванович. Тариф стоит 990 рублей в месяц.",
        ["active_listening", "information"],
        [PRICE],
    )
    b.customer(20, "closing", "Понятно, спасибо")
    b.crm(24, "contact_log", CONTACT_LOG)
    b.reply(26, "Могу ли я ещё чем-то помочь?", ["further_help"])
    b.customer(30, "closing", "Нет, спасибо", kind="ending")
    b.reply(33, "Всего доброго!", ["farewell"])
    b.mood(33, 80)
    return b.end(34)
