"""Who writes: the signature the user gave, else the one the draft names — 「我是办公室小吴」,
「县农业农村局张国华通知：」, a signature line at the end — written as 「单位 姓名」."""

from __future__ import annotations

import re

from assistant.rewriting.writer.labeller import Labelled, is_date_line

PHONE = re.compile(
    r"[\s，,：:（(]*(?:电话|手机|联系电话)?[：:\s]*(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}[）)]?"
)
_SELF = re.compile(r"(?:我是|我系|本人是?)(?P<who>[^，,。！？!?\s：:]{2,20})")
_NOTICE = re.compile(r"^(?P<who>[^，,。！？!?\s：:]{2,20}?)(?:通知|提醒|公告|告知|特此通知)[：:]")
_ORG_END = re.compile(
    r"^(?P<org>.*(?:办公室|办|局|处|科|室|部|委|所|站|院|校|中心|队|会|组|村|社区|街道|公司|厅|镇|乡|县|市|区|支部|党委|政府|医院|"
    r"学校|小学|中学|幼儿园|银行|支行|分行|工会|团委|妇联|供电所|派出所|卫生院))\s*(?P<name>[\u4e00-\u9fff]{1,4}|[A-Za-z]{2,12})?$"
)


def from_draft(labelled: list[Labelled]) -> str | None:
    """The sender the draft itself names, if any (as 「单位 姓名」)."""
    for item in labelled:
        text = item.clause.text.strip()
        m = _SELF.search(text) or _NOTICE.search(text)
        if m:
            return tidy(m.group("who"))
    signed = [k for k, i in enumerate(labelled) if i.label == "sender"]
    signed = [k for k in signed if not is_date_line(labelled[k].clause.text)]
    if signed:
        # The signing clauses side by side on the last line (「县住建局 」「何永强」) sign together.
        last = signed[-1]
        first = last
        while first - 1 in signed and "\n" not in labelled[first - 1].clause.text:
            first -= 1
        return tidy("".join(i.clause.text for i in labelled[first : last + 1]))
    return None


def date_of(labelled: list[Labelled]) -> str | None:
    """The date the draft signs off with (「2015年9月24日」 after the unit), if any."""
    if labelled and labelled[-1].label == "sender" and is_date_line(labelled[-1].clause.text):
        return labelled[-1].clause.text.strip(" \n。.—-")
    return None


def tidy(who: str) -> str:
    """「党政办小刘 13937561208」 → 「党政办 小刘」; a bare name or unit stays as it is."""
    who = PHONE.sub("", who)
    who = re.sub(r"^(?:[—\-–]+|以上|落款[：:])", "", who.strip())
    who = who.strip(" ，,。！？!?：:～~\n")
    m = _ORG_END.match(who)
    if m and m.group("name") and m.group("org"):
        return f"{m.group('org')} {m.group('name')}"
    return who
