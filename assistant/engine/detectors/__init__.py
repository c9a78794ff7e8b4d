"""Detectors that are code, not word lists: personal data, send time, emoji, message format.

Each module registers its classes with `@register`; a rule names one in `match.detector` and passes
its settings in `match.params`, validated by the detector's own `Params` model when rules compile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.engine.compiled import RuntimeRule
from assistant.engine.document import Document, Hit


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Detector(Protocol):
    Params: ClassVar[type[BaseModel]]

    def __init__(self, rule: RuntimeRule) -> None: ...

    def detect(self, doc: Document) -> Iterable[Hit]: ...


DETECTORS: dict[str, type[Detector]] = {}


def register(name: str) -> Callable[[type[Any]], type[Any]]:
    def decorate(cls: type[Any]) -> type[Any]:
        if name in DETECTORS:
            raise ValueError(f"detector {name!r} registered twice")
        DETECTORS[name] = cls
        return cls

    return decorate


def validate_detector(name: str, params: dict[str, Any], rule_id: str) -> None:
    from assistant.engine.loader import RuleLoadError

    cls = DETECTORS.get(name)
    if cls is None:
        raise RuleLoadError(
            f"rule {rule_id!r}: unknown detector {name!r}; known: {sorted(DETECTORS)}"
        )
    try:
        cls.Params.model_validate(params)
    except ValidationError as exc:
        raise RuleLoadError(f"rule {rule_id!r}: detector {name!r} params: {exc.errors()}") from None


def build(rule: RuntimeRule) -> Detector:
    assert rule.detector is not None
    return DETECTORS[rule.detector](rule)


# Importing the modules fills the registry; this list is the only place that names them.
from assistant.engine.detectors import emoji, message_format, personal_data, send_time  # noqa: E402

__all__ = ["DETECTORS", "Detector", "Params", "build", "register", "validate_detector"]
_ = (emoji, message_format, personal_data, send_time)
