"""The intended send time, as users give it: `HH:MM`, an ISO date-time, or nothing.

Times are wall-clock in Asia/Shanghai; a bare `HH:MM` means today there, which is what a user
typing 「23:10」 before sending means.
"""

from __future__ import annotations

from datetime import datetime, time

from assistant.inputs import InputError

TZ_NAME = "Asia/Shanghai"


def now_local() -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(TZ_NAME)).replace(tzinfo=None)


def parse_when(value: datetime | time | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, time):
        return datetime.combine(now_local().date(), value)
    text = str(value).strip()
    try:
        if len(text) <= 5 and ":" in text:
            hh, mm = text.split(":")
            return datetime.combine(now_local().date(), time(int(hh), int(mm)))
        return _local(datetime.fromisoformat(text))
    except ValueError:
        raise InputError(
            f"发送时间「{text}」格式不对：请用 HH:MM（如 23:10）或 2026-11-24 23:10。"
        ) from None


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(TZ_NAME)).replace(tzinfo=None)
