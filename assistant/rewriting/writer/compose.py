"""Laying out the message by the conventions of its kind: the point first, then the details as
numbered points (时间 / 地点 / 参加人员 / 材料 / 要求 / 联系人 for a meeting, what to hand in, by
when and how for a 报送通知, the answers for a 回复), each said once, in official wording."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise

from assistant.rewriting import facts
from assistant.rewriting.clause_labels import DROPPED, WITHHELD
from assistant.rewriting.writer import asides_model, points_model, title_model
from assistant.rewriting.writer import sender as senders
from assistant.rewriting.writer.labeller import SECRET, Labelled
from assistant.rewriting.writer.labeller import has_fact as _has_fact
from assistant.rewriting.writer.title import title
from assistant.rewriting.writer.wording import (
    ITEM_MARK,
    char_pairs,
    official,
    opens_point,
    sentence,
    without_point_word,
)
from assistant.vocabulary import Kind

# A detail point opens with its name when the clause does not already say it.
# Only where the clause itself shows what it is (a time, a place, a phone): a heading on a
# clause the model read wrong (「参加人员：行政部」) is worse than none.
HEADS = {
    "time": ("时间", ("时间", "定于", "定在", "于", "请于")),
    "place": ("地点", ("地点", "在", "集合地点")),
    "contact": ("联系人", ("联系", "如有", "有问题", "咨询", "电话")),
}
_SHOWS = {
    "time": re.compile(
        r"\d{1,2}\s*[点时:：]|[上下]午|晚上|早上|\d{1,2}\s*[月日号]|周[一二三四五六日天]"
    ),
    "place": re.compile(r"会议室|报告厅|礼堂|大厅|\d+\s*(?:楼|层|室)|[楼馆院场所站厅]"),
    "contact": re.compile(r"1[3-9]\d{9}|\d{3,4}-\d{7,8}"),
}
# Details of one kind, said one after another, make one point.
_GROUP = {"deadline": "submission"}
_LEAD_LABELS = frozenset({"time", "place", "background"})
_LEAD_AFTER = frozenset({"time", "place", "attendees"})
LEAD_MAX = 60  # characters: a lead longer than this leaves the rest to the points
_LISTED = frozenset({"item", "answer"})
# Details that open a point of their own inside a long run of commas.
_DETAILS = frozenset(
    {"time", "place", "attendees", "materials", "deadline", "submission", "contact", "requirement"}
)
_LEAD_CUES = ("根据", "按照", "按", "依据", "为", "因", "由于", "接", "经")


@dataclass
class Layout:
    subject: str
    salutation: str
    points: list[str]
    signature: str | None
    notes: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # the draft's text left out of the message
    date: str | None = None  # the date the draft signs off with


def _key(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


POSITION_COST = 2.0
TITLE_CANDIDATES = 3  # matter clauses whose words compete for the title


@dataclass
class _Parts:
    """The draft's clauses sorted out: the body to write, whom it addresses, extra contacts."""

    body: list[Labelled]
    salutation: str
    contacts: list[str]
    dropped: bool


def partition(labelled: list[Labelled], audience: str) -> _Parts:
    body: list[Labelled] = []
    contacts: list[str] = []
    salutation = audience
    dropped = False  # chat left out: the opening address, moved to the salutation, is not
    for item in labelled:
        if item.label in WITHHELD:
            continue
        if item.label == "sender":
            # 「镇防汛办 常建国 13598420637」: the signature goes below, the phone stays a contact.
            phone = senders.PHONE.search(item.clause.text)
            if phone:
                who = senders.tidy(item.clause.text).split(" ")[-1]
                contacts.append(f"联系人：{who}，{phone.group().strip(' ，,：:（()）')}")
            continue
        if _addresses(item, labelled):
            salutation = salutation or _salutation(item.clause.text)
            continue
        if item.label in DROPPED:
            dropped = True
        else:
            body.append(item)
    return _Parts(body, salutation, contacts, dropped)


