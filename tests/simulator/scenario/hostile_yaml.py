"""Hypothesis strategies for hostile scenario YAML (issue 16, item 6).

Three shapes, because a loader breaks in different places for each: the library's minimal
scenario with one value replaced by something nasty (gets furthest: the model and the semantic
checks run), a generated document of nested maps and lists (keys of every type), and YAML-ish
text glued from tokens that parsers have tripped on (aliases, tags, merge keys, directives).
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

from tests.simulator.scenario.scenario_helpers import MINIMAL

MINIMAL_LINES = MINIMAL.read_text("utf-8").splitlines()

big_digits = st.builds(
    lambda sign, n, d: sign + d * n,
    st.sampled_from(["", "-", "+"]),
    st.sampled_from([19, 20, 40, 400, 4300, 4301, 5000, 20000]),
    st.sampled_from(["9", "1", "7"]),
)
nasty_scalar_text = st.one_of(
    big_digits,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(
        [
            "1e999",
            "-1e999",
            ".inf",
            "-.inf",
            ".nan",
            "0x" + "f" * 50,
            "0o777",
            "1_000",
            "~",
            "null",
            "true",
            "'",
            '"',
            "[",
            "{",
            "}",
            "]",
            "*a",
            "&a x",
            "!!python/object:os.system",
            "!!binary AAAA",
            "!!int 1",
            "!!float x",
            "<<: {a: 1}",
            "? a",
            "- -",
            "|",
            ">",
            "@x",
            "`x`",
            "%YAML 1.1",
            "---",
            "...",
            "\t",
            "\\x00",
            "\u202e",
            "\ufeff",
            "é" * 300,
            "'" + "a" * 3000 + "'",
            "[" * 200,
            "{a: " * 100,
            '"\\u0000"',
            '"\\ud800"',
            "(a+)+$",
            '"^(a+)+$"',
            '"(a)\\\\1"',
            "'(?=x)'",
            "2024-13-45",
            "12:30:60",
        ]
    ),
    st.text(max_size=20),
)


def _render(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip()


@st.composite
def mutated_minimal(draw: st.DrawFn) -> str:
    """The minimal valid scenario with one or two values, or keys, made hostile."""
    lines = list(MINIMAL_LINES)
    for _ in range(draw(st.integers(1, 2))):
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        head, sep, _tail = line.partition(": ")
        choice = draw(st.integers(0, 3))
        value = draw(nasty_scalar_text)
        if sep and choice == 0:
            lines[i] = f"{head}: {value}"
        elif sep and choice == 1:
            indent = head[: len(head) - len(head.lstrip())]
            lines[i] = f"{indent}{value}: {_tail}"
        elif choice == 2:
            indent = line[: len(line) - len(line.lstrip())]
            lines.insert(i, f"{indent}{draw(st.sampled_from(['x', 'mood', 'id']))}: {{k: {value}}}")
        else:
            lines[i] = line + " " + value
    return "\n".join(lines) + "\n"


_keys = st.one_of(st.text(max_size=6), st.integers(-5, 5), st.booleans(), st.none(), big_digits)
_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10), big_digits
)


@st.composite
def generated_document(draw: st.DrawFn) -> str:
    """A document of nested maps and lists; top-level keys borrowed from real scenarios so
    that validation gets past "missing field"."""
    tree = st.recursive(
        _leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
        max_leaves=12,
    )
    known = ["id", "title", "function", "channel", "customer", "dialogue", "crm", "endings"]
    doc = draw(st.dictionaries(st.sampled_from(known), tree, min_size=1, max_size=5))
    marks: dict[str, str] = {}

    def swap(value: Any) -> Any:
        # Huge integers are written as digits (yaml.safe_dump cannot print 4,300+ of them).
        if isinstance(value, str) and value.lstrip("+-").isdigit() and len(value) > 18:
            marks[f"BIG{len(marks)}"] = value
            return f"BIG{len(marks) - 1}"
        if isinstance(value, dict):
            return {swap(k) if isinstance(k, str) else k: swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        return value

    text = yaml.safe_dump(swap(doc), allow_unicode=True, sort_keys=False)
    for name, digits in marks.items():
        text = text.replace(f"'{name}'", digits).replace(name, digits)
    return text


token_soup = st.lists(
    st.one_of(
        nasty_scalar_text,
        st.sampled_from(["\n", "\n  ", ": ", "- ", "id: x\n", "dialogue:\n  ", "&a ", "*a\n"]),
    ),
    max_size=25,
).map("".join)

hostile_yaml = st.one_of(mutated_minimal(), generated_document(), token_soup)
