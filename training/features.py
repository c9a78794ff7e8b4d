"""Texts as the runtime's models read them: the engine's own normalization, then n-grams."""

from __future__ import annotations

from functools import cache

from assistant.engine.compiled import load_compiled
from assistant.engine.document import Document
from assistant.engine.ngrams import char_ngrams, message_view, model_text


@cache
def _compiled():
    # The normalization only: the rules compiled without the models being trained.
    return load_compiled(models_dir=None)


def view(text: str) -> str:
    """Exactly what `check` gives the learned models for `text`."""
    return model_text(Document(text, _compiled()).squeezed.text)


def message(text: str) -> str:
    """Exactly what `check` gives the judgement model to score for the whole of `text`."""
    return message_view(Document(text, _compiled()).squeezed.text)


def analyzer(low: int, high: int):
    def analyze(text: str) -> list[str]:
        return char_ngrams(view(text), low, high)

    return analyze