def _the_point(body: list[Labelled]) -> tuple[Labelled | None, list[str]]:
    """The clause that states the matter, and the candidates a title is taken from. People say
    the matter early: among the clauses read as the matter, an early one with a high score."""
    order_of = {id(i): n for n, i in enumerate(body)}

    def rank(i: Labelled) -> tuple[bool, float]:
        # Each clause later costs as much as two points of the model's matter score (chosen on
        # the training drafts: 0.685 of titles name the matter, 0.661 for the first clause alone).
        return (i.label != "matter", -(i.matter - POSITION_COST * order_of[id(i)]))

    matters = sorted((i for i in body if official(i.text)), key=rank)
    return (matters[0] if matters else None), [i.text for i in matters[:TITLE_CANDIDATES]]


def title_inputs(labelled: list[Labelled]) -> tuple[list[tuple[str, str]], list[str]]:
    """What the title is made from: the draft's clauses (text, label) and the matter clauses,
    best first. The title's training reads the training drafts through this, as the writer does."""
    return [(i.text, i.label) for i in labelled], _the_point(partition(labelled, "").body)[1]


# A clause whose character pairs were this share said already, with no new fact, restates.
RESTATED = 0.8
RESTATED_MIN = 4


def _fact_keys(text: str) -> frozenset[str]:
    found = facts.extract(text)
    return frozenset().union(*(f.keys for f in found)) if found else frozenset()


class _Said:
    """Clauses in official wording, each said once."""

    def __init__(self, notes: list[str]) -> None:
        self.seen: list[str] = []
        self.bigrams: set[str] = set()
        self.keys: frozenset[str] = frozenset()
        self.notes = notes

    def __call__(self, item: Labelled) -> str:
        text = official(item.text)
        key = _key(text)
        if not key:
            return ""
        if any(key == k or (len(key) >= 4 and key in k) for k in self.seen) or self._restates(
            text, key
        ):
            if "重复的内容只保留一次" not in self.notes:
                self.notes.append("重复的内容只保留一次")
            return ""
        self.seen.append(key)
        self.bigrams |= char_pairs(key)
        self.keys |= _fact_keys(text)
        return text

    def _restates(self, text: str, key: str) -> bool:
        """A point said again in other words (「就是想申请22.6万衔接资金」 after 「剩下22.6万想申请
        衔接资金支持」): nearly all its character pairs said already, and no fact that is new."""
        pairs = char_pairs(key)
        if len(pairs) < RESTATED_MIN or not self.bigrams:
            return False
        if len(pairs & self.bigrams) < RESTATED * len(pairs):
            return False
        return _fact_keys(text) <= self.keys


@dataclass
class _Point:
    group: str  # the label of the detail it opened with (deadline and submission are one)
    text: str
    listed: bool = False  # a line of the draft's own list: it keeps its words, unheaded


