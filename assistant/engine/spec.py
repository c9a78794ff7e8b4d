"""The schema of `rules/*.yaml`, validated at load so that a bad rule fails with its file and id."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.vocabulary import Category, Channel, Kind, Severity

MARK_OPEN, MARK_CLOSE = "⟦", "⟧"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Match(Strict):
    """How a rule finds its spans. Keyword parts are matched on the squeezed view."""

    any: list[str] = []
    all: list[list[str]] = Field(default=[], description="every group within `window` chars")
    window: int = Field(default=24, ge=2, le=400)
    regex: str | None = None
    trigger: list[str] = Field(default=[], description="regex runs only if one of these occurs")
    unless_near: list[str] | None = Field(default=None, description="negation cues before a hit")
    unless_followed_by: list[str] | None = Field(
        default=None, description="cues right after a hit that make it a warning"
    )
    near: int = Field(default=20, ge=1, le=60)
    unless_within: list[str] = Field(default=[], description="longer phrases that cancel a hit")
    unless_context: list[str] = Field(
        default=[], description="words anywhere in the message that make every hit a mention"
    )
    context_overruled_by: list[str] = Field(
        default=[], description="words that keep the hits even in that context"
    )
    detector: str | None = None
    params: dict[str, Any] = {}

    @field_validator("any", "trigger", "unless_within", "unless_context", "context_overruled_by")
    @classmethod
    def _no_tiny_keywords(cls, words: list[str]) -> list[str]:
        for w in words:
            _check_keyword(w)
        return words

    @field_validator("all")
    @classmethod
    def _groups(cls, groups: list[list[str]]) -> list[list[str]]:
        if groups and len(groups) < 2:
            raise ValueError("`all` needs at least two groups (use `any` for one)")
        for g in groups:
            if not g:
                raise ValueError("empty group in `all`")
            for w in g:
                _check_keyword(w)
        return groups

    @field_validator("regex")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"regex does not compile: {exc}") from exc
        return pattern

    @model_validator(mode="after")
    def _one_kind_of_matcher(self) -> Match:
        lexical = bool(self.any or self.all or self.regex)
        if lexical == bool(self.detector):
            raise ValueError("give either keywords/all/regex or a detector, not both or neither")
        if self.trigger and not self.regex:
            raise ValueError("`trigger` only gates a `regex`")
        return self


def _check_keyword(word: str) -> None:
    # One-character keywords would fire on every other sentence and slow the scan down; a single
    # pictograph such as 🧧 is specific enough to stand alone.
    if len(word.strip()) < 2 and not (word and ord(word[0]) > 0x2000 and not _is_cjk(word[0])):
        raise ValueError(f"keyword {word!r} is too short (2 characters at least)")


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


class Example(Strict):
    """A rule's own example; `text` marks the expected span with ⟦ ⟧ in bad examples."""

    text: str
    channel: Channel = Channel.work_group
    time: datetime | None = None
    kind: Kind | None = None
    draft: str | None = None  # for checks of a rewritten message: the draft it came from

    @property
    def plain(self) -> str:
        return self.text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")

    @property
    def marked_span(self) -> tuple[int, int] | None:
        start = self.text.find(MARK_OPEN)
        if start < 0:
            return None
        end = self.text.find(MARK_CLOSE, start) - len(MARK_OPEN)
        return start, end


def _as_example(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


class Examples(Strict):
    bad: list[Example] = Field(min_length=3)
    good: list[Example] = Field(min_length=3)

    @field_validator("bad", "good", mode="before")
    @classmethod
    def _strings_are_examples(cls, items: Any) -> Any:
        return [_as_example(i) for i in items] if isinstance(items, list) else items

    @field_validator("bad")
    @classmethod
    def _bad_marks_span(cls, items: list[Example]) -> list[Example]:
        for ex in items:
            if ex.text.count(MARK_OPEN) != 1 or ex.text.count(MARK_CLOSE) != 1:
                raise ValueError(f"bad example must mark exactly one span with ⟦ ⟧: {ex.text!r}")
        return items

    @field_validator("good")
    @classmethod
    def _good_unmarked(cls, items: list[Example]) -> list[Example]:
        for ex in items:
            if MARK_OPEN in ex.text:
                raise ValueError(f"good example must not mark a span: {ex.text!r}")
        return items


class Fix(Strict):
    """A deterministic replacement for the marked span; `safe` says it needs no review."""

    replace: str
    safe: bool = True


class RuleSpec(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
    name: str
    category: Category
    policy: str = Field(description="the row of rules/policy.yaml that sets its severities")
    clause: str
    message: str
    why: str
    suggestion: str
    fix: Fix | None = None
    # `exact`: a bad example's marked span is the finding's span. `within`: the finding must lie
    # inside the marked part (a learned model points at the clause it weighed most).
    span: Literal["exact", "within"] = "exact"
    kinds: list[Kind] | None = None
    match: Match
    examples: Examples


class RuleFile(Strict):
    version: int
    defaults: dict[str, Any] = {}
    shared: dict[str, Any] = Field(default={}, description="YAML anchors that rules reuse")
    rules: list[dict[str, Any]]


class Clause(Strict):
    id: str
    section: str
    title: str
    text: str


class GuidelineFile(Strict):
    version: int
    sections: dict[str, str]
    clauses: list[Clause]


class PolicyFile(Strict):
    """The severity policy (DESIGN.md's table): per row, the severity on each channel."""

    version: int
    channels: list[Channel]
    rows: dict[str, dict[str, Severity]]

    @model_validator(mode="after")
    def _rows_name_channels(self) -> PolicyFile:
        if set(self.channels) != set(Channel):
            raise ValueError(f"channels must be exactly {[c.value for c in Channel]}")
        for row, cells in self.rows.items():
            if not re.fullmatch(r"[a-z_]+(\.[a-z_]+)?", row):
                raise ValueError(f"row id {row!r} must be `category` or `category.row`")
            unknown = set(cells) - {c.value for c in Channel} - {"all"}
            if unknown:
                raise ValueError(f"row {row!r}: unknown channels {sorted(unknown)}")
            if "all" in cells and len(cells) > 1:
                raise ValueError(f"row {row!r}: `all` stands alone")
        return self

    def severities(self, row: str) -> dict[Channel, Severity]:
        """The row's severity on each channel it applies to (absent: no finding there)."""
        cells = self.rows[row]
        if "all" in cells:
            return dict.fromkeys(Channel, cells["all"])
        return {Channel(c): sev for c, sev in cells.items()}

    @staticmethod
    def category_of(row: str) -> str:
        return row.partition(".")[0]


class KindSpec(Strict):
    """One kind of official message (notice, request, reminder, reply)."""

    label: str
    salutation: str  # whom it addresses when neither the user nor the draft says
    title_suffix: str
    closing: str
    closing_hint: str
    accepted_closings: list[str] = Field(min_length=1)
    clauses: list[str]
    lead: str
    topic_lead: str

    @model_validator(mode="after")
    def _topic_slot(self) -> KindSpec:
        if "{topic}" not in self.topic_lead:
            raise ValueError("topic_lead must hold {topic}")
        return self


class KindsFile(Strict):
    version: int
    confirm: str
    kinds: dict[Kind, KindSpec]

    @model_validator(mode="after")
    def _every_kind(self) -> KindsFile:
        missing = set(Kind) - set(self.kinds)
        if missing:
            raise ValueError(f"kinds missing: {sorted(k.value for k in missing)}")
        return self


class VariantsFile(Strict):
    """Evasive spellings users really type: pinyin, abbreviations, homophones."""

    version: int
    variants: dict[str, list[str]]
