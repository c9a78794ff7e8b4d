"""Where clauses end in a draft typed without punctuation (voice input): the boundary model
(`models/boundaries.json`, trained by `python -m training` on the annotated drafts) scores every
position of a long run by the characters around it."""

from __future__ import annotations

import json
from functools import cache

from assistant.engine.checker import default_engine
from assistant.engine.detectors.judgement import NgramModel
from assistant.engine.document import Document
from assistant.engine.ngrams import model_text
from assistant.engine.paths import MODELS_DIR
from assistant.rewriting.clause_labels import boundary_window
from assistant.rewriting.facts import fact_spans

WINDOW = 3
MIN_GAP = 4


@cache
def _model() -> NgramModel | None:
    try:
        with open(f"{MODELS_DIR}/boundaries.json", encoding="utf-8") as fh:
            return NgramModel(json.load(fh))
    except FileNotFoundError:
        return None


def cuts(draft: str, start: int, end: int) -> list[int]:
    model = _model()
    if model is None:
        return []
    run = draft[start:end]
    text = model_text(Document(run, default_engine().compiled).squeezed.text)
    if len(text) != len(run):  # in-word separators were folded away: offsets would not match
        return []
    inside = [(s, e) for s, e in fact_spans(run)]
    threshold = model.thresholds["boundary"]
    scored = []
    for at in range(MIN_GAP, len(run) - MIN_GAP + 1):
        if any(s < at < e for s, e in inside):
            continue
        score = model.scores(boundary_window(text, at, WINDOW))[0]
        if score >= threshold:
            scored.append((score, at))
    chosen: list[int] = []
    for _, at in sorted(scored, reverse=True):
        if all(abs(at - c) >= MIN_GAP for c in chosen):
            chosen.append(at)
    return [start + at for at in sorted(chosen)]
