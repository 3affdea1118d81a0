"""The work-plan ledger's write path and read models.

Commands (one transaction each): :func:`import_document` / :func:`import_plan_file`,
:func:`assign_task_units`, :func:`report_progress`, :func:`supervise_task`,
:func:`lift_supervision`, :func:`link_target`, :func:`measure_targets`. Reads:
:func:`list_plans`, :func:`load_ledger`, :func:`plan_reminders`.
"""

from cityops.services.workplan.assignment import Assignment, assign_task_units
from cityops.services.workplan.commands import (
    lift_supervision,
    link_target,
    measure_targets,
    report_progress,
    supervise_task,
)
from cityops.services.workplan.documents import SourceDocument, read_bytes, read_document
from cityops.services.workplan.evidence import Evidence, EvidenceStore, evidence_store
from cityops.services.workplan.figures import FigureRegistry, default_registry, platform_registry
from cityops.services.workplan.importing import ImportResult, import_document, import_plan_file
from cityops.services.workplan.lookups import city_time_zone
from cityops.services.workplan.queries import (
    PlanSummary,
    list_plans,
    load_ledger,
    plan_reminders,
    plan_unparsed,
)

__all__ = [
    "Assignment",
    "Evidence",
    "EvidenceStore",
    "FigureRegistry",
    "ImportResult",
    "PlanSummary",
    "SourceDocument",
    "assign_task_units",
    "city_time_zone",
    "default_registry",
    "evidence_store",
    "import_document",
    "import_plan_file",
    "lift_supervision",
    "link_target",
    "list_plans",
    "load_ledger",
    "measure_targets",
    "plan_reminders",
    "plan_unparsed",
    "platform_registry",
    "read_bytes",
    "read_document",
    "report_progress",
    "supervise_task",
]
