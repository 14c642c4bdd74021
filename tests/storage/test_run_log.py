"""Recorded refresh runs read back as typed records, older reports (errors as sentences) included."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine, insert

from storage.db.tables import REFRESH_RUN
from storage.problems import Problem
from storage.run_log import RecordedError, last_runs

T0 = datetime(2025, 1, 25, 8, 0, tzinfo=UTC)


def test_an_older_report_and_a_newer_one_read_back(engine: Engine) -> None:
    older = {
        "totals": {"spectateurs": {"new": 3, "updated": 1, "unchanged": 0}},
        "films": [{"allocine_id": 77, "error": "page illisible"}, {"allocine_id": 42, "error": None}],
        "errors": ["Derrière le masque (2006) : page illisible"],
    }
    newer = {
        "films": [{"allocine_id": 42, "error": {"code": "not_reached", "params": {}}}],
        "errors": [
            {"source": "site", "where": "Backstage", "code": "not_reached", "params": {"seconds": 3600}}
        ],
        "failure": None,
    }
    with engine.begin() as conn:
        for started, report in ((T0, older), (T0.replace(hour=14), newer)):
            conn.execute(
                insert(REFRESH_RUN).values(
                    started_at=started, finished_at=started, ok=False, report=json.dumps(report)
                )
            )
    newest, oldest = last_runs(engine)
    assert (oldest.started_at, oldest.totals["spectateurs"].new, oldest.failed_films) == (T0, 3, {77})
    assert oldest.errors == [
        RecordedError("site", "", None, sentence="Derrière le masque (2006) : page illisible")
    ]
    assert newest.errors == [RecordedError("site", "Backstage", Problem("not_reached", {"seconds": 3600}))]
    assert newest.failure is None