def _details(rest: list[Labelled], said: _Said, kind: Kind, body: list[Labelled]) -> list[str]:
    """The remaining clauses as points, in the draft's order. A line of the draft's own list
    (or an item it numbers) is a point of its own. Elsewhere the points model
    (`models/points.json`) says how many points the editor would make of the draft's `body`
    (none: prose) and how
    likely each boundary is to stay inside a point; the least likely boundaries start the
    points. Without the model, details of one kind said one after another make one point."""
    kept = [(i, t) for i in rest if (t := said(i))]
    learned = points_model.model()
    draft_shape = shape(body)
    in_list = _list_lines(rest)
    if learned is None:
        return _rule_details(kept, in_list, kind)
    # Pass 1: the forced cuts and joins of the draft's own lists, and the model's probability
    # that each other boundary stays inside a point (with the points it would make greedily).
    steps: list[str | float] = []
    chars, count, marked = 0, 1, False
    for n, (i, text) in enumerate(kept):
        if n == 0:
            steps.append("new")
            marked = _opens_item(i) or id(i) in in_list
            chars = len(text)
            continue
        previous = kept[n - 1][0]
        if _opens_item(i) or (
            (id(i) in in_list) != (id(previous) in in_list)
            or (id(i) in in_list and _ends(previous))
        ):
            step: str | float = "new"
        elif marked and id(i) in in_list:
            step = "list"
        elif previous.clause.model_cut and not previous.clause.spoken:
            step = KEEP  # a run the draft's writer left unbroken is never cut into points
        else:
            step = learned.joins(
                boundary(
                    previous,
                    i,
                    chars,
                    kind.value,
                    points_before=count,
                    draft_shape=draft_shape,
                )
            )
        steps.append(step)
        if step == "new" or (isinstance(step, float) and step < JOIN):
            chars, count = len(text), count + 1
            marked = _opens_item(i) or id(i) in in_list
        else:
            chars += len(text)
    # Pass 2: as many points as the editor would make, cut at the least likely boundaries.
    free = sorted((p, n) for n, p in enumerate(steps) if isinstance(p, float))
    wanted = learned.points(
        points_model.shape_features([(i.clause.text, i.label) for i in body], kind.value)
    )
    forced = sum(1 for p in steps if p == "new")
    cuts = {n for p, n in free[: max(0, wanted - forced)] if p < KEEP} if wanted else set()
    cuts |= {n for p, n in free if p < SURE_CUT}
    points: list[_Point] = []
    for n, (i, text) in enumerate(kept):
        group = _GROUP.get(i.label, i.label)
        if steps[n] == "new" or n in cuts:
            points.append(_Point(group, text, id(i) in in_list))
        elif steps[n] == "list":
            points[-1].text += _list_joint(kept[n - 1][0]) + text
        else:
            points[-1].text += _joint(kept[n - 1][0]) + text
    return _rendered(points, kind)


def _rendered(points: list[_Point], kind: Kind) -> list[str]:
    """Each point as a sentence, headed where its kind wants a heading; when there are several,
    the layout numbers them, so a point drops the draft's own 「一是」, 「第二，」."""
    if len(points) >= 2:
        for p in points:
            p.text = without_point_word(p.text)
    return [sentence(p.text) if p.listed else _headed(p.group, p.text, kind) for p in points]


def _opens_item(item: Labelled) -> bool:
    """Does the clause open an item of the draft's own list (「2、」, 「二是」)?"""
    return bool(ITEM_MARK.match(item.clause.text)) or opens_point(item.clause.text)


# The points model's probability that a boundary stays inside a point: below SURE_CUT it is cut
# whatever the count, above KEEP it is never cut to reach the count, and JOIN is the greedy
# pass's line.
SURE_CUT = 0.2
KEEP = 1.0
JOIN = 0.5


def _rule_details(kept: list[tuple[Labelled, str]], in_list: set[int], kind: Kind) -> list[str]:
    """Without the points model: a sentence is a point, and a long run of commas is cut where
    the detail changes."""
    points: list[_Point] = []
    previous: Labelled | None = None
    marked = False
    for i, text in kept:
        group = _GROUP.get(i.label, i.label)
        if previous is None or _ends(previous) or _opens_item(i):
            points.append(_Point(group, text, id(i) in in_list))
            marked = _opens_item(i) or id(i) in in_list
        elif marked and id(i) in in_list:
            points[-1].text += _list_joint(previous) + text
        elif _splits(previous, group, points[-1], marked):
            points.append(_Point(group, text))
        elif not _marked_end(previous) and previous.label in ("deadline", "time"):
            points[-1].text += text
        else:
            points[-1].text += ("，" if _marked_end(previous) else "") + text
        previous = i
    return _rendered(points, kind)


def _list_joint(previous: Labelled) -> str:
    """What joins the pieces of one line of the draft's own list: its colon, its comma, or
    nothing after a cut the boundary model made."""
    mark = previous.clause.text.rstrip(" \t")[-1:]
    return "：" if mark in "：:" else "，" if _marked_end(previous) else ""


