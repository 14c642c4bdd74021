"""The refresh runs as recorded in `refresh_run`: written by the refresher, read back as typed records by
`critibot status`, the schedule and the next refresh."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, delete, insert, select, update

from storage.db.tables import REFRESH_RUN as RUN
from storage.db.times import as_utc
from storage.db.upsert import inserted_id
from storage.problems import Problem
from storage.store import Counts


@dataclass(frozen=True)
class RecordedError:
    source: str  # inbox (a file), site (a film), run (the refresh itself)
    where: str  # the file's path or the film's title
    problem: Problem | None  # None: a report written before problems were data
    sentence: str | None = None  # what such an older report said instead


@dataclass(frozen=True)
class RecordedRun:
    started_at: datetime  # UTC
    finished_at: datetime | None  # None: still running, or the process died
    ok: bool
    totals: dict[str, Counts]
    errors: list[RecordedError]
    failed_films: set[int]  # AlloCiné ids of the films whose reading failed or was not reached
    failure: Problem | None  # the run itself stopped (crashed, cancelled, refused)
    report: dict[str, Any]  # the report as recorded, for --json

    @classmethod
    def from_row(cls, row: Row[Any]) -> RecordedRun:
        report: dict[str, Any] = json.loads(row.report)
        totals = {kind: Counts(**counts) for kind, counts in report.get("totals", {}).items()}
        failure = report.get("failure")
        return cls(
            started_at=as_utc(row.started_at),
            finished_at=as_utc(row.finished_at) if row.finished_at is not None else None,
            ok=bool(row.ok),
            totals=totals,
            errors=[_error(e) for e in report.get("errors", [])],
            failed_films={f["allocine_id"] for f in report.get("films", []) if f.get("error")},
            failure=Problem.from_dict(failure) if failure else None,
            report=report,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "started_at": str(self.started_at),
            "finished_at": str(self.finished_at),
            "ok": self.ok,
            "report": self.report,
        }


def start_run(engine: Engine, started: datetime) -> int:
    with engine.begin() as conn:
        return inserted_id(conn.execute(insert(RUN).values(started_at=started, report="{}")))


def finish_run(
    engine: Engine, run_id: int | None, *, finished_at: datetime | None, ok: bool, report: Mapping[str, Any]
) -> None:
    values = {"finished_at": finished_at, "ok": ok, "report": json.dumps(report, ensure_ascii=False)}
    with engine.begin() as conn:
        conn.execute(update(RUN).where(RUN.c.id == run_id).values(**values))


def forget_run(engine: Engine, run_id: int | None) -> None:
    """Drop a run's row: a round that found nothing to do (every 15 minutes) is not worth a record."""
    with engine.begin() as conn:
        conn.execute(delete(RUN).where(RUN.c.id == run_id))


def last_runs(engine: Engine, limit: int = 5) -> list[RecordedRun]:
    """The latest refreshes, newest first."""
    query = select(RUN).order_by(RUN.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return [RecordedRun.from_row(row) for row in conn.execute(query)]


def _error(recorded: str | Mapping[str, Any]) -> RecordedError:
    if isinstance(recorded, str):
        return RecordedError(source="site", where="", problem=None, sentence=recorded)
    return RecordedError(
        source=str(recorded.get("source", "site")),
        where=str(recorded.get("where", "")),
        problem=Problem.from_dict(recorded),
    )
