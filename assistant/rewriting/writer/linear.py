"""A logistic regression over named features, read from the weights `python -m training`
writes: the learned parts of the writer (titles, points) score with it."""

from __future__ import annotations

import math


class Linear:
    """One class (a probability) or several (the class with the highest score)."""

    def __init__(self, data: dict) -> None:
        self.classes: list[str] = data.get("classes", [])
        # feature -> [[class, weight], ...]: only the weights that matter are stored
        self.weights: dict[str, list[list[float]]] = data["weights"]
        self.intercept: list[float] = data["intercept"]

    def scores(self, features: dict[str, float]) -> list[float]:
        out = list(self.intercept)
        for name, value in features.items():
            pairs = self.weights.get(name)
            if pairs is not None and value:
                for i, w in pairs:
                    out[int(i)] += w * value
        return out

    def probability(self, features: dict[str, float]) -> float:
        z = self.scores(features)[0]
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0

    def best(self, features: dict[str, float]) -> str:
        scores = self.scores(features)
        return self.classes[max(range(len(scores)), key=lambda i: (scores[i], -i))]

    def distribution(self, features: dict[str, float]) -> dict[str, float]:
        """Each class's probability (a softmax of the scores)."""
        scores = self.scores(features)
        top = max(scores)
        exps = [math.exp(z - top) for z in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}


def bucket(value: float, edges: tuple[float, ...]) -> int:
    """How many of `edges` `value` reaches: a number as a feature the models can weigh (a
    length, a share), shared by every learned part of the writer."""
    return sum(value >= edge for edge in edges)