_JOINTS = {"line": "。", "stop": "。", "semi": "；", "colon": "："}


def _joint(previous: Labelled) -> str:
    """What joins the next clause to the point: the draft's own mark (`points_model.mark`; a
    line break or a question mark read as a full stop), or a comma at a cut the boundary model
    made."""
    mark = points_model.mark(previous.clause.text)
    if mark in _JOINTS:
        return _JOINTS[mark]
    if mark == "comma":
        return "、" if previous.clause.text.rstrip(" \t\u3000").endswith("、") else "，"
    # A cut the boundary model made in an unpunctuated run is a pause, save after a time or a
    # deadline that the next words complete (「请各处室周一下班前」+「交到302」).
    return "" if previous.label in ("deadline", "time") else _pause(previous)


def _splits(previous: Labelled, group: str, point: _Point, marked: bool) -> bool:
    """Without the points model: a long run of commas is cut where the detail changes."""
    return (
        group != point.group
        and ((group in _DETAILS and point.group in _DETAILS) or len(point.text) >= 20)
    ) or (group in _LISTED and point.group in _LISTED and not marked)


def shape(body: list[Labelled]) -> tuple[int, int]:
    """The draft's shape as the points model sees it: its kept clauses, and how many kinds of
    detail (time, place, materials, items ...) they give."""
    return len(body), len({i.label for i in body if i.label in _DETAILS | _LISTED})


def boundary(
    previous: Labelled,
    item: Labelled,
    point_chars: int,
    kind: str,
    *,
    points_before: int,
    draft_shape: tuple[int, int],
) -> dict[str, float]:
    """The points model's features at the boundary between two kept clauses: the writer's and
    the training's one definition."""
    return points_model.boundary_features(
        official(previous.text),
        previous.label,
        official(item.text),
        item.label,
        before_raw=previous.clause.text,
        point_chars=point_chars,
        kind=kind,
        facts=(_has_fact(previous.text), _has_fact(item.text)),
        item_mark=bool(ITEM_MARK.match(item.clause.text)),
        points_before=points_before,
        shape=draft_shape,
    )


_LIST_LINE = 60  # characters: a longer line is prose, cut at its details as any sentence


def _list_lines(rest: list[Labelled]) -> set[int]:
    """The clauses of the draft's own list written line by line (a duty roster:
    「正月初一（2月11日）：带班 李副书记，值班 周强、吴倩」): three or more short lines in a row,
    each of which stays one point whatever its commas and colons."""
    lines: list[list[Labelled]] = [[]]
    for i in rest:
        lines[-1].append(i)
        if i.clause.text.rstrip(" \t\u3000").endswith("\n"):
            lines.append([])
    short = [
        len(line) >= 2
        and line[-1].clause.text.rstrip(" \t\u3000").endswith("\n")
        and len("".join(i.clause.text for i in line).strip()) <= _LIST_LINE
        for line in lines
    ]
    out: set[int] = set()
    n = 0
    while n < len(lines):
        m = n
        while m < len(lines) and short[m]:
            m += 1
        if m - n >= 3:
            out.update(id(i) for line in lines[n:m] for i in line)
        n = max(m, n + 1)
    return out


