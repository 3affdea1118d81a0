"""Evaluation services: the SQL engine over the event log, evaluations with scores and
comparisons, indicator targets, the district comprehensive assessment and case lists."""
