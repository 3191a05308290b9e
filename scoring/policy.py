"""A scenario's policy phrases found in an operator reply: what the knowledge base forbids
(``policy_breach``) and which commitments the policy allows (an ``unauthorised_promise`` that
matches one is no violation).

A phrase matches when its words (lemmas; see ``scoring/data/policy.yaml`` for the words a
phrase may drop and the ones that count as the same) all occur inside one clause of the reply, in
any order and with a few words between them: «можете сами вскрыть пломбу» matches «вскройте
пломбу». A clause that warns against the thing does not say it: «не» just before the matched
words, a prohibition word in the clause («нельзя», «ни в коем случае»), a condition («если
пломба вскрыта, …») or a question. A phrase that itself holds «не» («скорую вызывать не
нужно») needs that «не» too, so «скорую вызывать нужно» is no match.

Pure and deterministic: the same text and phrases give the same hits, so a replay agrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

import yaml
from rapidfuzz.distance import Levenshtein

from scoring.nlp import Token, tokenize

_CLAUSE_MARKS = frozenset({",", ";", ":", "—", "–", "-", "(", ")", "«", "»", '"'})
_NEGATORS = frozenset({"не", "нет", "ни"})
_MAX_GAP = 4  # words a paraphrase may insert between the phrase's own words


@dataclass(frozen=True, slots=True)
class PolicyWords:
    skip: frozenset[str]
    same: dict[str, frozenset[str]]
    prohibit: frozenset[str]
    conditional: frozenset[str]
    procedure: frozenset[str]


@cache
def policy_words() -> PolicyWords:
    raw = yaml.safe_load(resources.files("scoring").joinpath("data/policy.yaml").read_text("utf-8"))
    same: dict[str, frozenset[str]] = {}
    for group in raw.get("same") or []:
        members = frozenset(str(w) for w in group)
        for w in members:
            same[w] = same.get(w, frozenset()) | members
    return PolicyWords(
        skip=frozenset(str(w) for w in raw.get("skip") or []),
        same=same,
        prohibit=frozenset(str(w) for w in raw.get("prohibit") or []),
        conditional=frozenset(str(w) for w in raw.get("conditional") or []),
        procedure=frozenset(str(w) for w in raw.get("procedure") or []),
    )


@dataclass(frozen=True, slots=True)
class PhraseHit:
    """Where a phrase was said: character offsets of the matched words and of their sentence."""

    phrase: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int


def _is_verb(lemma: str) -> bool:
    return lemma.endswith(("ть", "ться", "ти", "тись"))


def _same_word(a: str, b: str, words: PolicyWords) -> bool:
    """Equal lemmas, listed synonyms, or the two aspects of one verb («вызвать»/«вызывать»,
    «вскрыть»/«вскрывать», «проверить»/«проверять»): same first three letters, at most two
    edits apart."""
    if a == b or b in words.same.get(a, frozenset()):
        return True
    return (
        _is_verb(a)
        and _is_verb(b)
        and a[:3] == b[:3]
        and min(len(a), len(b)) >= 5
        and Levenshtein.distance(a, b) <= 2
    )


# «за ваш счёт», «по вашей вине», «на свой страх»: a preposition with a possessive is an idiom
# whose words carry the meaning («счёт» alone is also the customer's account number).
_PREPOSITIONS = frozenset({"за", "по", "на", "в", "от", "из", "с", "со", "во"})
_POSSESSIVES = frozenset({"ваш", "свой", "наш", "мой", "твой"})


@cache
def _phrase_words(phrase: str) -> tuple[str, ...]:
    words = policy_words()
    out: list[str] = []
    toks = [t for t in tokenize(phrase) if t.kind in ("word", "number")]
    for i, tok in enumerate(toks):
        lem = "не" if tok.lemma in _NEGATORS else tok.lemma
        idiom = (
            lem in _PREPOSITIONS and i + 1 < len(toks) and toks[i + 1].lemma in _POSSESSIVES
        ) or (lem in _POSSESSIVES and i > 0 and toks[i - 1].lemma in _PREPOSITIONS)
        if (lem in words.skip and not idiom) or lem in out:
            continue
        out.append(lem)
    return tuple(out)


def _sentences(tokens: Sequence[Token]) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for tok in tokens:
        out[-1].append(tok)
        if tok.kind == "punct" and tok.lemma in (".", "?"):
            out.append([])
    return [s for s in out if s]


def _clauses(sentence: Sequence[Token]) -> list[list[Token]]:
    """Clauses split at commas, dashes, colons; a parenthetical of at most two words between
    marks («скорую, думаю, вызывать не нужно») joins its neighbours instead."""
    parts: list[list[Token]] = [[]]
    for tok in sentence:
        if tok.kind == "punct" and (tok.lemma in _CLAUSE_MARKS or tok.lemma in (".", "?")):
            parts.append([])
        else:
            parts[-1].append(tok)
    parts = [p for p in parts if p]
    merged: list[list[Token]] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        inner = 0 < i < len(parts) - 1
        # Not after a condition: «если тариф не понравится — не переживайте, вернём вас на
        # прежний» joined would put the consequence inside the condition.
        if (
            inner
            and len(part) <= 2
            and not (set(t.lemma for t in part) & policy_words().conditional)
            and not _conditioned(merged[-1])
        ):
            merged[-1].extend(part)
            merged[-1].extend(parts[i + 1])
            i += 2
            continue
        merged.append(list(part))
        i += 1
    return merged


_AFTER_MODALS = frozenset(
    {
        "нужно",
        "надо",
        "нужный",
        "необходимо",
        "стоить",
        "следовать",
        "требоваться",
        "получиться",
        "удаться",
        "выйти",
        "смочь",
        "возможно",
        "возможность",
        "рекомендовать",
        "советовать",
        "можно",
        "мочь",
        "обязательно",
        "нужен",
    }
)


def _warns(clause: Sequence[Token], window: tuple[int, int], phrase_negated: bool) -> bool:
    """Whether the clause warns against what it mentions (conditions: :func:`_conditioned`):
    «не» just before the matched words, among them, or just after them («вскрывать счётчик не
    нужно»)."""
    words = policy_words()
    lemmas = [t.lemma for t in clause]
    if phrase_negated:
        return False
    if set(lemmas) & words.prohibit:
        return True
    first, last = window
    if any(lem in _NEGATORS for lem in lemmas[max(0, first - 3) : last + 1]):
        return True
    # after the words only a negated modal warns: «вскрывать не нужно», not «не бойтесь»
    after = lemmas[last + 1 : last + 4]
    return any(lem in _NEGATORS and nxt in _AFTER_MODALS for lem, nxt in pairwise(after))


def _match_clause(clause: Sequence[Token], wanted: Sequence[str]) -> tuple[int, int] | None:
    """The tightest window of ``clause`` holding every wanted word, as token indexes."""
    words = policy_words()
    positions: list[list[int]] = []
    for w in wanted:
        found = [i for i, t in enumerate(clause) if _same_word(w, t.lemma, words)]
        if not found:
            return None
        positions.append(found)
    best: tuple[int, int] | None = None
    for anchor in positions[0]:
        lo = hi = anchor
        for found in positions[1:]:
            nearest = min(found, key=lambda i: abs(i - anchor))
            lo, hi = min(lo, nearest), max(hi, nearest)
        if hi - lo + 1 <= len(wanted) + _MAX_GAP and (best is None or hi - lo < best[1] - best[0]):
            best = (lo, hi)
    return best


@cache
def _phrase_nouns(phrase: str) -> frozenset[str]:
    return frozenset(
        t.lemma for t in tokenize(phrase) if t.kind == "word" and t.tags.startswith("NOUN")
    )


def _match_elided(
    clause: Sequence[Token],
    wanted: Sequence[str],
    nouns: frozenset[str],
    before: Sequence[Token],
) -> tuple[int, int] | None:
    """A phrase whose noun the clause leaves out, said earlier in the sentence: «если тариф
    не понравится — вернём вас на старый» says «вернуть старый тариф». Only an elided head
    counts: the phrase's adjective stands with no noun after it («старый телефон» is
    another thing), and the phrase keeps at least two words in the clause."""
    words = policy_words()
    for noun in nouns:
        rest = [w for w in wanted if w != noun]
        if len(rest) < 2 or not any(_same_word(noun, t.lemma, words) for t in before):
            continue
        window = _match_clause(clause, rest)
        if window is None:
            continue
        lo, hi = window
        heads = [
            i
            for i in range(lo, hi + 1)
            if clause[i].tags.startswith("ADJF")
            and any(_same_word(w, clause[i].lemma, words) for w in rest)
        ]
        if heads and all(
            i + 1 >= len(clause) or not clause[i + 1].tags.startswith("NOUN") for i in heads
        ):
            return window
    return None


def _match_about_condition(
    clause: Sequence[Token], wanted: Sequence[str], condition: Sequence[Token]
) -> tuple[int, int] | None:
    """«если модуль придётся ремонтировать, это оплачивается отдельно»: «это» stands for the
    condition, so the consequence says «ремонт модуля платный». The clause itself must hold at
    least one of the phrase's words (a bare «это штраф» after «если вскроете пломбу» advises
    nothing)."""
    words = policy_words()
    own = [i for i, t in enumerate(clause) if any(_same_word(w, t.lemma, words) for w in wanted)]
    if not own:
        return None
    for w in wanted:
        if not any(_same_word(w, t.lemma, words) for t in (*condition, *clause)):
            return None
    return min(own), max(own)


def find_phrases(text: str, phrases: Sequence[str], *, advice: bool = False) -> list[PhraseHit]:
    """Every phrase said (not warned against) in ``text``, at most one hit per phrase.

    ``advice``: the phrases are things never to say or advise (a knowledge base's
    ``forbidden``). Then a condition does not excuse its consequence: «если давит в груди,
    скорую вызывать не нужно» advises it all the same; only the condition's own clause
    («если пломба вскрыта, …») says nothing. For a commitment, a condition on the procedure
    («если банк признает операцию мошеннической, деньги вернут») is no promise."""
    tokens = tokenize(text)
    hits: list[PhraseHit] = []
    for phrase in phrases:
        wanted = _phrase_words(phrase)
        if not wanted:
            continue
        negated = "не" in wanted
        hit = _find(tokens, wanted, negated, phrase, advice=advice)
        if hit is not None:
            hits.append(hit)
    return hits


_POLITE_IF = frozenset({"хотеть", "желать", "удобно", "угодно", "против", "нужно", "надо"})


def _conditioned(clause: Sequence[Token]) -> bool:
    """«если банк признает операцию мошеннической, …» conditions what follows on the
    procedure; «если хотите, …» is only politeness."""
    lemmas = [t.lemma for t in clause]
    while lemmas and lemmas[0] in ("а", "и", "но", "ну"):
        lemmas = lemmas[1:]  # «а если …»
    return (
        bool(lemmas)
        and lemmas[0] in policy_words().conditional
        and not (set(lemmas[1:4]) & _POLITE_IF)
    )


def _procedural(clause: Sequence[Token]) -> bool:
    return bool({t.lemma for t in clause} & policy_words().procedure)


def _find(
    tokens: Sequence[Token], wanted: Sequence[str], negated: bool, phrase: str, *, advice: bool
) -> PhraseHit | None:
    nouns = _phrase_nouns(phrase)
    for sentence in _sentences(tokens):
        if sentence[-1].lemma == "?":
            continue  # a question asks about it; it does not advise it
        conditioned = excused = False
        before: list[Token] = []
        last_condition: list[Token] = []
        for clause in _clauses(sentence):
            condition = _conditioned(clause)
            if advice:
                # The condition's own clause advises nothing; its consequence does, unless
                # the condition is the procedure's decision («если банк признает операцию
                # мошеннической, деньги вернут»: convention 19, a conditional outcome).
                excused = _procedural(clause) if condition else excused
                conditioned = condition or excused
            else:
                conditioned = conditioned or condition
            if any(t.lemma == "ли" for t in clause):
                before.extend(clause)
                continue  # «вернут ли деньги, решает отдел»: an (indirect) question, not advice
            window = _match_clause(clause, wanted)
            if window is None:
                window = _match_elided(clause, wanted, nouns, before)
            if window is None and advice and last_condition and clause[0].lemma == "это":
                window = _match_about_condition(clause, wanted, last_condition)
            before.extend(clause)
            last_condition = list(clause) if condition else last_condition
            if window is None or conditioned or _warns(clause, window, negated):
                continue
            return PhraseHit(
                phrase=phrase,
                start=clause[window[0]].start,
                end=clause[window[1]].end,
                sentence_start=sentence[0].start,
                sentence_end=sentence[-1].end,
            )
    return None