def compose(
    labelled: list[Labelled],
    kind: Kind,
    *,
    audience: str,
    salutation: str,
    suffix: str,
    lead_in: str,
    fallback_title: str,
    topic_lead: str,
) -> Layout:
    from assistant.rewriting.writer.wording import simplified

    notes = withheld_notes(labelled)
    signature = senders.from_draft(labelled)
    parts = partition(labelled, audience)
    if parts.dropped:
        notes.append("删去了寒暄、催促和口头语")
    body = parts.body
    point, candidates = _the_point(body)
    subject = _title(labelled, kind, candidates, suffix, fallback_title)
    body = _strike_asides(body, point, kind, notes)

    # The point first: the matter clause, with the time, place and reason said just before it in
    # the same sentence (「兹定于12月5日上午9时，在五楼会议室召开……」), and the when, where and
    # who said after it in that sentence: a draft that names its topic first (「今年的安规考试，
    # 定在下个月十五号上午九点，在培训中心机房」) leads with the whole of it, not the topic alone.
    lead: list[Labelled] = []
    topic = _topic(point)
    if point is not None and topic:
        lead = [point]  # the topic alone; what it says goes to the points
    elif point is not None:
        j = at = k = body.index(point)
        while j > 0 and body[j - 1].label in _LEAD_LABELS and not _ends(body[j - 1]):
            j -= 1
        size = sum(len(i.text) for i in body[j : at + 1])
        while (
            k + 1 < len(body)
            and not _ends(body[k])
            and (body[k + 1].label in _LEAD_AFTER or _short(body[j : k + 1]))
            and size + len(body[k + 1].text) <= LEAD_MAX
        ):
            k += 1
            size += len(body[k].text)
        lead = body[j : k + 1]
    said = _Said(notes)
    lead_text = _lead_text(lead, point, said)
    details = _details([i for i in body if i not in lead], said, kind, body)
    details += [sentence(c) for c in parts.contacts]
    if len(details) >= 2:
        # 「回复如下」 already leads in; a topic leads in with the kind's words around it
        # (「现就……回复如下：」); otherwise the kind's own words follow the lead.
        if lead_text.endswith("如下"):
            head = lead_text + "："
        elif topic:
            head = topic_lead.format(topic=topic)
        else:
            head = (sentence(lead_text) if lead_text else "") + lead_in
        out = [head, *details]
    elif topic and details:
        out = [topic_lead.format(topic=topic) + "".join(details)]
    else:
        out = ["".join(p for p in [sentence(lead_text) if lead_text else "", *details] if p)]
    if not any(_key(p) for p in out):
        out, notes = _acknowledgement(labelled, notes)
    return Layout(
        subject=subject,
        salutation=parts.salutation or salutation,
        points=out,
        signature=simplified(signature) if signature else None,
        notes=notes,
        withheld=[i.clause.text for i in labelled if i.label in WITHHELD]
        + [p for i in labelled for p in i.removed],
        date=simplified(date) if (date := senders.date_of(labelled)) else None,
    )


def _strike_asides(
    body: list[Labelled], point: Labelled | None, kind: Kind, notes: list[str]
) -> list[Labelled]:
    """The body without the asides an editor strikes (`asides_model`): only where the model is
    sure, never the point, never a clause with a fact in it, never the draft's own item mark
    (「第一，」 starts a point). The notes quote what went, so the
    user can put back what they meant to say."""
    model = asides_model.model()
    if model is None or len(body) < 2:
        return body
    clauses = [(i.text, i.label) for i in body]
    holds_fact = [bool(facts.extract(i.text)) for i in body]
    chances = model.chances(clauses, kind.value, holds_fact)
    struck = [
        i
        for i, p, fact in zip(body, chances, holds_fact, strict=True)
        if p >= model.sure and not fact and i is not point and not _opens_item(i)
    ]
    if not struck:
        return body
    quoted = "、".join(f"「{_key_text(i.text)}」" for i in struck[:ASIDES_QUOTED])
    more = f"等{len(struck)}处" if len(struck) > ASIDES_QUOTED else ""
    notes.append(f"删去了与事项无关的叙述：{quoted}{more}")
    return [i for i in body if not any(i is s for s in struck)]


ASIDES_QUOTED = 3


def _key_text(text: str) -> str:
    return text.strip(" ，,。；;：:、\n")


def _title(
    labelled: list[Labelled], kind: Kind, candidates: list[str], suffix: str, fallback: str
) -> str:
    """The title most of its candidates agree on: the learned titles (`models/titles.json`) at
    several thresholds and the matter clauses reduced to their words (`title.py`)."""
    clauses = [(i.text, i.label) for i in labelled]
    matter = title_model.voted_matter(title_model.model(), clauses, kind.value, candidates, suffix)
    return f"关于{matter}的{suffix}" if matter else title(candidates, suffix, fallback)


