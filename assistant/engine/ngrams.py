"""The view of a text the learned models read, and the n-grams they are built on.

Training (`training/`, with scikit-learn) and checking (here, without it) must see exactly the
same features, so both take them from this module: the engine's squeezed view (width, case,
traditional characters, invisible characters and in-word separators undone) with every digit
read as 0 — a phone number or a date is a shape, not a word to learn.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings
if TYPE_CHECKING:
    from typing import Any

DIGITS = str.maketrans("0123456789", "0000000000")


def model_text(squeezed: str) -> str:
    return squeezed.translate(DIGITS)


def message_view(squeezed: str) -> str:
    """The whole message as the judgement model scores it: the blank lines and spaces around a
    message carry no meaning, and a pasted draft's trailing newline must not move a verdict."""
    return model_text(squeezed.strip())


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """Every character n-gram of `text` with low <= n <= high (duplicates kept, in order)."""
    out = []
    for n in range(low, high + 1):
        out.extend(text[i : i + n] for i in range(len(text) - n + 1))
    return out


def feature_automaton(features: list[str]) -> Any:
    """An Aho-Corasick automaton whose value for each feature is its index: the learned models
    find the n-grams of a text they know in one C-level pass."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for i, gram in enumerate(features):
        automaton.add_word(gram, i)
    automaton.make_automaton()
    return automaton


def read_model(models_dir: str, filename: str) -> dict[str, Any] | None:
    """A model file written by `python -m training`, or None when it is absent (the rules still
    run without it)."""
    import json
    import os

    path = os.path.join(models_dir, filename)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
