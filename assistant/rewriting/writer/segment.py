"""Splitting a draft into clauses: the pieces between commas, stops and line breaks, each keeping
the marks that end it, so that joined they give back the draft exactly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from assistant.engine.detectors.emoji import EMOJI_PATTERN

# A space between Chinese words cuts text typed without punctuation (「明天上午开会 地点三楼」),
# but not a role from its name or a unit from its person (「带班 赵书记」, 「党政办 小何」).
_BREAK_PATTERN = (
    r"[，,。！？!?；;\n]+[ \t　]*|[…]{1,2}"
    r"|(?<=[\u4e00-\u9fff]{3})[ \u3000]+(?=[\u4e00-\u9fff]{3})"
    # 「各位～明天上午9点」: a tilde after an address or a particle is a chatty comma; between
    # numbers or days (「8点～10点」, 「周一～周五」) it is a range and stays.
    r"|(?:(?<=各位|大家|院长|主任|老师|书记|局长|科长|处长|校长|经理|领导|同事|同学|师傅)"
    r"|(?<=[们好啦呀哈哦嘛呢吧总]))[～~]+"
    # 「现场有师傅教～ 工会 韩冰」: a tilde and a space end a clause wherever they stand.
    r"|[～~]+(?=[ \t\u3000])"
    # 「端午放假安排来啦🎉6月8日」: in chat an emoji ends a clause.
    f"|(?:{EMOJI_PATTERN})+[ \t\u3000]*"
)


@cache
def _break() -> re.Pattern[str]:
    """The marks that end a clause, and a clause-ending particle run into the next word
    (「各科室注意啦明天上午9点」; `clause_end_particles` in `rules/writing.yaml`): particles that
    end a sentence and are never inside a word (「啦啦队」 stays whole)."""
    from assistant.rewriting.writer.wording import vocabulary

    ends = "".join(vocabulary()["clause_end_particles"])
    run_on = f"|(?<=[^{ends}][{ends}])(?![{ends}])(?=[\u4e00-\u9fff\\d])"
    return re.compile(_BREAK_PATTERN + run_on)


# 「各位乡亲～冬至快到了」: a tilde after the address that opens a line ends the address.
_ADDRESS_TILDE = re.compile(r"^[ \t]*各[\u4e00-\u9fff、]{1,10}?[～~]+", re.M)
# A colon ends a clause (「各位老师：」, 「情况是这样的：」) unless what precedes it is a field name
# (「时间：1月16日」, 「联系人：」) or a clock time (「10:30」).
_COLON = re.compile(r"(?<!\d)[：:]|[：:](?!\d)")
_SEGMENT = re.compile(r"[^，,。！？!?；;\n：:]*$")
_FIELDS = re.compile(
    r"^(?:时间|時間|地点|地點|内容|內容|要求|电话|電話|联系人|聯繫人|联系|人员|人員|对象|對象|材料|备注|備註|节目|彩排|"
    r"议程|主题|事由|说明|范围|方式|截止|日期|邮箱|地址|费用|金额|名单|时长|报名)$"
)
# A greeting ends a clause even without a mark after it (「各位老师大家好～本学期运动会定了」):
# whom it addresses goes to the salutation, the matter stays in the body.
_GREETING = re.compile(
    r"(?:大家好|您好|你好|们好|新年好|早上好|上午好|中午好|下午好|晚上好)[呀啊哈哦]?[～~]*(?![\s，,。！？!?；;：:、～~)）]|$)"
)
LONG = 16  # a stretch without punctuation longer than this is cut where the boundary model says
# Characters per mark above which a draft reads as typed without punctuation (voice input). On
# the annotated drafts, voice input has 42 or more for 95 of 100 drafts and every other register
# 20 or fewer for 99 of 100, so the two do not meet.
SPOKEN = 25
_MARK = re.compile(r"[，,。！？!?；;\n、：:]")


def spoken(draft: str) -> bool:
    """Is the draft typed without punctuation? There, a cut the boundary model makes is a pause
    the message writes as a comma; in a punctuated draft the writer left the run unbroken on
    purpose (「整体进度大概是完成了投资的65%」), so a cut there only separates what the
    labeller reads and the message joins it back as written."""
    return len(draft) / (len(_MARK.findall(draft)) + 1) > SPOKEN


@dataclass(frozen=True, slots=True)
class Clause:
    start: int
    end: int
    text: str
    spoken: bool = False  # from a draft typed without punctuation (`spoken`)
    model_cut: bool = False  # it ends where the boundary model cut, with no mark of the draft's


# A web address is one piece: its 「:」 and 「/」 never cut it.
_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9._~:/?#@!$&*+=%-]+", re.IGNORECASE)


def clauses(draft: str) -> list[Clause]:
    urls = [m.span() for m in _URL.finditer(draft)]
    cuts = {0, len(draft)}
    cuts.update(m.end() for m in _break().finditer(draft))
    cuts.update(m.end() for m in _GREETING.finditer(draft))
    cuts.update(m.end() for m in _ADDRESS_TILDE.finditer(draft))
    for m in _COLON.finditer(draft):
        if any(s <= m.start() < e for s, e in urls):
            continue
        segment = _SEGMENT.search(draft[: m.start()]).group()
        line = draft[: m.start()].rsplit("\n", 1)[-1]
        # 「各位老师：」 heads its line; 「时间：」 names a field and stays with its value.
        if len(segment.strip()) > 4 or (
            segment == line and len(line.strip()) > 1 and not _FIELDS.match(segment.strip())
        ):
            cuts.add(m.end())
    points = sorted(cuts)
    model = set(_model_cuts(draft, points)) - set(points)
    points = sorted(set(points) | model)
    voiced = spoken(draft)
    out = []
    for s, e in pairwise(points):
        if draft[s:e].strip():
            out.append(Clause(s, e, draft[s:e], voiced, e in model))
        elif out:  # whitespace alone joins the clause before it
            last = out[-1]
            out[-1] = Clause(last.start, e, draft[last.start : e], voiced, e in model)
    return out


def _model_cuts(draft: str, points: list[int]) -> list[int]:
    """Cuts inside long runs of text typed without punctuation, where the boundary model
    (`models/boundaries.json`) is sure enough; never inside a fact, never 4 characters apart."""
    from assistant.rewriting.writer.boundaries import cuts

    out: list[int] = []
    for s, e in pairwise(points):
        if e - s > LONG:
            out += cuts(draft, s, e)
    return out
