"""The fixed vocabulary of the contract: categories, severities, verdicts, channels, kinds.

DESIGN.md fixes these slugs; other tools parse them from the CLI JSON, so they are spelled out
once, here. This module imports nothing heavy: the `check` path (CLI start-up in tens of
milliseconds) uses it without pydantic, which only the library's typed models need.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Category(StrEnum):
    # red lines
    political_commentary = "political_commentary"
    rumor = "rumor"
    vote_buying = "vote_buying"
    red_packet = "red_packet"
    vulgar = "vulgar"
    chain_message = "chain_message"
    privacy = "privacy"
    secret = "secret"
    gossip = "gossip"
    advertising = "advertising"
    inducement = "inducement"
    # etiquette and timing
    screenshot = "screenshot"
    off_topic = "off_topic"
    empty_ping = "empty_ping"
    emoji_overuse = "emoji_overuse"
    off_hours = "off_hours"
    # format of an official message
    missing_salutation = "missing_salutation"
    missing_subject = "missing_subject"
    missing_closing = "missing_closing"
    missing_signature = "missing_signature"
    verbose = "verbose"

    @property
    def is_format(self) -> bool:
        return self in FORMAT_CATEGORIES


RED_LINE_CATEGORIES = (
    Category.political_commentary,
    Category.rumor,
    Category.vote_buying,
    Category.red_packet,
    Category.vulgar,
    Category.chain_message,
    Category.privacy,
    Category.secret,
    Category.gossip,
    Category.advertising,
    Category.inducement,
)

FORMAT_CATEGORIES = frozenset(
    {
        Category.missing_salutation,
        Category.missing_subject,
        Category.missing_closing,
        Category.missing_signature,
        Category.verbose,
    }
)

CATEGORY_LABELS: dict[Category, str] = {
    Category.political_commentary: "妄议中央",
    Category.rumor: "造谣传谣",
    Category.vote_buying: "拉票贿选",
    Category.red_packet: "收送红包",
    Category.vulgar: "低俗内容",
    Category.chain_message: "诅咒式转发",
    Category.privacy: "个人隐私",
    Category.secret: "涉密信息",
    Category.gossip: "八卦消息",
    Category.advertising: "广告推销",
    Category.inducement: "诱导转发",
    Category.screenshot: "滥用截屏",
    Category.off_topic: "与工作无关",
    Category.empty_ping: "空泛开场",
    Category.emoji_overuse: "表情过多",
    Category.off_hours: "发送时间",
    Category.missing_salutation: "缺少称谓",
    Category.missing_subject: "首句未点题",
    Category.missing_closing: "缺少尾语",
    Category.missing_signature: "缺少署名",
    Category.verbose: "冗长重复",
}


class Severity(StrEnum):
    info = "info"
    revise = "revise"
    block = "block"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


SEVERITY_LABELS: dict[Severity, str] = {
    Severity.info: "仅提示",
    Severity.revise: "修改后再发",
    Severity.block: "不要发",
}

_SEVERITY_RANK = {Severity.info: 0, Severity.revise: 1, Severity.block: 2}


class Verdict(StrEnum):
    ok = "ok"
    revise = "revise"
    block = "block"


VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.ok: "可以发",
    Verdict.revise: "修改后再发",
    Verdict.block: "不要发",
}


class Channel(StrEnum):
    work_group = "work_group"
    moments = "moments"
    private = "private"
    friends_group = "friends_group"
    sms = "sms"


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.work_group: "工作群",
    Channel.moments: "朋友圈",
    Channel.private: "私聊",
    Channel.friends_group: "亲友群",
    Channel.sms: "短信",
}


class Kind(StrEnum):
    notice = "notice"
    request = "request"
    reminder = "reminder"
    reply = "reply"


KIND_LABELS: dict[Kind, str] = {
    Kind.notice: "通知",
    Kind.request: "请示",
    Kind.reminder: "提醒",
    Kind.reply: "回复",
}


def verdict_of_severities(severities: Iterable[Severity]) -> Verdict:
    """DESIGN.md: block beats revise beats ok; info findings never move the verdict."""
    worst = max((s.rank for s in severities), default=0)
    return (Verdict.ok, Verdict.revise, Verdict.block)[worst]
