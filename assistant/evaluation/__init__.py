"""The offline regression suite: versioned cases, recorded model replies, metrics, a baseline gate.

`python -m assistant eval` loads `evals/cases/*.yaml` (validated by `cases`), runs them
(`runner`), scores them (`metrics`), compares with `evals/baseline.json` (`baseline`) and writes
report.json, report.html and junit.xml (`reports`). See evals/README.md.
"""
