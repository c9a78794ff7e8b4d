"""Where one point of the message ends and the next begins, learned from the editors' references.

An editor's point is one item: the time, place and requirement of a meeting's arrival in one
line, the two halves of an agenda sentence in one line, a new line where the draft turns to what
to hand in. The draft's commas and full stops do not say it (a rambling draft puts a full stop in
the middle of an item and runs three items into one comma chain), so a linear model trained by
`python -m training` on the annotated drafts (`corpus/clauses/train/`, each clause aligned to the
line of the editor's reference that says it) decides at each boundary between two kept clauses
whether the second joins the first's point. Weights ship in `models/points.json`; training and
run time share `boundary_features`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from assistant.engine.ngrams import read_model
from assistant.engine.paths import MODELS_DIR
from assistant.rewriting.writer.linear import Linear, bucket

MODEL_FILE = "points.json"
_MARKS = {
    "\n": "line",
    "。": "stop",
    "！": "stop",
    "？": "stop",
    "!": "stop",
    "?": "stop",
    "；": "semi",
    ";": "semi",
    "，": "comma",
    ",": "comma",
    "、": "comma",
    "：": "colon",
    ":": "colon",
}
_LENGTHS = (10, 20, 35, 50, 70)
_COUNTS = (3, 5, 8, 12, 18)


def mark(raw: str) -> str:
    """How the draft ends a clause: a line break, a full stop, a semicolon, a comma, a colon, or
    nothing (a cut the boundary model made inside an unpunctuated run)."""
    return _MARKS.get(raw.rstrip(" \t\u3000")[-1:], "none")


def _bucket(n: int, edges: tuple[int, ...] = _LENGTHS) -> int:
    return bucket(n, edges)


def boundary_features(
    before: str,
    before_label: str,
    text: str,
    label: str,
    *,
    before_raw: str,
    point_chars: int,
    kind: str,
    facts: tuple[bool, bool],
    item_mark: bool,
    points_before: int,
    shape: tuple[int, int],
) -> dict[str, float]:
    """The boundary between the clause before (`before`, in official wording, `before_raw` as
    the draft has it) and the next clause (`text`), with the point so far `point_chars` long,
    `points_before` points before it, in a draft of `shape` (its kept clauses, the kinds of
    detail it gives): an editor numbers the items of a draft that gives many."""
    m = mark(before_raw)
    p = _bucket(point_chars)
    return {
        f"m={m}": 1.0,
        f"la={before_label}": 1.0,
        f"lb={label}": 1.0,
        f"pair={before_label}|{label}": 1.0,
        f"m_lb={m}|{label}": 1.0,
        f"m_la={m}|{before_label}": 1.0,
        f"p={p}": 1.0,
        f"m_p={m}|{p}": 1.0,
        f"b={_bucket(len(text))}": 1.0,
        f"start={text[:2]}": 1.0,
        f"start1={text[:1]}": 1.0,
        f"end={before[-2:]}": 1.0,
        f"kind={kind}": 1.0,
        f"kind_m={kind}|{m}": 1.0,
        "fact_a": 1.0 if facts[0] else 0.0,
        "fact_b": 1.0 if facts[1] else 0.0,
        "item": 1.0 if item_mark else 0.0,
        f"k={min(points_before, 6)}": 1.0,
        f"n={_bucket(shape[0], _COUNTS)}": 1.0,
        f"d={min(shape[1], 5)}": 1.0,
        f"d_m={min(shape[1], 5)}|{m}": 1.0,
        f"n_m={_bucket(shape[0], _COUNTS)}|{m}": 1.0,
    }


def shape_features(clauses: list[tuple[str, str]], kind: str) -> dict[str, float]:
    """The draft as a whole, (raw text, label) for each kept clause: how many clauses, kinds of
    detail, sentences and characters it has, and how many clauses of each label."""
    from collections import Counter

    stops = sum(mark(raw) in ("stop", "line", "semi") for raw, _ in clauses)
    chars = sum(len(raw) for raw, _ in clauses)
    out = {
        f"kind={kind}": 1.0,
        f"n={min(len(clauses), 20)}": 1.0,
        f"stops={min(stops, 12)}": 1.0,
        f"chars={min(chars // 25, 16)}": 1.0,
    }
    for label, count in Counter(label for _, label in clauses).items():
        out[f"lab={label}:{min(count, 4)}"] = 1.0
        out[f"has={label}"] = 1.0
    return out


@dataclass(frozen=True)
class PointsModel:
    linear: Linear  # at a boundary: does the next clause join the point?
    count: Linear  # for the draft: how many numbered points the editor writes ("0": prose)
    prose_sure: float  # prose only when the count model is this sure of it

    def joins(self, features: dict[str, float]) -> float:
        """The probability that the next clause belongs to the current point."""
        return self.linear.probability(features)

    def points(self, features: dict[str, float]) -> int:
        """How many points the details make: 0 for prose, else the most likely count."""
        shares = self.count.distribution(features)
        if shares.get("0", 0.0) >= self.prose_sure:
            return 0
        numbered = {c: p for c, p in shares.items() if c != "0"}
        return int(max(numbered, key=lambda c: (numbered[c], -int(c)))) if numbered else 0


@cache
def model() -> PointsModel | None:
    data = read_model(MODELS_DIR, MODEL_FILE)
    if data is None:
        return None
    return PointsModel(Linear(data["model"]), Linear(data["count"]), data["prose_sure"])
