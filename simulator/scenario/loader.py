"""Loading scenarios and playthroughs with every error located at ``FILE:LINE:COL``.

Order of work per file: size limit, YAML composition (syntax, aliases, duplicate keys), includes,
semantic checks on the plain values, then the pydantic model. All of them report; nothing stops
at the first error, so a trainer fixes a file in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from simulator.scenario.errors import LoadResult, LocatedError, digest
from simulator.scenario.fact_lint import fact_keyword_warnings
from simulator.scenario.includes import FRAGMENT_KEYS, resolve_includes
from simulator.scenario.library import Library, LoadedPlaythrough, LoadedScenario
from simulator.scenario.lints import lint_scenario
from simulator.scenario.model import Playthrough, Scenario
from simulator.scenario.semantic import check_playthrough, check_scenario, scenario_warnings
from simulator.scenario.validation import validate_model
from simulator.scenario.yaml_nodes import Mark, SourceMap, read_document

PLAYTHROUGH_SUFFIX = ".play.yaml"
SCENARIO_FILE = "scenario.yaml"
# Fairness playthroughs (written by other authors, verdict first) live next to the scenario's own
# playthroughs in a subfolder: scenarios/<id>/fairness/*.play.yaml (docs/scoring.md).
FAIRNESS_FOLDER = "fairness"


@dataclass(slots=True)
class _Read:
    """A scenario as read: the result plus the plain values that playthrough checks need."""

    result: LoadResult[Scenario]
    raw: Any
    marks: SourceMap | None


@cache
def _labour_actions() -> frozenset[str]:
    from scoring.standard import load_standard

    return frozenset(a.code for a in load_standard().labour_actions())


def _read_scenario(path: Path) -> _Read:
    result: LoadResult[Scenario] = LoadResult(path=path)
    doc, errors = read_document(path)
    result.errors += errors
    if doc is None:
        return _Read(result, None, None)
    sources = [doc.text]
    result.errors += resolve_includes(doc, sources)
    result.source, result.sha256 = doc.text, digest(sources)
    result.errors += check_scenario(doc.value, doc.marks)
    scenario, model_errors = validate_model(Scenario, doc.value, doc.marks)
    result.errors += model_errors
    if scenario is not None and scenario.scoring:
        result.errors += _check_scoring_overrides(scenario.scoring, doc.marks)
    result.errors = sorted(set(result.errors))
    result.warnings = sorted(
        set(scenario_warnings(doc.value, doc.marks) + fact_keyword_warnings(doc.value, doc.marks))
    )
    result.value = scenario if not result.errors else None
    if result.value is not None:
        result.warnings = sorted({*result.warnings, *lint_scenario(result.value, doc.marks)})
    return _Read(result, doc.value, doc.marks)


def _check_scoring_overrides(overrides: dict[str, Any], marks: SourceMap) -> list[LocatedError]:
    """The ``scoring:`` block is merged into the organisation's settings by the scorecard;
    validating it here turns a typo into a load error instead of a failed session."""
    from scoring.scorecard.settings import ScoringSettingsError, settings_with_overrides

    try:
        settings_with_overrides(overrides, where="scoring")
    except ScoringSettingsError as exc:
        return [marks.value(("scoring",)).error(f"invalid scoring override: {exc}")]
    return []


def load_scenario_file(path: Path | str) -> LoadResult[Scenario]:
    """Load one scenario; ``value`` is set only when the file has no errors at all."""
    return _read_scenario(Path(path)).result


def load_playthrough_file(
    path: Path | str, scenario: Scenario | None = None, *, scenario_known: bool | None = None
) -> LoadResult[Playthrough]:
    """Load one playthrough. With ``scenario`` its forms, articles, departments and endings are
    checked too; without it, the sibling ``scenario.yaml`` is used when it has the right id."""
    path = Path(path)
    raw_scenario: Any = scenario.model_dump(by_alias=True) if scenario is not None else None
    known = scenario is not None if scenario_known is None else scenario_known
    if scenario is None and scenario_known is None:
        sibling = path.parent / SCENARIO_FILE
        if not sibling.is_file() and path.parent.name == FAIRNESS_FOLDER:
            sibling = path.parent.parent / SCENARIO_FILE
        if sibling.is_file():
            read = _read_scenario(sibling)
            raw_scenario, known = read.raw, True
    return _read_playthrough(path, lambda _id: (raw_scenario, known))


def _read_playthrough(path: Path, lookup: Any) -> LoadResult[Playthrough]:
    result: LoadResult[Playthrough] = LoadResult(path=path)
    doc, errors = read_document(path)
    result.errors += errors
    if doc is None:
        return result
    result.source, result.sha256 = doc.text, digest([doc.text])
    raw_scenario, known = None, False
    if isinstance(doc.value, dict) and isinstance(doc.value.get("scenario"), str):
        raw_scenario, known = lookup(doc.value["scenario"])
        if isinstance(raw_scenario, dict) and raw_scenario.get("id") != doc.value["scenario"]:
            raw_scenario, known = None, False
    result.errors += check_playthrough(
        doc.value, doc.marks, raw_scenario, known, set(_labour_actions())
    )
    playthrough, model_errors = validate_model(Playthrough, doc.value, doc.marks)
    result.errors += model_errors
    result.errors = sorted(set(result.errors))
    result.value = playthrough if not result.errors else None
    return result


def check_fragment_file(path: Path) -> list[LocatedError]:
    """A fragment on its own: YAML problems and unknown top-level keys. Its steps are checked
    in every scenario that includes it, with the placeholders filled in."""
    doc, errors = read_document(path)
    if doc is None:
        return errors
    if not isinstance(doc.value, dict):
        return [*errors, doc.marks.value(()).error("a fragment must be a mapping with `steps:`")]
    errors += [
        doc.marks.key((key,)).error(
            f"a fragment cannot hold {key!r}: allowed are {', '.join(FRAGMENT_KEYS)}"
        )
        for key in doc.value
        if key not in FRAGMENT_KEYS
    ]
    return errors


class _Checker:
    """Validates a set of files, resolving each playthrough's scenario by id."""

    def __init__(self) -> None:
        self.reads: dict[Path, _Read] = {}
        self.by_id: dict[str, _Read] = {}
        self.errors: list[LocatedError] = []
        self.warnings: list[LocatedError] = []
        self.files = 0

    def scenario(self, path: Path, *, report: bool) -> _Read:
        key = path.resolve()
        if key not in self.reads:
            read = _read_scenario(path)
            self.reads[key] = read
            sid = read.raw.get("id") if isinstance(read.raw, dict) else None
            if isinstance(sid, str):
                if sid in self.by_id and report and read.marks is not None:
                    other = self.by_id[sid].result.path
                    self.errors.append(
                        read.marks.value(("id",)).error(
                            f"scenario id {sid!r} is already used by {other}: ids must be unique"
                        )
                    )
                self.by_id.setdefault(sid, read)
            if report:
                self.files += 1
                self.errors += read.result.errors
                self.warnings += read.result.warnings
                self._check_folder(read)
        return self.reads[key]

    def _check_folder(self, read: _Read) -> None:
        path = read.result.path
        sid = read.raw.get("id") if isinstance(read.raw, dict) else None
        if path.name == SCENARIO_FILE and isinstance(sid, str) and read.marks is not None:
            folder = path.resolve().parent.name
            if folder != sid:
                self.errors.append(
                    read.marks.value(("id",)).error(
                        f"scenario id {sid!r} differs from its folder name {folder!r}: "
                        "the library layout is scenarios/<id>/scenario.yaml, rename one"
                    )
                )

    def find(self, scenario_id: str, near: Path) -> tuple[Any, bool]:
        if scenario_id not in self.by_id:
            for candidate in (
                near.parent / SCENARIO_FILE,
                near.parent.parent / SCENARIO_FILE,  # scenarios/<id>/fairness/x.play.yaml
                near.parent.parent / scenario_id / SCENARIO_FILE,
            ):
                if candidate.is_file():
                    self.scenario(candidate, report=False)
        read = self.by_id.get(scenario_id)
        return (read.raw, True) if read is not None else (None, False)

    def playthrough(self, path: Path) -> LoadResult[Playthrough]:
        self.files += 1
        result = _read_playthrough(path, lambda sid: self.find(sid, path))
        self.errors += result.errors
        return result

    def fragment(self, path: Path) -> None:
        self.files += 1
        self.errors += check_fragment_file(path)


