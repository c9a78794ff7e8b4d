"""View model of the Streamlit page (`app.py`): pure functions, no streamlit import.

Everything the page shows that takes a decision lives here, so it is unit-tested without a browser:
option lists, verdict labels and colours, the highlighted draft, the finding cards, the diff, the
facts, the backend line, and reading the message out of a chat question such as
「这条能发群里吗？……」.

Every piece of user text that goes into HTML passes through `escape_text`: the page renders these
fragments with ``unsafe_allow_html``, so a draft must never be able to inject markup (or markdown:
Streamlit parses markdown around raw HTML, so newlines become ``<br>`` and markdown punctuation
becomes character references).
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assistant.models import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    KIND_LABELS,
    VERDICT_LABELS,
    Channel,
    Finding,
    Kind,
    Report,
    Severity,
    Verdict,
)

# --- options of the settings widgets -------------------------------------------------------------

CHANNEL_OPTIONS: list[str] = [CHANNEL_LABELS[c] for c in Channel]
CHANNEL_BY_LABEL: dict[str, Channel] = {label: c for c, label in CHANNEL_LABELS.items()}

PLAIN_KIND_LABEL = "不按公文格式"
KIND_OPTIONS: list[str] = [*(KIND_LABELS[k] for k in Kind), PLAIN_KIND_LABEL]
KIND_BY_LABEL: dict[str, Kind | None] = {
    **{label: k for k, label in KIND_LABELS.items()},
    PLAIN_KIND_LABEL: None,
}


def channel_of(label: str) -> Channel:
    return CHANNEL_BY_LABEL[label]


def check_kind(label: str) -> Kind | None:
    """The kind passed to `check`: 「不按公文格式」 means no format rules (a casual message)."""
    return KIND_BY_LABEL[label]


def rewrite_kind(label: str) -> Kind:
    """The kind passed to `rewrite`, which always writes an official message: a notice by default."""
    return KIND_BY_LABEL[label] or Kind.notice


# --- verdicts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Palette:
    background: str
    border: str
    text: str


VERDICT_PALETTE: dict[Verdict, Palette] = {
    Verdict.ok: Palette("#e6f4ea", "#1e8e3e", "#0d652d"),  # green
    Verdict.revise: Palette("#fef7e0", "#f29900", "#8a5300"),  # amber
    Verdict.block: Palette("#fce8e6", "#d93025", "#a50e0e"),  # red
}
VERDICT_COLOUR_NAMES: dict[Verdict, str] = {
    Verdict.ok: "green",
    Verdict.revise: "amber",
    Verdict.block: "red",
}

SEVERITY_LABELS: dict[Severity, str] = {
    Severity.block: "不要发",
    Severity.revise: "需修改",
    Severity.info: "提示",
}
_SEVERITY_MARK: dict[Severity, str] = {
    Severity.block: "background:#f6aea9;border-bottom:2px solid #d93025;",
    Severity.revise: "background:#fde293;border-bottom:2px solid #f29900;",
    Severity.info: "border-bottom:2px dotted #5f6368;",
}


def verdict_label(verdict: Verdict | str) -> str:
    """Exactly 「可以发」, 「修改后再发」 or 「不要发」 (DESIGN.md, page section)."""
    return VERDICT_LABELS[Verdict(verdict)]


def verdict_card_html(verdict: Verdict | str) -> str:
    """The coloured card; its only text is the verdict label."""
    verdict = Verdict(verdict)
    p = VERDICT_PALETTE[verdict]
    return (
        f'<div class="verdict-card verdict-{verdict.value}" data-verdict="{verdict.value}" '
        f'style="background:{p.background};border-left:8px solid {p.border};color:{p.text};'
        f"padding:0.6rem 1rem;border-radius:0.5rem;font-size:1.6rem;font-weight:700;"
        f'margin:0.4rem 0;">{verdict_label(verdict)}</div>'
    )


def verdict_summary(report: Report, channel: Channel | None = None, when: str = "") -> str:
    """One plain line under the card: how many findings, judged for which channel and time."""
    counted = [f for f in report.findings if f.severity is not Severity.info]
    info = len(report.findings) - len(counted)
    parts = []
    if not report.findings:
        parts.append("没有发现问题")
    else:
        if counted:
            parts.append(f"{len(counted)} 处需要处理")
        if info:
            parts.append(f"{info} 处提示")
    basis = []
    if channel is not None:
        basis.append(f"发到「{CHANNEL_LABELS[Channel(channel)]}」")
    if when:
        basis.append(f"{when} 发送")
    line = "，".join(parts)
    return f"{line}（按{'、'.join(basis)}判断）" if basis else line


# --- escaping ------------------------------------------------------------------------------------

# HTML specials, and the characters that markdown (CommonMark, GFM, Streamlit's directives and
# math) could act on, all as numeric character references.
_INERT = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-!|~$:="})


def escape_text(text: str) -> str:
    """User text made inert for `st.markdown(..., unsafe_allow_html=True)`: HTML specials and
    markdown punctuation as character references, and line breaks as ``<br>`` so that no blank line
    can end the raw-HTML block and hand the rest back to the markdown parser."""
    out = text.translate(_INERT).replace("\r\n", "\n").replace("\r", "\n")
    return out.replace("\n", "<br>")


# --- the draft with its findings highlighted -----------------------------------------------------


def highlight_html(text: str, findings: Iterable[Finding]) -> str:
    """The draft with every finding's span marked (worst severity colours an overlap) and a numbered
    marker (①②…) where each finding ends, so the cards below can be matched to the text. Findings
    without a span (a missing salutation, closing or signature) get only their marker, at the place
    where the missing part belongs."""
    findings = list(findings)
    n = len(text)
    cuts = {0, n}
    for f in findings:
        cuts.update((min(f.start, n), min(f.end, n)))
    bounds = sorted(cuts)
    markers: dict[int, list[int]] = {}
    for i, f in enumerate(findings, 1):
        markers.setdefault(min(f.end, n), []).append(i)

    out = [
        '<div class="draft-highlight" style="white-space:normal;line-height:1.9;'
        'padding:0.6rem 0.8rem;border:1px solid #dadce0;border-radius:0.5rem;">'
    ]
    out.append(_markers(markers.get(0, [])))
    for a, b in itertools.pairwise(bounds):
        piece = escape_text(text[a:b])
        covering = [(i, f) for i, f in enumerate(findings, 1) if f.start <= a and b <= f.end]
        if covering:
            worst = max(covering, key=lambda x: x[1].severity.rank)[1].severity
            tip = "；".join(f"{_circled(i)} {CATEGORY_LABELS[f.category]}" for i, f in covering)
            out.append(
                f'<mark class="finding-span severity-{worst.value}" title="{escape_text(tip)}" '
                f'style="{_SEVERITY_MARK[worst]}color:inherit;padding:0 1px;">{piece}</mark>'
            )
        else:
            out.append(piece)
        if b != 0:
            out.append(_markers(markers.get(b, [])))
    out.append("</div>")
    return "".join(out)


def _circled(i: int) -> str:
    return chr(0x2460 + i - 1) if 1 <= i <= 20 else f"({i})"


def _markers(numbers: list[int]) -> str:
    if not numbers:
        return ""
    label = "".join(_circled(i) for i in numbers)
    return f'<sup class="finding-marker" style="color:#d93025;font-weight:700;">{label}</sup>'


# --- one finding, in plain Chinese ---------------------------------------------------------------


@dataclass(frozen=True)
class FindingView:
    number: int
    severity: str  # 不要发 / 需修改 / 提示
    category: str  # Chinese label of the category
    where: str  # 「excerpt」, or where the missing part belongs
    message: str
    clause_id: str
    clause_title: str
    clause_text: str
    suggestion: str


def where_of(finding: Finding, text_length: int) -> str:
    if finding.end > finding.start:
        if finding.start == 0 and finding.end >= text_length:
            return "整条消息"
        return f"「{finding.excerpt}」"
    if finding.start == 0:
        return "开头"
    if finding.start >= text_length:
        return "结尾"
    return f"第 {finding.start + 1} 字处"


def finding_views(
    report: Report, text: str, clauses: Mapping[str, tuple[str, str]]
) -> list[FindingView]:
    views = []
    for i, f in enumerate(report.findings, 1):
        title, restated = clauses.get(f.clause, ("", ""))
        views.append(
            FindingView(
                number=i,
                severity=SEVERITY_LABELS[f.severity],
                category=CATEGORY_LABELS[f.category],
                where=where_of(f, len(text)),
                message=f.message,
                clause_id=f.clause,
                clause_title=title,
                clause_text=restated,
                suggestion=f.suggestion,
            )
        )
    return views


def finding_card_html(view: FindingView) -> str:
    """A finding as the page shows it: what, where, why (the clause restated), and the fix.

    Every field is escaped: the excerpt is user text, and the rest is kept inert as a matter of
    course."""
    clause = view.clause_title or view.clause_id
    why = f"{escape_text(clause)}：{escape_text(view.clause_text)}" if view.clause_text else ""
    rows = [
        f'<div class="finding-head"><b>{_circled(view.number)} {escape_text(view.category)}</b>'
        f' <span style="color:#5f6368;">[{escape_text(view.severity)}] · {escape_text(view.where)}'
        "</span></div>",
        f'<div class="finding-message">问题：{escape_text(view.message)}</div>',
    ]
    if why:
        rows.append(f'<div class="finding-clause">依据：{why}</div>')
    rows.append(f'<div class="finding-fix">建议：{escape_text(view.suggestion)}</div>')
    return (
        '<div class="finding-card" style="border:1px solid #dadce0;border-radius:0.5rem;'
        'padding:0.5rem 0.8rem;margin:0.4rem 0;line-height:1.7;">' + "".join(rows) + "</div>"
    )


def findings_html(report: Report, text: str, clauses: Mapping[str, tuple[str, str]]) -> str:
    return "".join(finding_card_html(v) for v in finding_views(report, text, clauses))


# --- rewrite results -----------------------------------------------------------------------------


def diff_lines(draft: str, message: str) -> list[str]:
    """A unified line diff, draft → rewritten message (for a ``diff`` code block)."""
    return list(
        difflib.unified_diff(
            draft.splitlines(), message.splitlines(), "原稿", "改写稿", lineterm="", n=3
        )
    )


_CHAR_DIFF_LIMIT = 6_000


def inline_diff_html(draft: str, message: str) -> str:
    """Character-level diff (Chinese has no word boundaries): deleted text struck through in red,
    added text underlined in green. Long inputs fall back to the line diff only (returns "")."""
    if len(draft) + len(message) > _CHAR_DIFF_LIMIT:
        return ""
    matcher = difflib.SequenceMatcher(None, draft, message, autojunk=False)
    out = ['<div class="inline-diff" style="line-height:1.9;">']
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape_text(draft[a1:a2]))
            continue
        if op in ("delete", "replace"):
            out.append(
                f'<del style="background:#fce8e6;color:#a50e0e;">{escape_text(draft[a1:a2])}</del>'
            )
        if op in ("insert", "replace"):
            out.append(
                '<ins style="background:#e6f4ea;color:#0d652d;text-decoration:none;">'
                f"{escape_text(message[b1:b2])}</ins>"
            )
    out.append("</div>")
    return "".join(out)


FACT_HEADINGS = (("kept", "保留"), ("missing", "遗漏"), ("added", "新增"))


def facts_html(facts: object) -> str:
    """Facts kept / missing / added, as chips; `facts` is a `Facts` (or anything with those lists)."""
    colours = {"kept": "#e6f4ea", "missing": "#fce8e6", "added": "#fef7e0"}
    rows = []
    for attr, heading in FACT_HEADINGS:
        items = list(getattr(facts, attr, []) or [])
        chips = "".join(
            f'<span class="fact fact-{attr}" style="background:{colours[attr]};border-radius:0.3rem;'
            f'padding:0 0.35rem;margin:0 0.25rem 0.25rem 0;display:inline-block;">'
            f"{escape_text(str(item))}</span>"
            for item in items
        )
        rows.append(
            f'<div class="facts-{attr}"><b>{heading}（{len(items)}）：</b>{chips or "无"}</div>'
        )
    return '<div class="facts" style="line-height:1.9;">' + "".join(rows) + "</div>"


def backend_label(backend: str) -> str:
    """The backend a result came from, in the page's words; 'offline' stays visible as is."""
    if backend == "offline":
        return "离线改写（offline）"
    if backend.startswith("llm:"):
        return f"模型改写（{backend.removeprefix('llm:')}）"
    return backend


