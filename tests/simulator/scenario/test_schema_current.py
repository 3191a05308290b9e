"""The committed JSON Schemas are what the models export today."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.scenario.schema import DEFAULT_DIR, SCHEMAS, export, main, render

REPO_SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"


def test_the_committed_schemas_are_current() -> None:
    assert DEFAULT_DIR == REPO_SCHEMAS
    stale = export(REPO_SCHEMAS, check=True)
    assert stale == [], "run: python -m simulator.scenario.schema"


def test_a_stale_schema_is_detected_and_regenerated(tmp_path: Path) -> None:
    export(tmp_path)
    (tmp_path / "scenario.schema.json").write_text("{}\n", "utf-8")
    assert main(["--out", str(tmp_path), "--check"]) == 1
    assert main(["--out", str(tmp_path)]) == 0
    assert export(tmp_path, check=True) == []


def test_the_schema_knows_the_fields_trainers_type() -> None:
    schema = json.loads(render(SCHEMAS["scenario.schema.json"], "scenario.schema.json"))
    assert {"id", "title", "function", "channel", "dialogue", "endings"} <= set(schema["required"])
    assert schema["properties"]["function"]["enum"] == ["A/01.3", "A/02.3", "A/03.3", "A/04.3"]
    include = schema["$defs"]["Include"]["properties"]
    assert "with" in include and "with_" not in include
    assert "greeting" in schema["$defs"]["Step"]["properties"]["expect"]["items"]["enum"]
