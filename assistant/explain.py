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
        _example_values(spec.message),
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
        _example_values(spec.suggestion) + fix,
    ]
    if spec.match.detector == "judgement.label":
        lines += ["", *_learned_section(spec.match.params["label"])]
    return "\n".join(lines)


def _learned_section(label: str) -> list[str]:
    """What the learned model weighs most for this label: its heaviest n-grams either way."""
    import json
    import os

    from assistant.engine.paths import MODELS_DIR

    path = os.path.join(MODELS_DIR, "judgement.json")
    if not os.path.isfile(path):
        return ["## 模型", "（尚未训练：运行 make train）"]
    with open(path, encoding="utf-8") as fh:
        model = json.load(fh)
    if label not in model["labels"]:
        return ["## 模型", f"（模型没有学习「{label}」：训练语料里的例子不够）"]
    weights = model["labels"][label]
    ranked = sorted(zip(weights["coef"], model["features"], strict=True))
    top = [f"「{g}」{w:+.2f}" for w, g in reversed(ranked[-15:])]
    bottom = [f"「{g}」{w:+.2f}" for w, g in ranked[:10]]
    dev = model["dev"].get(label, {})
    return [
        "## 模型怎么判断",
        f"判定线 {weights['threshold']:.2f}；在开发集（每位写作者的消息由没见过其消息的模型打分）上的"
        f"精确率 {dev.get('precision', 0):.2f}、召回率 {dev.get('recall', 0):.2f}",
        "最能说明属于此类的字词：" + "，".join(top),
        "最能说明不属于此类的字词：" + "，".join(bottom),
    ]


_EXAMPLES = {
    "closing": "特此通知",
    "time": "23:10",
    "start": "08:00",
    "end": "22:00",
    "count": "5",
    "date": "10月01日",
    "day": "国庆节假期",
    "advice": "非紧急事项定时到下一个工作日上午发送",
    "score": "1.83",
    "threshold": "0.30",
    "fact": "下午三点",
    "excerpt": "扫码领取",
    "claim": "（已辟谣的说法）",
    "similarity": "0.62",
    "refuted_by": "（辟谣机构）",
    "when": "（辟谣时间）",
    "truth": "（事实）",
    "chars": "520",
    "limit": "400",
    "size": "520",
    "year": "2027",
}


def _example_values(text: str) -> str:
    """A message template with its placeholders filled by example values (「如「特此通知」」),
    never a literal 「{closing}」."""
    import re

    return re.sub(r"\{(\w+)\}", lambda m: _EXAMPLES.get(m.group(1), "……"), text)


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
