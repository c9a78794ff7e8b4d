"""The detector protocol, the hit it reports, and loading a detector by its name.

A rule names its detector as `module.key` (`personal_data.mobile`): the module
`assistant.engine.detectors.<module>` is imported only when a rule that needs it is first judged,
and its `DETECTORS` mapping gives the class for `key`. There is no central list to keep in step:
a new detector is a new module (or a new entry in one) and a rule that names it.
"""

from __future__ import annotations

import importlib
from collections import namedtuple
from types import SimpleNamespace

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any, ClassVar, Protocol

    from assistant.engine.document import Document
    from assistant.engine.rule import RuntimeRule

    class Detector(Protocol):
        """What a detector class provides."""

        PARAMS: ClassVar[str]  # name of the settings model in detectors/params.py

        def __init__(self, rule: RuntimeRule) -> None: ...

        def detect(self, doc: Document) -> Iterable[Hit]: ...


class Hit(namedtuple("Hit", ("rule", "start", "end", "detail"), defaults=(None,))):
    """A rule firing on original-text offsets (rule index, start, end); `detail` fills the rule
    message's {placeholders}."""

    __slots__ = ()


_PACKAGE = __name__.rpartition(".")[0]


def detector_module(module_name: str) -> Any:
    """The module `assistant.engine.detectors.<module_name>`, or None if there is none."""
    try:
        return importlib.import_module(f"{_PACKAGE}.{module_name}")
    except ModuleNotFoundError:
        return None


def detector_class(name: str) -> type[Detector]:
    """The class a rule's `match.detector` names; a clear error for a name that does not exist."""
    from assistant.engine.errors import RuleLoadError

    module_name, _, key = name.partition(".")
    module = detector_module(module_name) if module_name.isidentifier() else None
    found = getattr(module, "DETECTORS", {}).get(key) if module is not None and key else None
    if found is None:
        raise RuleLoadError(f"unknown detector {name!r} (expected module.key)")
    return found


def validate_params(name: str, params: dict[str, Any], rule_id: str) -> SimpleNamespace:
    """The rule's params, validated and with defaults filled; fails fast naming the rule."""
    from pydantic import ValidationError

    from assistant.engine.detectors import params as models
    from assistant.engine.errors import RuleLoadError

    try:
        cls = detector_class(name)
    except RuleLoadError as exc:
        raise RuleLoadError(f"rule {rule_id!r}: {exc}") from None
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
    return detector_class(rule.detector)(rule)
