"""Run every rule over a text and turn hits into findings and a verdict."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from pathlib import Path

from assistant.engine import detectors, lexicon
from assistant.engine.compiled import Compiled, RuntimeRule, load_compiled
from assistant.engine.document import Document, Hit
from assistant.engine.loader import RULES_DIR
from assistant.inputs import validate_text
from assistant.models import Channel, Finding, Kind, Report, verdict_of


class _SafeDict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Engine:
    """Compiled rules plus one detector per code rule; immutable once built, safe to share."""

    def __init__(self, compiled: Compiled) -> None:
        self.compiled = compiled
        self.detectors = [
            (rule, detectors.build(rule)) for rule in compiled.rules if rule.detector is not None
        ]
        self.by_id: dict[str, RuntimeRule] = {r.id: r for r in compiled.rules}

    def check(
        self,
        text: str,
        *,
        channel: Channel | str = Channel.work_group,
        when: datetime | None = None,
        kind: Kind | str | None = None,
    ) -> Report:
        validate_text(text)
        channel = Channel(channel)
        kind = Kind(kind) if kind else None
        doc = Document(text, self.compiled, channel, kind, when)
        return self.report(doc, self.hits(doc))

    def hits(self, doc: Document, only: Iterable[str] | None = None) -> list[Hit]:
        wanted = set(only) if only is not None else None
        out = [
            h
            for h in lexicon.scan(doc)
            if wanted is None or self.compiled.rules[h.rule].id in wanted
        ]
        for rule, detector in self.detectors:
            if wanted is not None and rule.id not in wanted:
                continue
            if rule.applies(doc.channel, doc.kind):
                out.extend(detector.detect(doc))
        return out

    def report(self, doc: Document, hits: list[Hit]) -> Report:
        findings = [self.finding(doc, h) for h in hits]
        findings.sort(key=lambda f: (f.start, -f.severity.rank, f.rule))
        return Report(verdict=verdict_of(findings), findings=findings)

    def finding(self, doc: Document, hit: Hit) -> Finding:
        rule = self.compiled.rules[hit.rule]
        message, suggestion = rule.message, rule.suggestion
        if hit.detail:
            values = _SafeDict(hit.detail)
            message, suggestion = message.format_map(values), suggestion.format_map(values)
        return Finding(
            rule=rule.id,
            category=rule.category,
            severity=rule.severity_for(doc.channel),
            start=hit.start,
            end=hit.end,
            excerpt=doc.raw[hit.start : hit.end],
            message=message,
            suggestion=suggestion,
            clause=rule.clause,
        )

    def personal_data(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, rule id) of every phone, ID number and bank card, whatever the channel."""
        doc = Document(text, self.compiled)
        spans = [
            (h.start, h.end, rule.id)
            for rule, det in self.detectors
            if rule.category.value == "privacy"
            and rule.detector
            and rule.detector.startswith("personal_data.")
            for h in det.detect(doc)
        ]
        return sorted(spans)


@cache
def default_engine(rules_dir: Path = RULES_DIR) -> Engine:
    return Engine(load_compiled(rules_dir))
