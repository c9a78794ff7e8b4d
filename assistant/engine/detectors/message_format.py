"""The five basic requirements of an official message, checked on its layout.

These judge structure, not words: where the title, salutation, first sentence, closing and
signature sit. The vocabulary each check relies on (salutation titles, topic words, closings per
kind, signature suffixes) is data in the rule's params; only the reading of the layout is code.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Iterator

from assistant.engine.detectors.base import Hit
from assistant.engine.normalize import LazyPattern

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from assistant.engine.document import Document
    from assistant.engine.rule import RuntimeRule

_SENTENCE = LazyPattern(r"[^。！？!?；;\n]+[。！？!?；;]*")
# For repetition a salutation's colon also ends a clause: 「各位：请准时。」 repeats 「请准时。」
_CLAUSE = LazyPattern(r"[^。！？!?；;\n：:]+[。！？!?；;]*")
_DATE_LINE = LazyPattern(
    r"^\s*(?:\d{4}\s*[年.\-/]\s*)?\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*[日号]?\s*$|^\s*\d{4}年\d{1,2}月\d{1,2}日\s*$"
)
_TRAILING_SIGNOFF = LazyPattern(r"(?:——|--|—|－－)\s*([^，。！？!?：:；;\n]{2,24})\s*$")
_PUNCT = LazyPattern(r"[，。！？!?：:；;,]")


class Line(namedtuple("Line", ("start", "end", "text"))):
    """A non-empty line: its offsets in the text and its stripped content."""

    __slots__ = ()


def lines_of(text: str) -> list[Line]:
    out: list[Line] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(Line(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw)
    return out


def end_anchor(text: str) -> int:
    return len(text.rstrip())


class _Layout:
    """Shared reading of the head of a message: an optional title line, then the salutation."""

    def __init__(self, params: Any) -> None:
        self.title = re.compile("|".join(f"(?:{p})" for p in params.title_patterns))
        self.salutation = re.compile("|".join(f"(?:{p})" for p in params.salutation_patterns))

    def body_lines(self, lines: list[Line]) -> list[Line]:
        if len(lines) > 1 and self.title.search(lines[0].text):
            return lines[1:]
        return lines

    def has_title(self, lines: list[Line]) -> bool:
        return len(lines) > 1 and bool(self.title.search(lines[0].text))

    def salutation_end(self, line: Line) -> int | None:
        m = self.salutation.match(line.text)
        return line.start + m.end() if m else None


class Salutation:
    PARAMS = "LayoutParams"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule
        self.layout = _Layout(rule.params)

    def detect(self, doc: Document) -> Iterator[Hit]:
        body = self.layout.body_lines(lines_of(doc.raw))
        if body and self.layout.salutation_end(body[0]) is None:
            yield Hit(self.rule.index, body[0].start, body[0].start)


class Subject:
    """首句反映主题: a title line, or a first sentence that opens with the matter itself."""

    PARAMS = "SubjectParams"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule
        params = rule.params
        self.layout = _Layout(params)
        self.filler = re.compile("|".join(re.escape(f) for f in params.fillers))
        self.greeting = re.compile(
            "^(?:(?:" + "|".join(re.escape(g) for g in params.greetings) + r")[，,！!。\s]*)+"
            if params.greetings
            else "^$"
        )
        self.topics = params.topic_words

    def detect(self, doc: Document) -> Iterator[Hit]:
        lines = lines_of(doc.raw)
        if not lines or self.layout.has_title(lines):
            return
        body = self.layout.body_lines(lines)
        first = body[0]
        begin = self.layout.salutation_end(first) or first.start
        rest = doc.raw[begin : body[-1].end]
        for m in _SENTENCE.finditer(rest):
            opening = self.greeting.sub("", m.group().strip())
            if not opening.strip("。！？!?；;，, "):
                continue  # 「您好！」 alone is courtesy; the next sentence must carry the subject
            s, e = begin + m.start(), begin + m.end()
            folded = opening.translate(doc.compiled.fold)
            if self.filler.match(opening) or not any(w in folded for w in self.topics):
                yield Hit(self.rule.index, s, e)
            return
        yield Hit(self.rule.index, begin, begin)


class Closing:
    PARAMS = "ClosingParams"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule
        self.params = rule.params

    def detect(self, doc: Document) -> Iterator[Hit]:
        if doc.kind is None:
            return
        spec = doc.compiled.kinds.get(doc.kind)
        wanted = spec.accepted_closings if spec is not None else []
        lines = lines_of(doc.raw)
        tail = " ".join(line.text for line in lines[-self.params.tail_lines :])
        if wanted and not any(w in tail.translate(doc.compiled.fold) for w in wanted):
            at = end_anchor(doc.raw)
            yield Hit(self.rule.index, at, at, {"closing": "」或「".join(wanted[:2])})


class Signature:
    PARAMS = "SignatureParams"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule
        self.params = rule.params

    def detect(self, doc: Document) -> Iterator[Hit]:
        if not self.signed(doc.raw):
            at = end_anchor(doc.raw)
            yield Hit(self.rule.index, at, at)

    def signed(self, text: str) -> bool:
        lines = lines_of(text)
        if lines and _DATE_LINE.match(lines[-1].text):
            lines = lines[:-1]
        if not lines:
            return False
        last = lines[-1].text
        m = _TRAILING_SIGNOFF.search(last)
        if m:
            return True
        if len(lines) < 2 or len(last) > self.params.max_length or _PUNCT.search(last):
            return False
        return not any(w in last for w in self.params.not_signatures)


class TooLong:
    PARAMS = "VerboseParams"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule
        self.params = rule.params

    def detect(self, doc: Document) -> Iterator[Hit]:
        size = sum(1 for ch in doc.raw if not ch.isspace())
        if size > self.params.max_chars:
            yield Hit(
                self.rule.index,
                0,
                end_anchor(doc.raw),
                {"size": str(size), "limit": str(self.params.max_chars)},
            )


class Repeated:
    PARAMS = "VerboseParams"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule
        self.params = rule.params

    def detect(self, doc: Document) -> Iterator[Hit]:
        for s, e in repeated_sentences(doc.raw, doc.compiled.fold_text, self.params.min_repeat):
            yield Hit(self.rule.index, s, e)


def repeated_sentences(
    text: str, fold_text: Callable[[str], str], min_len: int
) -> list[tuple[int, int]]:
    """Spans of sentences that say again, word for word, what an earlier sentence said."""
    seen: set[str] = set()
    out: list[tuple[int, int]] = []
    for m in _CLAUSE.finditer(text):
        key = _PUNCT.sub("", m.group()).strip()
        key = fold_text(key).strip("。！？!?；;")
        if len(key) < min_len:
            continue
        if key in seen:
            out.append((m.start(), m.start() + len(m.group().rstrip())))
        seen.add(key)
    return out


DETECTORS = {
    "salutation": Salutation,
    "subject": Subject,
    "closing": Closing,
    "signature": Signature,
    "too_long": TooLong,
    "repeated": Repeated,
}
