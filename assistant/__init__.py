"""An assistant that checks and rewrites the WeChat and SMS messages of Party members and officials.

`check` is the deterministic rule engine; `rewrite` the model-backed pipeline. Heavy imports wait
until they are needed: the rewrite side pulls in jinja2, langchain and openai, and the typed
models pydantic, while `python -m assistant check` must start in tens of milliseconds.
"""

from __future__ import annotations

from assistant.inputs import MAX_CHARS, InputError
from assistant.vocabulary import Category, Channel, Kind, Severity, Verdict

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any

    from assistant.models import Finding, Report
    from assistant.rewriting.models import RewriteResult

__all__ = [
    "MAX_CHARS",
    "Category",
    "Channel",
    "Finding",
    "InputError",
    "Kind",
    "Report",
    "Severity",
    "Verdict",
    "check",
    "rewrite",
]


def __getattr__(name: str) -> Any:
    if name in ("Finding", "Report"):
        from assistant import models

        return getattr(models, name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")


def check(
    text: str,
    *,
    channel: Channel | str = Channel.work_group,
    time: datetime | str | None = None,
    kind: Kind | str | None = None,
) -> Report:
    """Can this be posted? A verdict and every finding with its span in `text`."""
    from assistant.engine.checker import default_engine
    from assistant.sendtime import parse_when

    return default_engine().check(text, channel=channel, when=parse_when(time), kind=kind)


def rewrite(draft: str, **options: Any) -> RewriteResult:
    """Turn a draft into an official message; see `assistant.rewriting.pipeline.rewrite`."""
    from assistant.rewriting.pipeline import rewrite as run

    return run(draft, **options)
