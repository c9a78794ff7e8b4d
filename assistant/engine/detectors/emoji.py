"""Emoji and WeChat sticker codes ([捂脸], [旺柴]) beyond what a work message can carry."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.engine.detectors.base import Hit
from assistant.engine.normalize import LazyPattern

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings
if TYPE_CHECKING:
    from assistant.engine.document import Document
    from assistant.engine.rule import RuntimeRule

_PICTO = (
    "\U0001f000-\U0001faff"  # emoticons, symbols and pictographs, supplemental symbols
    "\u2600-\u27bf"  # miscellaneous symbols, dingbats
    "\u2b50\u2b55\u2b1b\u2b1c\u231a\u231b\u23e9-\u23fa\u3030\u303d\u3297\u3299"
)
_MODIFIERS = "\u200d\ufe0f\ufe0e\U0001f3fb-\U0001f3ff\u20e3"
EMOJI_PATTERN = f"[{_PICTO}][{_MODIFIERS}]*(?:\u200d[{_PICTO}][{_MODIFIERS}]*)*"
EMOJI = LazyPattern(EMOJI_PATTERN)
_ANY = LazyPattern(f"[{_PICTO}]")


class EmojiOveruse:
    PARAMS = "EmojiParams"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule
        self.params = rule.params
        names = "|".join(re.escape(n) for n in sorted(self.params.stickers, key=len, reverse=True))
        unit = f"(?:{EMOJI_PATTERN}|\\[(?:{names})\\])"
        # One run: emoji and stickers side by side, spaces allowed between them.
        self.run = LazyPattern(f"{unit}(?:\\s*{unit})*")
        self.unit = LazyPattern(unit)

    def detect(self, doc: Document) -> Iterator[Hit]:
        text = doc.raw
        if "[" not in text and _ANY.search(text) is None:
            return  # no emoji, no sticker code: the run pattern (~3 ms to compile) is not needed
        runs = list(self.run.finditer(text))
        if not runs:
            return
        count = sum(len(self.unit.findall(m.group())) for m in runs)
        if count < self.params.threshold:
            return
        for m in runs:
            yield Hit(self.rule.index, m.start(), m.end(), {"count": str(count)})


def strip_emoji(text: str) -> str:
    """Remove emoji (not sticker codes); used by the offline rewriter."""
    return EMOJI.sub("", text)


DETECTORS = {"overuse": EmojiOveruse}
