"""Work plans (工作要点) and the responsibility ledger (owned by the work-plan area)."""
