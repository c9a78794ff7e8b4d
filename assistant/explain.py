"""`explain RULE_ID`: the rule documents itself in ruff's fixed sections, in Chinese."""

from __future__ import annotations

from assistant.engine.loader import load_rule_set
from assistant.vocabulary import CATEGORY_LABELS, CHANNEL_LABELS, SEVERITY_LABELS, Channel


def explain(rule_id: str) -> str | None:
    rules = load_rule_set()
    spec = next((r for r in rules.rules if r.id == rule_id), None)
    if spec is None:
        return None
    clause = rules.clauses[spec.clause]
    fix = (
        f"（自动修正：替换为「{spec.fix.replace}」，{'可直接采用' if spec.fix.safe else '需人工确认'}）"
        if spec.fix
        else "（修改需人工完成或由改写功能给出，需人工确认）"
    )
    lines = [
        f"{spec.id} · {spec.name}",
        f"类别：{spec.category.value}（{CATEGORY_LABELS[spec.category]}）  处理等级（{spec.policy}）："
        + _severities(rules.policy.severities(spec.policy)),
        f"来源：rules/{rules.sources[spec.id]}",
        "",
        "## 查什么",
        spec.message,
        "",
        "## 为什么",
        spec.why,
        f"依据条款 {clause.id}「{clause.title}」：{clause.text}",
        "",
        "## 错误示例",
        *(f"- {ex.text.replace('⟦', '【').replace('⟧', '】')}" for ex in spec.examples.bad),
        "",
        "## 正确示例",
        *(f"- {ex.text}" for ex in spec.examples.good),
        "",
        "## 怎么改",
        spec.suggestion + fix,
    ]
    return "\n".join(lines)


def _severities(by_channel: dict) -> str:
    """「工作群 不要发，朋友圈 不要发，…」: what a user is told on each channel."""
    return "，".join(
        f"{CHANNEL_LABELS[c]} {SEVERITY_LABELS[by_channel[c]]}"
        if c in by_channel
        else f"{CHANNEL_LABELS[c]} 不适用"
        for c in Channel
    )


def list_rules() -> str:
    rules = load_rule_set()
    return "\n".join(
        f"{r.id:<28} {r.category.value:<22} {r.policy:<22} {r.clause:<12} {r.name}"
        for r in rules.rules
    )