def _acknowledgement(labelled: list[Labelled], notes: list[str]) -> tuple[list[str], list[str]]:
    """Only a greeting or an acknowledgement (「收到收到！」 → 「收到！」): that is the message."""
    said = "".join(i.text for i in labelled if i.label not in WITHHELD and i.label != "sender")
    said = re.sub(r"([\u4e00-\u9fff]{2,4})\1+", r"\1", said)
    said = re.sub(r"[\U0001f300-\U0001faff\u2600-\u27bf]", "", said).strip()
    if _key(said):
        return [said], [n for n in notes if n != "删去了寒暄、催促和口头语"]
    withheld = any(i.label in WITHHELD for i in labelled)
    return ["（草稿中没有可保留的事项，请补充要通知的内容。）"], [
        *notes,
        "草稿的内容都不能发出，消息里没有可保留的事项"
        if withheld
        else "草稿只有寒暄、表情或无关内容，没有可改写的事项",
    ]


_SENTENCE_END = ("。", "！", "？", "!", "?", "\n", "；", ";")


def _marked_end(item: Labelled) -> bool:
    return item.clause.text.rstrip(" \t")[-1:] in "，,、；;：:。！？!?\n"


def _pause(item: Labelled) -> str:
    """What follows a clause the draft ends with no mark (a space, an emoji, a particle run into
    the next word, a cut of the boundary model): a comma, save after a cut the boundary model
    made in a punctuated draft, whose writer left the run unbroken (`segment.spoken`)."""
    return "" if item.clause.model_cut and not item.clause.spoken else "，"


def _lead_text(lead: list[Labelled], point: Labelled | None, said: _Said) -> str:
    """The lead as one sentence. Before the point its clauses join as the draft joins them
    (「明天上午九点」「在村部」「开会」 run on); after it, what completes it is set off by a comma
    even where the boundary model cut an unpunctuated run (「开党员大会」，「在二楼会议室」)."""
    if point is None or point not in lead:
        return _join([(i, said(i)) for i in lead])
    at = lead.index(point)
    out = _join([(i, said(i)) for i in lead[: at + 1]])
    for previous, item in pairwise(lead[at:]):
        text = said(item)
        if text:
            joint = (
                "，"
                if _marked_end(previous)
                else ""
                if previous.label in ("time", "place")
                else _pause(previous)
            )
            out += joint + text
    return out


def _join(parts: list[tuple[Labelled, str]]) -> str:
    out = ""
    for n, (_item, text) in enumerate(parts):
        if not text:
            continue
        if out:
            out += "，" if _marked_end(parts[n - 1][0]) else ""
        out += text
    return out


_TOPIC = re.compile(r"^关于(?P<topic>[^，,。；;！？!?]{4,40}?)[，,。：:]?$")


def _topic(point: Labelled | None) -> str:
    """What the point clause names when it only names a topic (「关于您上周问的近视防控工作的
    情况，」 → 「您上周问的近视防控工作的情况」); "" when it says more."""
    if point is None:
        return ""
    m = _TOPIC.match(official(point.text))
    return m.group("topic") if m else ""


def _short(lead: list[Labelled]) -> bool:
    """A lead too short to say the point on its own (「多出来的这8000块，」 is the topic of the
    sentence whose next clause asks for it): it runs on to the end of its sentence."""
    return len(re.findall(r"[\u4e00-\u9fff\d]", "".join(i.text for i in lead))) < SHORT_LEAD


SHORT_LEAD = 12  # characters


def _ends(item: Labelled) -> bool:
    return item.clause.text.rstrip(" \t").endswith(_SENTENCE_END)


