"""Run every rule over a text and turn hits into findings and a verdict.

`Engine.scan` is the hot path: plain `RawFinding` tuples, no pydantic, used as is by the CLI's
`check` (which must start in tens of milliseconds). `Engine.check` wraps the same findings in the
library's pydantic `Report`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import namedtuple
from functools import cache
from itertools import accumulate

from assistant.engine import lexicon
from assistant.engine.compiled import Compiled, load_compiled
from assistant.engine.detectors import base as detectors
from assistant.engine.document import Document
from assistant.engine.normalize import PICTOGRAPHS, LazyPattern
from assistant.engine.paths import RULES_DIR
from assistant.inputs import validate_text
from assistant.vocabulary import Category, Channel, Kind, verdict_of_severities

TYPE_CHECKING = False  # typing's import costs the CLI ~6 ms; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime
    from pathlib import Path
    from typing import Any

    from assistant.engine.detectors.base import Hit
    from assistant.engine.rule import RuntimeRule
    from assistant.models import Report

CONTRACT_FIELDS = (
    "rule",
    "category",
    "severity",
    "start",
    "end",
    "excerpt",
    "message",
    "suggestion",
    "clause",
)


class RawFinding(namedtuple("RawFinding", CONTRACT_FIELDS)):
    """A finding with exactly the contract's fields (DESIGN.md), in the contract's order:
    rule, category, severity, start, end, excerpt, message, suggestion, clause."""

    __slots__ = ()


class Outcome(namedtuple("Outcome", ("verdict", "findings"))):
    """The verdict and the raw findings of one check."""

    __slots__ = ()

    def as_json(self) -> dict:
        """The CLI JSON of DESIGN.md, built without pydantic."""
        return {
            "verdict": self.verdict.value,
            "findings": [dict(zip(CONTRACT_FIELDS, f, strict=True)) for f in self.findings],
        }


class _SafeDict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Engine:
    """Compiled rules plus one detector per code rule; immutable once built, safe to share."""

    def __init__(self, compiled: Compiled) -> None:
        self.compiled = compiled
        self._code_rules = [rule for rule in compiled.rules if rule.detector is not None]
        self._built: dict[int, object] = {}
        self.by_id: dict[str, RuntimeRule] = {r.id: r for r in compiled.rules}
        self._active: dict[tuple[Channel, Kind | None], list] = {}
        self._learned = frozenset(
            r.id for r in compiled.rules if (r.detector or "").startswith("judgement.")
        )
        self._reviews: list | None = None

    def scan(
        self,
        text: str,
        *,
        channel: Channel | str = Channel.work_group,
        when: datetime | None = None,
        kind: Kind | str | None = None,
        draft: str | None = None,
    ) -> Outcome:
        """`draft`: the draft a rewritten message came from; the message must keep its facts."""
        validate_text(text, rewritten=draft is not None)
        doc = Document(
            text, self.compiled, Channel(channel), Kind(kind) if kind else None, when, draft=draft
        )
        hits = self.hits(doc)
        for review, data in self.reviews():
            hits = review(doc, data, hits, self.compiled.rules)
        findings = _drop_shadowed([self.finding(doc, h) for h in hits], self._learned)
        findings.sort(key=lambda f: (f.start, -f.severity.rank, f.rule))
        return Outcome(verdict_of_severities(f.severity for f in findings), findings)

    def check(
        self,
        text: str,
        *,
        channel: Channel | str = Channel.work_group,
        when: datetime | None = None,
        kind: Kind | str | None = None,
        draft: str | None = None,
    ) -> Report:
        from assistant.models import Report

        outcome = self.scan(text, channel=channel, when=when, kind=kind, draft=draft)
        # pydantic-core validates a plain dict faster than model_construct builds one in Python.
        return Report.model_validate(
            {"verdict": outcome.verdict, "findings": [f._asdict() for f in outcome.findings]}
        )

    def hits(self, doc: Document, only: Iterable[str] | None = None) -> list[Hit]:
        rules = self.compiled.rules
        if only is None:
            out = list(lexicon.scan(doc))
            for _, detector in self.active(doc.channel, doc.kind):
                out.extend(detector.detect(doc))
            return out
        wanted = set(only)
        out = [h for h in lexicon.scan(doc) if rules[h.rule].id in wanted]
        for _, detector in self.active(doc.channel, doc.kind):
            out.extend(h for h in detector.detect(doc) if rules[h.rule].id in wanted)
        return out

    def active(self, channel: Channel, kind: Kind | None) -> list:
        """The code detectors whose rules apply to this channel and kind (cached per pair)."""
        key = (channel, kind)
        found = self._active.get(key)
        if found is None:
            found = [(r, self.detector(r)) for r in self._code_rules if r.applies(channel, kind)]
            # Detectors that share their work (the learned model's label rules) run as one.
            groups: dict[type, list] = {}
            for _rule, detector in found:
                if hasattr(type(detector), "grouped"):
                    groups.setdefault(type(detector), []).append(detector)
            found = [(r, d) for r, d in found if type(d) not in groups]
            found += [(None, cls.grouped(members)) for cls, members in groups.items()]
            self._active[key] = found
        return found

    def reviews(self) -> list:
        """(review, data) of each detector module with compiled data that weighs the findings of
        others (the learned model reviewing keyword hits), found once."""
        if self._reviews is None:
            self._reviews = []
            for name, data in sorted(self.compiled.models.items()):
                review = getattr(detectors.detector_module(name), "review", None)
                if review is not None:
                    self._reviews.append((review, data))
        return self._reviews

    def detector(self, rule: RuntimeRule) -> Any:
        """Built on first use: a CLI run that never needs the format checks never compiles them."""
        built = self._built.get(rule.index)
        if built is None:
            built = self._built[rule.index] = detectors.build(rule)
        return built

    def finding(self, doc: Document, hit: Hit) -> RawFinding:
        rule = self.compiled.rules[hit.rule]
        message, suggestion = rule.message, rule.suggestion
        if hit.detail:
            values = _SafeDict(hit.detail)
            message, suggestion = message.format_map(values), suggestion.format_map(values)
        return RawFinding(
            rule.id,
            rule.category,
            rule.severity_for(doc.channel),
            hit.start,
            hit.end,
            doc.raw[hit.start : hit.end],
            message,
            suggestion,
            rule.clause,
        )

    def signs_of(self, text: str, category: Category) -> list[tuple[int, int]]:
        """Every sign of `category` in `text`, however the verdict would weigh it: each keyword
        occurrence of its rules (negation cues, cancelling phrases and the model's review
        ignored) and each finding of its learned rules. The send guard uses this: a secret
        mentioned even in a warning never goes to a remote model."""
        indices = frozenset(
            r.index for r in self.compiled.rules if r.category == category and r.detector is None
        )
        doc = Document(text, self.compiled)
        spans = lexicon.keyword_spans(doc, indices)
        if category == Category.secret:
            spans += _guard_spans(doc, self.compiled.guard)
        learned = [r for r in self._code_rules if r.category == category and r.id in self._learned]
        for rule in learned:
            spans += [(h.start, h.end) for h in self.detector(rule).detect(doc)]
        return sorted(set(spans))

    def personal_data(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, rule id) of every phone, ID number and bank card, whatever the channel."""
        doc = Document(text, self.compiled)
        spans = [
            (h.start, h.end, rule.id)
            for rule in self._code_rules
            if rule.detector.startswith("personal_data.")
            for h in self.detector(rule).detect(doc)
        ]
        return sorted(spans)


