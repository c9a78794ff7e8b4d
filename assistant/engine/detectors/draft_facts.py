"""A rewritten message against its draft: every fact the draft gave (a date, a time, a place, a
number, a phone) is still there, and nothing stands in for content (a placeholder, an empty
body). Only a re-check of a rewrite has a draft; a plain `check` has none and this stays silent.
"""

from __future__ import annotations

import re

from assistant.engine.detectors.base import Hit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from assistant.engine.document import Document
    from assistant.engine.rule import RuntimeRule

_PLACEHOLDER = re.compile(
    r"\[(?:电话|证件号|卡号|编号|邮箱|账号|车牌|护照)\d+\]|（草稿中没有可保留的[^）]*）"
)


class MissingFact:
    PARAMS = "Params"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule

    def detect(self, doc: Document) -> Iterator[Hit]:
        if doc.draft is None:
            return
        from assistant.rewriting.facts import compare

        at = len(doc.raw.rstrip())
        for fact in compare(doc.draft, doc.raw)[1]:
            yield Hit(self.rule.index, at, at, {"fact": fact})


class Placeholder:
    PARAMS = "Params"

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule

    def detect(self, doc: Document) -> Iterator[Hit]:
        if doc.draft is None:
            return
        for m in _PLACEHOLDER.finditer(doc.raw):
            if m.group() not in doc.draft:  # 「[电话1]」 typed in the draft is the user's own text
                yield Hit(self.rule.index, m.start(), m.end())


DETECTORS = {"missing": MissingFact, "placeholder": Placeholder}
