"""Rules compiled for matching: one Aho-Corasick automaton, translate tables, plain runtime rules.

Compiling (YAML + pydantic + OpenCC + the automaton + the learned models) costs ~0.5 s; the result
is pickled in a cache keyed by a checksum of every file it was built from — the rules and models
data and the engine's own source, found by walking their folders — so `check` starts in
milliseconds and any edit is picked up on the next run without a manual step.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import zlib
from types import SimpleNamespace

from assistant.engine.normalize import (
    LazyPattern,
    build_fold_table,
    deleted_chars,
    opencc_t2s_table,
    squeeze_text,
)
from assistant.engine.paths import ENGINE_DIR, MODELS_DIR, RULES_DIR
from assistant.engine.rule import (
    ALL,
    ANY,
    CONTEXT,
    CUE,
    CUE_AFTER,
    EVASIVE,
    EXCLUDE,
    OVERRULE,
    TRIGGER,
    RuntimeRule,
)

# Only the standard library's cheapest modules are imported here: this module is on the path of
# every `check` start-up (no pathlib, hashlib, dataclasses or typing, ~15 ms between them).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from assistant.vocabulary import Kind

__all__ = ["RULES_DIR", "Compiled", "RuntimeRule", "compile_rules", "load_compiled"]


class Compiled:
    __slots__ = (
        "automaton",
        "clauses",
        "fingerprint",
        "fold",
        "fold_deleted",
        "guard",
        "kinds",
        "models",
        "rules",
        "ungated_regex",
    )

    def __init__(self, **values: Any) -> None:
        values.setdefault("fingerprint", "")
        values.setdefault("ungated_regex", [])
        values.setdefault("models", {})
        values.setdefault("kinds", {})
        values.setdefault("guard", ())
        for name in self.__slots__:
            setattr(self, name, values[name])

    fold: dict[int, str | None]
    # The characters the fold deletes, as one string: a set of them is needed only for a text
    # that lost characters (rare), and a string unpickles in no time where a set of thousands
    # of one-character strings cost each `check` start a millisecond.
    fold_deleted: str
    automaton: Any  # ahocorasick.Automaton; values are tuples of (rule, role, group, length, edges)
    rules: list[RuntimeRule]
    models: dict[str, Any]  # detector module -> its compiled data (the learned models)
    kinds: dict[Kind, Any]  # rules/kinds.yaml, as plain namespaces (closings, title suffix …)
    guard: tuple[str, ...]  # rules/guard.yaml: words that keep a draft away from a model (folded)
    clauses: dict[str, tuple[str, str]]  # id -> (title, restated text)
    fingerprint: str
    ungated_regex: list[int]

    def fold_text(self, text: str) -> str:
        """The same normalization the matcher sees, for keywords and for callers' own needs."""
        return squeeze_text(text, self.fold)


def _files_under(directory: str, suffixes: tuple[str, ...]) -> list[str]:
    out = []
    for folder, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        out += [os.path.join(folder, f) for f in sorted(files) if f.endswith(suffixes)]
    return out


def source_files(rules_dir: str | Path, models_dir: str | Path | None = MODELS_DIR) -> list[str]:
    """Every file a compiled rule set depends on: found by walking the folders, so a new rules
    file, model or engine module is covered without being named anywhere."""
    paths = _files_under(os.fspath(rules_dir), (".yaml",))
    if models_dir is not None and os.path.isdir(models_dir):
        paths += _files_under(os.fspath(models_dir), (".json", ".yaml"))
    return paths + _files_under(ENGINE_DIR, (".py",))


def fingerprint(rules_dir: str | Path, models_dir: str | Path | None = MODELS_DIR) -> str:
    """A checksum of every source file: any edit recompiles.

    Rules and engine code are small and read whole. Model files are megabytes written only by
    `python -m training`, and reading them all on every start was the largest part of a `check`'s
    cold start: they count by size and modification time instead (as Python's own bytecode cache
    does), which any retraining changes."""
    crc, size = 0, 0
    models = os.path.join(os.path.abspath(models_dir), "") if models_dir is not None else None
    for path in source_files(rules_dir, models_dir):
        if models is not None and os.path.abspath(path).startswith(models):
            stat = os.stat(path)
            data = f"{stat.st_size}:{stat.st_mtime_ns}".encode()
        else:
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


