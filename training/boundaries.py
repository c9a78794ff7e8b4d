"""Training the clause-boundary model (see training/clauses.py)."""

from training.clauses import train_boundaries as train

__all__ = ["train"]
