"""Banks' overall NPL ratios per quarter (contract §9), the other half of the tolerance check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from events.database import Database
from events.jsonable import rfc3339
from events.projections.report_queries import Quarter
from events.tables import npl_submissions


@dataclass(frozen=True)
class NplSubmission:
    institution_id: str
    quarter: Quarter
    overall_npl_ratio: str
    submitted_by: str
    submitted_at: datetime

    def body(self) -> dict[str, Any]:
        return {
            "institution_id": self.institution_id,
            "period": self.quarter.label,
            "year": self.quarter.year,
            "quarter": self.quarter.quarter,
            "overall_npl_ratio": self.overall_npl_ratio,
            "submitted_by": self.submitted_by,
            "submitted_at": rfc3339(self.submitted_at),
        }


class NplStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def submit(self, submission: NplSubmission) -> bool:
        """Stores the submission, replacing an earlier one for the same bank and quarter.
        Returns True when it is the first for that quarter."""
        try:
            return self._upsert(submission)
        except IntegrityError:  # a concurrent first submission won (PostgreSQL): replace it
            return self._upsert(submission)

    def _upsert(self, s: NplSubmission) -> bool:
        n = npl_submissions.c
        key = (
            n.institution_id == s.institution_id,
            n.year == s.quarter.year,
            n.quarter == s.quarter.quarter,
        )
        values = {
            "overall_npl_ratio": s.overall_npl_ratio,
            "submitted_by": s.submitted_by,
            "submitted_at": s.submitted_at,
        }
        with self.db.write() as conn:
            if conn.execute(select(n.institution_id).where(*key)).first() is not None:
                conn.execute(update(npl_submissions).where(*key).values(**values))
                return False
            conn.execute(
                insert(npl_submissions).values(
                    institution_id=s.institution_id,
                    year=s.quarter.year,
                    quarter=s.quarter.quarter,
                    **values,
                )
            )
            return True
