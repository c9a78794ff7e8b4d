"""An assistant that checks and rewrites the WeChat and SMS messages of Party members and officials.

`check` is the deterministic rule engine; `rewrite` the model-backed pipeline. The rewrite side
pulls in jinja2, langchain and openai, so it is imported only when first used: `check` must start
in milliseconds.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from assistant.inputs import MAX_CHARS, InputError
from assistant.models import Category, Channel, Finding, Kind, Report, Severity, Verdict

if TYPE_CHECKING:
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