def _kind(path: Path) -> str:
    if path.name.endswith(PLAYTHROUGH_SUFFIX):
        return "playthrough"
    if path.parent.name.startswith("_"):
        return "fragment"
    return "scenario"


def _expand(paths: Iterable[Path]) -> tuple[list[Path], list[LocatedError]]:
    files: list[Path] = []
    errors: list[LocatedError] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for pattern in ("*.yaml", "*.yml")
                for p in path.rglob(pattern)
                if not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                errors.append(Mark(path, 1, 1).error("no .yaml files in this folder"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            errors.append(Mark(path, 1, 1).error("no such file or folder"))
    return files, errors


def validate_paths(paths: Iterable[Path | str]) -> tuple[list[LocatedError], int]:
    """Every error in the given files and folders (recursively), and how many files were read.

    ``*.play.yaml`` are playthroughs, files in a folder whose name starts with ``_`` are
    fragments, every other ``.yaml`` is a scenario."""
    errors, _, files = check_paths(paths)
    return errors, files


def check_paths(
    paths: Iterable[Path | str],
) -> tuple[list[LocatedError], list[LocatedError], int]:
    """Like :func:`validate_paths`, with the warnings (loadable but unfair constructs) too."""
    files, errors = _expand(Path(p) for p in paths)
    checker = _Checker()
    by_kind = {
        k: [f for f in files if _kind(f) == k] for k in ("scenario", "fragment", "playthrough")
    }
    for f in by_kind["scenario"]:
        checker.scenario(f, report=True)
    for f in by_kind["fragment"]:
        checker.fragment(f)
    for f in by_kind["playthrough"]:
        checker.playthrough(f)
    return sorted(set(errors + checker.errors)), sorted(set(checker.warnings)), checker.files


def load_library(root: Path | str = Path("scenarios")) -> Library:
    """Every ``<root>/<id>/scenario.yaml``, its ``*.play.yaml`` and its fairness playthroughs
    (``<root>/<id>/fairness/*.play.yaml``, after the scenario's own); fragments under ``_*/``.

    Invalid files are left out of ``scenarios``/``playthroughs`` and reported in ``errors``."""
    root = Path(root)
    library = Library(root=root)
    if not root.is_dir():
        library.errors.append(Mark(root, 1, 1).error("scenario folder not found"))
        return library
    checker = _Checker()
    for path in sorted(root.glob(f"*/{SCENARIO_FILE}")):
        if path.parent.name.startswith(("_", ".")):
            continue
        read = checker.scenario(path, report=True)
        scenario = read.result.value
        if scenario is not None and scenario.id not in library.scenarios:
            library.scenarios[scenario.id] = LoadedScenario(
                scenario, path, read.result.source, read.result.sha256
            )
    for path in sorted(root.glob("_*/*.yaml")):
        checker.fragment(path)
    playthroughs = sorted(root.glob(f"*/*{PLAYTHROUGH_SUFFIX}")) + sorted(
        root.glob(f"*/{FAIRNESS_FOLDER}/*{PLAYTHROUGH_SUFFIX}")
    )
    for path in playthroughs:
        result = checker.playthrough(path)
        if result.value is not None:
            library.playthroughs.setdefault(result.value.scenario, []).append(
                LoadedPlaythrough(result.value, path, result.source)
            )
    library.errors = sorted(set(checker.errors))
    library.warnings = sorted(set(checker.warnings))
    library.files_checked = checker.files
    return library
