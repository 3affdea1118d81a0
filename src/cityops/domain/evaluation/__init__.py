"""Evaluation (综合评价): definitions, the pure-Python reference, composite scores, grades,
rankings, the district comprehensive assessment and indicator targets. Pure: no I/O."""
