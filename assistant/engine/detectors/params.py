"""Settings of the code detectors, validated when the rules compile (never per message).

A rule's `match.params` is checked against the model its detector names; the validated values are
stored in the compiled rules as a plain namespace, so checking a message needs no pydantic.
"""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HoursParams(Params):
    start: time = time(8, 0)
    end: time = time(22, 0)
    # Words that make a message an emergency (flood, rescue, an order to assemble): the policy
    # only notes the hour then. `emergency` says which of the two rules this one is.
    emergency_words: list[str] = []
    emergency: bool = False


class DayOffParams(Params):
    day_off: str = Field(min_length=1, description="advice appended on a known day off")
    unknown_year: str = Field(
        min_length=1, description="appended on a weekday of a year with no holiday data; {year}"
    )


class EmojiParams(Params):
    threshold: int = Field(default=3, ge=1)
    stickers: list[str] = Field(min_length=1, description="WeChat sticker names, no brackets")


class LayoutParams(Params):
    title_patterns: list[str] = Field(min_length=1)
    salutation_patterns: list[str] = Field(min_length=1)


class SubjectParams(LayoutParams):
    fillers: list[str] = Field(min_length=1)
    greetings: list[str] = Field(default=[])
    topic_words: list[str] = Field(min_length=1)


class ClosingParams(Params):
    """The closings each kind accepts are in rules/kinds.yaml, shared with the writer."""

    tail_lines: int = Field(default=3, ge=1)


class SignatureParams(Params):
    org_suffixes: list[str] = Field(min_length=1)
    not_signatures: list[str] = Field(min_length=1)
    max_length: int = 24


class VerboseParams(Params):
    max_chars: int = Field(default=400, ge=50)
    min_repeat: int = Field(default=6, ge=2)


class JudgementParams(Params):
    label: str = Field(min_length=1, description="the policy row the model scores")


class KnownRumorParams(Params):
    refutation_cues: list[str] = Field(min_length=1)
