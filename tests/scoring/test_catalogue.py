"""The behaviour catalogue is one contract in three places: the vendored docs/behaviours.md, the
data file scoring/data/behaviours.yaml and what scoring.catalogue exposes. They must agree."""

from __future__ import annotations

import re
from pathlib import Path

from scoring.catalogue import (
    BEHAVIOUR_IDS,
    ENGINE_VIOLATION_IDS,
    VIOLATION_IDS,
    catalogue,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "behaviours.md"


def _doc_table_ids() -> list[str]:
    return re.findall(r"^\| `([a-z_]+)` \|", DOC.read_text("utf-8"), flags=re.MULTILINE)


def _doc_engine_ids() -> list[str]:
    text = DOC.read_text("utf-8")
    block = text.split("Engine-derived violations", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^- `([a-z_]+)`:", block, flags=re.MULTILINE)


def test_docs_and_data_list_the_same_behaviours_in_the_same_order() -> None:
    assert _doc_table_ids() == list(BEHAVIOUR_IDS)


def test_docs_and_data_list_the_same_engine_violations() -> None:
    assert _doc_engine_ids() == list(ENGINE_VIOLATION_IDS)
    assert set(ENGINE_VIOLATION_IDS) == {"personal_data_unverified", "false_claim", "policy_breach"}


def test_v2_violations_are_detected_violations() -> None:
    assert catalogue().version == 2
    assert {"sensitive_data_request", "unauthorised_promise"} <= set(VIOLATION_IDS)
    assert not set(ENGINE_VIOLATION_IDS) & set(BEHAVIOUR_IDS)


def test_vendored_copy_is_the_shared_text_apart_from_its_header() -> None:
    """The docs copy is the catalogue word for word after its header comment (the shared spec
    may be absent on a checkout; then the copy is compared with nothing and the test says so)."""
    candidates = [p / "shared" / "spec" / "behaviours.md" for p in DOC.parents]
    shared = next((c for c in candidates if c.exists()), None)
    body = DOC.read_text("utf-8").split("-->\n\n", 1)[1]
    assert body.startswith("# Operator behaviour catalogue (v2)")
    if shared is not None:
        assert body == shared.read_text("utf-8")
