"""The work-plan ledger's write path and read models.

Commands (one transaction each): :func:`import_document` / :func:`import_plan_file`,
:func:`report_progress`, :func:`supervise_task`, :func:`lift_supervision`,
:func:`link_target`, :func:`measure_targets`. Reads: :func:`list_plans`,
:func:`load_ledger`, :func:`plan_reminders`.
"""

from cityops.services.workplan.commands import (
    lift_supervision,
    link_target,
    measure_targets,
    report_progress,
    supervise_task,
)
from cityops.services.workplan.documents import SourceDocument, read_bytes, read_document
from cityops.services.workplan.evidence import Evidence, EvidenceStore
from cityops.services.workplan.figures import FigureRegistry, default_registry
from cityops.services.workplan.importing import ImportResult, import_document, import_plan_file
from cityops.services.workplan.queries import (
    PlanSummary,
    list_plans,
    load_ledger,
    plan_reminders,
    plan_unparsed,
)

__all__ = [
    "Evidence",
    "EvidenceStore",
    "FigureRegistry",
    "ImportResult",
    "PlanSummary",
    "SourceDocument",
    "default_registry",
    "import_document",
    "import_plan_file",
    "lift_supervision",
    "link_target",
    "list_plans",
    "load_ledger",
    "measure_targets",
    "plan_reminders",
    "plan_unparsed",
    "read_bytes",
    "read_document",
    "report_progress",
    "supervise_task",
]
