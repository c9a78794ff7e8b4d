"""Scores of a run: verdict confusion, per-category precision/recall/F1, facts, structure, repairs,
fallbacks, latency, pass counts. `flatten` gives the numbers the baseline gate compares."""

from __future__ import annotations

from typing import Any

from assistant.evaluation.runner import Item
from assistant.models import Category, Verdict

VERDICTS = [v.value for v in Verdict]
STRUCTURE = ("title", "salutation", "closing", "signature")


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def percentile(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo), 3)


def check_metrics(items: list[Item]) -> dict[str, Any]:
    confusion = {e: dict.fromkeys(VERDICTS, 0) for e in VERDICTS}
    counts = {c.value: {"tp": 0, "fp": 0, "fn": 0} for c in Category}
    for item in items:
        if "verdict" not in item.got:
            continue  # the case raised; it fails on its own
        confusion[item.expected["verdict"]][item.got["verdict"]] += 1
        want, got = set(item.expected["categories"]), set(item.got["categories"])
        for c in want & got:
            counts[c]["tp"] += 1
        for c in got - want:
            counts[c]["fp"] += 1
        for c in want - got:
            counts[c]["fn"] += 1
    categories: dict[str, dict[str, Any]] = {}
    for c, n in counts.items():
        tp, fp, fn = n["tp"], n["fp"], n["fn"]
        if tp + fp + fn == 0:
            continue  # neither expected nor reported anywhere: nothing to score
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        p, r = precision or 0.0, recall or 0.0
        f1 = round(2 * p * r / (p + r), 4) if p + r else 0.0
        categories[c] = {
            **n,
            "support": tp + fn,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }
    tp = sum(n["tp"] for n in counts.values())
    fp = sum(n["fp"] for n in counts.values())
    fn = sum(n["fn"] for n in counts.values())
    micro_p, micro_r = _ratio(tp, tp + fp) or 0.0, _ratio(tp, tp + fn) or 0.0
    scored = [v["f1"] for v in categories.values() if v["support"]]
    correct = sum(confusion[v][v] for v in VERDICTS)
    total = sum(sum(row.values()) for row in confusion.values())
    return {
        "cases": len(items),
        "verdict_accuracy": _ratio(correct, total),
        # Must-not-send messages told 「不要发」, and innocent ones told 「可以发」.
        "block_recall": _ratio(confusion["block"]["block"], sum(confusion["block"].values())),
        "benign_pass": _ratio(confusion["ok"]["ok"], sum(confusion["ok"].values())),
        "confusion": confusion,
        "categories": categories,
        "micro_precision": micro_p,
        "micro_recall": micro_r,
        "micro_f1": round(2 * micro_p * micro_r / (micro_p + micro_r), 4)
        if micro_p + micro_r
        else 0.0,
        "macro_f1": round(sum(scored) / len(scored), 4) if scored else None,
    }


def rewrite_metrics(items: list[Item]) -> dict[str, Any]:
    scored = [i for i in items if "facts_kept" in i.got]
    facts = sum(len(i.expected["facts"]) for i in scored)
    kept = sum(len(i.got["facts_kept"]) for i in scored)
    invented = sum(len(i.got["invented"]) for i in scored)
    complete = sum(all(i.got["structure"].values()) for i in scored)
    parts = {p: sum(i.got["structure"][p] for i in scored) for p in STRUCTURE}
    recheck_ok = sum(not any(r.startswith("re-check") for r in i.reasons) for i in scored)
    llm = [i for i in scored if "@" in i.id]
    return {
        "cases": len(items),
        "facts": facts,
        "facts_kept": kept,
        "facts_missing": facts - kept,
        "facts_invented": invented,
        "facts_kept_rate": _ratio(kept, facts),
        "cases_with_invented": sum(bool(i.got["invented"]) for i in scored),
        "invented_free_rate": _ratio(sum(not i.got["invented"] for i in scored), len(scored)),
        "structure_complete": complete,
        "structure_complete_rate": _ratio(complete, len(scored)),
        "structure_parts": parts,
        "recheck_ok": recheck_ok,
        "recheck_ok_rate": _ratio(recheck_ok, len(scored)),
        # LLM path only: a repair is a model reply accepted on the second round; a fallback is
        # the offline rewriter standing in after the model was asked (or skipped, e.g. a secret).
        "repairs": sum(i.got["backend"] != "offline" and i.got["attempts"] > 1 for i in llm),
        "fallbacks": sum(i.got["backend"] == "offline" for i in llm),
    }


def quality_metrics(items: list[Item]) -> dict[str, Any]:
    """Blind rewrites: the share passing every check, and each check's pass rate."""
    scored = [i for i in items if "checks" in i.got]
    names = sorted({n for i in scored for n in i.got["checks"]})
    return {
        "all_checks_rate": _ratio(sum(all(i.got["checks"].values()) for i in scored), len(scored)),
        "checks": {
            n: _ratio(sum(i.got["checks"].get(n, False) for i in scored), len(scored))
            for n in names
        },
    }


def summarize(items: list[Item]) -> dict[str, Any]:
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    out: dict[str, Any] = {
        "cases": len(items),
        "passed": sum(i.passed for i in items),
        "failed": sum(not i.passed for i in items),
        "groups": {},
    }
    for group, members in sorted(groups.items()):
        latencies = [x for i in members for x in i.latency_ms]
        entry: dict[str, Any] = {
            "cases": len(members),
            "passed": sum(i.passed for i in members),
            "pass_rate": _ratio(sum(i.passed for i in members), len(members)),
            "latency_ms": {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95)},
        }
        if group.startswith("check"):
            entry.update(check_metrics(members))
        elif group == "rewrite_blind":
            entry.update(quality_metrics(members))
        else:
            entry.update(rewrite_metrics(members))
        out["groups"][group] = entry
    return out


# Numbers the gate compares (higher is better), each as "group.name" or
# "check.category.<slug>.<precision|recall|f1>". Latency and counts are reported, never gated.
GATED = (
    "pass_rate",
    "verdict_accuracy",
    "block_recall",
    "benign_pass",
    "micro_precision",
    "micro_recall",
    "micro_f1",
    "macro_f1",
    "facts_kept_rate",
    "invented_free_rate",
    "structure_complete_rate",
    "recheck_ok_rate",
    "all_checks_rate",
)


def flatten(summary: dict[str, Any]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for group, entry in summary["groups"].items():
        for name in GATED:
            if name in entry:
                out[f"{group}.{name}"] = entry[name]
        for slug, scores in entry.get("categories", {}).items():
            for name in ("precision", "recall", "f1"):
                out[f"{group}.category.{slug}.{name}"] = scores[name]
    return dict(sorted(out.items()))
