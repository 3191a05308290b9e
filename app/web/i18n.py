"""The UI message catalogues (``frontend/i18n/<lang>.json``), shared by templates and scripts.

One catalogue per language, one flat key space: templates call ``t("desk.send")``, the desk's
scripts receive the same catalogue as JSON, so a text is translated in exactly one place.
Russian is the default; the choice is kept in a cookie so it survives log-out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from fastapi import Request

from app.settings import find_project_path

LANGUAGES: tuple[str, ...] = ("ru", "en")
DEFAULT_LANGUAGE = "ru"
LANG_COOKIE = "ccsim_lang"


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> dict[str, str]:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    path = find_project_path("frontend") / "i18n" / f"{lang}.json"
    raw: Any = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise ValueError(f"{path}: a catalogue is one JSON object of text values")
    return raw


def lang_of(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)``: the text with ``{name}`` placeholders filled; a missing key shows
    itself (visible in the page and caught by the catalogue tests) rather than failing."""
    messages = catalogue(lang)

    def t(key: str, **values: Any) -> str:
        text = messages.get(key, key)
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    return t


def page_context(request: Request) -> dict[str, Any]:
    """What every page template needs: the language, ``t`` and the catalogue for scripts."""
    lang = lang_of(request)
    return {
        "lang": lang,
        "languages": LANGUAGES,
        "t": translator(lang),
        "messages": catalogue(lang),
    }