# What the send guard reads through: line breaks and pictographs (「机\n❤密」 reads 「机密」).
# 「★」 is not decoration there: it is the mark of a secrecy period (「秘密★1年」).
_TIGHT_GONE = LazyPattern(f"[\r\n]|(?![★☆])[{PICTOGRAPHS}]")  # the send guard only


def _guard_spans(doc: Document, words: tuple[str, ...]) -> list[tuple[int, int]]:
    """The guard's words in a view with every space and line break gone too (「机\n密」 reads
    「机密」): for the send guard, which errs toward not sending."""
    view = doc.squeezed
    gone = {m.start() for m in _TIGHT_GONE.finditer(view.text)}  # one character each
    positions = [i for i in range(len(view.text)) if i not in gone]
    tight = "".join(view.text[i] for i in positions)
    if not any(w in tight for w in words):
        return []
    out = []
    for w in words:
        at = tight.find(w)
        while at >= 0:
            out.append(view.orig_span(positions[at], positions[at + len(w) - 1] + 1))
            at = tight.find(w, at + 1)
    return out


def _drop_shadowed(findings: list[RawFinding], learned: frozenset[str]) -> list[RawFinding]:
    """Two findings of one category on the same words (a casual and an official red packet, a
    keyword rule and the learned model) are one problem: the more severe one stands for it, and
    at equal severity a rule's finding stands for the model's (its span is the exact words).

    Each finding gets a rank (severity first, then rule over model); per category and rank the
    spans are sorted with a running maximum end, so "does a higher-ranked span overlap me?" is
    one binary search per rank: linear in the findings.
    """
    if len(findings) < 2:
        return findings

    def rank(f: RawFinding) -> int:
        return 2 * f.severity.rank + (0 if f.rule in learned else 1)

    by_category: dict[str, dict[int, list[tuple[int, int]]]] = {}
    for f in findings:
        by_category.setdefault(f.category, {}).setdefault(rank(f), []).append((f.start, f.end))
    if all(len(ranks) < 2 for ranks in by_category.values()):
        return findings
    index: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
    for category, ranks in by_category.items():
        for r, spans in ranks.items():
            spans.sort()
            index[category, r] = ([s for s, _ in spans], list(accumulate(e for _, e in spans)))

    def shadowed(f: RawFinding) -> bool:
        mine = rank(f)
        for r in by_category[f.category]:
            if r <= mine:
                continue
            starts, max_ends = index[f.category, r]
            i = bisect_left(starts, max(f.end, f.start + 1))  # spans starting before f ends
            if i and max_ends[i - 1] > f.start:
                return True
        return False

    return [f for f in findings if not shadowed(f)]


@cache
def default_engine(rules_dir: str | Path = RULES_DIR) -> Engine:
    return Engine(load_compiled(rules_dir))
