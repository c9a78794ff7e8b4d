"""The facts a message must keep: dates, times, places, numbers, phones, document names.

Each fact gets a set of canonical keys, so that different spellings of one value meet: 「下午三点」
and 「15:00」 are both 15:00; 「26号」 meets 「11月26日」 on the day; 「五份」 is 「5份」. A fact of the draft
is kept when one of its keys appears among the output's keys; an output fact is added (invented)
when none of its keys appears in the draft.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)"


def to_number(text: str) -> float | None:
    """「26」→26, 「二十六」→26, 「两」→2, 「一百零五」→105; None when it is not a number."""
    text = text.strip()
    if not text:
        return None
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")  # 「3,500」
    try:
        return float(text)
    except ValueError:
        pass
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
        else:
            return None
    return float(total + section + (digit or 0))


def _n(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if value == int(value) else str(value)


@dataclass(frozen=True, slots=True)
class Fact:
    """A value a message must keep. `keys` are what it offers when found in an output (「11月26日」
    offers its month-day and its day, so it keeps a draft's 「26号」); `needs` are what an output
    must offer to keep it (「11月26日」 needs its month-day: 「12月26日」 does not keep it)."""

    kind: str  # time, date, year, place, number, phone, document, action, status
    text: str  # as written
    keys: frozenset[str]
    needs: frozenset[str] | None = None

    @property
    def required(self) -> frozenset[str]:
        return self.needs if self.needs is not None else self.keys


_PERIODS = {
    "凌晨": 0,
    "早上": 0,
    "早晨": 0,
    "上午": 0,
    "中午": 12,
    "下午": 12,
    "傍晚": 12,
    "晚上": 12,
    "晚": 12,
    "夜里": 12,
    "明早": 0,
    "明晚": 12,
    "今晚": 12,
}
_PERIOD = r"(?P<period>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|明早|明晚|今晚|晚)?"
TIME_CN = re.compile(
    _PERIOD + r"\s*(?P<h>\d{1,2}|[零一二两三四五六七八九十]{1,3})\s*[点时](?!钟?前后)"
    r"(?:\s*(?P<m>半|一刻|三刻|\d{1,2}(?=\s*分)|[零一二三四五六七八九十]{1,3}(?=\s*分))\s*分?)?"
)
TIME_COLON = re.compile(_PERIOD + r"\s*(?P<h>[01]?\d|2[0-3])\s*[:：]\s*(?P<m>[0-5]\d)(?!\d)")
DATE_FULL = re.compile(
    r"(?:(?P<y>\d{4}|[零〇一二三四五六七八九]{4})\s*年\s*)?(?P<mo>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号]"
)
DATE_ISO = re.compile(r"(?<!\d)(?P<y>20\d{2})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")
DATE_MONTH = re.compile(
    r"(?<![\d年月])(?P<mo>\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月"
    r"(?!\s*(?:\d|[一二三四五六七八九十]{1,3}\s*[日号]))"
)
DATE_DAY = re.compile(r"(?<!\d)(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号](?![\d])")
# 「说一下下周四」 is 「一下」 then 「下周四」, not the week after next.
WEEKDAY = re.compile(r"(?P<rel>(?<!一)下下|下|本|这|上)?(?:周|星期|礼拜)(?P<w>[一二三四五六日天])")
RELATIVE_DAY = re.compile(r"今天|今日|明天|明日|后天|今晚|明早|明晚|昨天")
# Small talk: a day word in it (「今天天气真好」) is not a date the message must keep, and the
# offline rewriter does not take its title from it.
SMALL_TALK = re.compile(
    r"天气|真好|好热|好冷|下雨了|下雪了|心情|周末愉快|大家好|早上好|早安|晚上好|你好|您好|吃了吗|辛苦了|哈哈|嘿嘿"
)
_CLAUSE_MARKS = "，,。！？!?；;\n"
_CLAUSE_END = re.compile(f"[{_CLAUSE_MARKS}]")
PLACE = re.compile(
    r"(?:(?:\d+|[一二三四五六七八九十]+)\s*(?:号楼|楼|层)\s*)?(?:第(?:\d+|[一二三四五六七八九十]+))?"
    r"(?:大|小|多功能|综合|\d+号)?(?:会议室|报告厅|礼堂|活动室|会议中心|多功能厅|接待室|党员活动室|培训室)"
    r"|(?:\d+|[一二三四五六七八九十]+)\s*(?:号楼|楼)(?:\s*\d{3,4}(?!\d)(?:\s*(?:室|房间))?)?"
    r"|\d{3,4}\s*(?:室|房间)"
)
NUMBER = re.compile(
    rf"(?<![\d.,])(?P<v>{NUM})\s*(?P<mult>万|亿)?\s*(?P<u>元|块钱|份|人次|个人|人|名|个|本|套|台|张|页|次|项|天|"
    r"小时|分钟|分|辆|间|箱|件|位|支|家|所|条|篇|组|批|期|届|%|％|公里|平方米|米|吨|户|周|字|处|亩)"
)
PHONE = re.compile(
    r"(?<!\d)(?:1[3-9]\d(?:[ -]?\d){8}|0\d{2,3}[ -]?\d{7,8}|\d{5,6}(?=\s*(?:热线|服务热线))|(?<=拨打)\d{3,5}|(?<=电话)\s*\d{3,5})(?!\d)"
)
YEAR = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*年")
_VERBS = "携带|带上|带|参加|出席|到场|提交|报送|上交|交|穿|签到|回复|缴纳|缴费|填报|准备"
_VERB_STEM = {
    "携带": "带",
    "带上": "带",
    "上交": "交",
    "缴费": "缴纳",
    "出席": "参加",
    "到场": "参加",
}
# Only an action waived or forbidden is a fact: 「请带材料」 turned into 「不用带材料」 is a changed
# fact, while a writer's 「请准时参加」 for 「别迟到」 adds nothing.
ACTION = re.compile(
    rf"(?P<neg>不用|不必|无需|无须|不要|不需要|不需|不得|不准|禁止|严禁|切勿|请勿|勿|别|莫|甭|免|不)(?:再)?(?P<verb>{_VERBS})"
)
STATUS = re.compile(r"取消|推迟|暂停|延期|改期|作废|停止举办")
_NAME = re.compile(r"[\u4e00-\u9fff]{2,3}")
# A person is named by a common surname (or 小 / 老 and a surname), optionally with a title.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章"
    "鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟"
    "艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎"
    "甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_PERSON = re.compile(
    rf"(?:[小老阿]?[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}|[{_SURNAMES}](?:科长|主任|书记|局长|处长|部长|老师|医生|经理|所长|站长|队长|师傅|总))$"
)
_NOT_NAMES = frozenset(
    {"电话", "手机", "联系", "联系人", "号码", "热线", "咨询", "拨打", "找我", "请找", "办公室"}
)
LONG_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{15,19}[\dXx]?(?![\dA-Za-z])")
DOCUMENT = re.compile(r"《[^《》\n]{1,60}》")


def _hour_keys(period: str | None, hour: float | None, minute: int) -> set[str]:
    if hour is None or hour > 24:
        return set()
    h = int(hour)
    if period is None:
        # 「三点」 alone may be 03:00 or 15:00: either spelling in the output keeps it.
        hours = {h, h + 12} if h < 12 else {h}
    else:
        shift = _PERIODS[period]
        hours = {h + shift if (shift and h < 12) else h}
        if period == "中午" and h in (11, 12):
            hours = {h}
    return {f"T{x % 24:02d}:{minute:02d}" for x in hours}


def _minute(text: str | None) -> int:
    if not text:
        return 0
    if text == "半":
        return 30
    if text == "一刻":
        return 15
    if text == "三刻":
        return 45
    value = to_number(text)
    return int(value) if value is not None and value < 60 else 0


def extract(text: str) -> list[Fact]:
    return [fact for fact, _, _ in located(text)]


def fact_spans(text: str) -> list[tuple[int, int]]:
    """Where the facts of `text` are, in order and never overlapping (「明早」 inside 「明早8点」 is
    one span): the writer never rewords inside them, and cuts the text between them."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted((s, e) for _, s, e in located(text)):
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def located(text: str) -> list[tuple[Fact, int, int]]:
    """Every fact of `text` with its span."""
    facts: list[tuple[Fact, int, int]] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, m: re.Match[str], keys: set[str], needs: set[str] | None = None) -> None:
        if not keys or any(s < m.end() and m.start() < e for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        fact = Fact(kind, m.group().strip(), frozenset(keys), frozenset(needs) if needs else None)
        facts.append((fact, m.start(), m.end()))

    for m in DOCUMENT.finditer(text):
        add("document", m, {"DOC" + re.sub(r"\s+", "", m.group()[1:-1])})
    for m in LONG_NUMBER.finditer(text):
        add("number", m, {"ID" + m.group().upper()})
    for m in PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        # Each phone with its person: 「王强13812345678」 is not kept by 「王强13900000000」.
        names = _names_near(text, m.start(), m.end())
        binds = {f"BIND{digits}@{n}" for n in names}
        before = _name_before(text, m.start())
        needs = {f"BIND{digits}@{before}"} if before else {"TEL" + digits}
        add("phone", m, {"TEL" + digits, *binds}, needs)
    for pattern in (DATE_ISO, DATE_FULL):
        for m in pattern.finditer(text):
            mo, d = to_number(m.group("mo")), to_number(m.group("d"))
            if mo and d and 1 <= mo <= 12 and 1 <= d <= 31:
                full = f"D{_n(mo)}-{_n(d)}"
                # 「2026年11月24日」 is one date; its year must match as well as its day.
                year = {"Y" + _year(m.group("y"))} if m.group("y") else set()
                add("date", m, {full, f"D*-{_n(d)}", *year}, {full})
    for m in YEAR.finditer(text):
        add("year", m, {"Y" + m.group("y")})
    for m in DATE_MONTH.finditer(text):
        mo = to_number(m.group("mo"))
        if mo and 1 <= mo <= 12:
            add("date", m, {f"M{_n(mo)}"})
    for m in DATE_DAY.finditer(text):
        d = to_number(m.group("d"))
        if d and 1 <= d <= 31:
            add("date", m, {f"D*-{_n(d)}"})
    for m in WEEKDAY.finditer(text):
        w = "日" if m.group("w") == "天" else m.group("w")
        rel = {"这": "本", None: ""}.get(m.group("rel"), m.group("rel"))
        add("date", m, {f"W{rel}{w}"})
    for m in RELATIVE_DAY.finditer(text):
        # 「今天天气真好」 is small talk about the day; 「晚上好🌙 明天早上7点半」 greets, then dates.
        around = _clause_around(text, m.start(), m.end())
        if SMALL_TALK.search(around[around.find(m.group()) :]):
            continue
        word = {"今日": "今天", "明日": "明天", "今晚": "今天", "明早": "明天", "明晚": "明天"}.get(
            m.group(), m.group()
        )
        facts.append((Fact("date", m.group(), frozenset({"R" + word})), m.start(), m.end()))
    for pattern in (TIME_COLON, TIME_CN):
        for m in pattern.finditer(text):
            keys = _hour_keys(m.group("period"), to_number(m.group("h")), _minute(m.group("m")))
            add("time", m, keys)
    for m in PLACE.finditer(text):
        add("place", m, _place_keys(m.group()))
    # Whether an action is asked for or waived (「请带材料」 is not 「不用带材料」), and whether the
    # matter still stands (「取消」, 「推迟」 are facts a rewrite must not add).
    for m in ACTION.finditer(text):
        verb = _VERB_STEM.get(m.group("verb"), m.group("verb"))
        facts.append((Fact("action", m.group(), frozenset({f"A-{verb}"})), m.start(), m.end()))
    for m in STATUS.finditer(text):
        facts.append((Fact("status", m.group(), frozenset({"S" + m.group()})), m.start(), m.end()))
    for m in NUMBER.finditer(text):
        value = to_number(m.group("v"))
        unit = {"块钱": "元", "％": "%", "名": "人", "位": "人", "个人": "人"}.get(
            m.group("u"), m.group("u")
        )
        if value is not None:
            # 「8.6万元」 is 「86000元」; 「18万元」 is 「十八万元」.
            value *= {"万": 10_000, "亿": 100_000_000}.get(m.group("mult") or "", 1)
            add("number", m, {f"N{_n(round(value, 6))}{unit}"})
    return facts


def _name_before(text: str, start: int, *, across: bool = False) -> str | None:
    """The person a phone belongs to: the name right before it (「王强13812345678」, 「联系人：
    王强，电话：138……」), if there is one in the same sentence — or, `across`, within a few
    characters whatever stands between (a layout that put the name and the phone on two lines)."""
    window = text[max(0, start - 12) : start]
    if not across:
        window = re.split(r"[。！？!?；;\n]", window)[-1]
    window = re.sub(r"(?:联系电话|电话|手机|联系人|号码|tel|TEL)", "|", window)
    for candidate in reversed(re.split(r"[^\u4e00-\u9fff]+", window)):
        if candidate and candidate not in _NOT_NAMES:
            for size in (4, 3, 2):  # the longest tail that reads as a person
                tail = candidate[-size:]
                if len(tail) == size and _PERSON.fullmatch(tail):
                    return tail
            return None
    return None


def _names_near(text: str, start: int, end: int) -> set[str]:
    """Names a phone is written with in an output: before it, or just after (「138……（王强）」)."""
    out = set()
    for across in (False, True):
        before = _name_before(text, start, across=across)
        if before:
            out.add(before)
    # Only in brackets: after a comma, a name is the next person's (「王强138……，李明139……」).
    after = re.match(r"\s*[（(]([\u4e00-\u9fff]{2,4})[）)]", text[end : end + 8])
    if after and _PERSON.fullmatch(after.group(1)):
        out.add(after.group(1))
    return out


def _place_keys(text: str) -> set[str]:
    """「三楼第二会议室」 is 「3楼第2会议室」; 「5楼501」 is 「5楼501室」 and also room 「501室」."""
    canon = _canon_numerals(re.sub(r"\s+", "", text))
    canon = re.sub(r"(?<=\d)(?:室|房间)$", "", canon)
    keys = {"P" + canon}
    room = re.search(r"楼(\d{3,4})$", canon)
    if room:
        keys.add("P" + room.group(1))
    return keys


def _clause_around(text: str, start: int, end: int) -> str:
    # The last clause end before `start`, found from `start` backwards: a draft with many facts
    # is not read from its beginning for each of them.
    begin = max(text.rfind(mark, 0, start) for mark in _CLAUSE_MARKS) + 1
    after = _CLAUSE_END.search(text, end)
    return text[begin : after.start() if after else len(text)]


def _canon_numerals(s: str) -> str:
    return re.sub(r"[零〇一二两三四五六七八九十]+", lambda m: _n(to_number(m.group())), s)


def compare(draft: str, output: str) -> tuple[list[str], list[str], list[str]]:
    """(kept, missing, added) as the facts are written in the draft (kept, missing) or output.
    Both are read in simplified characters: 「三樓會議室」 is kept by 「三楼会议室」."""
    before, after = extract(_simplified(draft)), extract(_simplified(output))
    out_keys = frozenset().union(*(f.keys for f in after)) if after else frozenset()
    in_keys = frozenset().union(*(f.keys for f in before)) if before else frozenset()
    kept, missing = [], []
    for fact in _unique(before):
        (kept if _keeps(fact, out_keys, after) else missing).append(fact.text)
    return kept, missing, _added(after, in_keys, before)


def _added(after: list[Fact], in_keys: frozenset[str], before: list[Fact]) -> list[str]:
    return [f.text for f in _unique(after) if not _keeps(f, in_keys, before, added=True)]


def added_by(draft: str) -> Callable[[str], list[str]]:
    """For many short outputs of one draft (the title's candidates): what each adds, as
    `compare(draft, output)[2]` says, with the draft read once."""
    before = extract(_simplified(draft))
    in_keys = frozenset().union(*(f.keys for f in before)) if before else frozenset()
    return lambda output: _added(extract(_simplified(output)), in_keys, before)


def _keeps(fact: Fact, keys: frozenset[str], others: list[Fact], *, added: bool = False) -> bool:
    """Is `fact` kept by a text with these keys (and these facts)? A full date is kept by the
    same month and day, or by its day alone when the other text names no other month for it:
    「11月26日」 and 「26号」 are one date, 「11月26日」 and 「12月26日」 are not."""
    years = {k for k in fact.keys if k.startswith("Y")}
    if years and not years & keys and (added or any(k.startswith("Y") for k in keys)):
        # 「2025年」 is not kept by 「2026年」, and a year the draft never gave is invented; a
        # rewrite that writes 「11月30日」 for 「2026年11月30日」 loses nothing.
        return False
    if fact.required & keys:
        return True
    if fact.kind == "phone" and fact.needs is not None and fact.needs != fact.keys:
        # A phone the other text gives to no one is kept by the bare number: only a phone moved
        # from one person to another (「王强138……」 for 「李明138……」) is a changed fact.
        digits = next(iter(fact.needs))[4:].split("@")[0]
        if "TEL" + digits in keys and not any(k.startswith(f"BIND{digits}@") for k in keys):
            return True
    if fact.kind == "date" and fact.needs is not None:
        day = next((k for k in fact.keys if k.startswith("D*-")), None)
        if day in keys:
            full_days = {
                k for f in others if f.needs is not None and f.kind == "date" for k in f.needs
            }
            return not any(k.endswith(day[2:]) for k in full_days)
    return False


_CN_YEAR_DIGITS = str.maketrans("零〇一二三四五六七八九", "00123456789")


def _year(written: str) -> str:
    """「2026」 or 「二〇二六」 as four digits."""
    return written.translate(_CN_YEAR_DIGITS)


def _unique(facts: list[Fact]) -> list[Fact]:
    seen: set[tuple[str, frozenset[str]]] = set()
    out = []
    for f in facts:
        if (f.text, f.keys) not in seen:
            seen.add((f.text, f.keys))
            out.append(f)
    return out


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    return _converter().convert(text)
