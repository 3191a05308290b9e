"""YAML to plain Python values, remembering where every value came from.

Composing nodes (libyaml, fast) before building values keeps each node's position, so a pydantic
error at ``("dialogue", "steps", "greet", "goto")`` can be reported at ``FILE:LINE:COL``. Building
the values ourselves also closes three traps of ``safe_load``:

* aliases are shared references that explode when walked (an "alias bomb" of a few hundred bytes
  takes seconds to validate), and merge keys hide where a value came from: both are refused;
* duplicate keys silently keep the last value: they are an error;
* YAML 1.1 turns ``no`` into False, ``10:30`` into 630 and ``0123`` into 83: plain scalars are
  read with the YAML 1.2 core rules instead (only ``true``/``false``, decimal numbers, ``null``),
  and dates stay text.

Files over ``MAX_BYTES`` are refused before parsing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simulator.scenario.errors import LocatedError

MAX_BYTES = 1024 * 1024
Loc = tuple[str | int, ...]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
) | {"!"}
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_TRUE = re.compile(r"(?:true|True|TRUE)\Z")
_FALSE = re.compile(r"(?:false|False|FALSE)\Z")
MAX_INT_DIGITS = 18  # fits a signed 64-bit integer
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(
    r"[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*|\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?[eE][-+]?[0-9]+)\Z"
)
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_MAX_ALIAS_ERRORS = 10


@dataclass(frozen=True, slots=True)
class Mark:
    path: Path
    line: int
    col: int

    def error(self, message: str) -> LocatedError:
        return LocatedError(self.path, self.line, self.col, message)


@dataclass(slots=True)
class SourceMap:
    """Where each value (and each mapping key) of a document was written, by JSON path."""

    values: dict[Loc, Mark] = field(default_factory=dict)
    keys: dict[Loc, Mark] = field(default_factory=dict)

    def value(self, loc: Loc) -> Mark:
        """The mark of the value at ``loc``, or of its nearest enclosing value."""
        for end in range(len(loc), -1, -1):
            mark = self.values.get(loc[:end])
            if mark is not None:
                return mark
        raise KeyError(loc)  # the document root is always present

    def key(self, loc: Loc) -> Mark:
        """The mark of the key that introduces ``loc`` (falls back to the value's mark)."""
        return self.keys.get(loc) or self.value(loc)

    def has(self, loc: Loc) -> bool:
        return loc in self.values

    def graft(self, other: SourceMap, src: Loc, dst: Loc) -> None:
        """Copy ``other``'s marks under ``src`` to sit under ``dst`` (merging a fragment)."""
        for table, other_table in ((self.values, other.values), (self.keys, other.keys)):
            for loc, mark in other_table.items():
                if loc[: len(src)] == src and len(loc) > len(src):
                    table[dst + loc[len(src) :]] = mark


@dataclass(slots=True)
class Document:
    path: Path
    text: str
    value: Any
    marks: SourceMap


def _mark(path: Path, node: yaml.Node) -> Mark:
    return Mark(path, node.start_mark.line + 1, node.start_mark.column + 1)


def plain_scalar(text: str) -> Any:
    """A plain (unquoted) scalar under the YAML 1.2 core schema."""
    if _NULL.match(text):
        return None
    if _TRUE.match(text):
        return True
    if _FALSE.match(text):
        return False
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


class _Builder:
    def __init__(self, path: Path, subst: dict[str, str] | None) -> None:
        self.path = path
        self.subst = subst  # placeholder values when reading an included fragment
        self.marks = SourceMap()
        self.errors: list[LocatedError] = []
        self.seen: set[int] = set()
        self.alias_found = False

    def substitute(self, text: str, node: yaml.Node) -> str:
        if self.subst is None:
            return text
        subst = self.subst

        def replace(m: re.Match[str]) -> str:
            if m.group(1) in subst:
                return subst[m.group(1)]
            self.errors.append(
                _mark(self.path, node).error(
                    f"placeholder {{{m.group(1)}}} has no value: add `{m.group(1)}: ...` to "
                    f"the `with:` of the include that uses this fragment"
                )
            )
            return m.group(0)

        return PLACEHOLDER.sub(replace, text)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        text = str(node.value)
        if not node.style and not node.tag.endswith(":str"):
            digits = len(text.lstrip("+-"))
            if digits > MAX_INT_DIGITS and _INT.match(text):
                # Python refuses to convert more than 4,300 digits (a ValueError that became
                # an HTTP 500), and no scenario number needs more than a 64-bit integer.
                self.errors.append(
                    _mark(self.path, node).error(
                        f"the number {text[:12]}… has {digits} digits; a number in a scenario "
                        f"has at most {MAX_INT_DIGITS}. If it is text (an account or card "
                        'number), put it in quotes: "…"'
                    )
                )
                return text
            value = plain_scalar(text)
            if not isinstance(value, str):
                return value
        return self.substitute(text, node)

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        if id(node) in self.seen:  # only an alias makes a node appear twice
            self.alias_found = True
            return None
        self.seen.add(id(node))
        self.marks.values[loc] = _mark(self.path, node)
        if node.tag not in _PLAIN_TAGS:
            self.errors.append(
                _mark(self.path, node).error(
                    f"custom YAML tag {node.tag!r} is not supported: remove it "
                    "(use `includes:` to reuse fragments)"
                )
            )
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        if self.subst is not None and (name := _flow_placeholder(node)) is not None:
            # `goto: {next}` is a YAML flow mapping; in a fragment it means the placeholder.
            return self.substitute(f"{{{name}}}", node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or id(key_node) in self.seen:
                if id(key_node) in self.seen:
                    self.alias_found = True
                else:
                    self.errors.append(
                        _mark(self.path, key_node).error(
                            "a key must be plain text, not a list or mapping"
                        )
                    )
                continue
            self.seen.add(id(key_node))
            if key_node.value == "<<" and not key_node.style:
                self.errors.append(
                    _mark(self.path, key_node).error(
                        "merge keys (<<) are not supported: write the keys out, or use `includes:`"
                    )
                )
                continue
            key = self.substitute(str(key_node.value), key_node)
            if key in result:
                first = self.marks.keys[(*loc, key)]
                self.errors.append(
                    _mark(self.path, key_node).error(
                        f"duplicate key {key!r} (first defined at line {first.line}); YAML would "
                        "silently keep only the last one: remove or rename one of them"
                    )
                )
                continue
            self.marks.keys[(*loc, key)] = _mark(self.path, key_node)
            result[key] = self.build(value_node, (*loc, key))
        return result


def _flow_placeholder(node: yaml.MappingNode) -> str | None:
    if not node.flow_style or len(node.value) != 1:
        return None
    key, value = node.value[0]
    if (
        isinstance(key, yaml.ScalarNode)
        and not key.style
        and re.fullmatch(r"[a-z_][a-z0-9_]*", str(key.value))
        and isinstance(value, yaml.ScalarNode)
        and value.value == ""
    ):
        return str(key.value)
    return None


def _alias_errors(path: Path, text: str) -> list[LocatedError]:
    errors: list[LocatedError] = []
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
            start = event.start_mark
            errors.append(
                Mark(path, start.line + 1, start.column + 1).error(
                    f"YAML aliases (*{event.anchor}) are not allowed: they can blow up into "
                    "huge documents. Write the value out, or use `includes:` for shared steps"
                )
            )
            if len(errors) >= _MAX_ALIAS_ERRORS:
                break
    return errors or [Mark(path, 1, 1).error("YAML aliases are not allowed")]


def _syntax_error(path: Path, exc: yaml.YAMLError, text: str = "") -> LocatedError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        context = ""
        if exc.context and exc.problem:
            where = exc.context_mark
            at = f" at line {where.line + 1}" if where is not None and where is not mark else ""
            context = f" ({exc.context}{at})"
        cause = likely_cause(exc, text.splitlines())
        if cause is not None:
            at_mark, hint = cause
            mark = at_mark or mark
            context += f"; likely cause: {hint}"
        if mark is not None:
            return Mark(path, mark.line + 1, mark.column + 1).error(
                f"YAML syntax error: {problem}{context}"
            )
    return Mark(path, 1, 1).error(f"YAML syntax error: {exc}")


def _line(lines: list[str], mark: Any) -> str:
    return lines[mark.line] if mark is not None and 0 <= mark.line < len(lines) else ""


def _quote_trouble(lines: list[str], start: Any, end: Any) -> tuple[Any, str] | None:
    """A quote inside a quoted value, or one never closed, shows up later as a missing key:
    the first line between the mapping's start and the error with an odd number of double
    quotes (never closed), else with more than two (quotes inside a quoted value)."""
    if end is None:
        return None
    first_line = start.line if start is not None else end.line
    rows = [
        (n, lines[n].replace('\\"', "")) for n in range(first_line, min(end.line + 1, len(lines)))
    ]
    for n, text in rows:
        if text.count('"') % 2 == 1:
            return (
                yaml.Mark("", 0, n, text.find('"'), None, 0),
                f"the double quote opened on line {n + 1} is never closed on that line: close "
                "it at the end of the value",
            )
    for n, text in rows:
        if text.count('"') > 2:
            return (
                yaml.Mark("", 0, n, text.find('"'), None, 0),
                f"double quotes inside a double-quoted value on line {n + 1}: the value ends at "
                'the second quote; write quotes inside the text as «ёлочки» or \\"',
            )
    return None


def likely_cause(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[Any, str] | None:
    """What a trainer most probably typed, from the parser's complaint and the line it is on:
    (a better mark or None, the cause and its fix). None when nothing fits."""
    problem = exc.problem or ""
    context = exc.context or ""
    if "mapping values are not allowed" in problem:
        line = _line(lines, exc.problem_mark).strip()
        key, _, value = line.lstrip("- ").partition(": ")
        if value:
            quoted = value.replace('"', '\\"')
            return None, (
                f"an unquoted `: ` inside the value of {key.strip()!r} — YAML reads it as a new "
                f'key; put the whole value in double quotes: {key.strip()}: "{quoted}"'
            )
        return None, "an unquoted `: ` inside a value: put the whole value in quotes"
    if "unknown escape character" in problem or "found unknown escape" in problem:
        line = _line(lines, exc.problem_mark)
        col = exc.problem_mark.column if exc.problem_mark is not None else 0
        start = col if line[col : col + 1] == "\\" else line.find("\\")
        seq = line[start : start + 2] if start >= 0 else "\\"
        return None, (
            f"a backslash ({seq}) inside double quotes — YAML reads `\\` there as an escape; "
            "for a regular expression use single quotes ('\\d{3}') or double the backslash "
            '("\\\\d{3}")'
        )
    if "did not find expected key" in problem or "expected <block end>" in problem:
        hint = _quote_trouble(lines, exc.context_mark, exc.problem_mark)
        if hint is not None:
            return hint
    if "quoted scalar" in context and "end of stream" in problem:
        opened = exc.context_mark
        return opened, (
            f"a quote opened here (line {opened.line + 1 if opened else '?'}) is never closed: "
            "end the value with the same quote; for quotes inside the text use «ёлочки»"
        )
    return None


def _decode(path: Path, data: bytes) -> tuple[str | None, list[LocatedError]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, [Mark(path, line, col).error("the file is not valid UTF-8: save it as UTF-8")]


def read_document(
    path: Path, subst: dict[str, str] | None = None
) -> tuple[Document | None, list[LocatedError]]:
    """Read one YAML file into values and marks; every problem comes back as a located error."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [
                Mark(path, 1, 1).error(
                    f"file is {size} bytes; the limit is {MAX_BYTES} bytes (1 MiB): "
                    "split it, e.g. move shared steps to a fragment under scenarios/_fragments/"
                )
            ]
        data = path.read_bytes()
    except OSError as exc:
        return None, [Mark(path, 1, 1).error(f"cannot read the file: {exc.strerror or exc}")]
    if len(data) > MAX_BYTES:  # grew between stat and read
        return None, [Mark(path, 1, 1).error(f"file is over the 1 MiB limit ({len(data)} bytes)")]
    text, errors = _decode(path, data)
    if text is None:
        return None, errors
    return parse_text(path, text, subst)


def parse_text(
    path: Path, text: str, subst: dict[str, str] | None = None
) -> tuple[Document | None, list[LocatedError]]:
    if len(text.encode("utf-8")) > MAX_BYTES:
        return None, [Mark(path, 1, 1).error("text is over the 1 MiB limit")]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        return None, [_syntax_error(path, exc, text)]
    if node is None:
        return None, [Mark(path, 1, 1).error("the file is empty")]
    builder = _Builder(path, subst)
    value = builder.build(node, ())
    if builder.alias_found:
        return None, sorted([*builder.errors, *_alias_errors(path, text)])
    return Document(path, text, value, builder.marks), builder.errors