def _headed(group: str, text: str, kind: Kind) -> str:
    """A detail point under its name (「参会人员：……」), unless it already names itself."""
    head = HEADS.get(group)
    if (
        head is not None
        and kind in (Kind.notice, Kind.reminder)
        and not text.startswith(head[1])
        and head[0] not in text  # 「值班时间是早上8点」 names itself
        and _SHOWS[group].search(text)
        and len(text) <= 30
    ):
        text = f"{head[0]}：{text}"
    return sentence(text)


def withheld_notes(labelled: list[Labelled]) -> list[str]:
    """What was left out of the message, and why, in the user's words."""
    notes = []
    for reason in sorted({i.why for i in labelled if i.why}):
        if reason == "要求改变任务的语句":
            notes.append("草稿中要求改变任务的语句已删去，未执行")
        elif reason == SECRET:
            # Secrets go by no WeChat or SMS at all, not even one to one (principle-5).
            notes.append(
                "草稿中的涉密内容已从消息中删去：涉密信息不能通过微信、短信发送，请当面传达或走涉密渠道"
            )
        else:
            notes.append(f"草稿中的{reason}不宜群发，已从消息中删去，请一对一发给需要的人")
    return notes


def _addresses(item: Labelled, labelled: list[Labelled]) -> bool:
    """The draft's opening address: a greeting among its first clauses, or a first line that
    lists whom it is for and ends with a colon (「各村（社区）、各站所、卫生院：」)."""
    # Only the first two clauses can address (an identity test: a long draft is not searched).
    at = next((n for n, first in enumerate(labelled[:2]) if first is item), None)
    if at is None:
        return False
    text = item.clause.text.strip()
    if item.label == "greeting":
        return True
    if _has_fact(text):
        return False
    if at == 0 and text.endswith(("：", ":")) and len(text) <= 40:
        return True
    # 「李主任，」 alone in its clause: a form of address as the checker reads one (its salutation
    # patterns, `rules/format.yaml`), whatever the clause model called it.
    # A short line ending in a colon later on is a heading (「有几件事：」), not an address.
    return (
        len(text) <= ADDRESS_MAX
        and not text.endswith(("：", ":"))
        and bool(_address_pattern().match(text))
    )


ADDRESS_MAX = 12


@cache
def _address_pattern() -> re.Pattern[str]:
    from assistant.engine.checker import default_engine

    rule = next(r for r in default_engine().compiled.rules if r.id == "missing-salutation")
    return re.compile("|".join(f"(?:{p})" for p in rule.params.salutation_patterns))


def salutation_of(labelled: list[Labelled]) -> str | None:
    """Whom the draft addresses, from its opening (「各位老師：」 → 「各位老师」), if it has one."""
    for item in labelled[:2]:
        if _addresses(item, labelled):
            found = _salutation(item.clause.text)
            if found:
                return found
    return None


def _salutation(text: str) -> str:
    """「各位老師：」 → 「各位老师」, 「王主任您好，」 → 「王主任」, 「Hi 王校」 → 「王校」."""
    text = official(text)
    text = re.sub(r"^(?:hi|hello|dear|hey|嗨|哈喽)[\s,，]*", "", text, flags=re.IGNORECASE)
    text = re.sub(
        r"^(?:收到|好的|好嘞|好滴|好哒|嗯|哦|ok)+[哈啊呀嗯]*[\s,，]*", "", text, flags=re.IGNORECASE
    )
    # 「各位同事新年好呀提前给大家拜个早年」: whom it addresses ends where the greeting begins.
    greeting = re.search(
        r"[，,\s]*(?:早上|上午|中午|下午|晚上|新年|节日|周末)?(?:您好|你们好|你好|大家好|好呀|好啊|辛苦了)",
        text,
    )
    if greeting and greeting.start() >= 2:
        text = text[: greeting.start()]
    text = re.sub(r"(?:早上|上午|中午|下午|晚上)?(?:您好|你好|大家好|好)$", "", text).strip(
        " ，,：:！!"
    )
    if re.search(r"[A-Za-z]{3,}", text):  # 「Dear colleagues」: the default does better
        return ""
    return text if 2 <= len(text) <= 40 else ""