FALLBACK_BACKEND_STATUS = "离线改写（未配置模型）"
FORCED_OFFLINE_STATUS = "离线改写（已强制离线）"


def backend_status(force_offline: bool = False) -> str:
    """The sidebar line: which backend `rewrite` will use (`describe_backend` of the rewrite
    settings, where it exists). Never shows a key."""
    try:
        from assistant.rewriting.settings import describe_backend

        return str(describe_backend(force_offline=force_offline))
    except Exception:  # not there yet, or a broken configuration: the page still has to open
        pass
    if force_offline:
        return FORCED_OFFLINE_STATUS
    if not os.environ.get("OPENAI_API_KEY"):
        return FALLBACK_BACKEND_STATUS
    return "模型改写（已配置 OPENAI_API_KEY）"


# --- the chat question ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatQuestion:
    """What a chat question asks about: the message (may be "" — then 「这条」 is the draft) and the
    channel named in the question, if any."""

    message: str
    channel: Channel | None
    wrapper: str = ""  # the question words around the message


# Words that make a sentence a question about sending, not part of the message.
_CUE = re.compile(
    r"(?:能|可以|可不可以|能不能|能否|是否|可否|适合|适不适合|合适|方便|好)\s*(?:直接)?\s*"
    r"(?:发|转发|转|说|贴|群发|回复|回)"
    r"|(?:发|转|说|贴|回)[^，。,.!！\n]{0,10}(?:吗|么|嘛|不|没问题|行不行|合适|妥|可以)"
    r"|帮(?:我|忙)?(?:看看|看下|看一下|检查|查查|查一下|把关|瞅瞅)"
    r"|(?:看看|检查一下|检查)这[条个段句则]"
    r"|有没有问题|有问题吗|妥不妥|妥当吗|合不合适|合适吗|行不行|行吗|可以吗|能行吗"
)
_QUESTION_END = "？?"
_PREFIX = re.compile(
    r"^(?P<wrap>[^\n？?：:，,。！!；;“”\"「」『』]{1,30}?)"
    r"(?P<end>[？?]+[：:]?|[：:]|\n|(?<=[吗么嘛])\s+)\s*"
)
_SUFFIX = re.compile(
    r"(?:^|[。！!？?\n，,；;…~～\s])(?P<wrap>[^\s。！!？?，,；;“”\"「」『』]{1,40}(?:[？?]+|吗|么|嘛))\s*$"
)
_QUOTES = {"「": "」", "“": "”", '"': '"', "『": "』", "‘": "’", "'": "'", "《": "》"}
_QUOTED = re.compile(r"「([^」]+)」|“([^”]+)”|\"([^\"]+)\"|『([^』]+)』")
_STRIP = " \t\r\n:：,，-—–~～"

