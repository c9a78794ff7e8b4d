"""Writing results: one JSON object a line, always valid JSON whatever a caller passed in."""

from __future__ import annotations

import json
import math
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _finite(value: Any) -> Any:
    """NaN and infinities are not JSON: an `id` given as NaN is echoed as null, not as `NaN`."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def dumps(obj: dict[str, Any]) -> str:
    try:
        return json.dumps(obj, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(obj), ensure_ascii=False, allow_nan=False)


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(dumps(obj) + "\n")
