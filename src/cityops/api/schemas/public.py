"""What the public sees of its own reports."""

from __future__ import annotations

from pydantic import Field

from cityops.api.schemas.cases import CaseOut, CasePublicOut, ReportOut


class PublicCaseOut(CasePublicOut):
    """A citizen's own report: public-safe fields only, with the id to follow it by."""

    id: int = Field(examples=[900], description="For GET /api/v1/cases/{id}")


class ReportResultOut(ReportOut):
    """The answer to a report: the case as the reporter may see it."""

    case: CaseOut | PublicCaseOut