# Order matters: specific groups before the bare 「群」.
_CHANNEL_WORDS: list[tuple[Channel, re.Pattern[str]]] = [
    (Channel.moments, re.compile(r"朋友圈|动态|微博")),
    (
        Channel.friends_group,
        re.compile(r"(?:亲友|亲戚|家族|家人|家庭|同学|朋友|老乡|校友|战友|业主|兴趣)群"),
    ),
    (Channel.sms, re.compile(r"短信")),
    (Channel.private, re.compile(r"私聊|私信|单聊|单独发|点对点|发给(?:他|她|领导|对方|个人)")),
    (Channel.work_group, re.compile(r"群")),
]


def channel_in(words: str) -> Channel | None:
    for channel, pattern in _CHANNEL_WORDS:
        if pattern.search(words):
            return channel
    return None


_ONLY_POINTING = re.compile(
    r"^(?:请问|你好|您好|麻烦)?[，,]?(?:这|那|下面|以下|如下)?(?:条|个|段|句|则|样|么)?"
    r"(?:消息|内容|话|通知|文字|草稿)?[，,。.]?$"
)


def _unquote(text: str) -> str:
    text = text.strip(_STRIP)
    while len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        inner = text[1:-1].strip(_STRIP)
        if not inner:
            break
        text = inner
    return "" if _ONLY_POINTING.match(text) else text


