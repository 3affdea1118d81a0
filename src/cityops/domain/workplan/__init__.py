"""Annual work plans (工作要点) and the responsibility ledger (工作要点责任清单).

Pure: the parser turns a plan's paragraphs into numbered tasks with their units, quantified
targets and deadlines; the ledger rules compute a task's status and the reminders from its
deadlines and progress reports. Reading files, storage and output live outside the domain
(``cityops.services.workplan``, ``cityops.reports``).
"""
