"""Errors of the rules data, raised when the rules compile, never while a message is checked."""

from __future__ import annotations


class RuleLoadError(ValueError):
    """A rules or model file is malformed; the message says which file, which rule and which
    field."""
