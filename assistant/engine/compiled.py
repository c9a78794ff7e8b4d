"""Rules compiled for matching: one Aho-Corasick automaton, translate tables, plain runtime rules.

Compiling (YAML + pydantic + OpenCC + the automaton) costs ~0.3 s; the result is pickled in a cache
keyed by the hash of the rules files and of the compiler's own source, so `check` starts in
milliseconds and a rules edit is picked up on the next run without any manual step.
"""

from __future__ import annotations

import os
import pickle
import re
import zlib

from assistant.engine.normalize import (
    build_fold_table,
    deleted_chars,
    opencc_t2s_table,
    squeeze_text,
)
from assistant.vocabulary import Category, Channel, Kind, Severity

# Only the standard library's cheapest modules are imported here: this module is on the path of
# every `check` start-up (no pathlib, hashlib, dataclasses or typing, ~15 ms between them).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

# Roles a keyword plays for a rule (the payload stored in the automaton).
ANY, ALL, CUE, EXCLUDE, TRIGGER, CUE_AFTER = range(6)
_HERE = os.path.dirname(os.path.abspath(__file__))
RULES_DIR = os.path.join(os.path.dirname(os.path.dirname(_HERE)), "rules")
_COMPILER_SOURCES = ("compiled.py", "normalize.py", "spec.py", "loader.py", "detectors/params.py")


class RuntimeRule:
    """One rule as the matcher needs it: plain attributes, picklable, no validation left to do."""

    __slots__ = (
        "after_key",
        "category",
        "channels",
        "clause",
        "cue_key",
        "detector",
        "gated",
        "id",
        "index",
        "kinds",
        "message",
        "n_groups",
        "near",
        "params",
        "regex",
        "severity",
        "severity_by_channel",
        "suggestion",
        "window",
    )

    def __init__(self, **values: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, values[name])

    index: int
    id: str
    category: Category
    severity: Severity
    severity_by_channel: dict[Channel, Severity]
    clause: str
    message: str
    suggestion: str
    channels: frozenset[Channel] | None
    kinds: frozenset[Kind] | None
    window: int
    near: int
    n_groups: int
    regex: re.Pattern[str] | None
    gated: bool  # the regex waits for a trigger keyword
    detector: str | None
    params: Any  # the detector's validated settings (a namespace), or None
    cue_key: int  # the shared negation-cue set before a hit (a negative automaton id), 0: none
    after_key: int  # the same for cues after a hit

    def applies(self, channel: Channel, kind: Kind | None) -> bool:
        if self.channels is not None and channel not in self.channels:
            return False
        if self.category.is_format and kind is None:
            return False  # format rules judge official messages only (DESIGN.md)
        return self.kinds is None or kind in self.kinds

    def severity_for(self, channel: Channel) -> Severity:
        return self.severity_by_channel.get(channel, self.severity)


class Compiled:
    __slots__ = (
        "automaton",
        "clauses",
        "fingerprint",
        "fold",
        "fold_deleted",
        "rules",
        "ungated_regex",
    )

    def __init__(self, **values: Any) -> None:
        values.setdefault("fingerprint", "")
        values.setdefault("ungated_regex", [])
        for name in self.__slots__:
            setattr(self, name, values[name])

    fold: dict[int, str | None]
    fold_deleted: frozenset[str]
    automaton: Any  # ahocorasick.Automaton; values are tuples of (rule, role, group, length, edges)
    rules: list[RuntimeRule]
    clauses: dict[str, tuple[str, str]]  # id -> (title, restated text)
    fingerprint: str
    ungated_regex: list[int]

    def fold_text(self, text: str) -> str:
        """The same normalization the matcher sees, for keywords and for callers' own needs."""
        return squeeze_text(text, self.fold)


def fingerprint(rules_dir: str | Path) -> str:
    """A checksum of the rules and of the compiler's own source: any edit recompiles."""
    rules_dir = os.fspath(rules_dir)
    crc, size = 0, 0
    names = sorted(n for n in os.listdir(rules_dir) if n.endswith(".yaml"))
    paths = [os.path.join(rules_dir, n) for n in names]
    paths += [os.path.join(_HERE, n) for n in _COMPILER_SOURCES]
    for path in paths:
        with open(path, "rb") as fh:
            data = fh.read()
        crc = zlib.crc32(os.path.basename(path).encode() + data, crc)
        size += len(data)
    return f"{crc:08x}{size:x}"


