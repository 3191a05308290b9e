"""Offline Russian text processing for the detector: normalisation that keeps offsets,
tokens with lemmas (razdel + pymorphy3) and typo repair (rapidfuzz)."""

from scoring.nlp.morphology import grammemes, is_known, lemma, prefer_lemmas, word_forms
from scoring.nlp.normalise import clean, normalise
from scoring.nlp.tokens import Token, tokenize
from scoring.nlp.typos import TypoFixer

__all__ = [
    "Token",
    "TypoFixer",
    "clean",
    "grammemes",
    "is_known",
    "lemma",
    "normalise",
    "prefer_lemmas",
    "tokenize",
    "word_forms",
]
