from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Tests never touch the user's cache, and never a network: keys are cleared for every test.
os.environ.setdefault("ASSISTANT_CACHE_DIR", str(ROOT / ".cache" / "test-rules"))
for _var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ASSISTANT_MODEL"):
    os.environ.pop(_var, None)


@pytest.fixture(scope="session")
def engine():
    from assistant.engine.checker import default_engine

    return default_engine()
