"""Where the engine's data lives: the rules (YAML) and the learned models (weights as data)."""

from __future__ import annotations

import os

ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(ENGINE_DIR))
RULES_DIR = os.path.join(ROOT, "rules")
MODELS_DIR = os.path.join(ROOT, "models")
