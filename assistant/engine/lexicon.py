"""The data-driven matcher: `any` keywords, `all` groups within a window, gated regexes,
negation cues and cancelling phrases, for every lexical rule in one pass of the automaton."""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import accumulate

from assistant.engine.detectors.base import Hit
from assistant.engine.normalize import SENTENCE_BREAKS, View
from assistant.engine.rule import ALL, ANY, CONTEXT, EVASIVE, EXCLUDE, OVERRULE, TRIGGER

TYPE_CHECKING = False
if TYPE_CHECKING:
    from assistant.engine.document import Document
    from assistant.engine.rule import RuntimeRule

Span = tuple[int, int]
# A hit's detail when it came through an evasive spelling: a review never overrules it.
EVASION = {"evasion": "1"}
_PRIMARY_ROLES = frozenset((ANY, ALL, TRIGGER))
_SMALL = 64  # below this many pairs, comparing each pair beats building an index


def scan(doc: Document) -> Iterator[Hit]:
    compiled = doc.compiled
    view = doc.squeezed
    text = view.text
    per_rule: dict[int, list[tuple[int, int, int, int]]] = {}
    cue_spans: dict[int, list[tuple[int, int]]] = {}  # by shared cue set (negative ids)
    # Only rules with a keyword of their own (not merely a shared cue such as 「不要」) are judged.
    primary: set[int] = set(compiled.ungated_regex)
    evasive: set[int] = set()  # rules hit through a spelling made to hide the word
    for last, entries in compiled.automaton.iter(text):
        end = last + 1
        for rule, role, group, length, edges in entries:
            start = end - length
            if edges:
                if edges & 3 and not _edges_clear(doc, view, start, end, edges):
                    continue
                if edges & EVASIVE:
                    evasive.add(rule)
            if rule < 0:
                cue_spans.setdefault(rule, []).append((start, end))
                continue
            found = per_rule.get(rule)
            if found is None:
                found = per_rule[rule] = []
            found.append((role, group, start, end))
            if role in _PRIMARY_ROLES:
                primary.add(rule)

    rules = compiled.rules
    for index in primary:
        rule = rules[index]
        if not rule.applies(doc.channel, doc.kind):
            continue
        found = per_rule.get(index, ())
        # 「涉密文件一律到机要室领取」: the words of a procedure make every hit a mention, unless a
        # word of a leak (「拍照发你」) is there too and not itself forbidden (「不得拍照发送」).
        context = any(r[0] == CONTEXT for r in found)
        overrule = any(r[0] == OVERRULE for r in found)
        if context and not overrule:
            continue
        # Offsets move to the original text only now, for the few rules that can fire.
        records = [
            (role, group, *view.orig_span(s, e)) for role, group, s, e in per_rule.get(index, ())
        ]
        # A keyword inside a cancelling phrase (「红包」 in 「警惕红包诈骗」) never counts.
        excludes = [(s, e) for role, _, s, e in records if role == EXCLUDE]
        inside = _Containers(excludes) if excludes else None
        if inside is not None:
            records = [r for r in records if r[0] == EXCLUDE or not inside.contains(r[2:])]
        spans = _candidates(rule, records, doc)
        if not spans:
            continue
        cues = _cues(view, cue_spans, rule.cue_key, inside)
        after = _cues(view, cue_spans, rule.after_key, inside)
        warned = _Cues(cues, after, rule.near, doc.raw) if cues or after else None
        leaks = [
            (s, e)
            for role, _, s, e in records
            if role == OVERRULE and (warned is None or not warned.forbids((s, e)))
        ]
        if context and not leaks:
            continue
        kept = [
            sp
            for sp in spans
            if (inside is None or not inside.contains(sp))
            and (warned is None or not warned.negates(sp) or _same_sentence(doc.raw, sp, leaks))
        ]
        detail = EVASION if index in evasive else None
        for s, e in _merge(kept):
            yield Hit(index, s, e, detail)


