"""The clause labeller: one logistic regression per clause label over binary tf-idf character
n-grams of the clause (with its position in the draft as marks), trained on the drafts annotated
clause by clause in `corpus/clauses/train/`, exported like the judgement model.

At run time the label of a clause is the one with the highest score.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.evaluation.corpus import CORPUS
from assistant.rewriting.clause_labels import DROPPED, LABELS, clause_view
from training import judgement
from training.features import view

CONFIG = Path(__file__).with_name("clauses.yaml")
FOLDER = CORPUS / "clauses"


class Clause(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str
    label: str

    @model_validator(mode="after")
    def _known(self) -> Clause:
        if self.label not in LABELS:
            raise ValueError(f"unknown clause label {self.label!r}")
        return self


class Draft(BaseModel):
    """One annotated draft: its clauses, sender, title, facts and an editor's reference."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9]+-\d+$")
    kind: str
    register_: str = Field(alias="register")
    draft: str
    clauses: list[Clause] = Field(min_length=1)
    sender: str | None
    title: str
    facts: list[str]
    reference: str

    @model_validator(mode="after")
    def _consistent(self) -> Draft:
        if "".join(c.text for c in self.clauses) != self.draft:
            raise ValueError("the clauses joined are not the draft")
        return self


def load(split: str) -> list[Draft]:
    drafts = []
    for path in sorted((FOLDER / split).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    drafts.append(Draft.model_validate(json.loads(line)))
                except ValueError as exc:
                    raise ValueError(f"{path.name}:{number}: {exc}") from None
    return sorted(drafts, key=lambda d: d.id)


def examples(drafts: list[Draft]) -> list[tuple[judgement.Example, str]]:
    out = []
    for d in drafts:
        n = len(d.clauses)
        for i, c in enumerate(d.clauses):
            if not c.text.strip():
                continue
            text = clause_view(view(c.text), i == 0, i == n - 1)
            out.append(
                (judgement.Example(f"{d.id}#{i}", d.id.split("-")[0], text, (c.label,)), text)
            )
    return out


# A long clause the model reads as filler (more content than filler ever leaves: labeller's
# FILLER_MAX) is dropped only when the model is this sure of it, out of writer: the precision of
# its reading as small talk (the editor's own label) at the threshold `filler_sure`.
SMALL_TALK = 0.9


def _long(text: str) -> bool:
    """A clause the labeller keeps as a detail although the model reads it as filler, unless
    the model is sure (`filler_sure`): more content than filler leaves, and no fact."""
    from assistant.rewriting.writer.labeller import FILLER_MAX, content_chars, has_fact

    return content_chars(text) >= FILLER_MAX and not has_fact(text)


def train() -> dict[str, Any]:
    cfg = {**judgement.config(), **yaml.safe_load(CONFIG.read_text(encoding="utf-8"))}
    drafts = load("train")
    pairs = examples(drafts)
    data = [e for e, _ in pairs]
    views = [v for _, v in pairs]
    fitted = judgement.Fitted(data, views, list(LABELS), cfg)
    # Out-of-writer accuracy (the dev figure): each writer scored by a model without them.
    writers = sorted({e.writer for e in data})
    raw = {f"{d.id}#{i}": c.text for d in drafts for i, c in enumerate(d.clauses)}
    right = total = 0
    long_filler: list[tuple[float, bool]] = []  # (filler score, the editor's label is small talk)
    for writer in writers:
        train_i = [i for i, e in enumerate(data) if e.writer != writer]
        held = [i for i, e in enumerate(data) if e.writer == writer]
        fold = judgement.Fitted(
            [data[i] for i in train_i], [views[i] for i in train_i], list(LABELS), cfg
        )
        scores = fold.scores([views[i] for i in held])
        labels = sorted(scores)
        matrix = np.vstack([scores[label] for label in labels])
        for col, i in enumerate(held):
            total += 1
            best = labels[int(np.argmax(matrix[:, col]))]
            right += best == data[i].labels[0]
            text = raw[data[i].id]
            if best == "filler" and _long(text):
                long_filler.append((float(scores["filler"][col]), data[i].labels[0] in DROPPED))
    sure = judgement.calibrate(
        np.array([s for s, _ in long_filler]), np.array([t for _, t in long_filler]), SMALL_TALK
    )
    thresholds = {label: {"threshold": 0.0} for label in fitted.models}
    stats = {
        "vetoes": {},
        "clauses": len(data),
        "drafts": len({e.id.split("#")[0] for e in data}),
        "writers": writers,
        "dev_accuracy_out_of_writer": round(right / total, 4),
        "dev_long_filler_out_of_writer": {
            "clauses": len(long_filler),
            "small_talk": sum(t for _, t in long_filler),
            "precision_at_sure": round(sure["precision"], 4),
            "recall_at_sure": round(sure["recall"], 4),
        },
    }
    exported = judgement.export(fitted, thresholds, cfg, stats)
    exported["trained_on"] = stats
    exported["filler_sure"] = round(sure["threshold"], 4) if sure["reached"] else None
    return exported


# --- where a clause ends when the draft has no punctuation (voice input) ----------------------

BREAKS = "，,。！？!?；;\n：:、 "
WINDOW = 3  # characters either side of a position


def boundary_view(text: str, at: int) -> str:
    """The characters around position `at` of a model-view text, with the position marked."""
    from assistant.rewriting.clause_labels import boundary_window

    return boundary_window(text, at, WINDOW)


def boundary_examples(drafts: list[Draft]) -> list[tuple[judgement.Example, str]]:
    """Every position inside a run of text without punctuation, labelled by whether the
    annotator put a clause boundary there."""
    out = []
    for d in drafts:
        cuts, pos = set(), 0
        for c in d.clauses[:-1]:
            pos += len(c.text)
            cuts.add(pos)
        text = d.draft
        for at in range(2, len(text) - 1):
            if text[at - 1] in BREAKS or text[at] in BREAKS:
                continue
            window = boundary_view(view(text), at) if len(view(text)) == len(text) else None
            if window is None:
                continue
            labels = ("boundary",) if at in cuts else ("inside",)
            out.append(
                (judgement.Example(f"{d.id}@{at}", d.id.split("-")[0], window, labels), window)
            )
    return out


def train_boundaries() -> dict[str, Any]:
    cfg = {
        **judgement.config(),
        "ngrams": [1, 4],
        "vocabulary": 20000,
        "C": 1.0,
        "min_positives": 10,
        "min_chars": 1,
    }
    pairs = boundary_examples(load("train"))
    data = [e for e, _ in pairs]
    views = [v for _, v in pairs]
    fitted = judgement.Fitted(data, views, ["boundary"], cfg)
    # Threshold: out-of-writer, the score at which a cut is right at least `precision` of times.
    dev = judgement.out_of_writer_scores(data, views, ["boundary"], cfg)["boundary"]
    truth = np.array([e.labels == ("boundary",) for e in data])
    # A wrong cut only splits a clause in two; a missing one leaves a whole draft as one clause.
    calibrated = judgement.calibrate(np.nan_to_num(dev, nan=-np.inf), truth, 0.5)
    stats = {
        "vetoes": {},
        "positions": len(data),
        "boundaries": int(truth.sum()),
        "dev": calibrated,
    }
    exported = judgement.export(fitted, {"boundary": calibrated}, cfg, stats)
    exported["trained_on"] = stats
    return exported
