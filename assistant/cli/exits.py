"""The CLI's exit codes, one enum for every subcommand (DESIGN.md: 0 ok, 1 findings, 2 bad input)."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    ok = 0  # the verdict is ok (or the command had nothing to judge)
    findings = 1  # revise or block, or a rewrite whose re-check or facts failed
    bad_input = 2  # bad input, bad options or bad configuration: nothing was judged

    def worst(self, other: Exit) -> Exit:
        return self if self >= other else other
