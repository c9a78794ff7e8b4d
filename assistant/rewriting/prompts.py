"""The prompts, rendered from the jinja2 templates in `prompts/` as langchain-core messages.

Only the clauses that matter for this draft go in (the five basic requirements, the clauses its
findings cite, the kind's own), cited by id, to keep the prompt short and grounded.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from assistant.models import CHANNEL_LABELS, KIND_LABELS, Category, Channel, Finding, Kind

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
DRAFT_FENCES = ("【草稿开始】", "【草稿结束】", "【消息开始】", "【消息结束】")
BASIC = ["basic-1", "basic-2", "basic-3", "basic-4", "basic-5"]


def kinds() -> dict[Kind, Any]:
    """rules/kinds.yaml, as the checker compiled it: one vocabulary for prompts and checker."""
    from assistant.engine.checker import default_engine

    return default_engine().compiled.kinds


def template_text(name: str) -> str:
    return (PROMPTS_DIR / name).read_text(encoding="utf-8")


@cache
def _compiled(name: str) -> Any:
    """A prompt template compiled once. langchain-core's jinja2 prompt templates re-compile the
    template on every format (several ms each); this renders with the same sandboxed jinja2
    environment and defaults, so the text is identical, without the per-call compile."""
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment().from_string(template_text(name))


def _chat_messages(system: str, user: str, **values: Any) -> list[Any]:
    from langchain_core.messages import HumanMessage, SystemMessage

    return [
        SystemMessage(content=_compiled(system).render(**values)),
        HumanMessage(content=_compiled(user).render(**values)),
    ]


# A fence marker as the engine's squeezed view spells it: simplified, hidden characters, spaces
# and fillers gone, full-width brackets folded.
_FENCE = r"[【\[〔〖(<《]\s*(?:草稿|消息)\s*(?:开始|结束)\s*[】\]〕〗)>》]"


@cache
def _fence_pattern() -> Any:
    import re

    return re.compile(_FENCE)


def fence(text: str) -> str:
    """The draft cannot close its own delimiters: a fence marker inside it is defused, however it
    is spelled — traditional characters (【草稿結束】), spaces, hidden characters of any Unicode
    category or fillers inside, other brackets — because a model reads all of them as the same
    marker. It is found in the engine's normalized view and replaced on the original."""
    import re

    from assistant.engine.checker import default_engine
    from assistant.engine.document import Document

    view = Document(text, default_engine().compiled).squeezed
    spans = [view.orig_span(*m.span()) for m in _fence_pattern().finditer(view.text)]
    for start, end in reversed(spans):
        words = re.sub(r"[^\u4e00-\u9fff]", "", text[start:end])
        text = text[:start] + "〔" + words + "〕" + text[end:]
    return text


def select_clauses(
    clauses: dict[str, tuple[str, str]], findings: list[Finding], kind: Kind | None, important: bool
) -> list[dict[str, str]]:
    ids = list(BASIC)
    for f in findings:
        if not f.category.is_format and f.clause not in ids:
            ids.append(f.clause)
    for cid in kinds()[kind].clauses if kind else []:
        if cid not in ids:
            ids.append(cid)
    if important and "rule-2" not in ids:
        ids.append("rule-2")
    return [{"id": c, "title": clauses[c][0], "text": clauses[c][1]} for c in ids if c in clauses]


def closing_hint(kind: Kind, important: bool) -> str:
    spec = kinds()[kind]
    return spec.closing_hint + (f"，之后另起一行写「{spec.confirm}」" if important else "")


def rewrite_messages(
    *,
    draft: str,
    sender: str,
    audience: str,
    kind: Kind,
    important: bool,
    findings: list[Finding],
    clauses: dict[str, tuple[str, str]],
) -> list[Any]:
    return _chat_messages(
        "rewrite_system.j2",
        "rewrite_user.j2",
        clauses=select_clauses(clauses, findings, kind, important),
        closing_hint=closing_hint(kind, important),
        kind_label=KIND_LABELS[kind],
        important=important,
        audience=audience,
        sender=sender,
        findings=[f for f in findings if not f.category.is_format],
        draft=fence(draft),
    )


def repair_message(problems: list[str]) -> Any:
    from langchain_core.messages import HumanMessage

    return HumanMessage(_compiled("repair.j2").render(problems=problems))


def judge_messages(
    *, text: str, channel: Channel, findings: list[Finding], clauses: dict[str, tuple[str, str]]
) -> list[Any]:
    red = [c for c in Category if not c.is_format]
    cited = sorted(
        {c for c, _ in clauses.items() if c.startswith(("redline", "principle", "guide"))}
    )
    return _chat_messages(
        "judge_system.j2",
        "judge_user.j2",
        clauses=[{"id": c, "title": clauses[c][0], "text": clauses[c][1]} for c in cited],
        categories=[c.value for c in red],
        channel_label=CHANNEL_LABELS[channel],
        findings=findings,
        text=fence(text),
    )


def render_message(message: Any) -> str:
    """Our layout for the structured message (prompts/message.j2), not the model's."""
    return _message_template().render(m=message).strip() + "\n"


@cache
def _message_template() -> Any:
    import jinja2

    env = jinja2.Environment(
        autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined
    )
    return env.from_string(template_text("message.j2"))


def estimate_tokens(messages: list[Any]) -> int:
    """tiktoken cannot fetch its encodings offline: ~1 token per CJK character, ~4 chars per token
    otherwise, which over-estimates for most Chinese-capable tokenizers."""
    total = 0
    for m in messages:
        text = m.content if isinstance(m.content, str) else str(m.content)
        cjk = sum(
            1
            for ch in text
            if "\u3400" <= ch <= "\u9fff"
            or "\u3000" <= ch <= "\u303f"
            or "\uff00" <= ch <= "\uffef"
        )
        total += cjk + (len(text) - cjk + 3) // 4 + 4
    return total
