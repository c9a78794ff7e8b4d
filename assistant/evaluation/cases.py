"""The eval cases, validated at load: every error names the file and the case id.

Two kinds, told apart by the file name: `check*.yaml` holds "can I post this?" cases, and
`rewrite*.yaml` holds drafts to rewrite. Case ids are unique across all files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.models import Category, Channel, Kind, Verdict

ROOT = Path(__file__).resolve().parents[2]
EVALS_DIR = ROOT / "evals"
CASES_DIR = EVALS_DIR / "cases"
_ID = r"^[a-z][a-z0-9-]*$"
_FULL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")


class CaseError(ValueError):
    """A case file is malformed; the message says which file, which case and which field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckExpect(_Strict):
    verdict: Verdict
    # The complete set of categories expected at severity revise or block.
    categories: list[Category] = []

    @field_validator("categories")
    @classmethod
    def _unique(cls, value: list[Category]) -> list[Category]:
        if len(set(value)) != len(value):
            raise ValueError("categories are listed twice")
        return value


class CheckCase(_Strict):
    type: Literal["check"] = "check"
    id: str = Field(pattern=_ID)
    tags: list[str] = []
    text: str = Field(min_length=1)
    channel: Channel = Channel.work_group
    time: str | None = None
    kind: Kind | None = None
    note: str | None = None
    expect: CheckExpect

    @field_validator("time")
    @classmethod
    def _dated(cls, value: str | None) -> str | None:
        # A bare HH:MM means "today", which would make the eval depend on the day it runs.
        if value is not None and not _FULL_TIME.match(value):
            raise ValueError("time must be a full date-time such as 2026-11-24 23:10")
        return value


class Recheck(_Strict):
    """What the rule engine should say about the rewritten message."""

    verdict: Verdict = Verdict.ok
    # Categories (revise or block) that must be among the re-check's; with verdict ok, none may be.
    categories: list[Category] = []


class RewriteCase(_Strict):
    type: Literal["rewrite"] = "rewrite"
    id: str = Field(pattern=_ID)
    tags: list[str] = []
    draft: str = Field(min_length=1)
    sender: str = Field(min_length=1)
    audience: str = ""
    kind: Kind = Kind.notice
    important: bool = False
    facts: list[str] = []
    note: str | None = None
    # Optional; when absent it follows from the tags (see `expected_recheck`).
    recheck: Recheck | None = None

    @model_validator(mode="after")
    def _facts_in_draft(self) -> RewriteCase:
        absent = [f for f in self.facts if f not in self.draft]
        if absent:
            raise ValueError(f"facts not found verbatim in the draft: {absent}")
        return self

    def expected_recheck(self) -> Recheck:
        """Explicit `recheck`, else: every rewrite must re-check clean (`ok`). What must not be
        broadcast — someone's ID number or card, a secret — is left out of the message (and
        the notes say so, see `withheld_note`), so nothing is left for the re-check to block."""
        if self.recheck is not None:
            return self.recheck
        return Recheck()

    @property
    def withheld_note(self) -> bool:
        """Drafts with an ID number or a secret: the notes must say what was left out."""
        return "secret" in self.tags or "id" in self.tags


Case = CheckCase | RewriteCase
_MODELS: dict[str, type[CheckCase] | type[RewriteCase]] = {
    "check": CheckCase,
    "rewrite": RewriteCase,
}


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(case)'}: {err['msg']}" for err in exc.errors()
    )


def load_file(path: Path) -> list[Case]:
    import yaml

    kind = next((k for k in _MODELS if path.stem.startswith(k)), None)
    if kind is None:
        raise CaseError(f"{path.name}: file name must start with 'check' or 'rewrite'")
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CaseError(f"{path.name}: cannot read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise CaseError(f"{path.name}: expected a mapping with a 'cases' list")
    if data.get("version") != 1:
        raise CaseError(f"{path.name}: version must be 1")
    extra = set(data) - {"version", "cases"}
    if extra:
        raise CaseError(f"{path.name}: unknown top-level keys {sorted(extra)}")
    model = _MODELS[kind]
    out: list[Case] = []
    for index, raw in enumerate(data["cases"], 1):
        label = raw.get("id", f"#{index}") if isinstance(raw, dict) else f"#{index}"
        if not isinstance(raw, dict):
            raise CaseError(f"{path.name}: case {label}: expected a mapping")
        try:
            out.append(model.model_validate(raw))
        except ValidationError as exc:
            raise CaseError(f"{path.name}: case {label}: {_problems(exc)}") from None
    return out


def load_cases(cases_dir: Path = CASES_DIR) -> list[Case]:
    files = sorted(cases_dir.glob("*.yaml"))
    if not files:
        raise CaseError(f"{cases_dir}: no case files (*.yaml)")
    seen: dict[str, str] = {}
    cases: list[Case] = []
    for path in files:
        for case in load_file(path):
            if case.id in seen:
                raise CaseError(f"{path.name}: case {case.id}: id also used in {seen[case.id]}")
            seen[case.id] = path.name
            cases.append(case)
    return cases
