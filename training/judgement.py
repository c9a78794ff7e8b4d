"""The judgement model: one logistic regression per policy row over binary TF-IDF character
n-grams, thresholds calibrated out-of-writer, exported as plain JSON for the runtime.

The runtime (`assistant/engine/detectors/judgement.py`) recomputes exactly this decision without
scikit-learn: the set of vocabulary n-grams present in the model view, each weighted by its idf,
l2-normalized, dotted with the label's coefficients, plus the intercept.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from assistant.engine.loader import load_rule_set
from assistant.engine.ngrams import char_ngrams
from assistant.evaluation import corpus
from training.features import message as view

CONFIG = Path(__file__).with_name("judgement.yaml")


@dataclass(frozen=True)
class Example:
    id: str
    writer: str
    text: str
    labels: tuple[str, ...]


def config() -> dict[str, Any]:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


def rule_examples() -> list[Example]:
    """Each content rule's own bad examples (labelled with its row) and good ones (innocent):
    the look-alikes the rules were written against are negatives the model must learn too."""
    out = []
    for rule in load_rule_set().rules:
        if rule.policy not in corpus.CONTENT_ROWS:
            continue
        for i, ex in enumerate(rule.examples.bad):
            out.append(Example(f"rule-{rule.id}-bad{i}", "rules", ex.plain, (rule.policy,)))
        for i, ex in enumerate(rule.examples.good):
            out.append(Example(f"rule-{rule.id}-good{i}", "rules", ex.plain, ()))
    return out


def examples(messages: list[corpus.Message]) -> list[Example]:
    return [Example(m.id, m.writer, m.text, m.labels) for m in messages]


def vocabulary(views: list[str], low: int, high: int, size: int, min_df: int) -> list[str]:
    df: Counter[str] = Counter()
    for v in views:
        df.update(set(char_ngrams(v, low, high)))
    ranked = sorted((g for g, c in df.items() if c >= min_df), key=lambda g: (-df[g], g))
    return ranked[:size]


class Fitted:
    """A vectorizer and one classifier per learned label."""

    def __init__(self, train: list[Example], views: list[str], labels: list[str], cfg: dict):
        low, high = cfg["ngrams"]
        self.vocab = vocabulary(views, low, high, cfg["vocabulary"], cfg["min_df"])
        self.vectorizer = TfidfVectorizer(
            analyzer=lambda t: char_ngrams(t, low, high),
            vocabulary=self.vocab,
            binary=True,
            norm="l2",
            use_idf=True,
            smooth_idf=True,
        )
        x = self.vectorizer.fit_transform(views)
        self.models: dict[str, LogisticRegression] = {}
        for label in labels:
            y = np.array([1 if label in e.labels else 0 for e in train])
            if y.sum() < cfg["min_positives"]:
                continue
            model = LogisticRegression(
                C=cfg["C"], class_weight="balanced", solver="liblinear", random_state=cfg["seed"]
            )
            self.models[label] = model.fit(x, y)

    def scores(self, views: list[str]) -> dict[str, np.ndarray]:
        x = self.vectorizer.transform(views)
        return {label: m.decision_function(x) for label, m in self.models.items()}


def out_of_writer_scores(
    data: list[Example], views: list[str], labels: list[str], cfg: dict
) -> dict[str, np.ndarray]:
    """The dev split: every corpus writer's messages scored by a model that never saw that
    writer (the rules' own examples are always in training and never scored)."""
    writers = sorted({e.writer for e in data} - {"rules"})
    scores = {label: np.full(len(data), np.nan) for label in labels}
    for writer in writers:
        train = [i for i, e in enumerate(data) if e.writer != writer]
        held = [i for i, e in enumerate(data) if e.writer == writer]
        fitted = Fitted([data[i] for i in train], [views[i] for i in train], labels, cfg)
        for label, s in fitted.scores([views[i] for i in held]).items():
            scores[label][held] = s
    return scores


def calibrate(scores: np.ndarray, truth: np.ndarray, target: float) -> dict[str, float]:
    """The lowest threshold whose precision reaches `target` (recall is highest there); when no
    threshold reaches it, the one with the best precision, and the figures say so."""
    order = np.argsort(-scores, kind="stable")
    s, t = scores[order], truth[order]
    tp = np.cumsum(t)
    flagged = np.arange(1, len(s) + 1)
    precision = tp / flagged
    positives = max(int(t.sum()), 1)
    best_i, reached = None, False
    for i in range(len(s)):
        if i + 1 < len(s) and s[i + 1] == s[i]:
            continue  # a threshold sits between distinct scores
        if precision[i] >= target:
            best_i, reached = i, True
    if best_i is None:
        best_i = int(np.argmax(precision))
    threshold = float(s[best_i]) if best_i is not None else math.inf
    return {
        "threshold": threshold,
        "precision": float(precision[best_i]),
        "recall": float(tp[best_i] / positives),
        "reached": reached,
    }


def rule_flags(data: list[Example], channels: list[str]) -> dict[str, np.ndarray]:
    """Per content category, which examples a keyword rule of that category flags (the rules
    alone, without any model): the findings a veto would weigh."""
    from assistant.engine.checker import Engine
    from assistant.engine.compiled import RULES_DIR, compile_rules

    engine = Engine(compile_rules(RULES_DIR, None))
    lexical = {r.id for r in engine.compiled.rules if r.detector is None}
    out: dict[str, np.ndarray] = {}
    for i, (example, channel) in enumerate(zip(data, channels, strict=True)):
        for f in engine.scan(example.text, channel=channel).findings:
            if f.rule in lexical and f.severity.value != "info":
                out.setdefault(f.category.value, np.zeros(len(data), dtype=bool))[i] = True
    return out


def calibrate_vetoes(
    dev: dict[str, np.ndarray], flags: dict[str, np.ndarray], data: list[Example], cfg: dict
) -> dict[str, dict]:
    """For each category, the model score below which a keyword finding of that category is
    dropped as a mere mention (「保密检查」, 「红包已退回」): the highest threshold that drops at most
    `veto.max_loss` of the keyword findings on messages that really are in the category."""
    out = {}
    for category, flagged in sorted(flags.items()):
        rows = [r for r in dev if corpus.category_of(r) == category]
        if not rows or category in cfg["veto"]["exempt"]:
            continue
        score = np.nan_to_num(np.max([dev[r] for r in rows], axis=0), nan=-np.inf)
        truth = np.array([any(corpus.category_of(x) == category for x in e.labels) for e in data])
        scored = np.array([e.writer != "rules" for e in data])
        hit = flagged & scored
        true_hits, false_hits = score[hit & truth], score[hit & ~truth]
        if len(true_hits) < cfg["veto"]["min_hits"]:
            continue
        threshold = float(np.quantile(true_hits, cfg["veto"]["max_loss"], method="lower"))
        out[category] = {
            "threshold": threshold,
            "true_hits": len(true_hits),
            "false_hits": len(false_hits),
            "false_hits_dropped": int((false_hits < threshold).sum()),
            "true_hits_dropped": int((true_hits < threshold).sum()),
        }
    return out


def export(fitted: Fitted, thresholds: dict[str, dict], cfg: dict, stats: dict) -> dict:
    decimals = cfg["decimals"]
    idf = fitted.vectorizer.idf_
    labels = sorted(fitted.models)
    weights = {}
    for label in labels:
        model = fitted.models[label]
        coef = model.coef_.ravel() * idf  # folded: the runtime multiplies by idf once
        weights[label] = {
            "intercept": round(float(model.intercept_[0]), decimals),
            "threshold": round(thresholds[label]["threshold"], decimals),
            "coef": [round(float(c), decimals) for c in coef],
        }
    return {
        "format": 1,
        "ngrams": cfg["ngrams"],
        "min_chars": cfg["min_chars"],
        "features": fitted.vocab,
        "idf_squared": [round(float(v * v), decimals) for v in idf],
        "labels": weights,
        "vetoes": {c: round(v["threshold"], decimals) for c, v in stats["vetoes"].items()},
        "dev": {k: {kk: _plain(vv) for kk, vv in v.items()} for k, v in thresholds.items()},
        "trained_on": stats,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    return value


def train() -> dict:
    cfg = config()
    policy = load_rule_set().policy
    messages = corpus.load("train")
    data = examples(messages) + rule_examples()
    channels = [m.channel.value for m in messages] + ["work_group"] * (len(data) - len(messages))
    views = [view(e.text) for e in data]
    labels = [r for r in corpus.CONTENT_ROWS]
    dev = out_of_writer_scores(data, views, labels, cfg)
    scored = np.array([e.writer != "rules" for e in data])
    thresholds = {}
    for label in labels:
        truth = np.array([1 if label in e.labels else 0 for e in data])
        if truth[scored].sum() < cfg["min_positives"] or np.isnan(dev[label][scored]).all():
            continue
        worst = max(policy.severities(label).values(), key=lambda s: s.rank).value
        # A fold too small to learn the label scored nothing: those messages count as unflagged.
        dev_scores = np.nan_to_num(dev[label][scored], nan=-np.inf)
        thresholds[label] = calibrate(dev_scores, truth[scored], cfg["precision"][worst])
    fitted = Fitted(data, views, labels, cfg)
    for label in list(fitted.models):
        if label not in thresholds:
            del fitted.models[label]
    vetoes = calibrate_vetoes(dev, rule_flags(data, channels), data, cfg)
    stats = {
        "vetoes": vetoes,
        "messages": len(messages),
        "rule_examples": len(data) - len(messages),
        "writers": sorted({m.writer for m in messages}),
        "positives": {
            label: sum(1 for e in data if label in e.labels) for label in sorted(fitted.models)
        },
    }
    return export(fitted, thresholds, cfg, stats)
