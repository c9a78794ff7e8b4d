"""A rule as the matcher needs it: plain attributes, picklable, no validation left to do."""

from __future__ import annotations

from assistant.vocabulary import Category, Channel, Kind, Severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from typing import Any

# Roles a keyword plays for a rule (the payload stored in the automaton).
ANY, ALL, CUE, EXCLUDE, TRIGGER, CUE_AFTER, CONTEXT, OVERRULE = range(8)
# Flags of a keyword entry besides its role: Latin edges that must be word boundaries (1, 2),
# and a spelling from rules/variants.yaml made to evade the checker (4).
EVASIVE = 4


class RuntimeRule:
    """One rule as the matcher needs it: plain attributes, picklable, no validation left to do."""

    __slots__ = (
        "after_key",
        "category",
        "clause",
        "cue_key",
        "detector",
        "gated",
        "id",
        "index",
        "kinds",
        "message",
        "n_groups",
        "near",
        "params",
        "policy",
        "regex",
        "severity_by_channel",
        "suggestion",
        "window",
    )

    def __init__(self, **values: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, values[name])

    index: int
    id: str
    category: Category
    policy: str  # the row of rules/policy.yaml
    severity_by_channel: dict[Channel, Severity]  # absent channel: the rule does not apply there
    clause: str
    message: str
    suggestion: str
    kinds: frozenset[Kind] | None
    window: int
    near: int
    n_groups: int
    regex: re.Pattern[str] | None
    gated: bool  # the regex waits for a trigger keyword
    detector: str | None
    params: Any  # the detector's validated settings (a namespace), or None
    cue_key: int  # the shared negation-cue set before a hit (a negative automaton id), 0: none
    after_key: int  # the same for cues after a hit

    def applies(self, channel: Channel, kind: Kind | None) -> bool:
        if channel not in self.severity_by_channel:
            return False
        if self.category.is_format and kind is None:
            return False  # format rules judge official messages only (DESIGN.md)
        return self.kinds is None or kind in self.kinds

    def severity_for(self, channel: Channel) -> Severity:
        return self.severity_by_channel[channel]