def parse_question(question: str) -> ChatQuestion:
    """Read the message out of 「这条能发群里吗？……」, 「……这样发朋友圈合适吗？」, 「帮我看看：“……”」.

    The question words may come before the message (ending in ？ or ：), after it (a last sentence
    ending in ？ or 吗), or around a quoted message. The channel is inferred from the question words
    only, never from the message. A text with no question words is the message itself."""
    text = question.strip()
    if not text:
        return ChatQuestion("", None)

    # Around a quoted message: 这条能发群里吗“明天开会”  /  “明天开会”这样发群里行吗
    quoted = [m for m in _QUOTED.finditer(text)]
    if quoted:
        longest = max(quoted, key=lambda m: m.end() - m.start())
        outside = (text[: longest.start()] + " " + text[longest.end() :]).strip(_STRIP)
        if outside and _CUE.search(outside) and len(outside) <= 60:
            inner = next(g for g in longest.groups() if g is not None)
            return ChatQuestion(_unquote(inner), channel_in(outside), outside)

    # Question first: 这条能发群里吗？明天开会……
    m = _PREFIX.match(text)
    if m and _CUE.search(m.group("wrap")):
        wrapper = m.group("wrap").strip()
        rest = text[m.end() :]
        return ChatQuestion(_unquote(rest), channel_in(wrapper), wrapper)

    # Question last: 明天开会……这样发工作群行吗？
    m = _SUFFIX.search(text)
    if m and _CUE.search(m.group("wrap")):
        wrapper = m.group("wrap").strip()
        rest = text[: m.start("wrap")]
        return ChatQuestion(_unquote(rest), channel_in(wrapper), wrapper)

    # The whole text is a question with no message: 这条能发群里吗？
    if _CUE.search(text) and text[-1] in _QUESTION_END and len(text) <= 40:
        return ChatQuestion("", channel_in(text), text)

    return ChatQuestion(_unquote(text), None)


def chat_target(parsed: ChatQuestion, draft: str) -> str:
    """The text a chat question is about: its own message, or else (「这条」) the draft on the page."""
    return parsed.message or draft.strip()


CHAT_NEEDS_TEXT = "没看到要检查的内容：请把消息一起发来，例如「这条能发群里吗？明天下午三点开会」，或先把草稿粘贴到上面的输入框。"


def chat_intro_html(channel: Channel, inferred: bool, text: str) -> str:
    """The first line of a chat answer: which text and channel were judged (both escaped)."""
    source = "按你问的" if inferred else "按页面设置的"
    preview = text if len(text) <= 60 else text[:60] + "…"
    return (
        f'<div class="chat-intro">{source}「{escape_text(CHANNEL_LABELS[channel])}」判断：'
        f'<span style="color:#5f6368;">{escape_text(preview)}</span></div>'
    )


def chat_reasons_html(report: Report, text: str, clauses: Mapping[str, tuple[str, str]]) -> str:
    if not report.findings:
        return '<div class="chat-reasons">没有发现问题，可以直接发。</div>'
    return '<div class="chat-reasons">' + findings_html(report, text, clauses) + "</div>"
