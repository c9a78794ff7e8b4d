"""`python -m assistant eval`: run the suite, print a summary, write reports, gate on the baseline.

Exit 0: no regression (or the baseline was updated); 1: a regression, or no baseline;
2: bad options or case files, or `--mode live|record` without OPENAI_API_KEY.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

EXIT_OK, EXIT_REGRESSION, EXIT_USAGE = 0, 1, 2
BAR_WIDTH = 30


class ProgressBar:
    """A plain-text bar on stderr: redrawn in place on a terminal, every 10 % in a log."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int, label: str) -> None:
        step = done * 10 // total if total else 10
        if not self.tty and step == self.shown and done != total:
            return
        self.shown = step
        filled = done * BAR_WIDTH // total if total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = f"[{bar}] {done}/{total} {label}"
        if self.tty:
            self.stream.write("\r" + line[:100].ljust(100))
            if done == total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def cmd_eval(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    from assistant.evaluation import baseline, metrics, reports, runner
    from assistant.evaluation.cases import CASES_DIR, CaseError

    mode = getattr(args, "mode", "offline") or "offline"
    tag = getattr(args, "filter", None)
    repeat = getattr(args, "repeat", 1) or 1
    update = bool(getattr(args, "update_baseline", False))
    cases_dir = Path(args.cases) if getattr(args, "cases", None) else CASES_DIR
    baseline_path = Path(args.baseline) if getattr(args, "baseline", None) else baseline.BASELINE
    if update and (tag or mode in ("live", "record")):
        print(
            "错误：--update-baseline 只能用于完整的离线运行（不带 --filter，mode offline 或 replay）。",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        result = runner.run(
            mode=mode, tag=tag, repeat=repeat, cases_dir=cases_dir, progress=ProgressBar()
        )
        old = baseline.load(baseline_path)
    except (CaseError, runner.EvalUsageError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    summary = metrics.summarize(result.items)
    snap = baseline.snapshot(result, summary)
    gate = baseline.compare(old, snap, partial=bool(tag))
    result.seconds = time.perf_counter() - started
    if getattr(args, "report", None):
        reports.write_reports(Path(args.report), result, summary, gate)
    print(reports.text_summary(result, summary, gate, updating=update))
    if getattr(args, "report", None):
        print(f"报告：{Path(args.report) / 'report.html'}、report.json、junit.xml")
    if update:
        baseline.write(snap, baseline_path)
        print(f"基线已更新：{baseline_path}（{summary['passed']}/{summary['cases']} 通过）")
        return EXIT_OK
    return EXIT_OK if gate.ok else EXIT_REGRESSION
