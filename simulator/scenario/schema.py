"""JSON Schemas of the scenario and playthrough formats, for editors' autocompletion.

The committed files under ``schemas/`` are generated from the models; a test fails when they
drift. Regenerate with ``python -m simulator.scenario.schema`` (``--check`` only compares).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from simulator.scenario.model import Playthrough, Scenario

SCHEMAS: dict[str, type[BaseModel]] = {
    "scenario.schema.json": Scenario,
    "playthrough.schema.json": Playthrough,
}
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "schemas"


def schema_of(model: type[BaseModel], file_name: str) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://ccsim.example/schemas/{file_name}",
        **schema,
    }


def render(model: type[BaseModel], file_name: str) -> str:
    return json.dumps(schema_of(model, file_name), ensure_ascii=False, indent=2) + "\n"


def export(directory: Path = DEFAULT_DIR, *, check: bool = False) -> list[Path]:
    """Write (or with ``check`` compare) every schema; returns the files that differ."""
    stale = []
    for name, model in SCHEMAS.items():
        path = directory / name
        text = render(model, name)
        if not path.is_file() or path.read_text("utf-8") != text:
            stale.append(path)
            if not check:
                directory.mkdir(parents=True, exist_ok=True)
                path.write_text(text, "utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_DIR, help="folder of the schemas")
    parser.add_argument("--check", action="store_true", help="only report stale schemas")
    args = parser.parse_args(argv)
    stale = export(args.out, check=args.check)
    for path in stale:
        print(f"{path}: {'stale, regenerate it' if args.check else 'written'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
