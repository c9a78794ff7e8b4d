"""The baseline gate: evals/baseline.json holds each case's pass/fail and the gated metrics.

A run fails (exit 1) when
- a case that passed in the baseline fails now (a regression);
- a case absent from the baseline fails (a new case must pass, or be accepted deliberately with
  `--update-baseline`); `@live` items never count, the model is not ours to gate;
- a gated metric (metrics.GATED, per-category precision/recall/F1) is lower than the baseline's by
  more than TOLERANCE (absolute). Metrics are compared only on a full run (no `--filter`).
Cases that fail in the baseline and pass now are improvements: reported, never failures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.evaluation.cases import EVALS_DIR
from assistant.evaluation.metrics import flatten
from assistant.evaluation.runner import RunResult

BASELINE = EVALS_DIR / "baseline.json"
TOLERANCE = 0.01  # absolute, on every gated rate (F1, precision, recall, accuracy, facts kept …)
_EPS = 1e-9


def snapshot(result: RunResult, summary: dict[str, Any]) -> dict[str, Any]:
    """What the baseline stores: no timings, no dates, so it is the same on every machine."""
    return {
        "version": 1,
        "mode": result.mode,
        "tolerance": TOLERANCE,
        "summary": {"cases": summary["cases"], "passed": summary["passed"]},
        "cases": {i.id: "pass" if i.passed else "fail" for i in sorted(result.items, key=_key)},
        "metrics": flatten(summary),
    }


def _key(item: Any) -> str:
    return item.id


def load(path: Path = BASELINE) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError(f"{path}: not a version-1 baseline")
    return data


def write(snap: dict[str, Any], path: Path = BASELINE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(snap, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@dataclass
class Gate:
    baseline_found: bool = True
    regressions: list[str] = field(default_factory=list)  # case ids
    new_failures: list[str] = field(default_factory=list)
    metric_drops: list[dict[str, Any]] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)
    known_failures: list[str] = field(default_factory=list)
    new_cases: list[str] = field(default_factory=list)
    missing_cases: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.baseline_found
            and not self.regressions
            and not self.new_failures
            and not self.metric_drops
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "baseline_found": self.baseline_found,
            "tolerance": TOLERANCE,
            "regressions": self.regressions,
            "new_failures": self.new_failures,
            "metric_drops": self.metric_drops,
            "improvements": self.improvements,
            "known_failures": self.known_failures,
            "new_cases": self.new_cases,
            "missing_cases": self.missing_cases,
            "notes": self.notes,
        }


def compare(
    baseline: dict[str, Any] | None,
    snap: dict[str, Any],
    *,
    partial: bool = False,
    tolerance: float = TOLERANCE,
) -> Gate:
    gate = Gate()
    if baseline is None:
        gate.baseline_found = False
        gate.notes.append("no baseline: run `python -m assistant eval --update-baseline`")
        return gate
    before: dict[str, str] = baseline.get("cases", {})
    for case_id, now in snap["cases"].items():
        was = before.get(case_id)
        if was is None:
            gate.new_cases.append(case_id)
            if now == "fail" and not case_id.endswith("@live"):
                gate.new_failures.append(case_id)
        elif was == "pass" and now == "fail":
            gate.regressions.append(case_id)
        elif was == "fail" and now == "pass":
            gate.improvements.append(case_id)
        elif now == "fail":
            gate.known_failures.append(case_id)
    if not partial:
        gate.missing_cases = sorted(set(before) - set(snap["cases"]))
        for name, old in baseline.get("metrics", {}).items():
            if old is None:
                continue
            if name not in snap["metrics"]:
                gate.notes.append(f"metric {name} not measured in this run")
                continue
            new = snap["metrics"][name]
            value = 0.0 if new is None else new
            if value < old - tolerance - _EPS:
                gate.metric_drops.append(
                    {"metric": name, "baseline": old, "now": new, "drop": round(old - value, 4)}
                )
    else:
        gate.notes.append("--filter: metrics are not compared (only the selected cases ran)")
    return gate
