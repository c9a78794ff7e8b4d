"""Typed results of the rewrite pipeline; the structured message is also the model's output schema."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from assistant.models import Kind, Report


class OfficialMessage(BaseModel):
    """What the model fills in; our jinja2 template, not the model, decides the final layout.

    Every field is required (OpenAI strict structured output demands it); `date` may be null.
    """

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(
        description="标题，概括事项，如「关于召开防汛工作会议的通知」，不含书名号以外的标点"
    )
    salutation: str = Field(description="称谓，不带冒号，如「各位同事」")
    points: list[str] = Field(description="正文要点：第一条直接点明主题；多项事项分条，每条一句")
    closing: str = Field(description="尾语，如「特此通知。」或「收到请回复，谢谢！」")
    signature: str = Field(description="署名：单位或姓名，与给定的署名一致")
    date: str | None = Field(description="落款日期；草稿没有就填 null，不要编造")


class Facts(BaseModel):
    kept: list[str] = []
    missing: list[str] = []
    added: list[str] = []

    @property
    def ok(self) -> bool:
        return not self.missing and not self.added


class RewriteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    draft: str
    sender: str = ""
    audience: str = ""
    kind: Kind = Kind.notice
    important: bool = False
    # The draft without what must not be broadcast (an ID number, a card, a secret, an
    # instruction to a model): what a model may see and what the message must keep.
    broadcast: str | None = None  # None: not read yet, the whole draft
    withheld_notes: list[str] = []  # what was left out of `broadcast`, and why


class RewriteResult(BaseModel):
    message: str
    title: str
    backend: str  # "offline" or "llm:<model>"
    attempts: int
    report: Report
    facts: Facts
    notes: list[str] = Field(default=[], description="why a backend was skipped, what was repaired")
    structured: OfficialMessage | None = None

    def contract(self) -> dict:
        """The CLI JSON of DESIGN.md, plus `notes` so the user learns why it fell back."""
        return self.model_dump(mode="json", exclude={"structured"})
