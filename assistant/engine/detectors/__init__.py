"""Detectors that are code, not word lists: personal data, send time, emoji, message format.

Each module registers its classes with `@register`; a rule names one in `match.detector` and gives
its settings in `match.params`, validated against the model the class names in `PARAMS`
(`detectors/params.py`) when the rules compile. At check time a detector reads the validated
values from `rule.params` and never imports pydantic.
"""

from __future__ import annotations

from types import SimpleNamespace

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, ClassVar, Protocol

    from assistant.engine.compiled import RuntimeRule
    from assistant.engine.document import Document, Hit

    class Detector(Protocol):
        """What a detector class provides; each module registers its classes below."""

        PARAMS: ClassVar[str]  # name of the settings model in detectors/params.py

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


def validate_detector(name: str, params: dict[str, Any], rule_id: str) -> SimpleNamespace:
    """The rule's params, validated and with defaults filled; fails fast naming the rule."""
    from pydantic import ValidationError

    from assistant.engine.detectors import params as models
    from assistant.engine.loader import RuleLoadError

    cls = DETECTORS.get(name)
    if cls is None:
        raise RuleLoadError(
            f"rule {rule_id!r}: unknown detector {name!r}; known: {sorted(DETECTORS)}"
        )
    model = getattr(models, getattr(cls, "PARAMS", "Params"))
    try:
        validated = model.model_validate(params)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise RuleLoadError(f"rule {rule_id!r}: detector {name!r} params: {problems}") from None
    return SimpleNamespace(**dict(validated))


def build(rule: RuntimeRule) -> Detector:
    assert rule.detector is not None
    return DETECTORS[rule.detector](rule)


# Importing the modules fills the registry; this list is the only place that names them.
from assistant.engine.detectors import emoji, message_format, personal_data, send_time  # noqa: E402

__all__ = ["DETECTORS", "build", "register", "validate_detector"]
_ = (emoji, message_format, personal_data, send_time)
