"""`python -m training [--only NAME]`: train every learned part and write it to models/."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"


def write(name: str, data: dict) -> Path:
    MODELS.mkdir(exist_ok=True)
    path = MODELS / name
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    steps = {
        "judgement": ("judgement.json", "training.judgement"),
        "known_rumors": ("known_rumors.json", "training.known_rumors"),
        "clauses": ("clauses.json", "training.clauses"),
        "boundaries": ("boundaries.json", "training.boundaries"),
        "titles": ("titles.json", "training.titles"),
        "points": ("points.json", "training.points"),
        "asides": ("asides.json", "training.asides"),
    }
    parser.add_argument("--only", choices=sorted(steps), help="train one part only")
    args = parser.parse_args(argv)
    for name, (filename, module) in steps.items():
        if args.only and args.only != name:
            continue
        started = time.monotonic()
        trained = __import__(module, fromlist=["train"]).train()
        path = write(filename, trained)
        size = path.stat().st_size
        print(
            f"{name}: {path.relative_to(ROOT)} ({size / 1e6:.2f} MB, {time.monotonic() - started:.0f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
