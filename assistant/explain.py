"""`explain RULE_ID`: the rule documents itself in ruff's fixed sections, in Chinese."""

from __future__ import annotations

from assistant.engine.loader import load_rule_set
from assistant.models import CATEGORY_LABELS


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
        f"类别：{spec.category.value}（{CATEGORY_LABELS[spec.category]}）  严重程度：{spec.severity.value}"
        + (
            "  按渠道："
            + "，".join(f"{k.value}={v.value}" for k, v in spec.severity_by_channel.items())
            if spec.severity_by_channel
            else ""
        ),
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


def list_rules() -> str:
    rules = load_rule_set()
    return "\n".join(
        f"{r.id:<28} {r.category.value:<22} {r.severity.value:<7} {r.clause:<12} {r.name}"
        for r in rules.rules
    )
