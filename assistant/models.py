"""Typed values at the library's boundary: `Finding` and `Report` (pydantic).

The vocabulary (categories, verdicts, channels, kinds) lives in `assistant.vocabulary` and is
re-exported here, so `from assistant.models import Category, Report` keeps working.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from assistant.vocabulary import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    FORMAT_CATEGORIES,
    KIND_LABELS,
    VERDICT_LABELS,
    Category,
    Channel,
    Kind,
    Severity,
    Verdict,
    verdict_of_severities,
)

__all__ = [
    "CATEGORY_LABELS",
    "CHANNEL_LABELS",
    "FORMAT_CATEGORIES",
    "KIND_LABELS",
    "VERDICT_LABELS",
    "Category",
    "Channel",
    "Finding",
    "Kind",
    "Report",
    "Severity",
    "Verdict",
    "verdict_of",
]


class Finding(BaseModel):
    """One problem, located in the text the user pasted (Python str offsets, end exclusive).

    `message` is written so that it can go into a repair prompt as is; `suggestion` is the fix.
    Findings from the model's second opinion carry a rule id starting with ``model/``.
    """

    model_config = ConfigDict(frozen=True)

    rule: str
    category: Category
    severity: Severity
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    excerpt: str
    message: str
    suggestion: str
    clause: str


class Report(BaseModel):
    verdict: Verdict
    findings: list[Finding]

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.block]

    def categories(self, *, include_info: bool = False) -> set[Category]:
        return {
            f.category for f in self.findings if include_info or f.severity is not Severity.info
        }


def verdict_of(findings: list[Finding]) -> Verdict:
    return verdict_of_severities(f.severity for f in findings)