def keyword_spans(doc: Document, rules: frozenset[int]) -> list[Span]:
    """Every occurrence, on the original text, of a keyword of these rules — whatever cue,
    cancelling phrase or review would make of it. For guards that must err toward caution: a
    secret mentioned in a warning is still a reason not to send the draft to a remote model."""
    view = doc.squeezed
    out: list[Span] = []
    for last, entries in doc.compiled.automaton.iter(view.text):
        for rule, role, _group, length, _edges in entries:
            if rule in rules and role in _PRIMARY_ROLES:
                out.append(view.orig_span(last + 1 - length, last + 1))
                break
    return out


def _cues(view: View, cue_spans: dict, key: int, inside: _Containers | None) -> list[Span]:
    """A rule's cue occurrences on the original text, less those inside a cancelling phrase."""
    spans = [view.orig_span(s, e) for s, e in cue_spans.get(key, ())] if key else []
    return [c for c in spans if not inside.contains(c)] if inside is not None and spans else spans


def _candidates(
    rule: RuntimeRule, records: list[tuple[int, int, int, int]], doc: Document
) -> list[Span]:
    spans = [(s, e) for role, _, s, e in records if role == ANY]
    if rule.n_groups:
        spans.extend(_within_window(rule, records))
    if rule.regex is not None and (not rule.gated or any(role == TRIGGER for role, *_ in records)):
        view = doc.folded
        for m in rule.regex.finditer(view.text):
            if m.end() > m.start():
                spans.append(view.orig_span(m.start(), m.end()))
    return spans


def _within_window(rule: RuntimeRule, records: list[tuple[int, int, int, int]]) -> list[Span]:
    """For each occurrence of the first group, the nearest occurrence of every other group; the
    span covers them all and must fit in the rule's window.

    "Nearest" is the smallest gap, ties going to the earliest record. An occurrence more than
    `window` away can never be part of a span that fits, so only those within reach are looked
    at: linear in the text, where trying every pair was quadratic on keyword-dense input.
    """
    groups: list[list[Span]] = [[] for _ in range(rule.n_groups)]
    for role, group, s, e in records:
        if role == ALL:
            groups[group].append((s, e))
    if not all(groups):
        return []
    window = rule.window
    out: list[Span] = []
    if len(groups[0]) * sum(map(len, groups[1:])) <= _SMALL:
        # A few occurrences (the usual message): trying every pair is cheapest.
        for anchor in groups[0]:
            lo, hi = anchor
            for spans in groups[1:]:
                a0, a1 = anchor
                best = min(spans, key=lambda sp: max(sp[0] - a1, a0 - sp[1], 0))
                lo, hi = min(lo, best[0]), max(hi, best[1])
            if hi - lo <= window:
                out.append((lo, hi))
        return out
    others = [_Nearest(g) for g in groups[1:]]
    for anchor in groups[0]:
        lo, hi = anchor
        for nearest in others:
            best = nearest.best(anchor, window)
            if best is None:
                break  # every occurrence of this group is out of reach: the span cannot fit
            lo, hi = min(lo, best[0]), max(hi, best[1])
        else:
            if hi - lo <= window:
                out.append((lo, hi))
    return out


class _Nearest:
    """One group's spans sorted by end, with the smallest start of every suffix of that order."""

    __slots__ = ("ends", "items", "suffix_min_start")

    def __init__(self, spans: list[Span]) -> None:
        order = sorted(range(len(spans)), key=lambda i: (spans[i][1], i))
        self.items = [(spans[i][0], spans[i][1], i) for i in order]
        self.ends = [spans[i][1] for i in order]
        suffix = [0] * len(order)
        low = sys.maxsize
        for j in range(len(order) - 1, -1, -1):
            low = min(low, self.items[j][0])
            suffix[j] = low
        self.suffix_min_start = suffix

    def best(self, anchor: Span, window: int) -> Span | None:
        """The earliest-recorded span with the smallest gap to `anchor`, if that gap is at most
        `window`, else None: exactly `min(spans, key=gap)` whenever that one could fit."""
        a0, a1 = anchor
        reach = a1 + window
        items, suffix = self.items, self.suffix_min_start
        best: Span | None = None
        best_key = (sys.maxsize, sys.maxsize)
        # Only spans ending at or after a0 - window and starting at or before a1 + window.
        for j in range(bisect_left(self.ends, a0 - window), len(items)):
            if suffix[j] > reach:
                break
            s, e, i = items[j]
            if s <= reach:
                key = (max(s - a1, a0 - e, 0), i)
                if key < best_key:
                    best, best_key = (s, e), key
        return best


