"""Trainers' patterns run on RE2: linear time, Python's meaning of the usual classes."""

from __future__ import annotations

import re

import pytest

from scoring.userregex import PatternError, check_pattern, compile_pattern, translate


@pytest.mark.parametrize("length", [26, 40, 5000])
def test_a_catastrophic_pattern_gives_the_right_answer_on_a_long_value(length: int) -> None:
    # Python's re takes about 2**length steps here (seconds at 26); RE2 answers at once.
    nested = compile_pattern(r"^(a+)+$")
    assert nested.fullmatch("a" * length) is True
    assert nested.fullmatch("a" * length + "!") is False
    assert nested.search("b" + "a" * length + "!") is False
    assert compile_pattern(r"(x+x+)+y").search("x" * length) is False


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (r"\w+", "Орлов", True),
        (r"^\w+$", "Анна-Мария", False),
        (r"^[\w-]+$", "Анна-Мария", True),
        (r"^\d+$", "١٢٣", True),  # Unicode digits, as in Python
        (r"^\s+$", "\u00a0\u2009", True),  # no-break and thin spaces
        (r"^\S+$", "Москва", True),
        (r"^\W+$", "«—»", True),
        (r"a\Z", "ba", True),
        (r"a\Z", "ab", False),
        (r"[]a]+", "]", True),
        (r"[^]a]", "]", False),
        (r"(?i)горбунова", "ГОРБУНОВА", True),
        (r"926\D*118\D*40", "+7 (926) 118-40", True),
        (r"\\d", "\\d", True),  # an escaped backslash stays a literal backslash
    ],
)
def test_python_meaning_of_classes_is_kept(pattern: str, text: str, found: bool) -> None:
    assert compile_pattern(pattern).search(text) is found
    assert (re.search(pattern, text) is not None) is found  # what a trainer tested in Python


def test_ignore_case_is_unicode_aware() -> None:
    assert compile_pattern("орлов", ignore_case=True).search("ОРЛОВ")
    assert not compile_pattern("орлов").search("ОРЛОВ")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", "backreferences"),
        (r"(?=a)a", "lookahead/lookbehind"),
        (r"(?<!a)b", "lookahead/lookbehind"),
        (r"x{1001}", "at most {1000}"),
        ("(", "missing )"),
        ("a" * 1001, "the limit is 1000"),
    ],
)
def test_what_re2_cannot_run_is_refused_with_a_reason(pattern: str, reason: str) -> None:
    problem = check_pattern(pattern)
    assert problem is not None and reason in problem
    with pytest.raises(PatternError, match=re.escape(reason)):
        compile_pattern(pattern)


def test_translation_leaves_plain_patterns_alone() -> None:
    assert translate(r"^(?i)KX7P2M\.$") == r"^(?i)KX7P2M\.$"
    assert translate(r"[[:alpha:]]+") == r"[[:alpha:]]+"
