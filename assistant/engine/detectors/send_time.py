"""Sending time: work messages outside working hours, and days off.

chinese-calendar knows the official holidays and make-up workdays only for the years it ships
data for (through 2026 in the pinned version); for a later year it raises, and we fall back to
plain weekends and say so in the finding rather than guess or crash.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import lru_cache

from assistant.engine.detectors.base import Hit

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings
if TYPE_CHECKING:
    from assistant.engine.document import Document
    from assistant.engine.rule import RuntimeRule

WEEKDAYS = "一二三四五六日"


class OffHours:
    PARAMS = "HoursParams"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule
        self.params = rule.params
        self._words = [w.lower() for w in self.params.emergency_words]

    def detect(self, doc: Document) -> Iterator[Hit]:
        if doc.when is None:
            return
        t = doc.when.time()
        if self.params.start <= t < self.params.end:
            return
        if self.params.emergency_words:
            # One rule for routine messages (revise) and one for emergencies (a note only).
            text = doc.squeezed.text
            if any(w in text for w in self._words) is not self.params.emergency:
                return
        yield Hit(
            self.rule.index,
            0,
            0,
            {
                "time": doc.when.strftime("%H:%M"),
                "start": self.params.start.strftime("%H:%M"),
                "end": self.params.end.strftime("%H:%M"),
            },
        )


class DayOff:
    PARAMS = "DayOffParams"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule
        self.params = rule.params

    def detect(self, doc: Document) -> Iterator[Hit]:
        if doc.when is None:
            return
        day = doc.when.date()
        status, label = day_off(day)
        if status == "work":
            return
        advice = self.params.day_off
        if status == "unknown":
            # No data for this year: on a weekday we cannot tell whether it is a holiday, and say so.
            advice = self.params.unknown_year.format(year=day.year)
        yield Hit(
            self.rule.index, 0, 0, {"date": f"{day:%m月%d日}", "day": label, "advice": advice}
        )


@lru_cache(maxsize=512)
def day_off(day: date) -> tuple[str, str]:
    """("off" | "work" | "unknown", how to call the day). Years without holiday data fall back to
    weekends ("off", labelled so) and weekdays ("unknown")."""
    import chinese_calendar

    weekday = f"星期{WEEKDAYS[day.weekday()]}"
    try:
        holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        if day.weekday() >= 5:
            return "off", f"{weekday}（{day.year}年法定节假日数据暂缺，仅按周末判断）"
        return "unknown", weekday
    if not holiday:
        return "work", weekday
    if name:
        label = _HOLIDAY_NAMES.get(str(name), str(name))
        return "off", f"{label}假期"
    return "off", weekday


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


DETECTORS = {"off_hours": OffHours, "day_off": DayOff}