def load_compiled(
    rules_dir: str | Path = RULES_DIR, models_dir: str | Path | None = MODELS_DIR
) -> Compiled:
    key = fingerprint(rules_dir, models_dir)
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
    compiled = compile_rules(rules_dir, models_dir)
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
        return  # a read-only home only costs start-up time
    # Older compilations of the rules are never read again: keep the cache folder small.
    folder, name = os.path.split(path)
    for other in os.listdir(folder):
        if other.startswith("rules-") and other.endswith(".pickle") and other != name:
            with contextlib.suppress(OSError):  # another run may have removed it first
                os.remove(os.path.join(folder, other))


def compile_rules(rules_dir: str | Path, models_dir: str | Path | None = MODELS_DIR) -> Compiled:
    import ahocorasick

    from assistant.engine.detectors.base import validate_params
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
            edges = (
                (1 if key[0].isascii() and key[0].isalnum() else 0)
                | (2 if key[-1].isascii() and key[-1].isalnum() else 0)
                # A spelling made to hide the word (hb, 投piao): the writer meant it.
                | (EVASIVE if variant != word else 0)
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
        params: Any = validate_params(m.detector, m.params, spec.id) if m.detector else None
        for word in m.any:
            add(word, index, ANY)
        for group, words in enumerate(m.all):
            for word in words:
                add(word, index, ALL, group)
        for word in m.unless_within:
            add(word, index, EXCLUDE)
        for word in m.unless_context:
            add(word, index, CONTEXT)
        for word in m.context_overruled_by:
            add(word, index, OVERRULE)
        for word in m.trigger:
            add(word, index, TRIGGER)
        if m.regex and not m.trigger:
            ungated.append(index)
        rules.append(
            RuntimeRule(
                index=index,
                id=spec.id,
                category=spec.category,
                policy=spec.policy,
                severity_by_channel=rule_set.policy.severities(spec.policy),
                clause=spec.clause,
                message=spec.message,
                suggestion=spec.suggestion,
                kinds=frozenset(spec.kinds) if spec.kinds else None,
                window=m.window,
                near=m.near,
                n_groups=len(m.all),
                regex=LazyPattern(m.regex) if m.regex else None,
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
        guard=tuple(sorted({squeeze_text(w, fold) for w in rule_set.secret_signs} - {""})),
        models=_compile_models(rules, models_dir),
        kinds={
            kind: SimpleNamespace(**dict(spec), confirm=rule_set.kinds.confirm)
            for kind, spec in rule_set.kinds.kinds.items()
        },
        fold=fold,
        fold_deleted="".join(sorted(deleted_chars(fold))),
        automaton=automaton,
        rules=rules,
        clauses={c.id: (c.title, c.text) for c in rule_set.clauses.values()},
        ungated_regex=ungated,
    )


def _compile_models(rules: list[RuntimeRule], models_dir: str | Path | None) -> dict[str, Any]:
    """Each detector module a rule uses may carry data of its own (a learned model): compiled
    here, once, and pickled with the rules."""
    from assistant.engine.detectors.base import detector_module

    out: dict[str, Any] = {}
    if models_dir is None:
        return out
    for module_name in sorted({r.detector.partition(".")[0] for r in rules if r.detector}):
        module = detector_module(module_name)
        compile_data = getattr(module, "compile_data", None)
        if compile_data is not None:
            data = compile_data(os.fspath(models_dir))
            if data is not None:
                out[module_name] = data
    return out


def _variants(word: str, variants: dict[str, list[str]]) -> list[str]:
    """The word plus every spelling obtained by swapping in one evasive variant of a term in it."""
    out = [word]
    for canonical, spellings in variants.items():
        if canonical in word:
            out.extend(word.replace(canonical, s) for s in spellings)
    return out