def cache_dir() -> str | None:
    configured = os.environ.get("ASSISTANT_CACHE_DIR")
    if configured == "":
        return None
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "wechat-official-assistant")


def load_compiled(rules_dir: str | Path = RULES_DIR) -> Compiled:
    key = fingerprint(rules_dir)
    directory = cache_dir()
    path = os.path.join(directory, f"rules-{key}.pickle") if directory else None
    if path is not None and os.path.isfile(path):
        try:
            with open(path, "rb") as fh:
                compiled = pickle.load(fh)
            if isinstance(compiled, Compiled) and compiled.fingerprint == key:
                return compiled
        except Exception:
            pass
    compiled = compile_rules(rules_dir)
    compiled.fingerprint = key
    if path is not None:
        _write_cache(path, compiled)
    return compiled


def _write_cache(path: str, compiled: Compiled) -> None:
    # Written to a temporary name and renamed, so concurrent runs never read half a file.
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(compiled, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs start-up time


def compile_rules(rules_dir: str | Path) -> Compiled:
    import ahocorasick

    from assistant.engine.detectors import validate_detector
    from assistant.engine.loader import load_rule_set

    rule_set = load_rule_set(rules_dir)
    fold = build_fold_table(opencc_t2s_table())
    automaton = ahocorasick.Automaton()
    payloads: dict[str, list[tuple[int, int, int, int, int]]] = {}

    def add(word: str, rule: int, role: int, group: int = 0) -> None:
        for variant in _variants(word, rule_set.variants):
            key = squeeze_text(variant, fold)
            if not key:
                continue
            edges = (1 if key[0].isascii() and key[0].isalnum() else 0) | (
                2 if key[-1].isascii() and key[-1].isalnum() else 0
            )
            entry = (rule, role, group, len(key), edges)
            bucket = payloads.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)

    # Cue lists are shared by many rules (a file's defaults): each distinct list is one entry in
    # the automaton, under a negative id, so an occurrence of 「不要」 is recorded once, not once
    # per rule that listens for it.
    cue_sets: dict[tuple[int, tuple[str, ...]], int] = {}

    def cue_key(words: list[str] | None, role: int) -> int:
        if not words:
            return 0
        key = (role, tuple(sorted(set(words))))
        if key not in cue_sets:
            cue_sets[key] = -(len(cue_sets) + 1)
            for word in key[1]:
                add(word, cue_sets[key], role)
        return cue_sets[key]

    rules: list[RuntimeRule] = []
    ungated: list[int] = []
    for index, spec in enumerate(rule_set.rules):
        m = spec.match
        params: Any = validate_detector(m.detector, m.params, spec.id) if m.detector else None
        for word in m.any:
            add(word, index, ANY)
        for group, words in enumerate(m.all):
            for word in words:
                add(word, index, ALL, group)
        for word in m.unless_within:
            add(word, index, EXCLUDE)
        for word in m.trigger:
            add(word, index, TRIGGER)
        if m.regex and not m.trigger:
            ungated.append(index)
        rules.append(
            RuntimeRule(
                index=index,
                id=spec.id,
                category=spec.category,
                severity=spec.severity,
                severity_by_channel=dict(spec.severity_by_channel),
                clause=spec.clause,
                message=spec.message,
                suggestion=spec.suggestion,
                channels=frozenset(spec.channels) if spec.channels else None,
                kinds=frozenset(spec.kinds) if spec.kinds else None,
                window=m.window,
                near=m.near,
                n_groups=len(m.all),
                regex=re.compile(m.regex) if m.regex else None,
                gated=bool(m.trigger),
                detector=m.detector,
                params=params,
                cue_key=cue_key(m.unless_near, CUE),
                after_key=cue_key(m.unless_followed_by, CUE_AFTER),
            )
        )
    for key, entries in payloads.items():
        automaton.add_word(key, tuple(entries))
    if payloads:
        automaton.make_automaton()
    return Compiled(
        fold=fold,
        fold_deleted=deleted_chars(fold),
        automaton=automaton,
        rules=rules,
        clauses={c.id: (c.title, c.text) for c in rule_set.clauses.values()},
        ungated_regex=ungated,
    )


def _variants(word: str, variants: dict[str, list[str]]) -> list[str]:
    """The word plus every spelling obtained by swapping in one evasive variant of a term in it."""
    out = [word]
    for canonical, spellings in variants.items():
        if canonical in word:
            out.extend(word.replace(canonical, s) for s in spellings)
    return out
