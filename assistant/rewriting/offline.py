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
from assistant.rewriting.facts import SMALL_TALK
from assistant.rewriting.models import OfficialMessage, RewriteRequest

NAME = "offline"

_PINGS = r"(?:在吗|在不在|在么|在嘛|看到请回复|看到回复|看到速回|有人吗|滴滴)[？?！!，,。～~\s]*"
_FILLERS = (
    r"哈哈+|呵呵+|嘿嘿+|嗯+|哦哦|那个啥|那个那个|那个|就是说|怎么说呢|好吧|别忘了啊?|别忘记了?|记得哦|"
    r"辛苦辛苦|拜托拜托|麻烦大家了|亲们|宝子们|小伙伴们|各位亲|大家好啊|哈喽|"
    r"(?:提醒(?:一)?下大家|跟大家说(?:一)?下)(?=[，,。！!：:\s]|$)|^(?:额|哎|嗨|唉)[，,\s]*"
)
# Whole clauses that only clear the throat: 「提醒一下」「跟大家说下」「就这些」「收到收到」.
_THROAT = re.compile(
    r"(?:(?:提醒|通知|说|看|记)(?:一)?下(?:大家)?|提醒|通知|跟大家说(?:一)?下|大家(?:看|记)(?:一)?下|"
    r"注意(?:了|注意)?|重要|就这些|又是我|好消息|好的|好嘞|收到|明白|了解|不好意思(?:打扰了)?|"
    r"打扰(?:一下|了)|想跟您请示个事|各位|大家|大家好|您好|你好)[啊呀哈哦噢嘛吧]*"
)
_ADDRESS = (
    r"(?:各位(?:同事|领导|老师|同志)?|大家|全体(?:同事|人员)?|同志们|"
    r"[\u4e00-\u9fff]{1,6}(?:主任|书记|局长|处长|科长|部长|老师|同志|领导|经理|院长|校长)|"
    r"[\u4e00-\u9fff](?:局|处|科|总))"
)
_GREETING = r"(?:您好|你好|大家好|各位好)[呀啊]?"
# An address or greeting opening the first sentence: the salutation line replaces it.
_LEAD_ADDRESS = re.compile(
    rf"^(?:{_GREETING}[，,！!\s]*)?{_ADDRESS}(?:{_GREETING}|好)?[，,、：:！!\s]+"
    rf"|^{_GREETING}[，,、：:！!\s]+"
    rf"|^{_ADDRESS}(?=您|你)"
)
# The template numbers the points itself: the draft's own item markers go.
_ITEM_MARK = re.compile(
    r"^\s*(?:[-•·*]|\d{1,2}\s*(?:[.．](?!\d)|[、)）])|\d{1,2}\s+(?![\d点时分号日月年周个人份元楼层:：.．])|"
    r"[一二三四五六七八九十]{1,3}\s*、|"
    r"[①②③④⑤⑥⑦⑧⑨⑩]|[(（]\d{1,2}[)）])\s*"
)
_LEAD_NOTICE = re.compile(r"^(?:提醒|通知|注意)[：:]\s*")
_INSTRUCTION = re.compile(
    r"[^。！？!?\n]*(?:忽略(?:以上|上面|之前|前面)|ignore (?:all|previous|the above)|只(?:需)?回复|"
    r"不要改写|你现在是|system prompt|系统提示|扮演)[^。！？!?\n]*[。！？!?]?",
    re.IGNORECASE,
)
# WeChat sticker codes such as 「[旺柴]」, never the vault's placeholders such as 「[电话1]」.
_STICKER = re.compile(r"\[(?!(?:电话|证件号|卡号|编号)\d+\])[\u4e00-\u9fffA-Za-z0-9]{1,4}\]")
_TRAILING_PARTICLES = re.compile(r"[啊呀哈哦噢嘛呢吧哟]+(?=[，。！？!?,；;]|$)")
# 「提醒一下提醒一下」「重要重要重要」「各位各位」: a word said twice in a row is said once.
_STUTTER = re.compile(r"([\u4e00-\u9fff]{2,4})\1+")
_EVENT = re.compile(
    r"(?:召开|开|举行|举办|参加|组织|开展)(?P<topic>[\u4e00-\u9fff]{0,8}?)"
    r"(?P<noun>工作会议|座谈会|会议|会|培训|活动|检查|演练|考试|讲座|学习|调研)(?![室场厅议])"
)
# An action and its object when no event noun names the matter: 「组织义务植树」, 「报送年度总结」.
_ACTION = re.compile(
    r"(?P<verb>组织(?!委员|部)|开展|举行|举办|进行|报送|提交|参加|安排)"
    r"(?P<topic>[\u4e00-\u9fff]{2,8}?)(?=[，。！？!?；;,、\s]|$|的|了)"
)
_SPLIT = re.compile(r"(?<=[。！？!?；;\n])")
_CLAUSE = re.compile(r"[^，,]+[，,]?")
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
# Each must read as a title line to the format rules (rules/format.yaml `title_patterns`).
_FALLBACK_TITLE = {
    Kind.notice: "工作通知",
    Kind.request: "工作请示",
    Kind.reminder: "工作提醒",
    Kind.reply: "关于有关事项的回复",
}
CONFIRM = "收到请回复，谢谢！"


