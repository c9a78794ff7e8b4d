"""The human-readable terminal report: the text with spans marked, the verdict, reasons and fixes."""

from __future__ import annotations

from assistant.vocabulary import CATEGORY_LABELS, VERDICT_LABELS, Severity

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings
if TYPE_CHECKING:
    from typing import Any

_SEVERITY_LABELS = {Severity.block: "不要发", Severity.revise: "需修改", Severity.info: "提示"}
_COLOURS = {Severity.block: "\033[41;97m", Severity.revise: "\033[43;30m", Severity.info: "\033[4m"}
_RESET = "\033[0m"


def mark_spans(text: str, report: Any, colour: bool) -> str:
    """The original text with each finding's span wrapped; overlapping spans are merged."""
    spans = sorted((f.start, f.end, f.severity) for f in report.findings if f.end > f.start)
    merged: list[list] = []
    for s, e, sev in spans:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            if sev.rank > merged[-1][2].rank:
                merged[-1][2] = sev
        else:
            merged.append([s, e, sev])
    out, pos = [], 0
    for s, e, sev in merged:
        out.append(text[pos:s])
        inner = text[s:e]
        out.append(f"{_COLOURS[sev]}{inner}{_RESET}" if colour else f"【{inner}】")
        pos = e
    out.append(text[pos:])
    return "".join(out)


def render(text: str, report: Any, clauses: dict[str, tuple[str, str]], colour: bool) -> str:
    lines = [f"结论：{VERDICT_LABELS[report.verdict]}（{report.verdict.value}）", ""]
    lines += ["原文（有问题的地方已标出）：", mark_spans(text, report, colour), ""]
    if not report.findings:
        lines.append("没有发现问题。")
    for n, f in enumerate(report.findings, 1):
        title, restated = clauses.get(f.clause, ("", ""))
        where = f"第 {f.start + 1}–{f.end} 字「{f.excerpt}」" if f.end > f.start else "整条消息"
        lines += [
            f"{n}. [{_SEVERITY_LABELS[f.severity]}] {CATEGORY_LABELS[f.category]} · {f.rule} · {where}",
            f"   问题：{f.message}",
            f"   依据：{f.clause}「{title}」{restated}",
            f"   建议：{f.suggestion}",
        ]
    return "\n".join(lines)
