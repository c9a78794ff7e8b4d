"""The offline rewriter: deterministic, no network, the embedded default and the last fallback.

It cannot paraphrase, so it does not try: it removes what the guideline says to remove (pings,
fillers, emoji, repeated sentences, instructions aimed at a model), keeps every remaining clause
verbatim (so every fact survives by construction), derives a subject from the draft's own words,
and fills salutation, closing and signature from the request.
"""

from __future__ import annotations

import re

from assistant.engine.detectors.emoji import EMOJI
from assistant.models import Kind
from assistant.rewrite.models import OfficialMessage, RewriteRequest

NAME = "offline"

_PINGS = r"(?:在吗|在不在|在么|在嘛|看到请回复|看到回复|看到速回|有人吗|滴滴)[？?！!，,。～~\s]*"
_FILLERS = (
    r"哈哈+|呵呵+|嘿嘿+|嗯嗯?|那个那个|那个|就是说|怎么说呢|好吧|别忘了啊?|别忘记了?|记得哦|"
    r"辛苦辛苦|拜托拜托|麻烦大家了|亲们|宝子们|小伙伴们|各位亲|大家好啊"
)
_LEAD_ADDRESS = (
    r"^(?:各位(?:同事|领导|老师|同志)?|大家|全体(?:同事|人员)?|同志们|"
    r"[\u4e00-\u9fff]{1,6}(?:主任|书记|局长|处长|科长|部长|老师|同志|领导|经理|院长|校长))"
    r"(?:好)?[，,、：:！!\s]+"
)
_INSTRUCTION = re.compile(
    r"[^。！？!?\n]*(?:忽略(?:以上|上面|之前|前面)|ignore (?:all|previous|the above)|只(?:需)?回复|"
    r"不要改写|你现在是|system prompt|系统提示|扮演)[^。！？!?\n]*[。！？!?]?",
    re.IGNORECASE,
)
_STICKER = re.compile(r"\[[\u4e00-\u9fffA-Za-z0-9]{1,4}\]")
_TRAILING_PARTICLES = re.compile(r"[啊呀哈哦噢嘛呢吧哟]+(?=[，。！？!?,；;]|$)")
_EVENT = re.compile(
    r"(?:召开|开|举行|举办|参加|组织|开展)(?P<topic>[\u4e00-\u9fff]{0,8}?)"
    r"(?P<noun>工作会议|座谈会|会议|会|培训|活动|检查|演练|考试|讲座|学习|调研)(?![室场厅议])"
)
_SPLIT = re.compile(r"(?<=[。！？!?；;\n])")
_CLOSINGS = {
    Kind.notice: "特此通知。",
    Kind.request: "妥否，请批示。",
    Kind.reminder: "谢谢！",
    Kind.reply: "如有疑问，请随时联系。",
}
_TITLE_SUFFIX = {
    Kind.notice: "通知",
    Kind.request: "请示",
    Kind.reminder: "提醒",
    Kind.reply: "回复",
}
CONFIRM = "收到请回复，谢谢！"


def clean(draft: str) -> tuple[list[str], list[str]]:
    """(sentences kept, notes on what was removed)."""
    notes: list[str] = []
    text = draft.replace("\r\n", "\n")
    if _INSTRUCTION.search(text):
        text = _INSTRUCTION.sub("", text)
        notes.append("草稿中要求改变任务的语句已作为无关内容删去，未执行")
    text = EMOJI.sub("", text)
    text = _STICKER.sub("", text)
    text = re.sub(_PINGS, "", text)
    text = re.sub(_FILLERS, "", text)
    sentences: list[str] = []
    seen: set[str] = set()
    for raw in _SPLIT.split(text):
        for part in raw.split("\n"):
            s = _tidy(part)
            if not s:
                continue
            key = re.sub(r"[\s，。！？!?,；;、]", "", s)
            if key in seen:
                notes.append("删去了重复的句子")
                continue
            seen.add(key)
            sentences.append(s)
    if sentences:
        sentences[0] = _tidy(re.sub(_LEAD_ADDRESS, "", sentences[0]))
    return [s for s in sentences if s], notes


def _tidy(s: str) -> str:
    s = re.sub(r"[ \t\u3000]+", " ", s).strip(" ，,、；;：:")
    s = _TRAILING_PARTICLES.sub("", s)
    s = re.sub(r"[，,]{2,}", "，", s)
    s = re.sub(r"[！!]{2,}", "！", s)
    s = re.sub(r"[？?]{2,}", "？", s).strip(" ，,、")
    if not re.sub(r"[\W_]", "", s):
        return ""
    if s and s[-1] not in "。！？!?；;":
        s += "。"
    return s.rstrip("；;") if s.endswith(("；", ";")) else s


def subject(sentences: list[str], kind: Kind) -> str:
    suffix = _TITLE_SUFFIX[kind]
    text = "".join(sentences)
    m = _EVENT.search(text)
    if m and kind in (Kind.notice, Kind.reminder):
        noun = "会议" if m.group("noun") == "会" else m.group("noun")
        topic = m.group("topic")
        verb = (
            "召开"
            if noun.endswith("会议") or noun == "座谈会"
            else "开展"
            if noun in ("检查", "调研", "学习", "活动")
            else "举行"
        )
        return f"关于{verb}{topic}{noun}的{suffix}"
    head = re.split(r"[，。！？!?；;,]", sentences[0])[0] if sentences else ""
    head = re.sub(r"^(?:请|麻烦|烦请|想|我想|我们)+", "", head)
    if 2 <= len(head) <= 16:
        return f"关于{head}的{suffix}"
    return {
        Kind.notice: "工作通知",
        Kind.request: "工作请示",
        Kind.reminder: "工作提醒",
        Kind.reply: "工作回复",
    }[kind]


def generate(
    request: RewriteRequest, draft: str | None = None
) -> tuple[OfficialMessage, list[str]]:
    """The structured message for `draft` (already masked, if it went through the vault)."""
    sentences, notes = clean(request.draft if draft is None else draft)
    if not sentences:
        sentences = ["（草稿中没有可保留的内容，请补充要通知的事项。）"]
        notes.append("草稿只有寒暄、表情或无关指令，没有可改写的事项")
    closing = _CLOSINGS[request.kind]
    if request.important:
        closing = (
            CONFIRM if request.kind in (Kind.reminder, Kind.reply) else f"{closing}\n{CONFIRM}"
        )
    message = OfficialMessage(
        subject=subject(sentences, request.kind),
        salutation=request.audience or "各位同事",
        points=sentences,
        closing=closing,
        signature=request.sender,
        date=None,
    )
    return message, notes