def clean(draft: str) -> tuple[list[str], list[str]]:
    """(sentences kept, notes on what was removed)."""
    notes: list[str] = []
    text = draft.replace("\r\n", "\n")
    if _INSTRUCTION.search(text):
        text = _INSTRUCTION.sub("", text)
        notes.append("草稿中要求改变任务的语句已作为无关内容删去，未执行")
    # An emoji or sticker often stands where a comma would: 「各位😊明天……」.
    text = EMOJI.sub("，", text)
    text = _STICKER.sub("，", text)
    text = re.sub(_PINGS, "", text)
    text = _STUTTER.sub(r"\1", text)
    text = re.sub(_FILLERS, "", text, flags=re.MULTILINE)
    sentences, repeated = _sentences(text, drop_throat=True)
    if not sentences:  # 「收到收到！」 alone: the throat-clearing is the whole message
        sentences, repeated = _sentences(text, drop_throat=False)
    if repeated:
        notes.append("删去了重复的话")
    if sentences:
        first = sentences[0]
        for pattern in (_LEAD_ADDRESS, _LEAD_NOTICE, _LEAD_ADDRESS):
            first = pattern.sub("", first)
        sentences[0] = _tidy(first)
    return [s for s in sentences if s], notes


def _sentences(text: str, *, drop_throat: bool) -> tuple[list[str], bool]:
    """(sentences, whether a repeat was dropped), each clause kept verbatim or not at all."""
    sentences: list[str] = []
    kept: list[str] = []  # keys of the clauses kept so far
    repeated = False
    for raw in _SPLIT.split(text):
        for line in raw.split("\n"):
            clauses = []
            for clause in _CLAUSE.findall(_ITEM_MARK.sub("", line)):
                key = _key(clause)
                if not key or (drop_throat and _THROAT.fullmatch(key)):
                    continue
                if _said_before(key, kept):
                    repeated = True
                    continue
                kept.append(key)
                clauses.append(clause)
            s = _tidy("".join(clauses))
            if s:
                sentences.append(s)
    return sentences, repeated


def _key(clause: str) -> str:
    return re.sub(r"[\s，。！？!?,；;、：:]", "", _TRAILING_PARTICLES.sub("", clause.strip()))


def _said_before(key: str, kept: list[str]) -> bool:
    """The clause is a repeat: said already, word for word or inside a longer clause that keeps
    every fact of it (「达到500分」 after 「11月30日前要达到500分」)."""
    from assistant.rewriting.facts import compare

    for earlier in kept:
        if key == earlier:
            return True
        if len(key) >= 4 and key in earlier and not compare(key, earlier)[1]:
            return True
    return False


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
    m = _ACTION.search(text)
    if m and kind in (Kind.notice, Kind.reminder):
        return f"关于{m.group('verb')}{m.group('topic')}的{suffix}"
    # The first clause that is about the matter, not small talk (「今天天气真好」).
    clauses = [c for c in re.split(r"[，。！？!?；;,]|[：:](?!\d)", text) if c.strip()]
    head = next((c for c in clauses if not SMALL_TALK.search(c)), clauses[0] if clauses else "")
    head = re.sub(r"^(?:我们?|本)(?:科室|科|单位|支部|村|街道|部门)?(?:想|拟|要|准备)?", "", head)
    head = re.sub(
        r"^(?:麻烦|烦请|想|(?:您|你)(?:要|问|让查|让)的|请(?=[\u4e00-\u9fff]{2}))", "", head
    )
    if 2 <= len(head) <= 16:
        return f"关于{head}的{suffix}"
    return _FALLBACK_TITLE[kind]


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
