"""A second opinion for "can I post this?": the configured model looks for what rules may miss
(veiled commentary, a rumor without the usual words). Its findings are marked as the model's
(`model/<category>`), must quote the text verbatim, and can only raise the verdict: the rules'
findings are kept as they are, so a rule's `block` is never cleared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.engine.checker import Engine, default_engine
from assistant.models import Category, Channel, Finding, Kind, Report, Severity, verdict_of
from assistant.rewriting.llm import BackendError, backend_for
from assistant.rewriting.masking import Vault
from assistant.rewriting.prompts import judge_messages
from assistant.rewriting.settings import Settings, from_env

ContentCategory = Literal[tuple(c.value for c in Category if not c.is_format)]  # type: ignore[valid-type]


class JudgeIssue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: ContentCategory  # type: ignore[valid-type]
    excerpt: str = Field(description="逐字摘自消息的片段")
    reason: str
    severity: Literal["revise", "block"]


class JudgeReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issues: list[JudgeIssue]


@dataclass
class Opinion:
    report: Report
    status: Literal["done", "skipped", "failed"]
    note: str
    backend: str = "offline"
    added: list[Finding] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "backend": self.backend,
            "note": self.note,
            "added": len(self.added),
        }


def second_opinion(
    text: str,
    report: Report,
    *,
    channel: Channel | str = Channel.work_group,
    kind: Kind | str | None = None,
    settings: Settings | None = None,
    backend: Any = None,
    engine: Engine | None = None,
) -> Opinion:
    engine = engine or default_engine()
    channel = Channel(channel)
    if backend is None:
        settings = settings or from_env()
        if settings is None:
            return Opinion(report, "skipped", "未配置模型，已跳过模型复核，结论仅来自规则检查")
        backend = backend_for(settings)
    if any(f.category is Category.secret for f in report.findings) or engine.signs_of(
        text, Category.secret
    ):
        return Opinion(report, "skipped", "消息含涉密内容，未发送给模型复核", backend.name)
    vault = Vault()
    masked = vault.mask(text, engine.personal_data(text))
    messages = judge_messages(
        text=masked,
        channel=channel,
        findings=[
            f.model_copy(update={"excerpt": vault.mask_known(f.excerpt)}) for f in report.findings
        ],
        clauses=engine.compiled.clauses,
    )
    try:
        reply, _ = backend.structured(JudgeReply, messages)
    except BackendError as exc:
        return Opinion(
            report, "failed", f"模型复核失败（{exc.reason}），结论仅来自规则检查", backend.name
        )
    clause_of = {r.category: r.clause for r in reversed(engine.compiled.rules)}
    added, dropped = [], 0
    for issue in reply.issues:  # type: ignore[attr-defined]
        excerpt = vault.unmask(issue.excerpt).strip()
        start = text.find(excerpt) if excerpt else -1
        if start < 0:
            dropped += 1  # not a verbatim quote: we report exact spans or nothing
            continue
        category = Category(issue.category)
        added.append(
            Finding(
                rule=f"model/{category.value}",
                category=category,
                severity=Severity(issue.severity),
                start=start,
                end=start + len(excerpt),
                excerpt=excerpt,
                message=f"模型复核认为：{issue.reason}",
                suggestion="请人工判断；确有问题请删改这部分内容。",
                clause=clause_of.get(category, "basic-3"),
            )
        )
    findings = sorted([*report.findings, *added], key=lambda f: (f.start, -f.severity.rank, f.rule))
    merged = Report(verdict=verdict_of(findings), findings=findings)
    note = f"模型复核补充了 {len(added)} 个问题" if added else "模型复核没有发现规则之外的问题"
    if dropped:
        note += f"；另有 {dropped} 条因无法在原文中定位而未采用"
    return Opinion(merged, "done", note, backend.name, added)
