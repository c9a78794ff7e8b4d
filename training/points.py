"""The points model (`assistant/rewriting/writer/points_model.py`): where the editor starts a new
point, learned from the references of the annotated drafts in `corpus/clauses/train/`.

Each draft is read as the writer reads it (`offline.read`: the runtime's clauses and labels) and
its kept clauses are aligned to the lines of the editor's reference: a clause goes to the line
that holds the largest share of its character pairs (at least `MIN_SHARE`; a clause the editor
struck out aligns to none and is skipped). Between two aligned clauses one after another, the
label is "joins" when both went to the same line.

The dev figure is out of writer, as for the other models: each writer's boundaries decided by a
model trained without them, against the share a rule gets that starts a point at each full stop
or line break of the draft.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.evaluation.quality import NUMBERED
from assistant.rewriting.writer import points_model
from assistant.rewriting.writer.linear import Linear
from assistant.rewriting.writer.wording import char_pairs, official, simplified
from training.clauses import Draft, load
from training.titles import _fit_linear

MIN_SHARE = 0.34
# Prose (no numbered points) only when the count model is this sure: a message of several
# items left as prose fails the editor more than a short one numbered.
PROSE_SURE = 0.85
MAX_POINTS = 6
_NUMBER = re.compile(r"^\s*(?:\d{1,2}[.、．]|[（(]\d{1,2}[)）])\s*")


def _key(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


def units(d: Draft) -> list[set[str]]:
    """The character pairs of each line of the editor's message body: the title, the
    salutation, the closing and the signature left out."""
    lines = [line.strip() for line in simplified(d.reference).splitlines() if line.strip()]
    body = lines[1:-1]
    if body and body[0].endswith(("：", ":")) and len(body[0]) <= 40:
        body = body[1:]
    return [char_pairs(_key(_NUMBER.sub("", line))) for line in body]


def points_wanted(d: Draft) -> str:
    """The count model's class for one draft: the editor's numbered points, "0" for prose."""
    n = len(NUMBERED.findall(d.reference))
    return "0" if n < 3 else str(min(n, MAX_POINTS))


def read(d: Draft) -> list:
    """The draft's kept clauses, as the writer reads it: both the boundaries and the shape are
    taken from this one reading."""
    from assistant.rewriting import offline
    from assistant.rewriting.writer import compose

    return compose.partition(list(offline.read(d.draft).labelled), "").body


def shape_row(d: Draft, body: list) -> dict[str, float]:
    return points_model.shape_features([(i.clause.text, i.label) for i in body], d.kind)


def boundaries(d: Draft, body: list) -> list[tuple[dict[str, float], int, bool]]:
    """(features, joins, the draft ends a sentence there) for each boundary of one draft, read
    as `body`."""
    from assistant.rewriting.writer import compose

    lines = units(d)
    out = []
    previous = None
    previous_line = -1
    point_chars = 0
    points = 1
    draft_shape = compose.shape(body)
    for item in body:
        pairs = char_pairs(_key(official(item.text)))
        if not pairs or not lines:
            continue
        shares = [len(pairs & line) / len(pairs) for line in lines]
        line = max(range(len(lines)), key=lambda n: shares[n])
        if shares[line] < MIN_SHARE:
            continue
        if previous is not None:
            joins = int(line == previous_line)
            features = compose.boundary(
                previous,
                item,
                point_chars,
                d.kind,
                points_before=points,
                draft_shape=draft_shape,
            )
            stops = points_model.mark(previous.clause.text) in ("stop", "line", "semi")
            out.append((features, joins, stops))
            point_chars = point_chars if joins else 0
            points += not joins
        point_chars += len(official(item.text))
        previous, previous_line = item, line
    return out


def _fit(rows: dict[str, list], shapes: dict[str, dict], wanted: dict[str, str], ids) -> dict:
    every = [r for i in ids for r in rows[i]]
    return {
        "model": _fit_linear([f for f, _, _ in every], [j for _, j, _ in every]),
        "count": _fit_linear([shapes[i] for i in ids], [wanted[i] for i in ids]),
        "prose_sure": PROSE_SURE,
    }


def _as_model(data: dict[str, Any]) -> points_model.PointsModel:
    return points_model.PointsModel(
        Linear(data["model"]), Linear(data["count"]), data["prose_sure"]
    )


def train() -> dict[str, Any]:
    drafts = load("train")
    bodies = {d.id: read(d) for d in drafts}
    rows = {d.id: boundaries(d, bodies[d.id]) for d in drafts}
    shapes = {d.id: shape_row(d, bodies[d.id]) for d in drafts}
    wanted = {d.id: points_wanted(d) for d in drafts}
    writers = sorted({d.id.split("-")[0] for d in drafts})
    right = by_stops = total = numbered = off = 0
    for writer in writers:
        mine = [d.id for d in drafts if d.id.startswith(writer + "-")]
        model = _as_model(_fit(rows, shapes, wanted, [i for i in rows if i not in set(mine)]))
        for i in mine:
            for features, joins, stops in rows[i]:
                right += (model.joins(features) >= 0.5) == bool(joins)
                by_stops += (not stops) == bool(joins)
                total += 1
            got, want = model.points(shapes[i]), int(wanted[i])
            numbered += (got > 0) == (want > 0)
            off += abs(got - want)
    out = _fit(rows, shapes, wanted, list(rows))
    out["trained_on"] = {
        "drafts": len(drafts),
        "boundaries": total,
        "writers": writers,
        "dev_boundary_accuracy_out_of_writer": round(right / total, 4),
        "dev_boundary_accuracy_full_stop_rule": round(by_stops / total, 4),
        "dev_numbered_or_prose_out_of_writer": round(numbered / len(drafts), 4),
        "dev_points_count_mean_error_out_of_writer": round(off / len(drafts), 3),
    }
    return out
