"""Scoring a session when it ends: the one place the live runtime calls the scorecard.

The scorecard is computed from the log (including the ``session.ended`` event about to be
appended) before the append takes its write turn — scoring is pure and takes milliseconds,
which every other session's append would otherwise wait out on SQLite — and stored in the
append's transaction, so ``session.ended`` can name it. A scoring fault must not lose the end
of a session: it is logged, the event says ``scorecard_id: null``, and the session can be
re-scored from its log later.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from app.repositories.scorecard_aggregates import save_scorecard
from scoring.events import Event

if TYPE_CHECKING:
    from app.sessions.service import SessionInfo

log = logging.getLogger(__name__)


def score(info: SessionInfo, events: Sequence[Event]) -> dict[str, Any] | None:
    """The scorecard of a finished session as stored (``Scorecard.to_dict()``); None if the
    scorer failed."""
    try:
        # Imported here: the scorer is only needed when a session ends.
        from scoring.scorecard import score_session
        from simulator.scenario.scoring_spec import scoring_spec

        spec = scoring_spec(info.scenario, version=str(info.scenario_version_id))
        return score_session(events, spec).to_dict()
    except Exception:
        log.exception("session %s: scoring failed; the session ends without a scorecard", info.id)
        return None


def store(db: Session, info: SessionInfo, card: dict[str, Any] | None) -> int | None:
    """Save the card with the per-labour-action rows the dashboards aggregate over."""
    if card is None:
        return None
    return save_scorecard(db, info.id, card).id
