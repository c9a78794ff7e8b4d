"""The asides model (`assistant/rewriting/writer/asides_model.py`): which clauses the editor
strikes out, learned from the references of the annotated drafts in `corpus/clauses/train/`.

Each draft is read as the writer reads it (the runtime's clauses and labels, as for the points
model). A kept clause is "struck" when less than `STRUCK` of its character pairs are anywhere in
the editor's message body (the title, salutation, closing and signature left out); otherwise it
is not — a clause the editor reworded keeps some of its pairs and counts as kept, so the model
errs towards keeping.

The threshold the writer strikes at (`sure`) is chosen out of writer: each writer's clauses
scored by a model trained without them, and the lowest threshold at which at least `PRECISION`
of the fact-free clauses struck were struck by the editor too.
"""

from __future__ import annotations

from typing import Any

from assistant.rewriting import facts
from assistant.rewriting.writer import asides_model
from assistant.rewriting.writer.linear import Linear
from assistant.rewriting.writer.wording import char_pairs, official
from training.clauses import Draft, load
from training.points import _key, read, units
from training.titles import _fit_linear

STRUCK = 0.15
PRECISION = 0.85
MIN_COUNT = 5  # a character triple seen in fewer clauses says little about a new one
THRESHOLDS = tuple(round(0.5 + x / 40, 3) for x in range(20))  # 0.5 … 0.975


def rows(d: Draft) -> list[tuple[dict[str, float], int, bool, int]]:
    """(features, struck, holds a fact, length) for each kept clause of one draft."""
    body = read(d)
    reference = set().union(*units(d)) if units(d) else set()
    clauses = [(i.text, i.label) for i in body]
    facts_in = [bool(facts.extract(text)) for text, _ in clauses]
    out = []
    for k, features in enumerate(asides_model.features_of(clauses, d.kind, facts_in)):
        pairs = char_pairs(_key(official(clauses[k][0])))
        if not pairs:
            continue
        struck = int(len(pairs & reference) < STRUCK * len(pairs))
        out.append((features, struck, facts_in[k], len(clauses[k][0])))
    return out


def train() -> dict[str, Any]:
    drafts = load("train")
    writers = sorted({d.id.split("-")[0] for d in drafts})
    # per writer: (features, struck, holds a fact, length, from a rambling draft) per clause
    by_writer: dict[str, list[tuple[dict[str, float], int, bool, int, bool]]] = {
        w: [] for w in writers
    }
    rambling_chars = {w: 0 for w in writers}
    for d in drafts:
        writer = d.id.split("-")[0]
        rambling = d.register_ == "rambling"
        by_writer[writer] += [(*row, rambling) for row in rows(d)]
        rambling_chars[writer] += len(d.draft) if rambling else 0
    scored: list[
        tuple[float, int, bool, int, bool]
    ] = []  # (chance, struck, fact, length, rambling)
    for writer in writers:
        train_rows = [r for w in writers if w != writer for r in by_writer[w]]
        model = Linear(
            _fit_linear(
                [f for f, *_ in train_rows], [y for _, y, *_ in train_rows], min_count=MIN_COUNT
            )
        )
        for f, y, fact, n, rambling in by_writer[writer]:
            scored.append((model.probability(f), y, fact, n, rambling))
    sure, precision, recall = _threshold(scored)
    struck_rambling = sum(n for p, _, fact, n, ram in scored if ram and not fact and p >= sure)
    every = [r for w in writers for r in by_writer[w]]
    return {
        "model": _fit_linear(
            [f for f, *_ in every], [y for _, y, *_ in every], min_count=MIN_COUNT
        ),
        "sure": sure,
        "trained_on": {
            "drafts": len(drafts),
            "writers": writers,
            "clauses": len(every),
            "struck_by_editor": sum(y for _, y, *_ in every),
            "dev_precision_out_of_writer": round(precision, 4),
            "dev_recall_out_of_writer": round(recall, 4),
            "dev_curve_out_of_writer": _curve(scored),
            "dev_rambling_chars_struck_out_of_writer": round(
                struck_rambling / max(1, sum(rambling_chars.values())), 4
            ),
        },
    }


def _threshold(scored: list[tuple[float, int, bool, int, bool]]) -> tuple[float, float, float]:
    """The lowest threshold whose fact-free strikes are right at least `PRECISION` of the time,
    with its precision and recall (of the editor's strikes)."""
    total = sum(y for _, y, *_ in scored)
    for t in THRESHOLDS:
        hits = [y for p, y, fact, *_ in scored if p >= t and not fact]
        if hits and sum(hits) / len(hits) >= PRECISION:
            return t, sum(hits) / len(hits), sum(hits) / max(1, total)
    return 1.0, 1.0, 0.0


def _curve(scored: list[tuple[float, int, bool, int, bool]]) -> list[list[float]]:
    """[threshold, precision, recall] of the fact-free strikes at each threshold."""
    total = max(1, sum(y for _, y, *_ in scored))
    out = []
    for t in THRESHOLDS[::2]:
        hits = [y for p, y, fact, *_ in scored if p >= t and not fact]
        if hits:
            out.append([t, round(sum(hits) / len(hits), 3), round(sum(hits) / total, 3)])
    return out
