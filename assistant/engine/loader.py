"""Read `rules/*.yaml` into validated specs; every error names its file and rule."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.engine.errors import RuleLoadError
from assistant.engine.paths import RULES_DIR as _RULES_DIR
from assistant.engine.spec import (
    Clause,
    GuidelineFile,
    KindsFile,
    PolicyFile,
    RuleFile,
    RuleSpec,
    VariantsFile,
)
from assistant.vocabulary import FORMAT_CATEGORIES

GUIDELINE_FILE = "guideline.yaml"
VARIANTS_FILE = "variants.yaml"
POLICY_FILE = "policy.yaml"
KINDS_FILE = "kinds.yaml"
# The offline writer's vocabulary lives beside the rules but is not the checker's to load.
NOT_RULES = frozenset({"writing.yaml"})
GUARD_FILE = "guard.yaml"


@dataclass(frozen=True, slots=True)
class RuleSet:
    clauses: dict[str, Clause]
    variants: dict[str, list[str]]
    rules: list[RuleSpec]
    sources: dict[str, str]  # rule id -> file name
    policy: PolicyFile
    kinds: KindsFile
    secret_signs: tuple[str, ...] = ()


RULES_DIR = Path(_RULES_DIR)
__all__ = ["RULES_DIR", "RuleLoadError", "RuleSet", "load_rule_set"]


def rule_files(rules_dir: Path = RULES_DIR) -> list[Path]:
    return sorted(p for p in rules_dir.glob("*.yaml"))


def load_rule_set(rules_dir: str | Path = RULES_DIR) -> RuleSet:
    import yaml

    rules_dir = Path(rules_dir)
    files = rule_files(rules_dir)
    if not files:
        raise RuleLoadError(f"{rules_dir}: no rules files (*.yaml) found")
    raw: dict[str, Any] = {}
    for path in files:
        if path.name in NOT_RULES:
            continue
        try:
            raw[path.name] = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise RuleLoadError(f"{path.name}: not valid YAML: {exc}") from exc
        if not isinstance(raw[path.name], dict):
            raise RuleLoadError(f"{path.name}: expected a mapping at the top level")

    if GUIDELINE_FILE not in raw:
        raise RuleLoadError(f"{rules_dir}: {GUIDELINE_FILE} (the clauses) is missing")
    guideline = _validate(GuidelineFile, raw.pop(GUIDELINE_FILE), GUIDELINE_FILE)
    clauses = {c.id: c for c in guideline.clauses}
    if len(clauses) != len(guideline.clauses):
        raise RuleLoadError(f"{GUIDELINE_FILE}: clause ids are not unique")
    variants: dict[str, list[str]] = {}
    if VARIANTS_FILE in raw:
        variants = _validate(VariantsFile, raw.pop(VARIANTS_FILE), VARIANTS_FILE).variants

    if POLICY_FILE not in raw:
        raise RuleLoadError(f"{rules_dir}: {POLICY_FILE} (the severity policy) is missing")
    policy = _validate(PolicyFile, raw.pop(POLICY_FILE), POLICY_FILE)
    if KINDS_FILE not in raw:
        raise RuleLoadError(f"{rules_dir}: {KINDS_FILE} (the kinds of message) is missing")
    kinds = _validate(KindsFile, raw.pop(KINDS_FILE), KINDS_FILE)
    guard = raw.pop(GUARD_FILE, {}) or {}
    signs = guard.get("secret_signs", [])
    if not isinstance(signs, list) or not all(isinstance(w, str) and w for w in signs):
        raise RuleLoadError(f"{GUARD_FILE}: secret_signs must be a list of words")
    for kind, spec in kinds.kinds.items():
        unknown = [c for c in spec.clauses if c not in clauses]
        if unknown:
            raise RuleLoadError(
                f"{KINDS_FILE}: {kind.value}: clauses {unknown} not in {GUIDELINE_FILE}"
            )

    rules: list[RuleSpec] = []
    sources: dict[str, str] = {}
    for name, data in raw.items():
        rule_file = _validate(RuleFile, data, name)
        for index, given in enumerate(rule_file.rules):
            item = _apply_defaults(given, rule_file.defaults)
            label = f"{name}: rule {item.get('id', '?')!r} (#{index + 1})"
            spec = _validate(RuleSpec, item, label)
            if spec.id in sources:
                raise RuleLoadError(f"{label}: id also used in {sources[spec.id]}")
            if spec.clause not in clauses:
                raise RuleLoadError(f"{label}: clause {spec.clause!r} is not in {GUIDELINE_FILE}")
            _check_policy(spec, policy, label)
            sources[spec.id] = name
            rules.append(spec)
    return RuleSet(
        clauses=clauses,
        variants=variants,
        rules=rules,
        sources=sources,
        policy=policy,
        kinds=kinds,
        secret_signs=tuple(signs),
    )


def _check_policy(spec: RuleSpec, policy: PolicyFile, label: str) -> None:
    if spec.policy not in policy.rows:
        raise RuleLoadError(f"{label}: policy row {spec.policy!r} is not in {POLICY_FILE}")
    row_category = policy.category_of(spec.policy)
    fits = (
        spec.category in FORMAT_CATEGORIES
        if row_category == "format"
        else row_category == spec.category.value
    )
    if not fits:
        raise RuleLoadError(
            f"{label}: policy row {spec.policy!r} belongs to another category than "
            f"{spec.category.value!r}"
        )


def _apply_defaults(item: Any, defaults: dict[str, Any]) -> Any:
    """File-level defaults fill a rule's match fields it leaves unset (e.g. shared negation cues)."""
    if not isinstance(item, dict) or not defaults:
        return item
    match = item.get("match")
    if not isinstance(match, dict) or "detector" in match:
        return item
    merged = {k: v for k, v in defaults.items() if k not in match}
    return {**item, "match": {**match, **merged}}


def _validate(model: type, data: Any, label: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise RuleLoadError(f"{label}: {problems}") from None