def _edges_clear(doc: Document, view: View, start: int, end: int, edges: int) -> bool:
    """ASCII keywords (pinyin like 「hb」) must not be part of a longer Latin word. The edges are
    read on the original text: the squeezed view has dropped the space in 「hb 200元」."""
    s, e = view.orig_span(start, end)
    raw, fold = doc.raw, doc.compiled.fold
    if edges & 1 and s > 0 and _latin(raw[s - 1].translate(fold)):
        return False
    return not (edges & 2 and e < len(raw) and _latin(raw[e].translate(fold)))


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class _Containers:
    """Is a span inside any of these? Sorted by start, with the running maximum end: O(log n)."""

    __slots__ = ("max_end", "starts")

    def __init__(self, outers: list[Span]) -> None:
        outers = sorted(outers)
        self.starts = [s for s, _ in outers]
        self.max_end = list(accumulate((e for _, e in outers), max))

    def contains(self, span: Span) -> bool:
        i = bisect_right(self.starts, span[0])
        return i > 0 and self.max_end[i - 1] >= span[1]


class _Cues:
    """Negation cues (警惕 / 严禁 / 请勿) and warnings after the hit (不得 …), indexed by position so
    that each hit only looks at the cues near it."""

    __slots__ = ("after", "after_starts", "before", "before_ends", "near", "raw")

    def __init__(self, before: list[Span], after: list[Span], near: int, raw: str) -> None:
        self.before = sorted(before, key=lambda c: c[1])
        self.before_ends = [ce for _, ce in self.before]
        self.after = sorted(after)
        self.after_starts = [cs for cs, _ in self.after]
        self.near, self.raw = near, raw

    def negates(self, span: Span) -> bool:
        if self.forbids(span):
            return True
        end = span[1]
        raw = self.raw
        # 「涉密文件一律不得通过微信传递」: a cue just after the hit, same sentence, makes it a warning.
        lo = bisect_left(self.after_starts, end)
        for cs, _ in self.after[lo : bisect_right(self.after_starts, end + self.near)]:
            if not _breaks(raw[end:cs]):
                return True
        return False

    def forbids(self, span: Span) -> bool:
        """A cue before the hit, in the same sentence and not turned by a 「但」: 「请勿转发」."""
        start, end = span
        raw = self.raw
        # Cues ending in [start - near, end]: every one the two tests below can accept.
        lo = bisect_left(self.before_ends, start - self.near)
        for cs, ce in self.before[lo : bisect_right(self.before_ends, end)]:
            # Inside a window (「转发必有好运之类的消息请不要相信，更不要转发」) a cue between the
            # parts negates too.
            if start < cs and ce < end:
                return True
            # The cue may end inside the hit (「请勿转发」 negating 「转发」) but must start before
            # it, in the same sentence.
            if cs < start and not _breaks(raw[ce:start]):
                return True
        return False


def _same_sentence(raw: str, span: Span, leaks: list[Span]) -> bool:
    """A warning is no warning when the sentence goes on to do it (「不得通过微信传，但我拍照发你
    了」): a word of a leak, not itself forbidden, in the hit's own sentence."""
    for s, e in leaks:
        lo, hi = (span[1], s) if s >= span[1] else (e, span[0])
        if not _stops(raw[lo:hi]):
            return True
    return False


# A contrast ends a negation's reach as a full stop does: 「不得通过微信传，但我拍照发你了」.
_CONTRASTS = ("但", "可是", "不过", "还是", "然而", "却")


def _stops(between: str) -> bool:
    return any(ch in SENTENCE_BREAKS for ch in between)


def _breaks(between: str) -> bool:
    return _stops(between) or any(c in between for c in _CONTRASTS)


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for s, e in sorted(spans):
        if merged and s < merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged
